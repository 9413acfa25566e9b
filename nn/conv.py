"""Convolution layers: `Conv1d` and `Conv2d`, with PyTorch's arguments, attribute names
and default initialization.

weight ``(out_channels, in_channels/groups, *kernel_size)`` is drawn with
``kaiming_uniform_(a=sqrt(5))``, which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
``fan_in = in_channels/groups * prod(kernel_size)``; bias ``(out_channels,)`` from the
same range. ``padding_mode`` other than 'zeros' (reflect, replicate, circular) pads the
input with ``pad`` first and then convolves without padding, as PyTorch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import Tensor, dtypes
from autograd_core.ops.conv import check_input, convolution
from autograd_core.ops.movement import pad

from . import init
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(value: Any, nd: int, what: str, layer: str) -> tuple[int, ...]:
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd
    if len(items) != nd or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items
    ):
        raise TypeError(f"{layer}: {what} must be an int or a tuple of {nd} ints, got {value!r}")
    return tuple(int(v) for v in items)


class _ConvNd(Module):
    """What Conv1d and Conv2d share; ``_nd`` is the number of spatial dimensions."""

    _nd = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", dtype: Any = None) -> None:
        super().__init__()
        layer, nd = type(self).__name__, self._nd
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{layer}: groups={groups} must be positive and divide both "
                             f"in_channels ({in_channels}) and out_channels ({out_channels})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{layer}: padding_mode must be one of {_PADDING_MODES}, got "
                             f"{padding_mode!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, nd, "kernel_size", layer)
        self.stride = _tuple(stride, nd, "stride", layer)
        self.dilation = _tuple(dilation, nd, "dilation", layer)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{layer}: padding must be 'same', 'valid', an int or a tuple "
                                 f"of {nd} ints, got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{layer}: padding='same' is not supported for strided "
                                 f"convolutions (stride={self.stride})")
            self.padding = padding
        else:
            self.padding = _tuple(padding, nd, "padding", layer)
        self.groups = groups
        self.padding_mode = padding_mode
        dtype = dtypes.float32 if dtype is None else dtypes.to_dtype(dtype)
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) weight, U(+-1/sqrt(fan_in)) bias."""
        init.linear_default_(self.weight, self.bias)

    def _explicit_padding(self) -> list[int]:
        """(left, right) amounts from the last dim backwards, for ``pad`` (padding_mode)."""
        if self.padding == "valid":
            return [0, 0] * self._nd
        if self.padding == "same":
            amounts = []
            for k, d in zip(self.kernel_size, self.dilation):
                total = d * (k - 1)
                amounts.append((total // 2, total - total // 2))
        else:
            amounts = [(p, p) for p in self.padding]
        return [v for lo_hi in reversed(amounts) for v in lo_hi]

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        name = f"{type(self).__name__}({self.extra_repr()})"
        padding: Any = self.padding
        if self.padding_mode != "zeros":
            if not isinstance(input, Tensor):
                raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
            check_input(name, input, self.in_channels, self._nd)  # before pad can complain
            input = pad(input, self._explicit_padding(), mode=self.padding_mode)
            padding = 0
        return convolution(input, self.weight, self.bias, self.stride, padding, self.dilation,
                           self.groups, self._nd, name)

    def extra_repr(self) -> str:
        nd = self._nd
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * nd:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-d convolution over ``(N, in_channels, L)`` or unbatched ``(in_channels, L)``."""

    _nd = 1


class Conv2d(_ConvNd):
    """2-d convolution over ``(N, in_channels, H, W)`` or unbatched ``(in_channels, H, W)``.

    Output ``(N, out_channels, H_out, W_out)`` with
    ``H_out = (H + 2*padding - dilation*(kernel - 1) - 1) // stride + 1``.
    """

    _nd = 2
