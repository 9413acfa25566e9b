"""softmax / log_softmax along one dim, forward and backward, beside their numpy references.

Forward subtracts the maximum before ``exp`` so inputs of any magnitude (1e4, say) neither
overflow nor lose the small terms: ``softmax = exp(x - m) / sum(exp(x - m))`` and
``log_softmax = (x - m) - log(sum(exp(x - m)))``. Backward, from the output ``y``:

- softmax:      ``grad_x = y * (g - sum(g * y))``
- log_softmax:  ``grad_x = g - exp(y) * sum(g)``

The Numba loops work on rows: the wrapper moves the dim last (a copy when it is not last
already, or the input is not C-contiguous) and hands back a view in the original dim
order. A NaN anywhere in a slice makes that slice NaN, as in PyTorch; a slice that is all
-inf, or holds +inf, gives NaN too. 0-d inputs are one slice of one element.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ._spec import FLOATS, KernelSpec


def _quiet() -> np.errstate:
    return np.errstate(invalid="ignore", divide="ignore", over="ignore")


def _scalar_safe(fn: Callable) -> Callable:
    """0-d arrays are slices of one element (dim must be 0 or -1, as in PyTorch)."""

    @functools.wraps(fn)
    def run(*args: object) -> np.ndarray:
        *arrays, dim = args
        arrays = [np.asarray(a) for a in arrays]
        if arrays[0].ndim == 0:
            return fn(*[a.reshape(1) for a in arrays], 0).reshape(())
        return fn(*arrays, dim)

    return run


# -- numpy references ---------------------------------------------------------------------

@_scalar_safe
def softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    if x.size == 0:
        return x.copy()
    with _quiet():
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)


@_scalar_safe
def log_softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    if x.size == 0:
        return x.copy()
    with _quiet():
        shifted = x - x.max(axis=dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


@_scalar_safe
def softmax_backward(y: np.ndarray, grad: np.ndarray, dim: int) -> np.ndarray:
    return y * (grad - (grad * y).sum(axis=dim, keepdims=True))


@_scalar_safe
def log_softmax_backward(y: np.ndarray, grad: np.ndarray, dim: int) -> np.ndarray:
    with _quiet():
        return grad - np.exp(y) * grad.sum(axis=dim, keepdims=True)


# -- Numba loops over rows: (rows, n), the dim moved last ---------------------------------

def _softmax(x, out, log):
    rows, n = x.shape
    for r in range(rows):
        top = -math.inf
        for k in range(n):
            v = x[r, k]
            if v > top or v != v:  # the max; a NaN sticks
                top = v
        total = 0.0
        for k in range(n):
            e = math.exp(x[r, k] - top)
            total += e
            if not log:
                out[r, k] = e
        if log:
            log_total = math.log(total)
            for k in range(n):
                out[r, k] = (x[r, k] - top) - log_total
        else:
            for k in range(n):
                out[r, k] = out[r, k] / total


def _softmax_backward(y, grad, out, log):
    rows, n = y.shape
    for r in range(rows):
        total = 0.0
        if log:
            for k in range(n):
                total += grad[r, k]
            for k in range(n):
                out[r, k] = grad[r, k] - math.exp(y[r, k]) * total
        else:
            for k in range(n):
                total += grad[r, k] * y[r, k]
            for k in range(n):
                out[r, k] = y[r, k] * (grad[r, k] - total)


def _rows(a: np.ndarray, dim: int) -> np.ndarray:
    """``a`` with ``dim`` moved last, as C-contiguous rows (copying only if it must)."""
    if dim != a.ndim - 1:
        a = np.moveaxis(a, dim, -1)
    n = a.shape[-1]
    return np.ascontiguousarray(a).reshape(math.prod(a.shape[:-1]), n)


def _wrap(log: bool) -> Callable[[Callable, Callable], Callable]:
    def wrap(compiled: Callable, reference: Callable) -> Callable:
        @_scalar_safe
        def run(*args: object) -> np.ndarray:
            *arrays, dim = args
            x = arrays[0]
            if x.dtype not in FLOATS or any(
                a.dtype != x.dtype or a.shape != x.shape for a in arrays[1:]
            ):
                return reference(*args)
            dim %= x.ndim
            rows = [_rows(a, dim) for a in arrays]
            out = np.empty(rows[0].shape, x.dtype)
            compiled(*rows, out, log)
            if dim == x.ndim - 1:
                return out.reshape(x.shape)
            # the rows have the dim last in memory: hand back a view in x's dim order
            return np.moveaxis(out.reshape(np.moveaxis(x, dim, -1).shape), -1, dim)

        return functools.update_wrapper(run, reference)

    return wrap


_SUMS = frozenset({"reassoc"})  # backward's sums may be vectorised (forward keeps its order)

KERNELS: dict[str, KernelSpec] = {
    "softmax_forward": KernelSpec(softmax_forward, _softmax, "i2 o2 b", _wrap(False)),
    "log_softmax_forward": KernelSpec(log_softmax_forward, _softmax, "i2 o2 b", _wrap(True)),
    "softmax_backward": KernelSpec(softmax_backward, _softmax_backward, "i2 i2 o2 b",
                                   _wrap(False), _SUMS),
    "log_softmax_backward": KernelSpec(log_softmax_backward, _softmax_backward, "i2 i2 o2 b",
                                       _wrap(True), _SUMS),
}
