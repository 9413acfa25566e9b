"""Pooling kernels on ``(N, C, H, W)`` arrays, with PyTorch's rules for max and average.

Max pooling follows ATen's CPU loop: a window's winner is its first maximum in row-major
order, except that a NaN always wins (so the last NaN does, and the output is NaN); the
padding never wins; a window holding only ``-inf`` is won by its first cell inside the
input. The gradient goes to the winner only.

Average pooling divides each window's sum by its size counting the padding (``kh*kw``,
less what a ``ceil_mode`` window reaches beyond the padding) when ``count_include_pad``,
else by the number of its cells inside the input, or by ``divisor_override``.

Measured (float32, one thread): numpy's ``kh*kw`` strided ``maximum``/``add`` passes beat
a Numba loop for both forwards (0.13 ms against 0.36 ms for max pooling 64x6x24x24 by 2;
0.14 against 0.33 for averaging), so they are numpy only, and so is the average's
backward. The max-pool backward, which finds each window's winner again (the first cell
equal to the forward's maximum) and adds the gradient there, is a Numba kernel: 0.56 ms
against 4.2 ms for numpy's ``argmax`` and scatter-add on the same array, and 7.5 ms
against 60 ms for 32x64x32x32 by 3x3, stride 2, padding 1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._spec import FLOATS, KernelSpec
from .conv import windows

Pair = tuple[int, int]


def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1,
             ceil_mode: bool = False) -> int:
    """How many windows fit (PyTorch's rule): with ``ceil_mode`` a last, partial window
    counts too, if it starts inside the input or its left padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    n = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (n - 1) * stride >= size + padding:
        n -= 1
    return n


class Window(NamedTuple):
    """Where the windows of a 2-d pooling sit (a 1-d pooling has height-1 windows)."""

    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair = (1, 1)
    ceil_mode: bool = False

    def out_hw(self, hw: tuple[int, ...]) -> Pair:
        return tuple(out_size(hw[d], self.kernel[d], self.stride[d], self.padding[d],
                              self.dilation[d], self.ceil_mode) for d in range(2))

    def pads(self, hw: tuple[int, ...]) -> tuple[Pair, Pair]:
        """(before, after) per dim: the padding, and at the end what partial windows
        (ceil_mode) reach beyond it."""
        out_hw = self.out_hw(hw)
        pads = []
        for d in range(2):
            p = self.padding[d]
            reach = (out_hw[d] - 1) * self.stride[d] + self.dilation[d] * (self.kernel[d] - 1)
            pads.append((p, max(p, reach + 1 - hw[d] - p)))
        return tuple(pads)

    def padded(self, x: np.ndarray, value: float) -> np.ndarray:
        """``x`` with the borders of `pads` filled with ``value``."""
        pads = self.pads(x.shape[2:])
        if not any(lo or hi for lo, hi in pads):
            return x
        return np.pad(x, ((0, 0), (0, 0), *pads), constant_values=value)

    def cells(self, i: int, j: int, out_hw: Pair) -> tuple[slice, slice]:
        """Rows and columns (in the padded input) of cell (i, j) of every window."""
        return tuple(
            slice(k * d, k * d + s * (o - 1) + 1, s)
            for k, d, s, o in zip((i, j), self.dilation, self.stride, out_hw)
        )


# -- max pooling ---------------------------------------------------------------------------

def max_pool2d_forward(x: np.ndarray, window: Window) -> np.ndarray:
    """The maximum of every window (NaN if the window holds one), as ``kh*kw`` passes."""
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = window.padded(x, low)
    out_hw = window.out_hw(x.shape[2:])
    out = None
    for i in range(window.kernel[0]):
        for j in range(window.kernel[1]):
            cells = xp[(...,) + window.cells(i, j, out_hw)]
            out = cells.copy() if out is None else np.maximum(out, cells, out=out)
    return out


def _first_inside(start: np.ndarray, dilation: int) -> np.ndarray:
    """The first cell of each window at or after 0 (windows step by ``dilation``)."""
    return np.where(start < 0, start + (-start + dilation - 1) // dilation * dilation, start)


def max_pool2d_indices(x: np.ndarray, window: Window) -> np.ndarray:
    """Where each window's winner is, as ``h * W + w`` in its plane (PyTorch's indices).

    A dilated window can miss the input entirely (its maximum is -inf); PyTorch's index
    for it lies outside the plane, and so does this one (see `empty_windows`).
    """
    n, c, h, w = x.shape
    kh, kw = window.kernel
    ho, wo = window.out_hw(x.shape[2:])
    xp = window.padded(x, -np.inf)
    cells = windows(xp, window.kernel, window.stride, window.dilation, (ho, wo))
    cells = cells.transpose(0, 1, 4, 5, 2, 3).reshape(n, c, ho, wo, kh * kw)
    pos = np.argmax(cells, axis=-1)  # the first maximum (and the first NaN)
    nan = np.isnan(cells)
    last_nan = kh * kw - 1 - np.argmax(nan[..., ::-1], axis=-1)
    pos = np.where(nan.any(axis=-1), last_nan, pos)
    (sh, sw), (ph, pw), (dh, dw) = window.stride, window.padding, window.dilation
    top = (np.arange(ho) * sh - ph)[:, None]  # window corners in x
    left = (np.arange(wo) * sw - pw)[None, :]
    rows, cols = top + pos // kw * dh, left + pos % kw * dw
    only_low = np.take_along_axis(cells, pos[..., None], -1)[..., 0] == -np.inf
    rows = np.where(only_low, _first_inside(top, dh), rows)  # PyTorch's starting guess
    cols = np.where(only_low, _first_inside(left, dw), cols)
    return rows * w + cols


def empty_windows(x_shape: tuple[int, ...], window: Window) -> np.ndarray | None:
    """A ``(Ho, Wo)`` mask of the windows with no cell inside the input, or None if none.

    Their output is -inf whatever the input, so their gradient is dropped (PyTorch writes
    it outside the plane).
    """
    inside = []
    for d in range(2):
        n, s, p, k = x_shape[2 + d], window.stride[d], window.padding[d], window.dilation[d]
        start = np.arange(window.out_hw(x_shape[2:])[d]) * s - p
        inside.append(_first_inside(start, k) < n)
    empty = ~(inside[0][:, None] & inside[1][None, :])
    return empty if empty.any() else None


def max_pool2d_backward(x: np.ndarray, y: np.ndarray, grad: np.ndarray,
                        window: Window) -> np.ndarray:
    """numpy reference: each output's gradient added at its window's winner in ``x``.

    ``y`` is the forward's output, which the Numba loop uses to find the winners faster
    (the first cell equal to the maximum); this reference finds them from ``x`` alone.
    """
    n, c, h, w = x.shape
    index = max_pool2d_indices(x, window)
    empty = empty_windows(x.shape, window)
    if empty is not None:
        grad = np.where(empty, 0, grad)
        index = np.where(empty, 0, index)
    out = np.zeros((n * c, h * w), dtype=np.result_type(x, grad))
    planes = np.arange(n * c)[:, None]
    np.add.at(out, (planes, index.reshape(n * c, -1)), grad.reshape(n * c, -1))
    return out.reshape(x.shape)


def _max_pool2d_backward(x, y, grad, out, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
                         dilation_h, dilation_w):
    kh, kw, sh, sw = int(kernel_h), int(kernel_w), int(stride_h), int(stride_w)
    ph, pw, dh, dw = int(pad_h), int(pad_w), int(dilation_h), int(dilation_w)
    nn, nc, h, w = x.shape
    ho_n, wo_n = grad.shape[2], grad.shape[3]
    xs, outs = x.reshape(nn * nc, h * w), out.reshape(nn * nc, h * w)  # one row per plane
    ys, grads = y.reshape(nn * nc, ho_n * wo_n), grad.reshape(nn * nc, ho_n * wo_n)
    j_lo = np.empty(wo_n, np.int64)  # each window's columns inside x: j_lo..j_hi-1
    j_hi = np.empty(wo_n, np.int64)
    for wo in range(wo_n):
        w0 = wo * sw - pw
        j_lo[wo] = 0 if w0 >= 0 else (dw - 1 - w0) // dw
        j_hi[wo] = min(kw, (w - 1 - w0) // dw + 1)
    for p in range(nn * nc):
        for ho in range(ho_n):
            h0 = ho * sh - ph  # the window's rows inside x: i_lo..i_hi-1
            i_lo = 0 if h0 >= 0 else (dh - 1 - h0) // dh
            i_hi = min(kh, (h - 1 - h0) // dh + 1)
            for wo in range(wo_n):
                w0 = wo * sw - pw
                top = ys[p, ho * wo_n + wo]
                at = -1
                # no early exit: which cell wins depends on the data, so a branch on it is
                # often mispredicted; a select over the whole window is faster (with the
                # hoisted column bounds: 0.56 against 0.77 ms for LeNet's first pooling)
                if top == top:  # the first maximum wins: scan backwards, keep the last hit
                    for i in range(i_hi - 1, i_lo - 1, -1):
                        row = (h0 + i * dh) * w + w0
                        for j in range(j_hi[wo] - 1, j_lo[wo] - 1, -1):
                            at = row + j * dw if xs[p, row + j * dw] == top else at
                else:  # a NaN maximum: the last NaN wins
                    for i in range(i_lo, i_hi):
                        row = (h0 + i * dh) * w + w0
                        for j in range(j_lo[wo], j_hi[wo]):
                            v = xs[p, row + j * dw]
                            at = row + j * dw if v != v else at
                if at >= 0:
                    outs[p, at] += grads[p, ho * wo_n + wo]


def _wrap_max_pool2d_backward(compiled: Callable, reference: Callable) -> Callable:
    def run(x: np.ndarray, y: np.ndarray, grad: np.ndarray, window: Window) -> np.ndarray:
        if x.dtype not in FLOATS or grad.dtype != x.dtype or y.dtype != x.dtype:
            return reference(x, y, grad, window)
        out = np.zeros(x.shape, x.dtype)
        params = [float(v) for v in (*window.kernel, *window.stride, *window.padding,
                                     *window.dilation)]
        compiled(*[np.ascontiguousarray(a) for a in (x, y, grad)], out, *params)
        return out

    return functools.update_wrapper(run, reference)


# -- average pooling -----------------------------------------------------------------------

def avg_pool2d_divisor(x_shape: tuple[int, ...], window: Window, count_include_pad: bool,
                       divisor_override: int | None) -> np.ndarray:
    """What each window's sum is divided by, as a float64 ``(Ho, Wo)`` array.

    A window's size counts its padding but not what a ceil_mode window reaches beyond it.
    """
    out_hw = window.out_hw(x_shape[2:])
    if divisor_override is not None:
        return np.full(out_hw, float(divisor_override))
    counts = []
    for d in range(2):
        n, p = x_shape[2 + d], window.padding[d]
        start = np.arange(out_hw[d]) * window.stride[d] - p
        end = np.minimum(start + window.kernel[d], n + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, n) - np.maximum(start, 0))
    return np.outer(counts[0], counts[1]).astype(np.float64)


def avg_pool2d_forward(x: np.ndarray, window: Window, divisor: np.ndarray) -> np.ndarray:
    """Each window's sum (padding counts as zeros) divided by ``divisor`` ``(Ho, Wo)``."""
    xp = window.padded(x, 0)
    out_hw = divisor.shape
    out = np.zeros(x.shape[:2] + out_hw, x.dtype)
    for i in range(window.kernel[0]):
        for j in range(window.kernel[1]):
            out += xp[(...,) + window.cells(i, j, out_hw)]
    out /= divisor.astype(x.dtype)
    return out


def avg_pool2d_backward(grad: np.ndarray, x_shape: tuple[int, ...], window: Window,
                        divisor: np.ndarray) -> np.ndarray:
    """The adjoint of `avg_pool2d_forward`: ``grad / divisor`` spread over every window."""
    n, c, h, w = x_shape
    (ph, ph_end), (pw, pw_end) = window.pads((h, w))
    share = grad / divisor.astype(grad.dtype)
    out = np.zeros((n, c, ph + h + ph_end, pw + w + pw_end), grad.dtype)
    for i in range(window.kernel[0]):
        for j in range(window.kernel[1]):
            out[(...,) + window.cells(i, j, divisor.shape)] += share
    return np.ascontiguousarray(out[:, :, ph:ph + h, pw:pw + w])


KERNELS: dict[str, KernelSpec] = {
    "max_pool2d_backward": KernelSpec(max_pool2d_backward, _max_pool2d_backward,
                                      "i4 i4 i4 o4 f f f f f f f f", _wrap_max_pool2d_backward),
}
