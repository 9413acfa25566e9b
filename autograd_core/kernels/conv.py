"""Convolution kernels: ``im2col`` unfolds sliding windows into columns, ``col2im`` folds
columns back into an image, adding where windows overlap.

A convolution is then one matrix product per image: with ``cols = im2col(x)`` of shape
``(N, C, kh, kw, Ho, Wo)``, read as ``N`` matrices ``(C*kh*kw, Ho*Wo)`` (PyTorch's
``unfold`` layout), the output is ``weight (O, C*kh*kw) @ cols``, already in the
``(N, O, Ho, Wo)`` layout. Its gradient for ``x`` is ``col2im(weight.T @ grad)``.
Both work on 4-d arrays ``(N, C, H, W)`` that are already padded; a 1-d signal is the
case ``H = 1``.

Measured on float32 LeNet-sized and larger arrays (one thread): numpy's strided copy
beats a Numba loop for ``im2col`` (0.31 ms against 0.49 ms for 64x1x28x28, 5x5), so
``im2col`` is numpy only. ``col2im`` is a scatter-add that numpy has to do as ``kh*kw``
strided slice additions; the Numba loop is up to twice as fast (0.65 ms against 1.2 ms
for 64x6x12x12, 5x5; 3.1 against 5.2 ms for 32x64x16x16, 3x3), so it is a kernel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._spec import FLOATS, KernelSpec

Pair = tuple[int, int]


def windows(xp: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair,
            out_hw: Pair) -> np.ndarray:
    """A read-only view ``(N, C, kh, kw, Ho, Wo)`` of every window of the padded ``xp``."""
    n, c, _, _ = xp.shape
    s = xp.strides
    shape = (n, c, kernel[0], kernel[1], out_hw[0], out_hw[1])
    strides = (s[0], s[1], s[2] * dilation[0], s[3] * dilation[1], s[2] * stride[0],
               s[3] * stride[1])
    return as_strided(xp, shape, strides, writeable=False)


def im2col(xp: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair,
           out_hw: Pair) -> np.ndarray:
    """The windows of the padded ``xp`` as a C-contiguous ``(N, C, kh, kw, Ho, Wo)`` array."""
    return np.ascontiguousarray(windows(xp, kernel, stride, dilation, out_hw))


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int], stride: Pair,
           dilation: Pair) -> np.ndarray:
    """numpy reference: zeros of the padded ``shape`` with every window of ``cols`` added in.

    ``cols`` is ``(N, C, kh, kw, Ho, Wo)``, as `im2col` makes it; overlapping windows add up.
    """
    _, _, kh, kw, ho, wo = cols.shape
    out = np.zeros(shape, cols.dtype)
    for i in range(kh):
        for j in range(kw):
            r, c = i * dilation[0], j * dilation[1]
            rows = slice(r, r + stride[0] * (ho - 1) + 1, stride[0])
            columns = slice(c, c + stride[1] * (wo - 1) + 1, stride[1])
            out[:, :, rows, columns] += cols[:, :, i, j]
    return out


def _col2im(cols, out, stride_h, stride_w, dilation_h, dilation_w):
    sh, sw, dh, dw = int(stride_h), int(stride_w), int(dilation_h), int(dilation_w)
    nn, nc, kh, kw, ho_n, wo_n = cols.shape
    for n in range(nn):
        for c in range(nc):
            for i in range(kh):
                for j in range(kw):
                    for ho in range(ho_n):
                        r = ho * sh + i * dh
                        for wo in range(wo_n):
                            out[n, c, r, wo * sw + j * dw] += cols[n, c, i, j, ho, wo]


def _wrap_col2im(compiled: Callable, reference: Callable) -> Callable:
    def run(cols: np.ndarray, shape: tuple[int, int, int, int], stride: Pair,
            dilation: Pair) -> np.ndarray:
        if cols.dtype not in FLOATS:
            return reference(cols, shape, stride, dilation)
        out = np.zeros(shape, cols.dtype)
        compiled(np.ascontiguousarray(cols), out, float(stride[0]), float(stride[1]),
                 float(dilation[0]), float(dilation[1]))
        return out

    return functools.update_wrapper(run, reference)


KERNELS: dict[str, KernelSpec] = {
    "col2im": KernelSpec(col2im, _col2im, "i6 o4 f f f f", _wrap_col2im),
}
