"""Normalization layers: BatchNorm1d/2d, InstanceNorm2d, LayerNorm, GroupNorm.

Why normalize (the notes): keeping each layer's inputs at zero mean and unit variance
makes deep networks much less sensitive to initialization and learning rate. Each layer
here subtracts a mean, divides by ``sqrt(var + eps)`` and, when affine, multiplies by a
learned ``weight`` (init 1) and adds a learned ``bias`` (init 0).

Batch norm's statistics come from the batch while training; it keeps running estimates
(``running_mean``, ``running_var`` with the unbiased batch variance, and
``num_batches_tracked``) that evaluation mode uses instead. ``momentum=None`` makes them
cumulative averages over all batches so far. Attribute and ``state_dict`` names are
PyTorch's, and so are the update rules.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd_core as ac
from autograd_core import Tensor, no_grad
from autograd_core.ops.normalization import check_batch_size

from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "InstanceNorm2d", "LayerNorm", "GroupNorm"]


def _check_float_input(layer: str, x: Any, like: Tensor | None) -> None:
    """The input is a float Tensor of the layer's dtype (that of its parameters/buffers)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{layer}: expected a Tensor input, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{layer}: expected a float32 or float64 input, got {x.dtype} with "
                        f"shape {tuple(x.shape)}; convert it with .float()")
    if like is not None and x.dtype != like.dtype:
        raise TypeError(
            f"{layer}: the input is {x.dtype} but the layer's parameters are {like.dtype}; "
            f"convert the layer (.double() or .float()) or the input to match"
        )



def _affine_parameters(module: Module, shape: tuple[int, ...], affine: bool, bias: bool) -> None:
    """The learnable scale (``weight``, ones) and shift (``bias``, zeros) of a norm layer,
    registered as None where the layer has none (PyTorch keeps the names either way)."""
    module.register_parameter("weight", Parameter(ac.ones(*shape)) if affine else None)
    module.register_parameter("bias", Parameter(ac.zeros(*shape)) if affine and bias else None)


def _reset_affine(module: Module) -> None:
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """What batch and instance norm share: the per-channel parameters and running stats."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 bias: bool = True) -> None:
        super().__init__()
        if not isinstance(num_features, (int, np.integer)) or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got "
                             f"{num_features!r}")
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (num_features,), affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", ac.zeros(num_features))
            self.register_buffer("running_var", ac.ones(num_features))
            self.register_buffer("num_batches_tracked", ac.tensor(0, dtype=ac.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def _name(self) -> str:
        return f"{type(self).__name__}({self.num_features})"

    def _like(self) -> Tensor | None:
        return self.weight if self.weight is not None else self.running_mean

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    _ndims: tuple[int, ...] = ()
    _expected = ""

    def _check_input(self, x: Any) -> None:
        name = self._name()
        _check_float_input(name, x, self._like())
        if x.ndim not in self._ndims:
            raise ValueError(f"{name}: expected {self._expected} input (got {x.ndim}D input "
                             f"of shape {tuple(x.shape)})")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{name}: expected {self.num_features} channels in dim 1, got an input of "
                f"shape {tuple(x.shape)}"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        if self.training:
            check_batch_size(self._name(), input.shape)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average over all batches so far
                factor = 1.0 / float(self.num_batches_tracked.item())
        # batch statistics while training, and in eval mode when there are no running ones
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        update = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if update else None,
                            self.running_var if update else None, self.weight, self.bias,
                            use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization of ``(N, C)`` or ``(N, C, L)`` inputs, per channel C.

    ``BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True, *, bias=True)``; ``momentum=None`` uses the cumulative
    average of the batch statistics for the running estimates.
    """

    _ndims = (2, 3)
    _expected = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of ``(N, C, H, W)`` inputs, per channel C (statistics over N, H, W).

    Arguments as `BatchNorm1d`.
    """

    _ndims = (4,)
    _expected = "4D"


class InstanceNorm2d(_NormBase):
    """Normalize each channel of each sample of ``(N, C, H, W)`` (or ``(C, H, W)``) over H, W.

    No affine parameters and no running statistics by default, as in PyTorch; with
    ``track_running_stats=True`` evaluation mode uses running estimates (the batch mean
    of the per-sample statistics), and ``momentum=None`` means they never move.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        name = self._name()
        _check_float_input(name, input, self._like())
        if input.ndim not in (3, 4):
            raise ValueError(f"{name}: expected 3D or 4D input (got {input.ndim}D input of "
                             f"shape {tuple(input.shape)})")
        feature_dim = input.ndim - 3
        channels = input.shape[feature_dim]
        if channels != self.num_features:
            if self.affine or self.track_running_stats:
                raise ValueError(
                    f"{name}: expected input's size at dim={feature_dim} to match "
                    f"num_features ({self.num_features}), but got: {channels} (input shape "
                    f"{tuple(input.shape)})"
                )
            warnings.warn(
                f"{name}: input's size at dim={feature_dim} does not match num_features. "
                "You can silence this warning by not passing in num_features, which is not "
                "used because affine=False", stacklevel=2,
            )
        if input.ndim == 3:
            return self._normalize(input.unsqueeze(0)).squeeze(0)
        return self._normalize(input)

    def _normalize(self, x: Tensor) -> Tensor:
        return F.instance_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0, self.eps,
        )


class LayerNorm(Module):
    """Normalize each sample over its last dimensions (``normalized_shape``), then an
    elementwise affine map with ``weight`` and ``bias`` of that shape.

    The statistics never involve other samples, so training and evaluation agree.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        if not self.normalized_shape or any(n <= 0 for n in self.normalized_shape):
            raise ValueError(f"LayerNorm: normalized_shape must be positive sizes, got "
                             f"{normalized_shape!r}")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        name = f"LayerNorm({self.normalized_shape})"
        _check_float_input(name, input, self.weight)
        k = len(self.normalized_shape)
        if tuple(input.shape[max(input.ndim - k, 0):]) != self.normalized_shape or (
                input.ndim < k):
            raise ValueError(
                f"{name}: expected an input of shape [*, "
                f"{', '.join(map(str, self.normalized_shape))}], got {tuple(input.shape)}"
            )
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalize each sample's channels in ``num_groups`` groups of consecutive channels
    (statistics over the group's channels and positions), then a per-channel affine map.

    ``num_groups=1`` normalizes over all of (C, *) like a layer norm; ``num_groups=C`` is
    an instance norm. Independent of the batch, so training and evaluation agree.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, *, bias: bool = True) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels <= 0 or num_channels % num_groups != 0:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        name = f"GroupNorm({self.num_groups}, {self.num_channels})"
        _check_float_input(name, input, self.weight)
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"{name}: expected an input of shape (N, {self.num_channels}, *), "
                             f"got {tuple(input.shape)}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")
