"""What many ops share: operand preparation, broadcasting errors, and ``unbroadcast``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor

Scalar = int | float | bool


def as_operand(x: Any, op: str) -> Tensor | Scalar:
    """A Tensor or a Python number; arrays and numpy scalars become Tensors."""
    if isinstance(x, (Tensor, int, float, bool)):
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return Tensor(x)
    if isinstance(x, (list, tuple)):
        return Tensor(x)
    raise TypeError(
        f"{op}: expected a Tensor or a number, got {type(x).__name__}; wrap it with "
        "autograd_core.tensor(...)"
    )


def broadcast_shapes(op: str, *shapes: tuple[int, ...],
                     operand_dtypes: Sequence[np.dtype] = ()) -> tuple[int, ...]:
    """numpy/PyTorch broadcasting of shapes, with an error that names the op and shapes
    (and the operands' dtypes, when given)."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        shown = " and ".join(str(tuple(s)) for s in shapes)
        kinds = " and ".join(str(d) for d in operand_dtypes)
        kinds = f" ({kinds})" if kinds else ""
        raise ValueError(
            f"{op}: shapes {shown} cannot be broadcast together{kinds}: aligned from the "
            "right, each pair of sizes must be equal or one of them 1. Reshape or unsqueeze "
            "one operand."
        ) from None


def promote(op: str, *operands: Any) -> list[Any]:
    """Cast Tensor operands to the PyTorch result dtype; Python numbers stay numbers.

    numpy keeps an array's dtype against a Python number (float32 * 2.5 stays float32),
    which is PyTorch's rule too, except that an integer tensor with a float number must
    become float32 (numpy would give float64).
    """
    from .elementwise import cast

    xs = [as_operand(x, op) for x in operands]
    target = dtypes.result_type(*xs)
    tensors = [x for x in xs if isinstance(x, Tensor)]
    if len(tensors) > 1:
        broadcast_shapes(op, *[t.shape for t in tensors],
                         operand_dtypes=[t.dtype for t in tensors])
    return [cast(x, target) if isinstance(x, Tensor) and x.dtype != target else x for x in xs]


def broadcast_view(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``np.broadcast_to``: a read-only view of ``array`` stretched to ``shape``.

    A single value (0-d) is stretched by giving every dimension stride 0, which costs a
    tenth of ``np.broadcast_to``; this is every full reduction's backward (``loss.sum()``).
    """
    if array.ndim or not array.flags.c_contiguous:
        return np.broadcast_to(array, shape)
    view = np.ndarray(shape, array.dtype, array, 0, (0,) * len(shape))
    view.flags.writeable = False
    return view


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` over the dimensions broadcasting added or stretched, back to ``shape``."""
    if grad.shape == shape:
        return grad
    from .broadcast import sum_to

    return sum_to(grad, shape)


def int_tuple(value: Any, nd: int, what: str, op: str, minimum: int) -> tuple[int, ...]:
    """An int or a sequence of ``nd`` ints (kernel sizes, strides, ...), each at least
    ``minimum``, as a tuple; otherwise an error naming the op and the argument."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd
    if len(items) != nd or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items
    ):
        raise TypeError(f"{op}: {what} must be an int or a tuple of {nd} ints, got {value!r}")
    if any(v < minimum for v in items):
        raise ValueError(f"{op}: {what} must be at least {minimum}, got {value!r}")
    return tuple(int(v) for v in items)
