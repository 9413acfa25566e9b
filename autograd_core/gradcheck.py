"""Finite-difference checks of gradients, first and second order, in float64.

``gradcheck(fn, inputs)`` compares the Jacobian that backward computes (one backward pass
per output element) with central differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` (one
pair of forward passes per input element). ``gradgradcheck`` does the same for the
gradient itself, which exercises ``create_graph=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import grad as autograd_grad
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """A gradient disagrees with finite differences; the message gives the worst element."""


def _as_outputs(out: Any) -> list[Tensor]:
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _check_inputs(inputs: Sequence[Any], op: str) -> list[Tensor]:
    inputs = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            raise TypeError(
                f"{op}: input {i} is {t.dtype}; finite differences need float64 inputs "
                "(use .double())"
            )
    return inputs


def numerical_jacobian(fn: Callable, inputs: list[Tensor], wrt: int, eps: float) -> np.ndarray:
    """d outputs (flattened, concatenated) / d inputs[wrt] (flattened), by central differences."""
    x = inputs[wrt]._data
    flat = x.reshape(-1) if x.flags.c_contiguous else None
    if flat is None:
        inputs[wrt]._data = x = np.ascontiguousarray(x)
        flat = x.reshape(-1)
    columns = []
    for k in range(flat.size):
        orig = flat[k]
        with no_grad():
            flat[k] = orig + eps
            plus = np.concatenate([o._data.ravel() for o in _as_outputs(fn(*inputs))])
            flat[k] = orig - eps
            minus = np.concatenate([o._data.ravel() for o in _as_outputs(fn(*inputs))])
        flat[k] = orig
        columns.append((plus - minus) / (2 * eps))
    if columns:
        return np.stack(columns, axis=1)
    n_out = sum(o.numel() for o in _as_outputs(fn(*inputs)))
    return np.zeros((n_out, 0))  # an input with no elements has no columns


def analytical_jacobian(fn: Callable, inputs: list[Tensor], wrt: int) -> np.ndarray:
    """d outputs / d inputs[wrt], one vector-Jacobian product per output element."""
    outputs = _as_outputs(fn(*inputs))
    rows = []
    for j, out in enumerate(outputs):
        for k in range(out.numel()):
            seeds = [Tensor._make(np.zeros(o.shape, dtype=o.dtype)) for o in outputs]
            seeds[j]._data.reshape(-1)[k] = 1.0
            usable = [(o, s) for o, s in zip(outputs, seeds) if o.requires_grad]
            if not usable:
                rows.append(np.zeros(inputs[wrt].numel()))
                continue
            (g,) = autograd_grad([o for o, _ in usable], [inputs[wrt]], [s for _, s in usable],
                                 retain_graph=True, allow_unused=True)
            rows.append(np.zeros(inputs[wrt].numel()) if g is None else g._data.ravel())
    return np.stack(rows) if rows else np.zeros((0, inputs[wrt].numel()))


def gradcheck(fn: Callable, inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True if backward's Jacobian matches finite differences for every float64 input
    that requires grad; otherwise raises `GradcheckError` naming the worst element."""
    inputs = _check_inputs(inputs, "gradcheck")
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            continue
        analytic = analytical_jacobian(fn, inputs, i)
        numeric = numerical_jacobian(fn, inputs, i, eps)
        if analytic.shape != numeric.shape:
            raise GradcheckError(f"gradcheck: Jacobian shapes differ for input {i}: "
                                 f"analytic {analytic.shape}, numeric {numeric.shape}")
        bad = ~np.isclose(analytic, numeric, rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            err = np.where(bad, np.abs(analytic - numeric), -1.0)
            out_idx, in_idx = np.unravel_index(np.argmax(err), err.shape)
            if not raise_exception:
                return False
            raise GradcheckError(
                f"gradcheck: gradient of input {i} (shape {tuple(t.shape)}) is wrong: worst at "
                f"output element {out_idx}, input element {in_idx}: analytic "
                f"{analytic[out_idx, in_idx]!r}, numeric {numeric[out_idx, in_idx]!r} "
                f"({int(bad.sum())} of {bad.size} Jacobian entries differ)"
            )
    return True


def gradgradcheck(fn: Callable, inputs: Sequence[Any], grad_outputs: Sequence[Any] | None = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0) -> bool:
    """gradcheck of the gradient: checks second derivatives through ``create_graph=True``.

    The first-order gradient is taken against fixed random ``grad_outputs`` (a random
    direction), so the function checked is x -> J(x)^T v.
    """
    inputs = _check_inputs(inputs, "gradgradcheck")
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    with no_grad():
        outputs = _as_outputs(fn(*inputs))
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        grad_outputs = [Tensor._make(rng.standard_normal(o.shape)) for o in outputs]

    def first_order(*xs: Tensor) -> tuple[Tensor, ...]:
        with enable_grad():  # even while finite differences run under no_grad
            outs = _as_outputs(fn(*xs))
            wanted = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            pairs = [(o, g) for o, g in zip(outs, grad_outputs) if o.requires_grad]
            grads = autograd_grad([o for o, _ in pairs], wanted, [g for _, g in pairs],
                                  create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    if not diff:
        return True
    return gradcheck(first_order, inputs, eps=eps, atol=atol, rtol=rtol)
