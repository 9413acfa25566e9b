"""softmax and log_softmax along one dim, through the kernel seam.

Both directions go through the kernel seam (``autograd_core.kernels``) and are numerically
stable: the maximum of each slice is subtracted before ``exp``. Forward picks by shape
(`forward_kernel`, measured by ``./run bench kernels``): the Numba loop for short slices
along the last dim (a classifier's 10 classes) or small inputs, where numpy's fixed cost
per call dominates; the numpy reference otherwise, whose vectorised ``exp`` is 3 to 4x
faster than the loop's one-at-a-time ``exp`` on long slices. log_softmax's backward, which
also calls ``exp``, uses numpy. softmax's first-order backward, which does not, uses the
fused Numba kernel when ``dim`` is the last dimension (about twice numpy's speed) and
numpy otherwise. Backward reads the output ``y``:

- softmax:      ``grad_x = y * (g - sum(g * y, dim))``
- log_softmax:  ``grad_x = g - exp(y) * sum(g, dim)``

When backward runs with grad mode on (``create_graph=True``) the same formulas are built
from Tensor ops instead, so the gradient can itself be differentiated: second order works.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..kernels import kernel, reference
from ..tensor import Tensor, _check_dim
from ._util import as_operand
from .elementwise import cast


class Softmax(Function):
    display_name = "softmax"
    formula = "d softmax(x)/dx: grad_x = y * (g - sum(g * y, dim)), y = softmax(x)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int) -> np.ndarray:
        return _forward_saving_output(ctx, "softmax_forward", x, dim)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: a gradient that can be differentiated again
            return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None
        fused = _backward_kernel("softmax_backward", y, ctx.dim)
        return Tensor._make(fused(y._data, grad._data, ctx.dim)), None


class LogSoftmax(Function):
    display_name = "log_softmax"
    formula = "d log_softmax(x)/dx: grad_x = g - exp(y) * sum(g, dim), y = log_softmax(x)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int) -> np.ndarray:
        return _forward_saving_output(ctx, "log_softmax_forward", x, dim)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        if is_grad_enabled():
            return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None
        return Tensor._make(reference("log_softmax_backward")(y._data, grad._data, ctx.dim)), None


SHORT_SLICE = 16  # entries per slice up to which the Numba forward loop is the faster
SMALL_INPUT = 1000  # elements up to which it is the faster whatever the slices' length


def forward_kernel(name: str, x: np.ndarray, dim: int) -> Any:
    """The faster of the two versions of softmax forward ``name`` for ``x`` along ``dim``."""
    if x.ndim and dim in (-1, x.ndim - 1) and (
            x.shape[-1] <= SHORT_SLICE or x.size <= SMALL_INPUT):
        return kernel(name)
    return reference(name)


def _forward_saving_output(ctx: Context, name: str, x: np.ndarray, dim: int) -> np.ndarray:
    """Both softmaxes: compute along ``dim`` and keep the output, which backward reads."""
    y = forward_kernel(name, x, dim)(x, dim)
    ctx.dim = dim
    ctx.save_for_backward(y)
    return y


def _backward_kernel(name: str, y: Tensor, dim: int) -> Any:
    last = dim in (-1, y.ndim - 1)
    return kernel(name) if last else reference(name)


def softmax(x: Tensor, dim: int | None = None, dtype: Any = None, *,
            axis: int | None = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``: each slice becomes positive and sums to 1.

    ``dtype`` casts the input first (as PyTorch's does); integer and bool inputs become
    float32. ``dim=None`` uses PyTorch's legacy choice (0 for 0-, 1- and 3-d inputs, else
    1) with its deprecation warning: pass ``dim`` explicitly.
    """
    return _apply(Softmax, "softmax", x, dim, dtype, axis)


def log_softmax(x: Tensor, dim: int | None = None, dtype: Any = None, *,
                axis: int | None = None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed as ``x - max - log(sum(exp(x - max)))``.

    Arguments as for `softmax`.
    """
    return _apply(LogSoftmax, "log_softmax", x, dim, dtype, axis)


def _apply(fn: type[Function], op: str, x: Any, dim: Any, dtype: Any, axis: Any) -> Tensor:
    x = as_operand(x, op)
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if axis is not None:
        if dim is not None and dim != axis:
            raise TypeError(f"{op}: got dim={dim} and axis={axis}; pass only one of them")
        dim = axis
    if dtype is not None:
        target = dtypes.to_dtype(dtype)
        if target.kind != "f":
            raise TypeError(f"{op}: dtype must be a float dtype (float32 or float64), got "
                            f"{target}")
        x = cast(x, target)
    elif x.dtype.kind != "f":
        x = cast(x, dtypes.float32)
    if dim is None:
        dim = _legacy_dim(op, x.ndim)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(
            f"{op}: dim must be an int, got {type(dim).__name__} ({dim!r}) for a tensor of "
            f"shape {tuple(x.shape)}"
        )
    return fn.apply(x, _check_dim(int(dim), x.ndim, op))


def _legacy_dim(op: str, ndim: int) -> int:
    """PyTorch's rule for a missing dim, kept for old code; it warns as PyTorch does."""
    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=4,
    )
    return 0 if ndim in (0, 1, 3) else 1


METHODS = {"softmax": softmax, "log_softmax": log_softmax}
FUNCTIONS = {"softmax": softmax, "log_softmax": log_softmax}
