"""How a kernel is declared: its numpy reference and the loop Numba compiles beside it."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class KernelSpec(NamedTuple):
    """One kernel: the numpy reference (the contract) and what builds its Numba twin.

    ``loop`` is a plain-Python loop nest over C-contiguous arrays, compiled by Numba with
    ``cache=True`` for float32 and float64. ``args`` spells its argument types, one code
    per argument: ``i<ndim>`` a read-only input array, ``o<ndim>`` an output array (both of
    the kernel's dtype), ``f`` a float64 scalar, ``b`` a bool. ``wrap(compiled, reference)``
    returns the callable with the reference's signature (reshaping, allocating, and
    deferring to the reference for what the loop does not handle, such as other dtypes).
    ``fastmath`` lists LLVM fast-math flags for the loop (``{"reassoc"}`` lets a sum be
    vectorized).
    """

    reference: Callable
    loop: Callable
    args: str
    wrap: Callable[[Callable, Callable], Callable]
    fastmath: frozenset[str] = frozenset()
