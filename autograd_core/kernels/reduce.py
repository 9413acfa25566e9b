"""``sum_to_shape``: sum a broadcast gradient back down to its input's shape.

The numpy reference sums over the leading and the stretched dimensions. The Numba loop
sees the problem in a canonical form: consecutive dimensions that are all summed (or all
kept) merge into one and leading dimensions are summed, so every case where the kept
dimensions form at most two runs becomes ``(R0, K1, R1, K2) -> (K1, K2)``: (B, N) -> (N,)
is (B, 1, 1, N), (B, N) -> (B, 1) is (1, B, N, 1), (B, C, H, W) -> (C, 1, 1) is
(B, C, H*W, 1). Other patterns, other dtypes, and the cases with nothing to sum go to the
reference.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ._spec import FLOATS, KernelSpec


def sum_to_shape(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """numpy reference: sum ``array`` over leading and stretched dimensions to ``shape``."""
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and array.shape[lead + i] != 1
    )
    out = array.sum(axis=axes, keepdims=True) if axes else array
    return out.reshape(shape)


def _sum_to(a, out):
    r0n, k1n, r1n, k2n = a.shape
    out[:, :] = 0
    for r0 in range(r0n):
        for k1 in range(k1n):
            if k2n == 1:  # summing a contiguous run: one accumulator, vectorised (reassoc)
                s = 0.0
                for r1 in range(r1n):
                    s += a[r0, k1, r1, 0]
                out[k1, 0] += s
            else:  # adding rows into a row: vectorised along k2
                for r1 in range(r1n):
                    for k2 in range(k2n):
                        out[k1, k2] += a[r0, k1, r1, k2]


def canonical_shape(in_shape: tuple[int, ...],
                    shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """``(R0, K1, R1, K2)`` for summing ``in_shape`` to ``shape``, or None if it does not fit.

    None also when ``shape`` is not a shape ``in_shape`` could have been broadcast from
    (the reference then raises) or when there is nothing to sum.
    """
    lead = len(in_shape) - len(shape)
    if lead < 0:
        return None
    runs = [[False, math.prod(in_shape[:lead])]]  # [kept?, size], alternating, summed first
    for n, m in zip(in_shape[lead:], shape):
        if m != n and m != 1:
            return None
        if n == 1:
            continue
        kept = m == n
        if runs[-1][0] == kept:
            runs[-1][1] *= n
        else:
            runs.append([kept, n])
    sizes = [size for _, size in runs]
    if len(sizes) > 4 or math.prod(sizes[0::2]) == 1:
        return None
    if len(sizes) == 1:
        return (1, 1, sizes[0], 1)  # everything summed: one contiguous run
    if len(sizes) == 2:
        return (sizes[0], 1, 1, sizes[1])  # summed, then kept: add rows together
    if len(sizes) == 3:
        return (sizes[0], sizes[1], sizes[2], 1)
    return tuple(sizes)


def _wrap(compiled: Callable, reference: Callable) -> Callable:
    def run(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        array = np.asarray(array)
        shape = tuple(shape)
        canon = canonical_shape(array.shape, shape) if array.dtype in FLOATS else None
        if canon is None:
            return reference(array, shape)
        out = np.empty((canon[1], canon[3]), array.dtype)
        compiled(np.ascontiguousarray(array).reshape(canon), out)
        return out.reshape(shape)

    return functools.update_wrapper(run, reference)


KERNELS: dict[str, KernelSpec] = {
    "sum_to_shape": KernelSpec(sum_to_shape, _sum_to, "i4 o2", _wrap, frozenset({"reassoc"})),
}
