"""Reductions over dimensions: sum, mean, var/std, max/min, amax/amin, argmax/argmin, prod,
logsumexp, norm, all/any.

Every reducing Function takes the input array, the reduced ``axes`` (a sorted tuple of
non-negative ints, already checked) and ``keepdim``. Backward copies the output's gradient
back over the reduced dimensions with `Unreduce` (the adjoint of `Sum`) and multiplies it
by the local derivative, written with Tensor ops so that second derivatives work.

``dim`` may be an int, a tuple/list of ints (negative ones count from the end) or None
(every dimension); an empty tuple also means every dimension, as in PyTorch. ``axis`` and
``keepdims`` are accepted as numpy-style aliases.
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes, ieee
from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._util import as_operand, broadcast_view
from .elementwise import cast, where

Dim = int | tuple[int, ...] | list[int] | None

# the (values, indices) pair that max/min along a dim return, like torch.return_types.max
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


# -- checking arguments -------------------------------------------------------------------


def _tensor(x: Any, op: str) -> Tensor:
    x = as_operand(x, op)
    return x if isinstance(x, Tensor) else Tensor(x)


def _axes(op: str, shape: tuple[int, ...], dim: Dim) -> tuple[int, ...]:
    """``dim`` as a sorted tuple of non-negative axes; errors name the op, dim and shape."""
    ndim = len(shape)
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    axes: list[int] = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not lo <= d <= hi:
            raise IndexError(
                f"{op}: dim {d} is out of range for a tensor of shape {tuple(shape)} "
                f"({ndim} dimensions): expected a dim in [{lo}, {hi}]"
            )
        axis = int(d) % builtins.max(ndim, 1)
        if axis in axes:
            raise RuntimeError(f"{op}: dim {axis} appears more than once in dim={dim!r}")
        axes.append(axis)
    if ndim == 0 or not axes:
        return tuple(range(ndim))  # a 0-d tensor has nothing to reduce; () means all dims
    return tuple(sorted(axes))


def _resolve(op: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple[Any, bool]:
    """Merge the numpy-style aliases ``axis``/``keepdims`` into ``dim``/``keepdim``."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r}; pass only one")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)


def _prepare(op: str, x: Any, dim: Dim, keepdim: bool, axis: Any,
             keepdims: Any) -> tuple[Tensor, tuple[int, ...], bool]:
    x = _tensor(x, op)
    dim, keepdim = _resolve(op, dim, keepdim, axis, keepdims)
    return x, _axes(op, x.shape, dim), keepdim


def _require_float(x: Tensor, op: str) -> None:
    if x.dtype.kind != "f":
        raise TypeError(
            f"{op}: needs a floating-point tensor, got {x.dtype} with shape {tuple(x.shape)}; "
            f"convert it first, e.g. x.float().{op}(...)"
        )


def _check_nonempty(op: str, x: Tensor, axes: tuple[int, ...], full: bool,
                    what: str | None = None) -> None:
    """max, min, argmax... have no identity: reducing over a size-0 dimension is an error."""
    empty = [a for a in axes if x.shape[a] == 0]
    if not empty:
        return
    what = what or op
    if full:
        raise RuntimeError(
            f"{op}(): cannot reduce an empty tensor of shape {tuple(x.shape)}: {what} of no "
            "elements is undefined. Pass dim= to reduce a dimension of non-zero size."
        )
    raise IndexError(
        f"{op}(): cannot reduce dim {empty[0]} of a tensor of shape {tuple(x.shape)}: it has "
        f"size 0 and {what} of no elements is undefined."
    )


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced axes kept as size 1 (the ``keepdim=True`` shape)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced axes dropped (the ``keepdim=False`` shape)."""
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    """How many input elements each output element reduces."""
    return math.prod(shape[a] for a in axes)


def _remember(ctx: Context, x: np.ndarray, axes: tuple[int, ...], keepdim: bool) -> None:
    ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape


def _back(ctx: Context, grad: Tensor) -> Tensor:
    """The output's gradient copied back over the reduced dimensions (input's shape)."""
    return unreduce(grad, ctx.axes, ctx.keepdim, ctx.shape)


# -- sum and its adjoint --------------------------------------------------------------------


class Unreduce(Function):
    """Copy each reduced value back over the dimensions it was reduced from.

    This is the adjoint of `Sum` (their gradients are each other): every reduction's
    backward uses it to spread the output's gradient over the input's shape.
    """

    display_name = "unreduce"
    formula = "d unreduce(g)/dg = sum over the copied dimensions"

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, axes: tuple[int, ...], keepdim: bool,
                shape: tuple[int, ...]) -> np.ndarray:
        ctx.axes, ctx.keepdim = axes, keepdim
        return _spread(g, axes, shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return Sum.apply(grad, ctx.axes, ctx.keepdim), None, None, None


def unreduce(g: Tensor, axes: tuple[int, ...], keepdim: bool,
             shape: tuple[int, ...]) -> Tensor:
    """Spread ``g`` (the result of reducing ``axes`` of ``shape``) back to ``shape``.

    With ``shape`` holding 1 at ``axes`` this is PyTorch's ``unsqueeze`` at those axes.
    """
    if g._data.shape == shape:
        return g
    if not (g._requires_grad and is_grad_enabled()):  # nothing to record (a plain backward)
        return Tensor._make(_spread(g._data, axes, shape))
    return Unreduce.apply(g, tuple(axes), bool(keepdim), tuple(shape))


def _spread(g: np.ndarray, axes: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """`Unreduce` on arrays: a read-only broadcast view of ``g`` over ``shape``."""
    if g.ndim:
        g = g.reshape(_kept_shape(shape, axes))
    return broadcast_view(g, shape)


class Sum(Function):
    formula = "d sum(x)/dx_i = 1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        _remember(ctx, x, axes, keepdim)
        return np.asarray(np.add.reduce(x, axis=axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        return _back(ctx, grad), None, None


def _with_dtype(x: Tensor, dtype: Any, integers_to_int64: bool) -> Tensor:
    """Cast before reducing, as PyTorch's ``dtype=`` does; integer sums become int64."""
    if dtype is not None:
        return cast(x, dtypes.to_dtype(dtype))
    if integers_to_int64 and x.dtype.kind != "f":
        return cast(x, dtypes.int64)
    return x


def sum(x: Tensor, dim: Dim = None, keepdim: bool = False, dtype: Any = None, *,  # noqa: A001
        axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """Sum over ``dim`` (all by default). bool and integer tensors sum to int64."""
    if dim is None and axis is None and dtype is None and type(x) is Tensor and (
            x._data.dtype.kind == "f"):  # the common ``loss.sum()``, without the checks
        return Sum.apply(x, tuple(range(x._data.ndim)),
                         bool(keepdim if keepdims is None else keepdims))
    x, axes, keepdim = _prepare("sum", x, dim, keepdim, axis, keepdims)
    return Sum.apply(_with_dtype(x, dtype, True), axes, keepdim)


# -- mean, var, std ------------------------------------------------------------------------


class Mean(Function):
    formula = "d mean(x)/dx_i = 1/n"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        _remember(ctx, x, axes, keepdim)
        ctx.count = count = _count(x.shape, axes)
        with np.errstate(invalid="ignore", divide="ignore"):  # mean of nothing is nan
            out = np.add.reduce(x, axis=axes, keepdims=keepdim) / x.dtype.type(count)
        return np.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        return _back(ctx, grad) / float(ctx.count), None, None


def mean(x: Tensor, dim: Dim = None, keepdim: bool = False, dtype: Any = None, *,
         axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """Arithmetic mean over ``dim``; like PyTorch, integer inputs need ``dtype=`` or a cast."""
    x, axes, keepdim = _prepare("mean", x, dim, keepdim, axis, keepdims)
    x = _with_dtype(x, dtype, False)
    _require_float(x, "mean")
    return Mean.apply(x, axes, keepdim)


def _variance(x: np.ndarray, axes: tuple[int, ...], keepdim: bool, dof: float) -> np.ndarray:
    """Sum of squared deviations divided by ``dof`` (inf or nan when ``dof`` is 0)."""
    n = _count(x.shape, axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        centered = x - np.sum(x, axis=axes, keepdims=True) / x.dtype.type(n)
        squares = np.sum(centered * centered, axis=axes, keepdims=keepdim)
        return np.asarray(squares / x.dtype.type(dof), dtype=x.dtype)


def _centered(x: Tensor, axes: tuple[int, ...]) -> Tensor:
    """``x - mean(x)`` over ``axes``, differentiable (for var/std's backward)."""
    return x - Mean.apply(x, axes, True)


class Var(Function):
    formula = "d var(x)/dx_i = 2 (x_i - mean(x)) / (n - correction)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...], keepdim: bool,
                correction: float) -> np.ndarray:
        _remember(ctx, x, axes, keepdim)
        ctx.dof = dof = builtins.max(_count(x.shape, axes) - correction, 0)
        ctx.save_for_backward(x)
        return _variance(x, axes, keepdim, dof)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        (x,) = ctx.saved_tensors
        scale = ieee.div(2.0, float(ctx.dof))
        return _back(ctx, grad) * _centered(x, ctx.axes) * scale, None, None, None


class Std(Function):
    formula = "d std(x)/dx_i = (x_i - mean(x)) / ((n - correction) std(x)); 0 where std is 0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...], keepdim: bool,
                correction: float) -> np.ndarray:
        _remember(ctx, x, axes, keepdim)
        ctx.dof = dof = builtins.max(_count(x.shape, axes) - correction, 0)
        out = np.sqrt(_variance(x, axes, keepdim, dof))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        x, out = ctx.saved_tensors
        per_std = _safe_divide(grad, out)  # PyTorch: 0 where std is 0, not nan
        scale = ieee.div(1.0, float(ctx.dof))
        return _back(ctx, per_std) * _centered(x, ctx.axes) * scale, None, None, None


def _safe_divide(a: Tensor, b: Tensor) -> Tensor:
    """``a / b``, but 0 where ``b`` is 0; its gradient has no nan there either."""
    zero = b == 0.0
    return where(zero, 0.0, a / where(zero, 1.0, b))


def _correction(op: str, dim: Any, unbiased: Any, correction: Any) -> tuple[Any, float]:
    """PyTorch's ways of saying the correction: ``correction=``, ``unbiased=``, or
    ``var(True)`` (a bool where dim would be)."""
    if isinstance(dim, bool):
        if unbiased is not None:
            raise TypeError(f"{op}: got unbiased twice (as dim={dim} and unbiased={unbiased})")
        dim, unbiased = None, dim
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{op}: pass either unbiased= or correction=, not both")
        correction = 1 if unbiased else 0
    return dim, 1.0 if correction is None else float(correction)


def var(x: Tensor, dim: Dim = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis: Dim = None,
        keepdims: bool | None = None) -> Tensor:
    """Variance over ``dim``: squared deviations summed, divided by ``n - correction``
    (``correction=1`` by default, Bessel's; ``unbiased=False`` means ``correction=0``)."""
    dim, correction = _correction("var", dim, unbiased, correction)
    x, axes, keepdim = _prepare("var", x, dim, keepdim, axis, keepdims)
    _require_float(x, "var")
    return Var.apply(x, axes, keepdim, correction)


def std(x: Tensor, dim: Dim = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis: Dim = None,
        keepdims: bool | None = None) -> Tensor:
    """Standard deviation: the square root of `var` (same arguments)."""
    dim, correction = _correction("std", dim, unbiased, correction)
    x, axes, keepdim = _prepare("std", x, dim, keepdim, axis, keepdims)
    _require_float(x, "std")
    return Std.apply(x, axes, keepdim, correction)


# -- max, min, amax, amin, argmax, argmin -------------------------------------------------


def _tie_weights(x: np.ndarray, out: np.ndarray, axes: tuple[int, ...],
                 nan_ties: bool) -> np.ndarray:
    """1/count at the elements equal to the extreme, 0 elsewhere: ties share the gradient.

    ``nan_ties`` (max()/min() without dim) shares it among NaNs when the result is NaN;
    otherwise a NaN result gives NaN weights, both as in PyTorch.
    """
    out = out.reshape(_kept_shape(x.shape, axes))
    hit = x == out
    if nan_ties:
        hit |= np.isnan(x) & np.isnan(out)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (hit / hit.sum(axis=axes, keepdims=True)).astype(x.dtype)


def _extreme_forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...], keepdim: bool,
                     reduce: Any, nan_ties: bool) -> np.ndarray:
    out = np.asarray(reduce(x, axis=axes, keepdims=keepdim))
    if ctx.needs_input_grad[0]:
        _remember(ctx, x, axes, keepdim)
        ctx.save_for_backward(_tie_weights(x, out, axes, nan_ties))
    return out


def _weighted_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
    (weights,) = ctx.saved_tensors
    return _back(ctx, grad) * weights, None, None


class Max(Function):
    """``max(x)`` with no dim: the largest element; ties share the gradient evenly."""

    formula = "d max(x)/dx_i = 1/k at the k elements equal to the max, 0 elsewhere"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        return _extreme_forward(ctx, x, axes, keepdim, np.max, nan_ties=True)

    backward = staticmethod(_weighted_backward)


class Min(Function):
    """``min(x)`` with no dim: the smallest element; ties share the gradient evenly."""

    formula = "d min(x)/dx_i = 1/k at the k elements equal to the min, 0 elsewhere"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        return _extreme_forward(ctx, x, axes, keepdim, np.min, nan_ties=True)

    backward = staticmethod(_weighted_backward)


class Amax(Function):
    formula = "d amax(x)/dx_i = 1/k at the k elements equal to the max, 0 elsewhere"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        return _extreme_forward(ctx, x, axes, keepdim, np.max, nan_ties=False)

    backward = staticmethod(_weighted_backward)


class Amin(Function):
    formula = "d amin(x)/dx_i = 1/k at the k elements equal to the min, 0 elsewhere"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        return _extreme_forward(ctx, x, axes, keepdim, np.min, nan_ties=False)

    backward = staticmethod(_weighted_backward)


def _select_forward(ctx: Context, x: np.ndarray, dim: int, keepdim: bool,
                    index: np.ndarray) -> np.ndarray:
    """The elements of ``x`` at ``index`` (keepdim-shaped) along ``dim``."""
    if x.ndim == 0:
        values, chosen = x.copy(), np.ones((), dtype=bool)
    else:
        values = np.take_along_axis(x, index, axis=dim)
        along = [1] * x.ndim
        along[dim] = -1
        chosen = np.arange(x.shape[dim]).reshape(along) == index  # one-hot along dim
        if not keepdim:
            values = values.squeeze(dim)
    if ctx.needs_input_grad[0]:
        _remember(ctx, x, (dim,) if x.ndim else (), keepdim)
        ctx.save_for_backward(chosen)
    return values


def _select_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
    (chosen,) = ctx.saved_tensors
    return where(chosen, _back(ctx, grad), 0.0), None, None, None


class MaxDim(Function):
    """The values of ``max(x, dim)``: the gradient goes to the returned index only."""

    display_name = "max"
    formula = "d max(x, dim)/dx_i = 1 at the returned index, 0 elsewhere"
    forward = staticmethod(_select_forward)
    backward = staticmethod(_select_backward)


class MinDim(Function):
    """The values of ``min(x, dim)``: the gradient goes to the returned index only."""

    display_name = "min"
    formula = "d min(x, dim)/dx_i = 1 at the returned index, 0 elsewhere"
    forward = staticmethod(_select_forward)
    backward = staticmethod(_select_backward)


def _along_dim(op: str, fn: type[Function], pick: Any, result: type, x: Tensor, dim: Any,
               keepdim: bool) -> tuple[Tensor, Tensor]:
    """``(values, indices)`` of the first extreme along one dim, as PyTorch returns them."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(
            f"{op}: dim must be one int, got {dim!r}; to reduce several dims use a{op}(x, dim)"
        )
    (axis,) = _axes(op, x.shape, dim) or (0,)
    _check_nonempty(op, x, (axis,) if x.ndim else (), False)
    if x.ndim == 0:
        index = np.zeros((), dtype=np.int64)
    else:
        index = pick(x._data, axis=axis, keepdims=True).astype(np.int64)
    values = fn.apply(x, axis, keepdim, index)
    indices = index if keepdim or x.ndim == 0 else index.squeeze(axis)
    return result(values, Tensor._make(indices))


def max(x: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        axis: Any = None, keepdims: bool | None = None) -> Any:
    """``max(x)``: the largest element (0-d); ``max(x, dim)``: ``(values, indices)`` along
    ``dim``; ``max(x, other)``: the elementwise maximum (`maximum`)."""
    return _max_or_min("max", Max, MaxDim, np.argmax, MaxResult, x, dim, keepdim, axis,
                       keepdims, "maximum")


def min(x: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        axis: Any = None, keepdims: bool | None = None) -> Any:
    """``min(x)``: the smallest element (0-d); ``min(x, dim)``: ``(values, indices)`` along
    ``dim``; ``min(x, other)``: the elementwise minimum (`minimum`)."""
    return _max_or_min("min", Min, MinDim, np.argmin, MinResult, x, dim, keepdim, axis,
                       keepdims, "minimum")


def _max_or_min(op: str, whole: type[Function], along: type[Function], pick: Any,
                result: type, x: Any, dim: Any, keepdim: bool, axis: Any, keepdims: Any,
                elementwise: str) -> Any:
    if isinstance(dim, (Tensor, np.ndarray)):
        from . import elementwise as E  # written alongside; imported when first needed

        return getattr(E, elementwise)(x, dim)
    x = _tensor(x, op)
    dim, keepdim = _resolve(op, dim, keepdim, axis, keepdims)
    if dim is not None:
        return _along_dim(op, along, pick, result, x, dim, keepdim)
    if keepdim:
        raise TypeError(f"{op}: keepdim needs a dim; use a{op}(x, dim, keepdim=True)")
    axes = tuple(range(x.ndim))
    _check_nonempty(op, x, axes, True)
    return whole.apply(x, axes, False)


def amax(x: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
         keepdims: bool | None = None) -> Tensor:
    """The largest values over ``dim`` (one or several dims); ties share the gradient."""
    x, axes, keepdim = _prepare("amax", x, dim, keepdim, axis, keepdims)
    _check_nonempty("amax", x, axes, dim is None and axis is None)
    return Amax.apply(x, axes, keepdim)


def amin(x: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
         keepdims: bool | None = None) -> Tensor:
    """The smallest values over ``dim`` (one or several dims); ties share the gradient."""
    x, axes, keepdim = _prepare("amin", x, dim, keepdim, axis, keepdims)
    _check_nonempty("amin", x, axes, dim is None and axis is None)
    return Amin.apply(x, axes, keepdim)


def _arg(op: str, pick: Any, x: Any, dim: Any, keepdim: bool, axis: Any,
         keepdims: Any) -> Tensor:
    x = _tensor(x, op)
    if x.dtype == dtypes.bool_:
        raise TypeError(f"{op}: does not support bool input; convert it first with .long()")
    dim, keepdim = _resolve(op, dim, keepdim, axis, keepdims)
    if dim is None:
        _check_nonempty(op, x, tuple(range(x.ndim)), True)
        index = np.asarray(pick(x._data), dtype=np.int64)
        return Tensor._make(index.reshape((1,) * x.ndim) if keepdim else index)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be one int or None, got {dim!r}")
    axes = _axes(op, x.shape, dim)
    _check_nonempty(op, x, axes, False)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), dtype=np.int64))
    return Tensor._make(np.asarray(pick(x._data, axis=axes[0], keepdims=keepdim),
                                   dtype=np.int64))


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    """Index (int64) of the first largest element, flattened when ``dim`` is None; NaN counts
    as largest. No gradient."""
    return _arg("argmax", np.argmax, x, dim, keepdim, axis, keepdims)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    """Index (int64) of the first smallest element, flattened when ``dim`` is None; NaN
    counts as smallest. No gradient."""
    return _arg("argmin", np.argmin, x, dim, keepdim, axis, keepdims)


# -- prod -----------------------------------------------------------------------------------


class _FirstOrderOnly(Function):
    """Passes a gradient through; differentiating it again raises ``message``."""

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, message: str) -> np.ndarray:
        ctx.message = message
        return g

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Any:
        raise RuntimeError(ctx.message)


class Prod(Function):
    """Product over ``axes``. The gradient of each element is the product of the others,
    computed without dividing by zero: a slice with one zero gives that zero's position the
    product of the rest and every other position 0; a slice with two or more zeros gives 0."""

    formula = "d prod(x)/dx_i = product of the other elements"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        out = np.asarray(np.prod(x, axis=axes, keepdims=keepdim))
        if ctx.needs_input_grad[0]:
            _remember(ctx, x, axes, keepdim)
            zeros = x == 0
            ctx.zero_count = zeros.sum(axis=axes, keepdims=True)
            ctx.save_for_backward(x, out, zeros)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        x, out, zeros = ctx.saved_tensors
        count = ctx.zero_count
        if not count.any():
            return _back(ctx, grad * out) / x, None, None
        # Each slice's product of its nonzero elements, differentiable in those elements.
        nonzero = where(zeros, 1.0, x)
        rest = Prod.apply(nonzero, ctx.axes, True)
        one_zero = Tensor._make((count == 1).astype(x.dtype))
        no_zero = Tensor._make((count == 0).astype(x.dtype))
        # The lone zero itself as a tensor (value 0): the others' gradient is proportional
        # to it, which keeps second derivatives right for slices with one zero.
        lone = Sum.apply(where(zeros, x, 0.0), ctx.axes, True)
        factor = lone * one_zero + no_zero  # 1 (no zero), the zero (one zero), 0 (more)
        local = where(zeros, rest * one_zero, rest * factor / nonzero)
        result = _back(ctx, grad) * local
        if is_grad_enabled() and (count >= 2).any():
            result = _FirstOrderOnly.apply(
                result, "prod: second derivatives at an input with two or more zeros in one "
                "reduced slice are not implemented (the first derivative there is 0)."
            )
        return result, None, None


def prod(x: Tensor, dim: Dim = None, keepdim: bool = False, dtype: Any = None, *,
         axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """Product over ``dim`` (all by default); bool and integer inputs give int64."""
    x, axes, keepdim = _prepare("prod", x, dim, keepdim, axis, keepdims)
    return Prod.apply(_with_dtype(x, dtype, True), axes, keepdim)


# -- logsumexp ------------------------------------------------------------------------------


class LogSumExp(Function):
    """``log(sum(exp(x)))`` computed as ``m + log(sum(exp(x - m)))`` with ``m`` the max, so
    that large inputs do not overflow; all ``-inf`` gives ``-inf``."""

    formula = "d logsumexp(x)/dx_i = exp(x_i - logsumexp(x)) (the softmax)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        _remember(ctx, x, axes, keepdim)
        m = np.max(x, axis=axes, keepdims=True, initial=-np.inf)
        m = np.where(np.isinf(m), 0.0, m).astype(x.dtype)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            total = np.sum(np.exp(x - m), axis=axes, keepdims=True)
            out = np.log(total) + m
        out = np.asarray(out if keepdim else out.reshape(_reduced_shape(x.shape, axes)))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        from .elementwise import exp

        x, out = ctx.saved_tensors
        return _back(ctx, grad) * exp(x - _back(ctx, out)), None, None


def logsumexp(x: Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None,
              keepdims: bool | None = None) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, numerically stable; integers give float32.

    PyTorch requires ``dim``; here ``dim=None`` reduces every dimension.
    """
    x, axes, keepdim = _prepare("logsumexp", x, dim, keepdim, axis, keepdims)
    if x.dtype.kind != "f":
        x = cast(x, dtypes.float32)
    return LogSumExp.apply(x, axes, keepdim)


# -- norm -------------------------------------------------------------------------------------


def _norm_forward(a: np.ndarray, p: float, axes: tuple[int, ...], keepdim: bool) -> Any:
    """The p-norm of ``a = |x|`` over ``axes``."""
    if p == math.inf:
        return np.max(a, axis=axes, keepdims=keepdim)
    if p == -math.inf:
        return np.min(a, axis=axes, keepdims=keepdim)
    if p == 0:
        return np.sum(a != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
    if p == 1:
        return np.sum(a, axis=axes, keepdims=keepdim)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
    with np.errstate(divide="ignore", over="ignore"):
        return np.sum(a ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)


class Norm(Function):
    """The vector p-norm over ``axes``: ``(sum |x_i|^p)^(1/p)``; also p = inf, -inf, 0.

    As in PyTorch, the gradient is 0 (not nan) where the norm is 0, and the inf-norm's
    gradient is shared evenly among the elements that tie for the largest magnitude.
    """

    formula = "d ||x||_p/dx_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, p: float, axes: tuple[int, ...],
                keepdim: bool) -> np.ndarray:
        a = np.abs(x)
        out = np.asarray(_norm_forward(a, p, axes, keepdim), dtype=x.dtype)
        if ctx.needs_input_grad[0]:
            _remember(ctx, x, axes, keepdim)
            ctx.p = p
            sign = np.sign(x)
            if math.isinf(p):
                sign = sign * _tie_weights(a, out, axes, nan_ties=False)
            ctx.save_for_backward(x, out, sign)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, None, None, None]:
        x, out, sign = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None, None, None, None  # a count of nonzeros: no gradient, as in PyTorch
        if p == 1 or math.isinf(p):
            return _back(ctx, grad) * sign, None, None, None
        if p == 2:
            return _back(ctx, _safe_divide(grad, out)) * x, None, None, None
        # sign(x) |x|^(p-1), written so that x = 0 gives 0 and no nan in any derivative
        zero = x == 0.0
        magnitude = where(zero, 1.0, x * sign)
        scaled = where(zero, 0.0, sign * magnitude ** (p - 1.0))
        per_norm = _safe_divide(grad, out ** (p - 1.0))
        return _back(ctx, per_norm) * scaled, None, None, None


def norm(x: Tensor, p: float | str | None = "fro", dim: Dim = None, keepdim: bool = False,
         dtype: Any = None, *, axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """The vector p-norm over ``dim`` (all elements by default), like ``torch.norm``:
    ``p`` is 2 / ``'fro'`` (default), 1, ``inf``, ``-inf``, 0 or any other float.

    The matrix nuclear norm (``'nuc'``) is not supported.
    """
    x, axes, keepdim = _prepare("norm", x, dim, keepdim, axis, keepdims)
    if p == "fro" and isinstance(dim, (tuple, list)) and len(dim) > 2:
        raise ValueError(
            f"norm: p='fro' takes one or two dims, got dim={dim!r}; for the 2-norm of all "
            "the elements of several dims use p=2"
        )
    if p is None or p == "fro":
        p = 2.0
    if isinstance(p, str):
        raise ValueError(
            f"norm: p={p!r} is not supported; use a number, inf, -inf or 'fro' (the nuclear "
            "norm 'nuc' needs singular values, which this library does not compute)"
        )
    p = float(p)
    if dtype is not None:
        x = cast(x, dtypes.to_dtype(dtype))
    _require_float(x, "norm")
    if math.isinf(p):
        _check_nonempty("norm", x, axes, dim is None and axis is None, f"the {p}-norm")
    return Norm.apply(x, p, axes, keepdim)


# -- all, any -------------------------------------------------------------------------------


def all(x: Tensor, dim: Dim = None, keepdim: bool = False, *,  # noqa: A001
        axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """True where every element over ``dim`` is nonzero (a bool tensor; no gradient)."""
    x, axes, keepdim = _prepare("all", x, dim, keepdim, axis, keepdims)
    return Tensor._make(np.asarray(np.all(x._data, axis=axes, keepdims=keepdim)))


def any(x: Tensor, dim: Dim = None, keepdim: bool = False, *,  # noqa: A001
        axis: Dim = None, keepdims: bool | None = None) -> Tensor:
    """True where some element over ``dim`` is nonzero (a bool tensor; no gradient)."""
    x, axes, keepdim = _prepare("any", x, dim, keepdim, axis, keepdims)
    return Tensor._make(np.asarray(np.any(x._data, axis=axes, keepdims=keepdim)))


METHODS = {
    "sum": sum, "mean": mean, "var": var, "std": std, "max": max, "min": min, "amax": amax,
    "amin": amin, "argmax": argmax, "argmin": argmin, "prod": prod, "logsumexp": logsumexp,
    "norm": norm, "all": all, "any": any,
}
FUNCTIONS = dict(METHODS)
