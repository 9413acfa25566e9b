"""Training-mode batch normalization, forward and backward, beside their numpy references.

The input is seen as ``(N, C, L)``: batch, channels, and everything after the channels
flattened (``L = 1`` for a ``(N, C)`` input). Each channel ``c`` is normalized with the
statistics of its ``M = N * L`` values:

- forward:  ``mean = sum(x) / M``, ``var = sum((x - mean)**2) / M`` (biased, two passes),
  ``y = x * a + b`` with ``a = weight * invstd``, ``b = bias - mean * a``,
  ``invstd = 1 / sqrt(var + eps)``.
- backward: with ``xhat = (x - mean) * invstd``, ``sum_g = sum(g)`` and
  ``sum_gx = sum(g * xhat)`` per channel, ``grad_bias = sum_g``, ``grad_weight = sum_gx``
  and ``grad_x = weight * invstd * (g - sum_g / M - xhat * sum_gx / M)``.

Forward returns ``(y, mean, var)`` (``var`` biased: the caller makes the unbiased running
estimate from it), backward ``(grad_x, grad_weight, grad_bias)``. ``weight`` and
``bias`` may be None (no affine transform). Both versions compute in float64 and round
once (PyTorch's CPU kernel stays in float32): float32 statistics of large batches stay
accurate, and ``x * a + b`` does not cancel badly when the mean is large. The Numba loops walk
memory in order (batch, channel, then the contiguous ``L`` run) and keep one accumulator
per channel, so any ``(N, C, L)`` layout is read sequentially.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ._spec import FLOATS, KernelSpec


def _as_ncl(x: np.ndarray) -> np.ndarray:
    """``x`` of shape ``(N, C, *)`` viewed (or copied) as C-contiguous ``(N, C, L)``."""
    n, c = x.shape[0], x.shape[1]
    return np.ascontiguousarray(x).reshape(n, c, math.prod(x.shape[2:]))


def _affine(weight: np.ndarray | None, bias: np.ndarray | None, c: int,
            dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    w = np.ones(c, dtype) if weight is None else np.ascontiguousarray(weight, dtype)
    b = np.zeros(c, dtype) if bias is None else np.ascontiguousarray(bias, dtype)
    return w, b


# -- numpy references ---------------------------------------------------------------------

def batch_norm_forward(x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
                       eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalize each channel of ``x`` (N, C, *) by its batch statistics: ``(y, mean, var)``."""
    x3 = _as_ncl(x)
    w, b = _affine(weight, bias, x3.shape[1], x.dtype)
    mean = x3.mean(axis=(0, 2), dtype=np.float64)
    centered = x3 - mean[:, None]  # float64
    var = np.einsum("ncl,ncl->c", centered, centered) / (x3.shape[0] * x3.shape[2])
    invstd = 1.0 / np.sqrt(var + eps)
    scale = w * invstd
    shift = b - mean * scale
    y = (x3 * scale[:, None] + shift[:, None]).astype(x.dtype)  # in float64, rounded once
    return y.reshape(x.shape), mean.astype(x.dtype), var.astype(x.dtype)


def batch_norm_backward(x: np.ndarray, grad: np.ndarray, mean: np.ndarray, invstd: np.ndarray,
                        weight: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of `batch_norm_forward` for all of x, weight and bias, from ``g = grad``."""
    x3, g3 = _as_ncl(x), _as_ncl(grad)
    w, _ = _affine(weight, None, x3.shape[1], x.dtype)
    m = x3.shape[0] * x3.shape[2]
    mean64, invstd64 = mean.astype(np.float64), invstd.astype(np.float64)
    sum_g = g3.sum(axis=(0, 2), dtype=np.float64)
    sum_gxc = np.einsum("ncl,ncl->c", g3, x3 - mean64[:, None], dtype=np.float64)
    # grad_x = k1 * g - k2 * x + k3, per channel constants
    k1 = w * invstd64
    k2 = k1 * invstd64 * invstd64 * sum_gxc / m
    k3 = mean64 * k2 - k1 * sum_g / m
    grad_x = g3 * k1[:, None] - x3 * k2[:, None] + k3[:, None]
    return (grad_x.astype(x.dtype).reshape(x.shape), (sum_gxc * invstd64).astype(x.dtype),
            sum_g.astype(x.dtype))


# -- Numba loops over (N, C, L) ---------------------------------------------------------------

def _bn_forward(x, weight, bias, eps, y, mean, var):
    n, c, length = x.shape
    m = n * length
    mu = np.zeros(c)
    sq = np.zeros(c)
    for i in range(n):
        if length == 1:  # (N, C): channels are the contiguous run, so they are the inner loop
            for j in range(c):
                mu[j] += x[i, j, 0]
        else:
            for j in range(c):
                s = 0.0
                for k in range(length):
                    s += x[i, j, k]
                mu[j] += s
    for j in range(c):
        mu[j] /= m
    for i in range(n):
        if length == 1:
            for j in range(c):
                d = x[i, j, 0] - mu[j]
                sq[j] += d * d
        else:
            for j in range(c):
                mj = mu[j]
                s = 0.0
                for k in range(length):
                    d = x[i, j, k] - mj
                    s += d * d
                sq[j] += s
    scale = np.empty(c)
    shift = np.empty(c)
    for j in range(c):
        v = sq[j] / m
        scale[j] = weight[j] / math.sqrt(v + eps)
        shift[j] = bias[j] - mu[j] * scale[j]
        mean[j] = mu[j]
        var[j] = v
    for i in range(n):
        for j in range(c):
            a = scale[j]
            b = shift[j]
            for k in range(length):
                y[i, j, k] = x[i, j, k] * a + b


def _bn_backward(x, grad, mean, invstd, weight, grad_x, grad_weight, grad_bias):
    n, c, length = x.shape
    m = n * length
    mu = np.empty(c)
    for j in range(c):
        mu[j] = mean[j]
    sum_g = np.zeros(c)
    sum_gxc = np.zeros(c)
    for i in range(n):
        if length == 1:  # (N, C): channels are the contiguous run, so they are the inner loop
            for j in range(c):
                g = grad[i, j, 0]
                sum_g[j] += g
                sum_gxc[j] += g * (x[i, j, 0] - mu[j])
        else:
            for j in range(c):
                mj = mu[j]
                sg = 0.0
                sgx = 0.0
                for k in range(length):
                    g = grad[i, j, k]
                    sg += g
                    sgx += g * (x[i, j, k] - mj)
                sum_g[j] += sg
                sum_gxc[j] += sgx
    k1 = np.empty(c)
    k2 = np.empty(c)
    k3 = np.empty(c)
    for j in range(c):
        inv = 1.0 * invstd[j]
        k1[j] = weight[j] * inv
        k2[j] = k1[j] * inv * inv * sum_gxc[j] / m
        k3[j] = mu[j] * k2[j] - k1[j] * sum_g[j] / m
        grad_weight[j] = sum_gxc[j] * inv
        grad_bias[j] = sum_g[j]
    for i in range(n):
        for j in range(c):
            a = k1[j]
            b = k2[j]
            d = k3[j]
            for k in range(length):
                grad_x[i, j, k] = grad[i, j, k] * a - x[i, j, k] * b + d


def _usable(*arrays: np.ndarray | None) -> bool:
    """The loops handle float32/float64 arrays of one dtype with a nonempty channel run."""
    x = arrays[0]
    return x.dtype in FLOATS and x.size > 0 and all(
        a is None or a.dtype == x.dtype for a in arrays[1:])


def _wrap_forward(compiled: Callable, reference: Callable) -> Callable:
    def run(x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
            eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not _usable(x, weight, bias):
            return reference(x, weight, bias, eps)
        x3 = _as_ncl(x)
        w, b = _affine(weight, bias, x3.shape[1], x.dtype)
        y = np.empty(x3.shape, x.dtype)
        mean = np.empty(x3.shape[1], x.dtype)
        var = np.empty(x3.shape[1], x.dtype)
        compiled(x3, w, b, float(eps), y, mean, var)
        return y.reshape(x.shape), mean, var

    return functools.update_wrapper(run, reference)


def _wrap_backward(compiled: Callable, reference: Callable) -> Callable:
    def run(x: np.ndarray, grad: np.ndarray, mean: np.ndarray, invstd: np.ndarray,
            weight: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not _usable(x, grad, mean, invstd, weight) or grad.shape != x.shape:
            return reference(x, grad, mean, invstd, weight)
        x3, g3 = _as_ncl(x), _as_ncl(grad)
        w, _ = _affine(weight, None, x3.shape[1], x.dtype)
        grad_x = np.empty(x3.shape, x.dtype)
        grad_weight = np.empty(x3.shape[1], x.dtype)
        grad_bias = np.empty(x3.shape[1], x.dtype)
        compiled(x3, g3, np.ascontiguousarray(mean), np.ascontiguousarray(invstd), w,
                 grad_x, grad_weight, grad_bias)
        return grad_x.reshape(x.shape), grad_weight, grad_bias

    return functools.update_wrapper(run, reference)


KERNELS: dict[str, KernelSpec] = {
    "batch_norm_forward": KernelSpec(batch_norm_forward, _bn_forward, "i3 i1 i1 f o3 o1 o1",
                                     _wrap_forward, frozenset({"reassoc"})),
    "batch_norm_backward": KernelSpec(batch_norm_backward, _bn_backward,
                                      "i3 i3 i1 i1 i1 o3 o1 o1", _wrap_backward,
                                      frozenset({"reassoc"})),
}
