"""The dtypes a Tensor can hold and PyTorch's rules for combining them.

float32 is the default; float64 on request; int64 and bool for indices, labels and masks.
Promotion follows PyTorch, not numpy: a category (bool < integer < float) decides first, a
Python number never widens a tensor of its own category (``float32 * 2.5`` stays float32),
and a 0-d tensor does not widen a dimensioned tensor of its own category.
"""

from __future__ import annotations

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool_ = np.dtype(np.bool_)

double = float64  # PyTorch's aliases (``autograd_core.float`` is float32 too)
long = int64

SUPPORTED = (float32, float64, int64, int32, bool_)
DEFAULT_FLOAT = float32


def category(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats."""
    if dtype == bool_:
        return 0
    return 2 if dtype.kind == "f" else 1


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def to_dtype(dtype: object) -> np.dtype:
    """Normalise a dtype given as ours, numpy's, a Python type or a string; reject others."""
    if dtype is None:
        return DEFAULT_FLOAT
    if isinstance(dtype, np.dtype) and dtype in SUPPORTED:
        return dtype  # the common case, first: ops pass dtypes they already hold
    if dtype is bool:
        return bool_
    if dtype is float:
        return DEFAULT_FLOAT
    if dtype is int:
        return int64
    dt = _TORCH_NAMES.get(str(dtype), None)
    if dt is None:
        try:
            dt = np.dtype(dtype)
        except TypeError as exc:
            raise TypeError(f"unknown dtype {dtype!r}; use one of {_names()}") from exc
    if dt not in SUPPORTED:
        raise TypeError(f"dtype {dt} is not supported; use one of {_names()}")
    return dt


_TORCH_NAMES = {
    "torch.float32": float32, "torch.float": float32, "torch.float64": float64,
    "torch.double": float64, "torch.int64": int64, "torch.long": int64,
    "torch.int32": int32, "torch.bool": bool_,
}


def _names() -> str:
    return ", ".join(str(d) for d in SUPPORTED)


def _promote_same_level(a: np.dtype | None, b: np.dtype) -> np.dtype:
    if a is None or a == b:
        return b
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return a if a.itemsize >= b.itemsize else b


def result_type(*operands: object) -> np.dtype:
    """The dtype PyTorch gives an op on these operands (Tensors, arrays, Python numbers)."""
    dims = zero_dim = scalars = None
    for x in operands:
        data = getattr(x, "_data", x)
        if isinstance(data, np.ndarray):
            if data.ndim:
                dims = _promote_same_level(dims, data.dtype)
            else:
                zero_dim = _promote_same_level(zero_dim, data.dtype)
        elif isinstance(x, (bool, np.bool_)):
            scalars = _promote_same_level(scalars, bool_)
        elif isinstance(x, (int, np.integer)):
            scalars = _promote_same_level(scalars, int64)
        elif isinstance(x, (float, np.floating)):
            scalars = _promote_same_level(scalars, DEFAULT_FLOAT)
        else:
            raise TypeError(f"cannot use {type(x).__name__} as a tensor operand")
    result = None
    for level in (dims, zero_dim, scalars):
        if level is not None and (result is None or category(level) > category(result)):
            result = level
    return result
