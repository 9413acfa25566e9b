"""``+ - * / **`` and negation, with broadcasting and PyTorch's type promotion.

Each backward returns the gradient of each input in that input's shape: ``unbroadcast``
sums over the dimensions broadcasting stretched. A Python number operand gets no gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import ieee
from ..function import Context, Function
from ..tensor import Tensor
from ._util import broadcast_shapes, promote, unbroadcast


def _input_shape(ctx: Context, i: int) -> tuple[int, ...]:
    """The shape of forward input ``i`` (a Tensor's array, since it needs a gradient)."""
    return ctx.input_arrays[i].shape


class Add(Function):
    display_name = "+"
    formula = "d(a+b)/da = 1, d(a+b)/db = 1"
    ufunc = np.add

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        return np.add(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        need_a, need_b = ctx.needs_input_grad
        da = unbroadcast(grad, _input_shape(ctx, 0)) if need_a else None
        db = unbroadcast(grad, _input_shape(ctx, 1)) if need_b else None
        return da, db


class Sub(Function):
    display_name = "-"
    formula = "d(a-b)/da = 1, d(a-b)/db = -1"
    ufunc = np.subtract

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        return np.subtract(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        need_a, need_b = ctx.needs_input_grad
        da = unbroadcast(grad, _input_shape(ctx, 0)) if need_a else None
        db = unbroadcast(-grad, _input_shape(ctx, 1)) if need_b else None
        return da, db


class Mul(Function):
    display_name = "*"
    formula = "d(a*b)/da = b, d(a*b)/db = a"
    ufunc = np.multiply

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        # keep only what backward reads: a's gradient needs b, b's gradient needs a
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return np.multiply(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        da = unbroadcast(grad * b, _input_shape(ctx, 0)) if need_a else None
        db = unbroadcast(grad * a, _input_shape(ctx, 1)) if need_b else None
        return da, db


class Div(Function):
    display_name = "/"
    formula = "d(a/b)/da = 1/b, d(a/b)/db = -a/b**2"

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.true_divide(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        da = unbroadcast(grad / b, a.shape) if ctx.needs_input_grad[0] else None
        db = unbroadcast(-grad * ((a / b) / b), b.shape) if ctx.needs_input_grad[1] else None
        return da, db


class Neg(Function):
    display_name = "neg"
    formula = "d(-a)/da = -1"
    ufunc = np.negative

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        return np.negative(a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return -grad


class Pow(Function):
    """``a ** b`` for any mix of tensor and number (at least one a tensor)."""

    display_name = "**"
    formula = "d(a**b)/da = b*a**(b-1), d(a**b)/db = a**b*log(a)"

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.asarray(np.power(a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        from .elementwise import log, where

        a, b, out = ctx.saved_tensors
        da = db = None
        if ctx.needs_input_grad[0]:
            if isinstance(b, Tensor):
                da = where(b == 0.0, 0.0, grad * (b * a ** (b - 1.0)))
                da = unbroadcast(da, a.shape)
            elif b == 0:
                da = Tensor._make(np.zeros_like(grad._data))  # exactly zero, as in PyTorch
            else:
                da = grad * (b * a ** (b - 1.0))
        if ctx.needs_input_grad[1]:
            if isinstance(a, Tensor):
                db = grad * where((a == 0.0) & (b >= 0.0), 0.0, out * log(a))
            elif a == 0:
                db = grad * where(b >= 0.0, 0.0, out * -math.inf)
            else:
                db = grad * (out * ieee.log(float(a)))
            db = unbroadcast(db, b.shape)
        return da, db


def _binary(fn: type[Function], a: Any, b: Any, op: str) -> Tensor:
    """Apply a broadcasting binary Function after PyTorch's type promotion."""
    ta, tb = type(a), type(b)
    fast = (
        (ta is Tensor and tb is Tensor and a._data.dtype == b._data.dtype)
        or (ta is Tensor and tb is float and a._data.dtype.kind == "f")
        or (tb is Tensor and ta is float and b._data.dtype.kind == "f")
    )
    if not fast:
        a, b = promote(op, a, b)
    try:
        return fn.apply(a, b)
    except ValueError:
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            broadcast_shapes(op, a.shape, b.shape, operand_dtypes=(a.dtype, b.dtype))
        raise


def add(a: Any, b: Any, alpha: float = 1) -> Tensor:
    return _binary(Add, a, b if alpha == 1 else b * alpha, "add")


def sub(a: Any, b: Any, alpha: float = 1) -> Tensor:
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype.kind == b.dtype.kind == "b":
        raise TypeError(
            f"sub: subtracting bool tensors (shapes {tuple(a.shape)} and {tuple(b.shape)}) is "
            "not supported, as in PyTorch; use a != b (exclusive or), or convert with .long()"
        )
    return _binary(Sub, a, b if alpha == 1 else b * alpha, "sub")


def mul(a: Any, b: Any) -> Tensor:
    return _binary(Mul, a, b, "mul")


def div(a: Any, b: Any) -> Tensor:
    if isinstance(a, Tensor) and a.dtype.kind != "f" and not (
        isinstance(b, Tensor) and b.dtype.kind == "f"
    ) and not isinstance(b, float):
        a = a.float()  # true division of integers gives float32, as in PyTorch
    return _binary(Div, a, b, "div")


def neg(a: Tensor) -> Tensor:
    return Neg.apply(a)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    return _binary(Pow, a, b, "pow")


METHODS = {
    "add": add, "sub": sub, "mul": mul, "div": div, "neg": neg, "pow": pow,
    "__add__": add, "__radd__": lambda a, b: add(b, a),
    "__sub__": sub, "__rsub__": lambda a, b: sub(b, a),
    "__mul__": mul, "__rmul__": lambda a, b: mul(b, a),
    "__truediv__": div, "__rtruediv__": lambda a, b: div(b, a),
    "__pow__": pow, "__rpow__": lambda a, b: pow(b, a),
    "__neg__": neg, "__pos__": lambda a: a,
}
FUNCTIONS = {"add": add, "sub": sub, "mul": mul, "div": div, "neg": neg, "pow": pow,
             "subtract": sub, "multiply": mul, "divide": div, "negative": neg}
