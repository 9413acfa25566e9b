"""Making tensors: from data, filled, ranges, and random (reproducible with ``manual_seed``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random function and initializer, so runs repeat exactly."""
    global _rng
    _rng = np.random.default_rng(seed)


def generator(own: np.random.Generator | None = None) -> np.random.Generator:
    """``own`` when given, else the shared random generator (``nn.init`` and dropout draw
    from it too)."""
    return own if own is not None else _rng


def own_generator(seed: int | None) -> np.random.Generator | None:
    """A generator of its own for ``seed`` (the same seed repeats the same draws), or None
    to draw from the shared one: what a ``seed=`` argument (loaders, splits, random
    transforms) gives `generator`."""
    return None if seed is None else np.random.default_rng(seed)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, an array, a Tensor).

    Floats become float32 unless ``dtype`` says otherwise (a float64 numpy array stays
    float64, as in ``torch.from_numpy``); integers int64; booleans bool.
    """
    if isinstance(data, Tensor):
        data = data._data.copy()
    elif isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"sizes must be non-negative integers, got {size}")
    return tuple(int(n) for n in size)


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_shape(size), dtypes.to_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_shape(size), dtypes.to_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = dtypes.result_type(fill_value)
    size = (size,) if isinstance(size, int) else tuple(size)
    return _make(np.full(_shape(size), fill_value, dtypes.to_dtype(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(t.shape, dtype=t.dtype if dtype is None else dtypes.to_dtype(dtype)),
                 requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(t.shape, dtype=t.dtype if dtype is None else dtypes.to_dtype(dtype)),
                 requires_grad)


def full_like(t: Tensor, fill_value: float, dtype: Any = None) -> Tensor:
    return Tensor._make(np.full(t.shape, fill_value, t.dtype if dtype is None else
                                dtypes.to_dtype(dtype)))


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``[start, end)`` by ``step``; int64 when all three are integers, as in PyTorch."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if ints else dtypes.float32
    return _make(np.arange(start, end, step).astype(dtypes.to_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _make(np.linspace(start, end, steps).astype(dtypes.to_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.eye(n, m, dtype=dtypes.to_dtype(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    dt = dtypes.to_dtype(dtype)
    return _make(_rng.random(_shape(size), dtype=dt), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    dt = dtypes.to_dtype(dtype)
    return _make(_rng.standard_normal(_shape(size), dtype=dt), requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None) -> Tensor:
    """Integers uniform on ``[low, high)`` (``randint(high, size=...)`` starts at 0)."""
    if high is None:
        low, high = 0, low
    dt = dtypes.int64 if dtype is None else dtypes.to_dtype(dtype)
    size = (size,) if isinstance(size, int) else tuple(size)
    return Tensor._make(_rng.integers(low, high, size=_shape(size)).astype(dt))


def rand_like(t: Tensor, dtype: Any = None) -> Tensor:
    return rand(*t.shape, dtype=t.dtype if dtype is None else dtype)


def randn_like(t: Tensor, dtype: Any = None) -> Tensor:
    return randn(*t.shape, dtype=t.dtype if dtype is None else dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (no copy), keeping its dtype."""
    return Tensor._make(np.asarray(array))


FUNCTIONS = {
    name: globals()[name]
    for name in (
        "manual_seed", "tensor", "zeros", "ones", "full", "zeros_like", "ones_like",
        "full_like", "arange", "linspace", "eye", "rand", "randn", "randint", "rand_like",
        "randn_like", "from_numpy",
    )
}
