"""Pooling layers: max, average and adaptive average, 1-d and 2-d, PyTorch's arguments.

They hold no parameters; each calls its function in ``nn.functional`` (errors name the
layer). ``stride`` defaults to ``kernel_size``.
"""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from autograd_core.ops.pooling import adaptive_avg_pool, avg_pool, max_pool

from .module import Module

__all__ = [
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
]


def _single(value: Any) -> Any:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class _Pool(Module):
    _nd = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding

    def _name(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _MaxPool(_Pool):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding)
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:  # noqa: A002 - PyTorch's name
        return max_pool(input, self.kernel_size, self.stride, self.padding, self.dilation,
                        self.ceil_mode, self.return_indices, self._nd, self._name())

    def extra_repr(self) -> str:
        return (f"{super().extra_repr()}, dilation={self.dilation}, "
                f"ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPool):
    """The maximum of each window of ``(N, C, L)`` or ``(C, L)``."""

    _nd = 1


class MaxPool2d(_MaxPool):
    """The maximum of each window of ``(N, C, H, W)`` or ``(C, H, W)``; the gradient goes
    to each window's first maximum, as in PyTorch. ``return_indices=True`` also returns
    where each maximum is."""

    _nd = 2


class _AvgPool(_Pool):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__(kernel_size, stride, padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return avg_pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                        self.count_include_pad, self.divisor_override, self._nd, self._name())


class AvgPool1d(_AvgPool):
    """The mean of each window of ``(N, C, L)`` or ``(C, L)``; zero padding counts in the
    divisor when ``count_include_pad``."""

    _nd = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        # PyTorch keeps these three as 1-tuples here (and only here)
        self.kernel_size, self.stride, self.padding = (
            _single(v) for v in (self.kernel_size, self.stride, self.padding))


class AvgPool2d(_AvgPool):
    """The mean of each window of ``(N, C, H, W)`` or ``(C, H, W)``; zero padding counts in
    the divisor when ``count_include_pad``; ``divisor_override`` replaces the divisor."""

    _nd = 2


class _AdaptiveAvgPool(Module):
    _nd = 0

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        name = f"{type(self).__name__}({self.extra_repr()})"
        return adaptive_avg_pool(input, self.output_size, self._nd, name)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPool):
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` to length ``output_size``."""

    _nd = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPool):
    """Average pooling of ``(N, C, H, W)`` or ``(C, H, W)`` to ``output_size`` (an int or
    a pair; None keeps that input size), with PyTorch's windows."""

    _nd = 2
