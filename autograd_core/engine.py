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

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from .anomaly import _state as _anomaly_state
from .anomaly import check_backward
from .grad_mode import _state as _grad_state
from .tensor import AccumulateGrad, Tensor

inputs_attr = attrgetter("_inputs")
_GRAD_REFS = 4  # see _unshared: the engine's variable, two arguments, getrefcount's own
_ARRAY_REFS = 3  # the Tensor's slot, a variable, getrefcount's own


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


def backward_local(root: Any, seed: float = 1.0, visited: list[Any] | None = None) -> None:
    """Backpropagate through a scalar graph whose nodes keep local derivatives as numbers.

    This is `backward_order` with the chain rule folded in, written out for `Value`, whose
    nodes have at most two inputs, ``_a`` and ``_b``, with local derivatives ``_da`` and
    ``_db`` (``None`` for a path that passes exactly zero). The bookkeeping lives on the
    nodes, not in dicts, because this loop is the scalar engine's hot path:

    * ``_uses``: edges into the node not yet processed. It is 0 on every node between
      passes, so the counting pass recognises a first visit by the count becoming 1;
    * ``_g``: the node's gradient in this pass, added to ``.grad`` once complete (so a
      second ``backward()`` adds to the first, as in PyTorch).

    ``visited``, if given, receives the nodes in the order they are processed (tests use it
    to prove that stepping through backward follows the engine's order).
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
            if visited is not None:
                visited.append(node)
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


def run_backward(
    roots: Sequence[Any],
    seeds: Sequence[Any],
    *,
    retain_graph: bool,
    create_graph: bool,
    capture: dict[Any, int] | None = None,
) -> dict[Any, Any]:
    """Backpropagate through a tensor graph (nodes: `Context` and `AccumulateGrad`).

    ``seeds[i]`` is the gradient arriving at ``roots[i]``. Each Context's Function computes
    the gradients of its inputs from the gradient of its output (``Function.backward``, in
    Tensor ops, recorded when ``create_graph``); the engine checks their shapes, adds up
    the contributions arriving at each node, and hands leaves their gradient. With
    ``capture`` (node -> position), the gradients arriving at those nodes are returned
    instead of accumulated into ``.grad`` (this is ``autograd_core.grad``), and only the
    part of the graph that leads to them is run.
    """
    captured: dict[Any, Any] = {}
    steps = iter_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph,
                          capture=capture, captured=captured)
    deque(steps, maxlen=0)  # run it, keeping no step (and so no gradient) alive
    return captured


def iter_backward(
    roots: Sequence[Any],
    seeds: Sequence[Any],
    *,
    retain_graph: bool,
    create_graph: bool,
    capture: dict[Any, int] | None = None,
    captured: dict[Any, Any] | None = None,
) -> Iterator[tuple[Any, Any, tuple[Any, ...]]]:
    """`run_backward` one node at a time: yields ``(node, grad, contributions)`` after
    processing each node, where ``grad`` is the gradient that arrived at the node and
    ``contributions`` what it sent to each of its ``next_nodes`` (``()`` for a leaf).

    This is the engine itself, not a copy: stepping through backward in a notebook
    (``autograd_core.backward_steps``) consumes this generator.

    The order is `backward_order`'s, computed on the way: a node is released once every
    node that uses it has been processed.
    """
    grads: dict[Any, Any] = {}
    for node, seed in zip(roots, seeds):
        grads[node] = _add_grads(grads[node], seed, create_graph) if node in grads else seed
    uses = count_uses(roots)
    # (one root: nothing can use it; several: those no other root's graph reaches)
    ready = [roots[0]] if len(roots) == 1 else [r for r in dict.fromkeys(roots) if not uses[r]]
    needed = _leading_to(backward_order(roots), capture) if capture is not None else None
    check = _anomaly_state.enabled
    was_enabled, was_in_backward = _grad_state.enabled, _anomaly_state.in_backward
    _grad_state.enabled, _anomaly_state.in_backward = create_graph, True
    try:
        while ready:
            node = ready.pop()
            for child in node._inputs:
                left = uses[child] - 1
                uses[child] = left
                if not left:
                    ready.append(child)
            grad = grads.pop(node, None)
            if grad is None or (needed is not None and node not in needed):
                continue
            if type(node) is AccumulateGrad:
                leaf = node.variable
                if leaf._hooks:
                    grad = _run_hooks(leaf._hooks, grad)
                if capture is not None:
                    captured[node] = grad
                else:
                    _accumulate_into_leaf(leaf, grad, create_graph)
                yield node, grad, ()
                continue
            if node._hooks:
                grad = _run_hooks(node._hooks, grad)
            if capture is not None and node in capture:
                captured[node] = grad
            results = node.fn.backward(node, grad)
            next_nodes = node.next_nodes
            if type(results) is not tuple:
                results = (results,)
            if len(results) != len(next_nodes):
                results = _one_per_input(node, results)
            sent = []  # what goes to each input: checked against its shape and dtype
            for nxt, r in zip(next_nodes, results):
                if nxt is None or r is None:
                    r = None
                else:
                    want = nxt.output_data
                    data = r._data if type(r) is Tensor else None
                    if data is None or data.shape != want.shape or (
                            data.dtype is not want.dtype and data.dtype != want.dtype):
                        r = _checked(node, nxt, r)
                    old = grads.get(nxt)
                    grads[nxt] = r if old is None else _add_grads(old, r, create_graph)
                sent.append(r)
            results = tuple(sent)
            if check:
                check_backward(node, results)
            if not retain_graph and node._saved:
                node.release()
            yield node, grad, results
            results = sent = r = old = data = None  # hold no gradient a leaf could take
    finally:
        _grad_state.enabled, _anomaly_state.in_backward = was_enabled, was_in_backward


def _leading_to(order: list[Any], targets: dict[Any, int]) -> set[Any]:
    """The nodes from which some target can be reached (targets included)."""
    needed: set[Any] = set()
    for node in reversed(order):  # inputs before the nodes that use them
        if node in targets or any(child in needed for child in node._inputs):
            needed.add(node)
    return needed


def _run_hooks(hooks: list | None, grad: Any) -> Any:
    for hook in list(hooks or ()):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad


def _one_per_input(node: Any, results: Any) -> tuple[Any, ...]:
    """A backward's results as a tuple with one entry per forward input."""
    if not isinstance(results, tuple):
        results = (results,)
    expected = len(node.next_nodes)
    if len(results) > expected and all(r is None for r in results[expected:]):
        results = results[:expected]
    if len(results) != expected:
        raise RuntimeError(
            f"{node.fn.__name__}.backward returned {len(results)} gradients, but forward "
            f"took {expected} inputs: return one per input (None where there is none)."
        )
    return results


def _checked(node: Any, nxt: Any, r: Any) -> Tensor:
    """A gradient for ``nxt``: a Tensor of its shape and dtype, or a clear error."""
    want = nxt.output_data
    if not isinstance(r, Tensor):
        r = Tensor._make(np.asarray(r))
    if r._data.shape != want.shape:
        i = next(i for i, n in enumerate(node.next_nodes) if n is nxt)
        raise RuntimeError(
            f"{node.fn.__name__}.backward returned a gradient of shape {tuple(r.shape)} "
            f"for input {i}, whose shape is {tuple(want.shape)}: a gradient must have "
            f"its input's shape (sum over broadcast dimensions)."
        )
    if r._data.dtype != want.dtype:
        r = r.to(want.dtype)
    return r


def _add_grads(a: Tensor, b: Tensor, create_graph: bool) -> Tensor:
    """Two contributions to one node's gradient, added (as an op under ``create_graph``)."""
    if create_graph or a._requires_grad or b._requires_grad:
        return a + b
    total = np.add(a._data, b._data)
    return Tensor._make(total if type(total) is np.ndarray else np.asarray(total))


def _accumulate_into_leaf(leaf: Any, grad: Any, create_graph: bool) -> None:
    """First gradient: stored (as an array of its own); later ones: added in place, as in
    PyTorch. Under ``create_graph`` the sum is an op, so it can be differentiated."""
    current = leaf.grad
    if current is None:
        if create_graph or _unshared(grad):
            leaf.grad = grad
        else:  # own the array: the same gradient may be handed to several inputs
            leaf.grad = Tensor._make(np.array(grad._data, copy=True))
    elif create_graph or current.requires_grad or not current._data.flags.writeable:
        leaf.grad = current + grad
    else:
        np.add(current._data, grad._data, out=current._data)
        current._bump_version()


def _unshared(grad: Tensor) -> bool:
    """Whether nothing but the engine refers to ``grad`` or its memory, so a leaf can take
    it as its ``.grad`` without a copy (PyTorch's AccumulateGrad does the same).

    References counted: the engine's variable and this call's argument (plus the call's
    own), and for the array the Tensor's slot (plus this call's). A view (``base`` set) or
    a read-only array is never taken.
    """
    array = grad._data
    return (
        sys.getrefcount(grad) <= _GRAD_REFS
        and sys.getrefcount(array) <= _ARRAY_REFS
        and array.base is None
        and array.flags.writeable
    )
