"""Elementwise functions of one tensor, selection (``where``), comparisons and dtype casts.

Each Function computes its forward with numpy and its backward with Tensor ops, saving
the output rather than the input where the derivative is cheapest written through it
(``exp``: the derivative is the output itself).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
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
    shapes = [cond.shape] + [x.shape for x in (a, b) if isinstance(x, Tensor)]
    broadcast_shapes("where", *shapes)
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
}
FUNCTIONS = {
    "exp": exp, "log": log, "where": where, "cast": cast, "eq": eq, "ne": ne, "lt": lt,
    "le": le, "gt": gt, "ge": ge, "logical_not": logical_not, "logical_and": logical_and,
    "logical_or": logical_or,
}
