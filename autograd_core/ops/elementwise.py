"""Elementwise functions, selection (``where``, ``clamp``, ``maximum``), comparisons, casts.

Each Function computes its forward with numpy and its backward with Tensor ops, saving
the output rather than the input where the derivative is cheapest written through it
(``exp``: the derivative is the output itself). Where a function has a kink or a tie, the
gradient follows PyTorch's convention exactly: ``abs`` and ``relu`` pass 0 at 0, ``clamp``
passes the gradient on its boundary, ``maximum``/``minimum`` split it in half on a tie.

``tanh``, ``sigmoid`` and ``relu`` keep their array math in module-level functions with a
numpy signature (``_tanh_forward(x) -> y``, ``_tanh_backward(y, grad) -> grad_x``): the
seam where compiled kernels plug in. Their backward uses that function for a plain
first-order pass and Tensor ops when a graph of the gradient is being built.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..kernels import kernel
from ..tensor import Tensor
from ._util import as_operand, broadcast_shapes, promote, unbroadcast


class Exp(Function):
    formula = "d exp(a)/da = exp(a)"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    formula = "d log(a)/da = 1/a"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad / a


class Where(Function):
    """``where(cond, a, b)``: ``a`` where cond holds, else ``b``; the gradient follows."""

    display_name = "where"
    formula = "d where(c, a, b)/da = c, /db = not c"

    @staticmethod
    def forward(ctx: Context, cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(cond)
        ctx.shapes = (getattr(a, "shape", None), getattr(b, "shape", None))
        return np.asarray(np.where(cond, a, b))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[None, Tensor | None, Tensor | None]:
        (cond,) = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        zero = Tensor._make(np.zeros((), dtype=grad.dtype))
        da = unbroadcast(where(cond, grad, zero), a_shape) if ctx.needs_input_grad[1] else None
        db = unbroadcast(where(cond, zero, grad), b_shape) if ctx.needs_input_grad[2] else None
        return None, da, db


class Cast(Function):
    """A dtype conversion; between float dtypes the gradient is cast back."""

    display_name = "to"
    formula = "d cast(a)/da = 1 (cast back to a's dtype)"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, dtype: np.dtype) -> np.ndarray:
        ctx.input_dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        return cast(grad, ctx.input_dtype), None


# -- array math of tanh, sigmoid and relu: the seam where compiled kernels plug in ---------


# The activations' array math goes through the kernel seam (autograd_core/kernels): the
# fused Numba loops for relu both ways and for the backward of tanh and sigmoid. The tanh
# and sigmoid forwards stay with numpy, whose vectorised exp/tanh beat a scalar-libm Numba
# loop several times over on these machines (see bench notes in kernels/activations.py).


def _tanh_forward(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.tanh(x))


def _tanh_backward(y: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """grad * (1 - y**2), fused."""
    return kernel("tanh_backward")(y, grad)


def _sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))``, written with ``exp(-|x|)`` so that it never overflows."""
    e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0, 1 / (1 + e), e / (1 + e)))


def _sigmoid_backward(y: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """grad * (1 - y) * y, fused."""
    return kernel("sigmoid_backward")(y, grad)


def _relu_forward(x: np.ndarray) -> np.ndarray:
    """max(x, 0); NaN stays NaN, as in PyTorch."""
    return kernel("relu_forward")(x)


def _relu_backward(y: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """PyTorch's ``threshold_backward``: block where ``y <= 0``; a NaN output passes."""
    return kernel("relu_backward")(y, grad)


# -- unary Functions ----------------------------------------------------------------------


class Abs(Function):
    formula = "d|a|/da = sign(a) (0 at a = 0)"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad * sign(a)


class Sign(Function):
    """-1, 0 or 1 (0 for NaN, as PyTorch's ``sign``); its gradient is zero everywhere."""

    formula = "d sign(a)/da = 0"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        if a.dtype.kind == "b":
            return a.copy()
        if a.dtype.kind != "f":
            return np.sign(a)
        return np.asarray(a > 0, dtype=a.dtype) - (a < 0)  # NaN -> 0, unlike np.sign

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return Tensor._make(np.zeros_like(grad._data))


class Log1p(Function):
    formula = "d log(1+a)/da = 1/(1+a)"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad / (a + 1.0)


class Sqrt(Function):
    formula = "d sqrt(a)/da = 1/(2 sqrt(a))"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            out = np.asarray(np.sqrt(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return grad / (2.0 * out)


class Sin(Function):
    formula = "d sin(a)/da = cos(a)"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return np.sin(a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad * cos(a)


class Cos(Function):
    formula = "d cos(a)/da = -sin(a)"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return np.cos(a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad * -sin(a)


class Tanh(Function):
    formula = "d tanh(a)/da = 1 - tanh(a)**2"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = _tanh_forward(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        if not is_grad_enabled():  # plain first order: the array kernel
            return Tensor._make(_tanh_backward(out._data, grad._data))
        return grad * (1.0 - out * out)


class Sigmoid(Function):
    formula = "d s(a)/da = s(a) (1 - s(a))"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = _sigmoid_forward(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        if not is_grad_enabled():
            return Tensor._make(_sigmoid_backward(out._data, grad._data))
        return grad * (out * (1.0 - out))


class Relu(Function):
    display_name = "relu"
    formula = "d relu(a)/da = 1 if a > 0 else 0 (0 at a = 0)"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = _relu_forward(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        if not is_grad_enabled():
            return Tensor._make(_relu_backward(out._data, grad._data))
        return where(out <= 0, 0.0, grad)


class Clone(Function):
    display_name = "clone"
    formula = "d clone(a)/da = 1"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        return a.copy()

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad


# -- clamp, maximum, minimum: the gradient picks a side ------------------------------------


class Clamp(Function):
    """``min(max(x, lo), hi)``; ``lo`` or ``hi`` may be None, a number or a tensor.

    PyTorch's subgradients: ``x`` gets the gradient where ``lo <= x <= hi`` (boundaries
    included, NaN excluded); ``lo`` where ``x < lo`` (if ``lo < hi``); ``hi`` where
    ``x > hi`` or ``hi < lo`` (then the result is ``hi`` everywhere).
    """

    display_name = "clamp"
    formula = "d clamp(x, lo, hi)/dx = 1 if lo <= x <= hi else 0; /dlo = [x < lo]; /dhi = [x > hi]"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
        ctx.save_for_backward(x, lo, hi)
        return _clamp_arrays(x, lo, hi)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, lo, hi = ctx.saved_tensors
        dx = dlo = dhi = None
        if ctx.needs_input_grad[0]:
            inside = _both(None if lo is None else x >= lo, None if hi is None else x <= hi)
            dx = unbroadcast(where(inside, grad, 0.0), x.shape)
        if ctx.needs_input_grad[1]:
            below = x < lo if hi is None else (x < lo) & (lo < hi)
            dlo = unbroadcast(where(below, grad, 0.0), lo.shape)
        if ctx.needs_input_grad[2]:
            above = x > hi if lo is None else (x > hi) | (hi < lo)
            dhi = unbroadcast(where(above, grad, 0.0), hi.shape)
        return dx, dlo, dhi


def _clamp_arrays(x: np.ndarray, lo: Any, hi: Any, out: np.ndarray | None = None) -> np.ndarray:
    """numpy clamp with NaN propagation (numpy's maximum/minimum propagate NaN, as PyTorch)."""
    if lo is not None:
        x = np.maximum(x, lo, out=out, casting="unsafe") if out is not None else np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi, out=out, casting="unsafe") if out is not None else np.minimum(x, hi)
    return np.asarray(x)


def _both(a: Tensor | None, b: Tensor | None) -> Tensor:
    return b if a is None else a if b is None else a & b


class Maximum(Function):
    display_name = "maximum"
    formula = "d max(a, b)/da = 1 if a > b, 1/2 if a == b, else 0"

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.asarray(np.maximum(a, b))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        return _pick_side(ctx, grad, a, b, lose_a=a < b, lose_b=a > b)


class Minimum(Function):
    display_name = "minimum"
    formula = "d min(a, b)/da = 1 if a < b, 1/2 if a == b, else 0"

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.asarray(np.minimum(a, b))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        return _pick_side(ctx, grad, a, b, lose_a=a > b, lose_b=a < b)


def _pick_side(ctx: Context, grad: Tensor, a: Any, b: Any, lose_a: Tensor,
               lose_b: Tensor) -> tuple[Tensor | None, Tensor | None]:
    """PyTorch's rule: the winner gets the gradient, a tie splits it, NaN passes to both."""
    shared = where(a == b, grad * 0.5, grad)
    da = unbroadcast(where(lose_a, 0.0, shared), a.shape) if ctx.needs_input_grad[0] else None
    db = unbroadcast(where(lose_b, 0.0, shared), b.shape) if ctx.needs_input_grad[1] else None
    return da, db


def exp(a: Tensor) -> Tensor:
    return Exp.apply(_float(a, "exp"))


def log(a: Tensor) -> Tensor:
    return Log.apply(_float(a, "log"))


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elementwise ``a if cond else b``, broadcasting all three."""
    cond = as_operand(cond, "where")
    if not isinstance(cond, Tensor) or cond.dtype != dtypes.bool_:
        raise TypeError(
            f"where: the condition must be a bool tensor, got "
            f"{getattr(cond, 'dtype', type(cond).__name__)}; compare first, e.g. where(x > 0, ...)"
        )
    a, b = promote("where", a, b)
    tensors = [cond] + [x for x in (a, b) if isinstance(x, Tensor)]
    broadcast_shapes("where", *[t.shape for t in tensors],
                     operand_dtypes=[t.dtype for t in tensors])
    return Where.apply(cond, a, b)


def cast(a: Tensor, dtype: Any) -> Tensor:
    """``a`` converted to ``dtype``; differentiable between float dtypes."""
    dtype = dtypes.to_dtype(dtype)
    if a.dtype == dtype:
        return a
    if dtype.kind != "f":
        return Tensor._make(a._data.astype(dtype))  # integer/bool results carry no gradient
    return Cast.apply(a, dtype)


def _float(a: Any, op: str) -> Tensor:
    """Ops like exp and log give float32 for integer inputs, as in PyTorch."""
    a = as_operand(a, op)
    if not isinstance(a, Tensor):
        a = Tensor(a)
    return a if a.dtype.kind == "f" else cast(a, dtypes.float32)


def _tensor(a: Any, op: str) -> Tensor:
    a = as_operand(a, op)
    return a if isinstance(a, Tensor) else Tensor(a)


def abs(a: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    """``|a|``; the gradient is ``sign(a)``, 0 at 0 (and at NaN), as in PyTorch."""
    a = _tensor(a, "abs")
    if a.dtype == dtypes.bool_:
        raise NotImplementedError(
            "abs: not supported for bool tensors (as in PyTorch); convert first, e.g. "
            "t.long().abs()"
        )
    return Abs.apply(a)


def sign(a: Tensor) -> Tensor:
    """-1, 0 or 1 elementwise (0 for NaN), in ``a``'s dtype; zero gradient."""
    return Sign.apply(_tensor(a, "sign"))


def log1p(a: Tensor) -> Tensor:
    """``log(1 + a)``, accurate for small ``a``."""
    return Log1p.apply(_float(a, "log1p"))


def sqrt(a: Tensor) -> Tensor:
    return Sqrt.apply(_float(a, "sqrt"))


def sin(a: Tensor) -> Tensor:
    return Sin.apply(_float(a, "sin"))


def cos(a: Tensor) -> Tensor:
    return Cos.apply(_float(a, "cos"))


def tanh(a: Tensor) -> Tensor:
    return Tanh.apply(_float(a, "tanh"))


def sigmoid(a: Tensor) -> Tensor:
    """``1 / (1 + exp(-a))``, computed without overflow."""
    return Sigmoid.apply(_float(a, "sigmoid"))


def relu(a: Tensor) -> Tensor:
    """``max(a, 0)``, keeping integer dtypes; the gradient at 0 is 0, as in PyTorch."""
    a = _tensor(a, "relu")
    if a.dtype == dtypes.bool_:
        raise RuntimeError("relu: boolean inputs are not supported; convert first, e.g. "
                           "t.float().relu()")
    return Relu.apply(a)


def clone(a: Tensor) -> Tensor:
    """A copy with its own memory that gradients flow through (unlike ``detach``)."""
    return Clone.apply(_tensor(a, "clone"))


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit ``a`` to ``[min, max]``; either bound may be None, a number or a tensor.

    Tensor bounds broadcast with ``a`` and receive gradients. If ``min > max`` the result
    is ``max``, as in PyTorch. Unlike PyTorch, numbers and tensors may be mixed.
    """
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    a = _tensor(a, "clamp")
    given = [x for x in (min, max) if x is not None]
    promoted = iter(promote("clamp", a, *given))
    a = next(promoted)
    lo = next(promoted) if min is not None else None
    hi = next(promoted) if max is not None else None
    return Clamp.apply(a, lo, hi)


def clamp_min(a: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp(a, min=min)


def clamp_max(a: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp(a, max=max)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b`` (broadcast); NaN wins, ties split the gradient.

    Unlike PyTorch, one of the two may be a Python number.
    """
    return Maximum.apply(*_pair("maximum", a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b`` (broadcast); NaN wins, ties split the gradient."""
    return Minimum.apply(*_pair("minimum", a, b))


def _pair(op: str, a: Any, b: Any) -> list[Any]:
    pair = promote(op, a, b)
    if not any(isinstance(x, Tensor) for x in pair):
        raise TypeError(f"{op}: at least one argument must be a Tensor, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    return pair


def _compare(ufunc: np.ufunc, op: str) -> Any:
    def compare(a: Any, b: Any) -> Tensor:
        a, b = promote(op, a, b)
        x = a._data if isinstance(a, Tensor) else a
        y = b._data if isinstance(b, Tensor) else b
        return Tensor._make(np.asarray(ufunc(x, y)))

    compare.__name__ = op
    compare.__doc__ = f"Elementwise ``{op}`` as a bool tensor (no gradient)."
    return compare


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")


def _logical(ufunc: np.ufunc, op: str) -> Any:
    def logical(a: Any, b: Any) -> Tensor:
        x = a._data if isinstance(a, Tensor) else a
        y = b._data if isinstance(b, Tensor) else b
        if np.asarray(x).dtype != bool or np.asarray(y).dtype != bool:
            out = ufunc(x, y)  # bitwise on integers, as in PyTorch
        else:
            out = ufunc(x, y)
        return Tensor._make(np.asarray(out))

    logical.__name__ = op
    return logical


logical_and = _logical(np.bitwise_and, "and")
logical_or = _logical(np.bitwise_or, "or")


def logical_not(a: Tensor) -> Tensor:
    return Tensor._make(np.logical_not(a._data))


METHODS = {
    "exp": exp, "log": log, "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": logical_and, "__or__": logical_or, "__invert__": logical_not,
    "__rand__": lambda a, b: logical_and(b, a), "__ror__": lambda a, b: logical_or(b, a),
    "logical_not": logical_not,
    "abs": abs, "__abs__": abs, "sign": sign, "log1p": log1p, "sqrt": sqrt, "sin": sin,
    "cos": cos, "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "clone": clone,
    "clamp": clamp, "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max,
    "maximum": maximum, "minimum": minimum,
}
FUNCTIONS = {
    "exp": exp, "log": log, "where": where, "cast": cast, "eq": eq, "ne": ne, "lt": lt,
    "le": le, "gt": gt, "ge": ge, "logical_not": logical_not, "logical_and": logical_and,
    "logical_or": logical_or,
    "abs": abs, "sign": sign, "log1p": log1p, "sqrt": sqrt, "sin": sin, "cos": cos,
    "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "clone": clone, "clamp": clamp,
    "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max, "maximum": maximum,
    "minimum": minimum,
}
