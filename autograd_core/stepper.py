"""Step through a backward pass one node at a time, in exactly the engine's order.

``backward_steps(root)`` is a generator: each `Step` says which node is being processed,
the gradient arriving at it from above, its local derivative (the number and its formula
for scalar ops), what it sends to each of its inputs (the chain rule: upstream times
local; for tensors, the vector-Jacobian product), and the gradients gathered so far.
Running every step leaves exactly the gradients ``backward()`` gives, because for tensors
it *is* the engine (``engine.iter_backward``) and for `Value` it is the engine's algorithm
(``engine.backward_order``, the same order ``backward_local`` processes nodes in).
``step.draw()`` pictures the graph at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import backward_order, iter_backward
from .graph_model import StepState, fmt_array, fmt_number
from .scalar import Value
from .tensor import AccumulateGrad, Tensor
from .viz import Graph, draw


@dataclass
class Step:
    """One node of a backward pass."""

    index: int
    total: int
    root: Any
    node: Any  # a Value, or a graph node (Context / AccumulateGrad) of a Tensor graph
    op: str
    upstream: Any  # the gradient arriving at the node
    inputs: tuple  # where the node sends gradient (duplicates kept)
    contributions: tuple  # what it sends to each input (None: nothing)
    local: tuple | None = None  # scalar ops: d node / d input for each input
    formula: str = ""
    grads: dict = field(default_factory=dict)  # node -> gradient gathered so far
    done: set = field(default_factory=set)  # nodes processed, this one included

    def draw(self, **options: Any) -> Graph:
        """The graph at this moment: done nodes with their gradients, this node
        highlighted, the nodes still to come faded."""
        state = StepState(current=self.node, done=self.done, grads=self.grads)
        return draw(self.root, state=state, **options)

    def describe(self) -> str:
        """One line for a learner: what arrived, the local rule, what was sent where."""
        head = f"step {self.index + 1}/{self.total}: {self.op or 'leaf'}"
        if isinstance(self.node, Value) and self.node.label:
            head += f" ({self.node.label})"
        text = f"{head}: upstream gradient {_fmt(self.upstream)}"
        if self.formula:
            text += f"; local rule {self.formula}"
        sends = [f"{_fmt(c)} to {_name(n)}" for n, c in zip(self.inputs, self.contributions)
                 if c is not None]
        if sends:
            text += "; sends " + ", ".join(sends)
        return text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        bundle = self.draw()._repr_mimebundle_()
        bundle.setdefault("text/plain", self.describe())
        return bundle


def backward_steps(root: Value | Tensor, gradient: Any = None) -> Iterator[Step]:
    """Run backward on ``root`` one node at a time, yielding a `Step` after each node.

    Gradients accumulate into ``.grad`` exactly as ``root.backward()`` would.
    """
    if isinstance(root, Value):
        yield from _value_steps(root, 1.0 if gradient is None else float(gradient))
    elif isinstance(root, Tensor):
        yield from _tensor_steps(root, gradient)
    else:
        raise TypeError(f"backward_steps: expected a Value or a Tensor, got {type(root).__name__}")


def _value_steps(root: Value, seed: float) -> Iterator[Step]:
    order = backward_order([root])
    pending: dict[Value, float] = {root: seed}
    done: set = set()
    for index, node in enumerate(order):
        g = pending.pop(node, 0.0)
        node.grad += g
        done.add(node)
        local = tuple(node._local)
        sent = []
        for child, d in zip(node.inputs, local):
            if d is None:  # a blocked path passes exactly zero
                sent.append(None)
                continue
            contribution = d * g
            pending[child] = pending.get(child, 0.0) + contribution
            sent.append(contribution)
        grads = {n: n.grad for n in done}
        grads.update(pending)
        yield Step(index, len(order), root, node, node.op, g, node.inputs, tuple(sent),
                   tuple(0.0 if d is None else d for d in local), node.formula, grads,
                   set(done))


def _tensor_steps(root: Tensor, gradient: Any) -> Iterator[Step]:
    from .autograd import _seeds

    seeds = _seeds([root], None if gradient is None else [gradient])
    top = root._grad_node()
    total = len(backward_order([top]))
    arrived: dict[Any, Any] = {}  # node -> gradient that arrived (complete once processed)
    done: set = set()
    index = 0
    for node, grad, results in iter_backward([top], seeds, retain_graph=False,
                                             create_graph=False):
        arrived[node] = grad
        done.add(node)
        for nxt, r in zip(node.next_nodes, results):
            if nxt is not None and r is not None:
                arrived[nxt] = arrived[nxt] + r if nxt in arrived else r
        op = "AccumulateGrad" if type(node) is AccumulateGrad else node.fn.display_name
        inputs = tuple(node.next_nodes)
        contributions = tuple(results) if results else tuple(None for _ in inputs)
        yield Step(index, total, root, node, op, grad, inputs, contributions,
                   grads=dict(arrived), done=set(done),
                   formula=getattr(getattr(node, "fn", None), "formula", ""))
        index += 1


def _fmt(x: Any) -> str:
    if isinstance(x, Tensor):
        x = x._data
    if isinstance(x, np.ndarray):
        return " ".join(fmt_array(x).split())  # one line, even for a matrix
    return fmt_number(float(x))


def _name(node: Any) -> str:
    if isinstance(node, Value):
        return node.label or node.op or "leaf"
    if type(node) is AccumulateGrad:
        return node.variable.name or "leaf"
    return getattr(node, "name", "node")


class Frames(list):
    """The rendered steps, shown one under another where ipywidgets is not available."""

    def _repr_html_(self) -> str:
        parts = []
        for step, graph in self:
            bundle = graph._repr_mimebundle_()
            body = bundle.get("image/svg+xml") or f"<pre>{bundle.get('text/plain', '')}</pre>"
            parts.append(f"<p><b>{step.describe()}</b></p>{body}")
        return "\n".join(parts)


def step_through(root: Value | Tensor, **draw_options: Any) -> Any:
    """In a notebook: a slider with Previous/Next buttons over the pictured steps of
    backward on ``root``. Without ipywidgets: the sequence of pictures (`Frames`)."""
    steps = list(backward_steps(root))
    frames = Frames((step, step.draw(**draw_options)) for step in steps)
    try:
        import ipywidgets as widgets
    except ImportError:
        return frames
    slider = widgets.IntSlider(min=0, max=max(len(frames) - 1, 0), description="step")
    previous = widgets.Button(description="Previous", icon="arrow-left")
    following = widgets.Button(description="Next", icon="arrow-right")
    caption = widgets.HTML()
    picture = widgets.HTML()
    cache: dict[int, str] = {}

    def show(change: Any = None) -> None:
        i = slider.value
        step, graph = frames[i]
        if i not in cache:
            bundle = graph._repr_mimebundle_()
            cache[i] = bundle.get("image/svg+xml") or f"<pre>{bundle.get('text/plain')}</pre>"
        caption.value = f"<b>{step.describe()}</b>"
        picture.value = cache[i]

    previous.on_click(lambda _: setattr(slider, "value", max(slider.value - 1, 0)))
    following.on_click(lambda _: setattr(slider, "value", min(slider.value + 1, slider.max)))
    slider.observe(show, names="value")
    show()
    box = widgets.VBox([widgets.HBox([previous, slider, following]), caption, picture])
    box.frames = frames
    return box
