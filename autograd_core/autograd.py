"""``backward`` and ``grad``: the user-facing entry points into the tensor engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .engine import run_backward
from .tensor import Tensor


def _as_list(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _implicit_seed(out: Tensor) -> Tensor:
    """The gradient ``backward()`` starts from when none is given: ones, like ``out``."""
    shape, dtype = out._data.shape, out._data.dtype
    return Tensor._make(np.array(1, dtype) if shape == () else np.ones(shape, dtype))


def _seeds(outputs: list[Tensor], grad_outputs: list | None) -> list[Tensor]:
    seeds = []
    grad_outputs = grad_outputs or [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad_outputs has {len(grad_outputs)} entries but there are {len(outputs)} outputs"
        )
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"backward: outputs[{i}] is a {type(out).__name__}, not a Tensor")
        if not out.requires_grad:
            raise RuntimeError(
                f"backward: element {i} of the outputs does not require grad and has no "
                "grad_fn: nothing it depends on requires grad (or it was computed under "
                "no_grad). Create the inputs with requires_grad=True."
            )
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for outputs with one "
                    f"element, but output {i} has shape {tuple(out.shape)}. Pass gradient= "
                    f"(a tensor of shape {tuple(out.shape)}), or reduce it first, e.g. "
                    "out.sum().backward()."
                )
            g = _implicit_seed(out)
        elif not isinstance(g, Tensor):
            g = Tensor._make(np.asarray(g, dtype=out.dtype))
        if g.shape != out.shape:
            raise RuntimeError(
                f"backward: gradient has shape {tuple(g.shape)} but output {i} has shape "
                f"{tuple(out.shape)}; they must match"
            )
        seeds.append(g)
    return seeds


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves."""
    if retain_graph is None:
        retain_graph = create_graph
    if (type(tensors) is Tensor and grad_tensors is None and inputs is None
            and tensors.grad_fn is not None and tensors._data.shape == ()):
        # the usual ``loss.backward()``: one 0-d result with a graph, nothing to check
        run_backward([tensors.grad_fn], [_implicit_seed(tensors)], retain_graph=retain_graph,
                     create_graph=create_graph)
        return
    outputs = _as_list(tensors)
    seeds = _seeds(outputs, _as_list(grad_tensors) if grad_tensors is not None else None)
    roots = [t._grad_node() for t in outputs]
    if inputs is None:
        run_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph)
        return
    targets = _as_list(inputs)
    grads = grad(outputs, targets, seeds, retain_graph=retain_graph,
                 create_graph=create_graph, allow_unused=True)
    for t, g in zip(targets, grads):
        if g is not None:
            t.grad = g if t.grad is None else t.grad + g


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """d outputs / d inputs (a vector-Jacobian product), returned rather than accumulated.

    With ``create_graph=True`` the result has a graph of its own, so it can be
    differentiated again (Hessian-vector products, gradient penalties).
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(
                f"grad: inputs[{i}] does not require grad; differentiate only with respect "
                "to tensors created with requires_grad=True (or computed from them)"
            )
    seeds = _seeds(outs, _as_list(grad_outputs) if grad_outputs is not None else None)
    if retain_graph is None:
        retain_graph = create_graph
    nodes = [t._grad_node() for t in ins]
    capture = {node: i for i, node in enumerate(nodes)}
    captured = run_backward([t._grad_node() for t in outs], seeds, retain_graph=retain_graph,
                            create_graph=create_graph, capture=capture)
    result = []
    for i, node in enumerate(nodes):
        g = captured.get(node)
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: inputs[{i}] (shape {tuple(ins[i].shape)}) was not used to compute the "
                "outputs. Pass allow_unused=True to get None for it."
            )
        result.append(g)
    return tuple(result)


def zero_grad_(tensors: Any, set_to_none: bool = True) -> None:
    """Reset the ``.grad`` of each tensor: to None (the default, as in PyTorch) or to zeros.

    ``Module.zero_grad`` and ``Optimizer.zero_grad`` both come here.
    """
    for t in tensors:
        if t.grad is None:
            continue
        t.grad = None if set_to_none else Tensor._make(np.zeros_like(t.grad._data))
