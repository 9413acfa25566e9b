"""In-place ops (``add_``, ``x += y``, ``clamp_``, ``zero_``, ...), with PyTorch's autograd rules.

An in-place op writes its result into the tensor's own memory, so every view of it sees the
change, and bumps the version counter the tensor shares with its views. How the graph is
recorded depends on who needs a gradient:

* a leaf that requires grad may not be changed in place while grad mode is on (its
  ``.grad`` would no longer be the gradient of the value it holds): an error says to use
  ``with autograd_core.no_grad():`` or an out-of-place op;
* when nothing records a graph, numpy computes straight into the tensor's memory;
* when recording, the old value (a copy where backward needs it, as PyTorch keeps the
  original self) stands in for the tensor as the op's input, the out-of-place op builds
  the node, its result is written into the tensor's memory and the tensor takes over the
  node as its ``grad_fn``.

An op that saved the tensor before the change then raises at backward, naming itself,
because the version it saved is stale. PyTorch also rewrites the history of a view's base
(and of a base's views) after an in-place op; this engine does not, so recording an
in-place op on a tensor that shares memory with another live tensor raises instead (the
aliasing check of ``indexing``). The result dtype must be castable to the tensor's own,
with PyTorch's rule (no float into an integer tensor, nothing but bool into bool).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._util import as_operand, broadcast_shapes, unbroadcast
from .arithmetic import add, div, mul, sub
from .elementwise import _clamp_arrays, cast, clamp
from .indexing import check_inplace_aliases

# -- the Functions of the overwriting ops -------------------------------------------------


class Copy(Function):
    """``t.copy_(src)``: ``src`` (broadcast, cast to t's dtype) replaces t's old values."""

    display_name = "copy_"
    formula = "d copy_(t, src)/dt = 0, d/dsrc = 1 (summed over broadcast dimensions)"

    @staticmethod
    def forward(ctx: Context, old: np.ndarray, src: np.ndarray) -> np.ndarray:
        ctx.src_shape = src.shape
        return np.array(np.broadcast_to(src, old.shape), dtype=old.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        d_old = _zeros(grad) if ctx.needs_input_grad[0] else None
        d_src = unbroadcast(grad, ctx.src_shape) if ctx.needs_input_grad[1] else None
        return d_old, d_src


class Fill(Function):
    """``t.fill_(value)``: every element becomes ``value`` (a number or a 0-d tensor)."""

    display_name = "fill_"
    formula = "d fill_(t, v)/dt = 0, d/dv = sum of the gradient"

    @staticmethod
    def forward(ctx: Context, old: np.ndarray, value: Any) -> np.ndarray:
        return np.full(old.shape, value, dtype=old.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        d_old = _zeros(grad) if ctx.needs_input_grad[0] else None
        d_value = unbroadcast(grad, ()) if ctx.needs_input_grad[1] else None
        return d_old, d_value


class Zero(Function):
    """``t.zero_()``: every element becomes 0; the old values get a zero gradient."""

    display_name = "zero_"
    formula = "d zero_(t)/dt = 0"

    @staticmethod
    def forward(ctx: Context, old: np.ndarray) -> np.ndarray:
        return np.zeros_like(old)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return _zeros(grad)


def _zeros(grad: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(grad._data))


# -- the shared machinery -----------------------------------------------------------------


def _check_target(t: Any, op: str) -> None:
    """The tensor being changed must be a writable Tensor, and not a leaf that needs grad."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor to change in place, got {type(t).__name__}")
    if is_grad_enabled() and t._requires_grad and t.grad_fn is None:
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad (shape {tuple(t.shape)}, {t.dtype}) is "
            "being used in an in-place operation. Update parameters inside "
            "`with autograd_core.no_grad():`, or use an out-of-place op "
            "(x = x + y rather than x += y)."
        )
    if not t._data.flags.writeable:
        raise RuntimeError(
            f"{op}: tensor of shape {tuple(t.shape)} is read-only: it is an expanded view, in "
            "which several elements share one memory location. clone() it before changing "
            "it in place."
        )


def _check_result(op: str, t: Tensor, result: np.dtype, *others: Any) -> None:
    """PyTorch's casting rule for results written into ``t``, and its shape rule."""
    if (result.kind == "f" and t.dtype.kind != "f") or (
        result != dtypes.bool_ and t.dtype == dtypes.bool_
    ):
        raise RuntimeError(
            f"{op}: result type {result} can't be cast to the desired output type {t.dtype} "
            f"(tensor of shape {tuple(t.shape)}). Convert the tensor first (t = t.float()) "
            "or use the out-of-place op."
        )
    tensors = [x for x in others if isinstance(x, Tensor)]
    if tensors:
        shape = broadcast_shapes(op, t.shape, *[x.shape for x in tensors],
                                 operand_dtypes=[t.dtype] + [x.dtype for x in tensors])
        if shape != t.shape:
            raise RuntimeError(
                f"{op}: output with shape {tuple(t.shape)} doesn't match the broadcast "
                f"shape {tuple(shape)}; an in-place op cannot change a tensor's shape. Use "
                "the out-of-place op."
            )


def _apply(t: Tensor, op: str, others: tuple[Any, ...], direct: Callable[[np.ndarray], Any],
           out_of_place: Callable[[Tensor], Tensor], saves_old: bool) -> Tensor:
    """Run an in-place op: ``direct(array)`` when no graph is recorded, else the out-of-place
    op on the old value, its result written into ``t``'s memory.

    The old value is copied only when the op saves it for backward (``saves_old``: mul,
    div, clamp); add, sub and the overwriting ops need only its shape.
    """
    recording = is_grad_enabled() and t.dtype.kind == "f" and (
        t._requires_grad or any(isinstance(x, Tensor) and x._requires_grad for x in others)
    )
    if not recording:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            direct(t._data)
    else:
        # a live view or base of t would keep a history that does not explain the new values
        check_inplace_aliases(t, t._data, op)
        data = t._data.copy() if saves_old else t._data
        old = Tensor._make(data, requires_grad=t._requires_grad, grad_fn=t.grad_fn)
        out = out_of_place(old)
        if out.dtype != t.dtype:
            out = cast(out, t.dtype)
        t._data[...] = out._data
        # the node keeps its own copy of its output (out._data): if t changes in place later,
        # what the node saved for backward stays the value it computed
        t.grad_fn = out.grad_fn
        t._requires_grad = True
    t._bump_version()
    return t


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _arithmetic(ufunc: np.ufunc, fn: Callable[..., Tensor], op: str, t: Tensor, other: Any,
                alpha: Any = 1, saves_old: bool = True) -> Tensor:
    _check_target(t, op)
    other = as_operand(other, op)
    result = dtypes.result_type(t, other)
    if alpha != 1:
        if result.kind != "f" and isinstance(alpha, float):
            raise RuntimeError(
                f"{op}: for integral input tensors, argument alpha must not be a floating "
                f"point number (got alpha={alpha}, tensor {t.dtype})"
            )
        result = dtypes.result_type(t, other, alpha)
    if ufunc is np.true_divide and result.kind != "f":
        result = dtypes.float32  # true division of integers gives a float
    if ufunc is np.subtract and result == dtypes.bool_:
        raise RuntimeError(f"{op}: subtraction of bool tensors is not supported; use "
                           "logical_xor (^) instead")
    _check_result(op, t, result, other)

    def direct(data: np.ndarray) -> None:
        b = _raw(other) if alpha == 1 else _raw(other) * alpha
        if isinstance(b, np.ndarray) and b.dtype != result:
            b = b.astype(result)  # compute in PyTorch's result dtype (a 0-d does not widen)
        ufunc(data, b, out=data, casting="unsafe")

    def out_of_place(old: Tensor) -> Tensor:
        return fn(old, other) if alpha == 1 else fn(old, other, alpha=alpha)

    return _apply(t, op, (other,), direct, out_of_place, saves_old)


# -- the public in-place ops --------------------------------------------------------------


def add_(t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """``t += alpha * other`` in place; returns ``t``."""
    return _arithmetic(np.add, add, "add_", t, other, alpha, saves_old=False)


def sub_(t: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """``t -= alpha * other`` in place; returns ``t``."""
    return _arithmetic(np.subtract, sub, "sub_", t, other, alpha, saves_old=False)


def mul_(t: Tensor, other: Any) -> Tensor:
    """``t *= other`` in place; returns ``t``."""
    return _arithmetic(np.multiply, mul, "mul_", t, other)


def div_(t: Tensor, other: Any) -> Tensor:
    """``t /= other`` (true division) in place; an integer ``t`` raises, as in PyTorch."""
    return _arithmetic(np.true_divide, div, "div_", t, other)


def clamp_(t: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit ``t`` to ``[min, max]`` in place (see ``clamp``); returns ``t``."""
    _check_target(t, "clamp_")
    if min is None and max is None:
        raise RuntimeError("clamp_: at least one of 'min' or 'max' must not be None")
    lo = None if min is None else as_operand(min, "clamp_")
    hi = None if max is None else as_operand(max, "clamp_")
    bounds = [x for x in (lo, hi) if x is not None]
    _check_result("clamp_", t, dtypes.result_type(t, *bounds), *bounds)

    def direct(data: np.ndarray) -> None:
        _clamp_arrays(data, _raw(lo), _raw(hi), out=data)

    return _apply(t, "clamp_", (lo, hi), direct, lambda old: clamp(old, lo, hi), True)


def copy_(t: Tensor, src: Any) -> Tensor:
    """Copy ``src`` into ``t`` (broadcast to t's shape, converted to t's dtype); returns t.

    Any dtype converts, as in PyTorch (floats into an integer tensor truncate).
    """
    _check_target(t, "copy_")
    src = as_operand(src, "copy_")
    if not isinstance(src, Tensor):
        src = Tensor(src)
    _check_result("copy_", t, t.dtype, src)
    return _apply(t, "copy_", (src,), lambda data: np.copyto(data, src._data, casting="unsafe"),
                  lambda old: Copy.apply(old, src), saves_old=False)


def fill_(t: Tensor, value: Any) -> Tensor:
    """Set every element of ``t`` to ``value`` (a number or a 0-d tensor); returns ``t``."""
    _check_target(t, "fill_")
    value = as_operand(value, "fill_")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(
            f"fill_: only a 0-dimensional value tensor is supported, got one of shape "
            f"{tuple(value.shape)}; use copy_ to copy a tensor into another"
        )

    def direct(data: np.ndarray) -> None:
        data[...] = _raw(value)

    return _apply(t, "fill_", (value,), direct, lambda old: Fill.apply(old, value),
                  saves_old=False)


def zero_(t: Tensor) -> Tensor:
    """Set every element of ``t`` to 0; returns ``t``."""
    _check_target(t, "zero_")
    return _apply(t, "zero_", (), lambda data: data.fill(0), lambda old: Zero.apply(old),
                  saves_old=False)


METHODS = {
    "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_, "clamp_": clamp_,
    "clip_": clamp_, "copy_": copy_, "fill_": fill_, "zero_": zero_,
    "__iadd__": add_, "__isub__": sub_, "__imul__": mul_, "__itruediv__": div_,
}
FUNCTIONS: dict = {}
