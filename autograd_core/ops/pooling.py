"""Pooling over windows of (N, C, H, W) inputs, 1-d as the case H = 1: max, average and
adaptive average, with PyTorch's window, divisor and tie rules.

* `MaxPool2d`: the window maximum. The gradient goes to the window's first maximum (the
  last NaN, if it holds NaNs), as in PyTorch; the first-order backward is a fused Numba
  kernel, and under ``create_graph=True`` the same gradient is built as an indexing op
  (`IndexScatter`), so second order works too.
* `AvgPool2d` and `AvgPool2dAdjoint`: the window mean and its adjoint (spreading each
  gradient evenly over its window); each is the other's backward, so every order works.
* ``adaptive_avg_pool2d`` is a composition of Tensor ops: window ``i`` of ``n`` cells
  into ``m`` outputs spans ``[floor(i*n/m), ceil((i+1)*n/m))`` (PyTorch's rule), so the
  pooling is ``rows @ x @ cols.T`` with two averaging matrices (or a reshape and a mean
  when ``m`` divides ``n``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..kernels import kernel
from ..kernels import pooling as K
from ..tensor import Tensor
from ._util import int_tuple
from .indexing import IndexScatter, Key

Window = K.Window


# -- max ------------------------------------------------------------------------------------

class MaxPool2d(Function):
    display_name = "max_pool"
    formula = "d max(window)/dx = 1 at the window's first maximum, 0 elsewhere"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, window: Window) -> np.ndarray:
        y = K.max_pool2d_forward(x, window)
        # a copy (backward only reads it), so an in-place op on the output stays allowed
        ctx.save_for_backward(x, y.copy())
        ctx.window = window
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        x, y = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the same gradient as a differentiable scatter
            n, c, _, w = x.shape
            index = K.max_pool2d_indices(x._data, ctx.window)
            empty = K.empty_windows(x.shape, ctx.window)
            if empty is not None:  # windows outside the input: no gradient to give
                grad = grad * Tensor._make((~empty).astype(grad.dtype))
                index = np.where(empty, 0, index)
            key = Key((), (np.arange(n)[:, None, None, None], np.arange(c)[:, None, None],
                           index // w, index % w))
            return IndexScatter.apply(grad, key, x.shape), None
        fused = kernel("max_pool2d_backward")(x._data, y._data, grad._data, ctx.window)
        return Tensor._make(fused), None


# -- average --------------------------------------------------------------------------------

class AvgParams(NamedTuple):
    window: Window
    count_include_pad: bool
    divisor_override: int | None


def _divisor(x_shape: tuple[int, ...], p: AvgParams) -> np.ndarray:
    return K.avg_pool2d_divisor(x_shape, *p)


class AvgPool2d(Function):
    display_name = "avg_pool"
    formula = "d mean(window)/dx = 1/divisor on each cell of the window"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, p: AvgParams) -> np.ndarray:
        ctx.params = p
        ctx.x_shape = x.shape
        return K.avg_pool2d_forward(x, p.window, _divisor(x.shape, p))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        return AvgPool2dAdjoint.apply(grad, ctx.params, ctx.x_shape), None


class AvgPool2dAdjoint(Function):
    """Spread each value, divided by its window's divisor, over the window (adding)."""

    display_name = "avg_pool_adjoint"
    formula = "the adjoint of avg_pool: its gradient is avg_pool of the incoming gradient"

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, p: AvgParams,
                x_shape: tuple[int, ...]) -> np.ndarray:
        ctx.params = p
        return K.avg_pool2d_backward(g, x_shape, p.window, _divisor(x_shape, p))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        return AvgPool2d.apply(grad, ctx.params), None, None


# -- checking arguments ---------------------------------------------------------------------

def check_input(name: str, x: Any, nd: int, floats_only: bool = True) -> None:
    """Raise unless ``x`` is a Tensor ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``."""
    dims = "L" if nd == 1 else "H, W"
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{name}: expected input of shape (N, C, {dims}) or unbatched "
                         f"(C, {dims}), got {tuple(x.shape)}")
    if floats_only and x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be float32 or float64, got {x.dtype}; convert it "
                        "with .float()")
    if x.dtype.kind not in "fiu":
        raise TypeError(f"{name}: input must be a number tensor, got {x.dtype}")


def _window(op: str, x: Tensor, nd: int, kernel_size: Any, stride: Any, padding: Any,
            dilation: Any = 1, ceil_mode: bool = False) -> Window:
    """Checked window parameters, always for 2 spatial dims (1-d: a window of height 1)."""
    ks = int_tuple(kernel_size, nd, "kernel_size", op, 1)
    st = ks if stride is None or (isinstance(stride, (tuple, list)) and not stride) else int_tuple(
        stride, nd, "stride", op, 1)
    pad = int_tuple(padding, nd, "padding", op, 0)
    dil = int_tuple(dilation, nd, "dilation", op, 1)
    if any(2 * p > k for p, k in zip(pad, ks)):
        raise ValueError(f"{op}: padding {pad} must be at most half the kernel size {ks}")
    lead = 2 - nd
    window = Window((1,) * lead + ks, (1,) * lead + st, (0,) * lead + pad, (1,) * lead + dil,
                    bool(ceil_mode))
    spatial = x.shape[-nd:]
    if min(window.out_hw((1,) * lead + spatial)) < 1:
        effective = tuple(d * (k - 1) + 1 for k, d in zip(ks, dil))
        shown = f"{ks}" + (f" (dilated to {effective})" if effective != ks else "")
        raise ValueError(f"{op}: kernel size {shown} is larger than the padded input "
                         f"{tuple(n + 2 * p for n, p in zip(spatial, pad))} (input "
                         f"{tuple(x.shape)}); use a smaller kernel or more padding")
    return window


def _as4d(x: Tensor, nd: int) -> tuple[Tensor, tuple[int, ...]]:
    """``x`` as (N, C, H, W) (unbatched gets N = 1, 1-d gets H = 1), and the shape to undo."""
    batched = x if x.ndim == nd + 2 else x.unsqueeze(0)
    return (batched.unsqueeze(2) if nd == 1 else batched), x.shape


def _restore(y: Tensor, x_shape: tuple[int, ...], nd: int) -> Tensor:
    """Undo `_as4d` (a batched 2-d input needed nothing: no reshape node then)."""
    if nd == 2 and len(x_shape) == 4:
        return y
    return y.reshape(*x_shape[:-nd], *y.shape[4 - nd:])


# -- public functions -----------------------------------------------------------------------

def max_pool(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
             ceil_mode: bool, return_indices: bool, nd: int,
             name: str) -> Tensor | tuple[Tensor, Tensor]:
    """`max_pool1d` or `max_pool2d`; errors start with ``name`` (the layers pass theirs)."""
    check_input(name, x, nd, floats_only=False)
    window = _window(name, x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    x4, shape = _as4d(x, nd)
    y = _restore(MaxPool2d.apply(x4, window), shape, nd)
    if not return_indices:
        return y
    index = K.max_pool2d_indices(x4._data, window)
    return y, Tensor._make(index.reshape(y.shape))


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each ``kernel_size`` window of ``input`` (N, C, H, W) or (C, H, W).

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) adds
    ``-inf`` borders; ``dilation`` spaces a window's cells; ``ceil_mode`` keeps a last,
    partial window. The gradient goes to each window's first maximum, as in PyTorch.
    ``return_indices`` also returns where each maximum is (``h * W + w``, int64).
    """
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                    2, "max_pool2d")


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """`max_pool2d` for (N, C, L) or (C, L) inputs."""
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                    1, "max_pool1d")


def avg_pool(x: Tensor, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
             count_include_pad: bool, divisor_override: int | None, nd: int,
             name: str) -> Tensor:
    """`avg_pool1d` or `avg_pool2d`; errors start with ``name``."""
    check_input(name, x, nd)
    window = _window(name, x, nd, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and (
        isinstance(divisor_override, bool) or not isinstance(divisor_override, (int, np.integer))
        or divisor_override == 0
    ):
        raise ValueError(f"{name}: divisor_override must be a nonzero int or None, got "
                         f"{divisor_override!r}")
    params = AvgParams(window, bool(count_include_pad),
                       None if divisor_override is None else int(divisor_override))
    x4, shape = _as4d(x, nd)
    return _restore(AvgPool2d.apply(x4, params), shape, nd)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each window. Zero padding counts in the divisor when
    ``count_include_pad`` (PyTorch's default), but what a ``ceil_mode`` window reaches
    beyond the padding does not; ``divisor_override`` replaces the divisor."""
    return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override, 2, "avg_pool2d")


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """`avg_pool2d` for (N, C, L) or (C, L) inputs."""
    return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1,
                    "avg_pool1d")


def _averaging_matrix(n: int, m: int, dtype: np.dtype) -> Tensor:
    """(m, n): row i averages cells ``floor(i*n/m) .. ceil((i+1)*n/m) - 1``."""
    a = np.zeros((m, n), dtype)
    for i in range(m):
        start, end = (i * n) // m, -((-(i + 1) * n) // m)
        a[i, start:end] = 1.0 / (end - start)
    return Tensor._make(a)


def adaptive_avg_pool(x: Tensor, output_size: Any, nd: int, name: str) -> Tensor:
    """`adaptive_avg_pool1d` or `adaptive_avg_pool2d`; errors start with ``name``."""
    check_input(name, x, nd)
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    spatial = x.shape[-nd:]
    if len(sizes) != nd:
        raise TypeError(f"{name}: output_size must be an int or a tuple of {nd} ints (None "
                        f"keeps that input size), got {output_size!r}")
    sizes = tuple(n if s is None else s for s, n in zip(sizes, spatial))
    int_tuple(sizes, nd, "output_size", name, 1)
    if any(n == 0 for n in spatial):
        raise ValueError(f"{name}: the input needs nonzero spatial sizes, got {tuple(x.shape)}")
    if all(n % m == 0 for n, m in zip(spatial, sizes)):  # equal windows: reshape and mean
        split = [v for n, m in zip(spatial, sizes) for v in (m, n // m)]
        y = x.reshape(*x.shape[:-nd], *split)
        return y.mean(tuple(range(x.ndim - nd + 1, x.ndim + nd, 2)))
    y = x
    for d, (n, m) in enumerate(zip(spatial, sizes)):  # rows: A @ y; the last dim: y @ A.T
        a = _averaging_matrix(n, m, x.dtype)
        y = y @ a.T if d == nd - 1 else a @ y
    return y


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling to a fixed ``output_size`` (an int, or a pair whose entries may be
    None to keep that size), whatever the input size, with PyTorch's windows."""
    return adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """`adaptive_avg_pool2d` for (N, C, L) or (C, L) inputs."""
    return adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


METHODS: dict[str, Any] = {}
FUNCTIONS = {
    "max_pool1d": max_pool1d, "max_pool2d": max_pool2d, "avg_pool1d": avg_pool1d,
    "avg_pool2d": avg_pool2d, "adaptive_avg_pool1d": adaptive_avg_pool1d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
}
