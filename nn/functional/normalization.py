"""Normalization as functions: ``batch_norm``, ``instance_norm``, ``layer_norm``, ``group_norm``.

All of them subtract a mean and divide by ``sqrt(var + eps)`` (the biased variance), then
apply an optional per-element ``weight`` and ``bias``; they differ in which values share
the statistics:

- batch norm:    one channel across the batch (and positions): ``(N, *)`` per channel
- instance norm: one channel of one sample: the positions ``(*)``
- layer norm:    one sample: the last ``len(normalized_shape)`` dimensions
- group norm:    one group of ``C / G`` channels of one sample, with their positions

Batch and instance norm run the fused ``BatchNorm`` Function of autograd_core (instance
norm is batch norm of the input reshaped to ``(1, N * C, *)``, as PyTorch computes it);
layer and group norm are compositions of Tensor ops. All are differentiable twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_core import Tensor, no_grad
from autograd_core.ops import normalization as _ops

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm"]


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalization of ``input`` (N, C, *) over everything but the channels (dim 1).

    ``training=True`` normalizes with the batch's mean and biased variance and, when the
    running statistics are given, updates them in place:
    ``running = (1 - momentum) * running + momentum * batch`` (the variance unbiased,
    ``* M / (M - 1)`` for ``M`` values per channel). ``training=False`` normalizes with the
    running statistics. PyTorch's argument order.
    """
    return _ops.batch_norm(input, weight, bias, running_mean, running_var, training,
                           momentum, eps)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample of ``input`` (N, C, *) over its positions.

    With ``use_input_stats`` (training, or no running statistics) the statistics are the
    sample's own; running statistics, when given, move towards their mean over the batch.
    Otherwise the running statistics are used, as batch norm in evaluation mode.
    """
    op = "instance_norm"
    _ops.check_arguments(op, input, weight, bias, running_mean, running_var)
    if not use_input_stats:
        return _ops.batch_norm(input, weight, bias, running_mean, running_var, False,
                               momentum, eps)
    if math.prod(input.shape[2:]) == 1:
        raise ValueError(f"{op}: Expected more than 1 spatial element when training, got "
                         f"input size {tuple(input.shape)}")
    n, c = input.shape[0], input.shape[1]
    folded = input.reshape(1, n * c, *input.shape[2:])
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    rm = rv = None
    if running_mean is not None:  # one running estimate per (sample, channel), then averaged
        rm, rv = running_mean.detach().repeat(n), running_var.detach().repeat(n)
    out = _ops.batch_norm(folded, w, b, rm, rv, True, momentum, eps)
    if running_mean is not None:
        with no_grad():
            running_mean.copy_(rm.reshape(n, c).mean(0))
            running_var.copy_(rv.reshape(n, c).mean(0))
    return out.reshape(input.shape)


def _normalize(x: Tensor, axes: tuple[int, ...], eps: float) -> Tensor:
    """``(x - mean) / sqrt(var + eps)`` over ``axes``, the variance biased (Tensor ops)."""
    centered = x - x.mean(axes, keepdim=True)
    var = (centered * centered).mean(axes, keepdim=True)
    return centered * (var + eps) ** -0.5


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def _as_shape(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(n) for n in normalized_shape)


def _float_input(op: str, x: Any) -> None:
    if not isinstance(x, Tensor) or x.dtype.kind != "f":
        got = x.dtype if isinstance(x, Tensor) else type(x).__name__
        raise TypeError(f"{op}: expected a float32 or float64 Tensor input, got {got}")


def _check_param(op: str, name: str, t: Any, shape: tuple[int, ...], x: Tensor) -> None:
    if t is None:
        return
    if not isinstance(t, Tensor) or tuple(t.shape) != shape:
        got = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
        raise ValueError(f"{op}: {name} should have shape {shape}, got {got}")
    if t.dtype != x.dtype:
        raise TypeError(f"{op}: {name} is {t.dtype} but the input is {x.dtype}; convert one "
                        "of them so they share a dtype")


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dimensions, which must equal
    ``normalized_shape``; ``weight`` and ``bias`` have that shape (elementwise affine)."""
    op = "layer_norm"
    _float_input(op, input)
    shape = _as_shape(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ValueError(
            f"{op}: given normalized_shape={list(shape)}, expected an input of shape "
            f"[*, {', '.join(map(str, shape))}], but got an input of shape {tuple(input.shape)}"
        )
    _check_param(op, "weight", weight, shape, input)
    _check_param(op, "bias", bias, shape, input)
    axes = tuple(range(input.ndim - k, input.ndim))
    return _affine(_normalize(input, axes, float(eps)), weight, bias)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize ``input`` (N, C, *) over groups of ``C / num_groups`` consecutive channels
    (with their positions), per sample; ``weight`` and ``bias`` are per channel (C,)."""
    op = "group_norm"
    _float_input(op, input)
    if input.ndim < 2 or num_groups <= 0 or input.shape[1] % num_groups:
        raise ValueError(
            f"{op}: expected an input of shape (N, C, *) with C divisible by num_groups, but "
            f"got an input of shape {tuple(input.shape)} and num_groups={num_groups}"
        )
    c = input.shape[1]
    _check_param(op, "weight", weight, (c,), input)
    _check_param(op, "bias", bias, (c,), input)
    grouped = input.reshape(input.shape[0], num_groups, -1)
    y = _normalize(grouped, (2,), float(eps)).reshape(input.shape)
    channel = (c,) + (1,) * (input.ndim - 2)
    return _affine(y, None if weight is None else weight.reshape(channel),
                   None if bias is None else bias.reshape(channel))
