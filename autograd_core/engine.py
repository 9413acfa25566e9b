"""The one backward engine shared by `Value` and `Tensor`.

Every graph node, scalar or tensor, follows the same protocol: ``node._inputs`` is the tuple
of nodes it was computed from, in argument order, duplicates kept (``a * a`` has two edges
to ``a``). Backward visits a node only once every node that used it has sent its
contribution, so its gradient is complete before it is passed on; contributions from
several uses add up.

The order is Kahn's algorithm, as in PyTorch's engine: count how many times each node is
used, then release a node when its count drops to zero. Both passes use an explicit stack,
never recursion, so a chain of a million nodes works. Drawing and stepping (``viz``,
``stepper``) read graphs through the same functions, so they see the engine's own order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

inputs_attr = attrgetter("_inputs")


def count_uses(
    roots: Iterable[Any], inputs_of: Callable[[Any], Sequence[Any]] = inputs_attr
) -> dict[Any, int]:
    """For every node reachable from ``roots``: how many edges point into it."""
    uses: dict[Any, int] = {}
    stack = []
    for root in roots:
        if root not in uses:
            uses[root] = 0
            stack.append(root)
    while stack:
        for child in inputs_of(stack.pop()):
            if child in uses:
                uses[child] += 1
            else:
                uses[child] = 1
                stack.append(child)
    return uses


def backward_order(
    roots: Iterable[Any], inputs_of: Callable[[Any], Sequence[Any]] = inputs_attr
) -> list[Any]:
    """Every node reachable from ``roots``, each before all of its inputs.

    This is the order the backward pass processes nodes in; reversed, it is a valid forward
    (topological) order.
    """
    roots = list(roots)
    uses = count_uses(roots, inputs_of)
    ready = [r for r in dict.fromkeys(roots) if uses[r] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for child in inputs_of(node):
            uses[child] -= 1
            if uses[child] == 0:
                ready.append(child)
    return order


def backward_local(root: Any, seed: float = 1.0) -> None:
    """Backpropagate through a scalar graph whose nodes keep local derivatives as numbers.

    This is `backward_order` with the chain rule folded in, written out for `Value`, whose
    nodes have at most two inputs, ``_a`` and ``_b``, with local derivatives ``_da`` and
    ``_db`` (``None`` for a path that passes exactly zero). The bookkeeping lives on the
    nodes, not in dicts, because this loop is the scalar engine's hot path:

    * ``_uses``: edges into the node not yet processed. It is 0 on every node between
      passes, so the counting pass recognises a first visit by the count becoming 1;
    * ``_g``: the node's gradient in this pass, added to ``.grad`` once complete (so a
      second ``backward()`` adds to the first, as in PyTorch).
    """
    stack = [root]
    push = stack.append
    try:
        while stack:  # pass 1: count the uses of every reachable node
            node = stack.pop()
            node._g = 0.0
            a = node._a
            if a is None:
                continue
            uses = a._uses + 1
            a._uses = uses
            if uses == 1:
                push(a)
            b = node._b
            if b is not None:
                uses = b._uses + 1
                b._uses = uses
                if uses == 1:
                    push(b)
        root._g = seed
        ready = [root]
        release = ready.append
        while ready:  # pass 2: release each node once all its users have contributed
            node = ready.pop()
            g = node._g
            node.grad += g
            a = node._a
            if a is None:
                continue
            d = node._da
            if d is not None:
                a._g += d * g
            uses = a._uses - 1
            a._uses = uses
            if not uses:
                release(a)
            b = node._b
            if b is None:
                continue
            d = node._db
            if d is not None:
                b._g += d * g
            uses = b._uses - 1
            b._uses = uses
            if not uses:
                release(b)
    except BaseException:  # interrupted: restore the invariant for the next pass
        for node in count_uses((root,)):
            node._uses = 0
        raise
