"""Fully connected layers and lookup tables: `Linear`, `Bilinear`, `Embedding`.

Default initializations are PyTorch's: `Linear` draws its weight with
``kaiming_uniform_(a=sqrt(5))``, which is U(-1/sqrt(in_features), 1/sqrt(in_features)),
and its bias from the same range; `Embedding` draws N(0, 1) and zeroes the padding row.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import Tensor, dtypes, no_grad
from autograd_core.ops.linear import check_features, normalize_padding_idx

from . import init
from .functional.linear import _check_pair, bilinear, embedding, linear
from .module import Module, Parameter

__all__ = ["Linear", "Bilinear", "Embedding"]


def _empty(shape: tuple[int, ...], dtype: Any) -> Parameter:
    return Parameter(np.empty(shape, dtype=dtypes.float32 if dtype is None
                              else dtypes.to_dtype(dtype)))


def _uniform_bound(tensor: Tensor, bound: float) -> None:
    if tensor.numel():
        init.uniform_(tensor, -bound, bound)


class Linear(Module):
    """``y = x W^T + b``: input ``(*, in_features)``, output ``(*, out_features)``.

    weight ``(out_features, in_features)``, bias ``(out_features,)``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty((out_features, in_features), dtype)
        if bias:
            self.bias = _empty((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight and bias both U(-1/sqrt(in), 1/sqrt(in))."""
        init.linear_default_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        check_features("Linear", input, self.in_features)
        params = self._parameters  # (one lookup instead of two trips through __getattr__)
        return linear(input, params["weight"], params["bias"])

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """``y = x1^T A x2 + b`` per output feature: inputs ``(*, in1_features)`` and
    ``(*, in2_features)``, output ``(*, out_features)``.

    weight ``(out_features, in1_features, in2_features)``, bias ``(out_features,)``, both
    U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as in PyTorch.
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = _empty((out_features, in1_features, in2_features), dtype)
        if bias:
            self.bias = _empty((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features else 0.0
        _uniform_bound(self.weight, bound)
        if self.bias is not None:
            _uniform_bound(self.bias, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        _check_pair("Bilinear", input1, input2, self.in1_features, self.in2_features)
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, read by int64 index.

    Input: int64 indices of any shape; output: ``input.shape + (embedding_dim,)``. The
    ``padding_idx`` row starts at zero and is never updated by gradients.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: int | None = None, _weight: Tensor | None = None,
                 _freeze: bool = False, dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = normalize_padding_idx("Embedding", padding_idx, num_embeddings)
        if _weight is None:
            self.weight = _empty((num_embeddings, embedding_dim), dtype)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight must have shape ({num_embeddings}, "
                                 f"{embedding_dim}), got {tuple(_weight.shape)}")
            self.weight = Parameter(_weight.detach(), requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """PyTorch's default: N(0, 1), with the padding row set to zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight._data[self.padding_idx] = 0.0
                self.weight._bump_version()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        if not isinstance(input, Tensor) or input.dtype != dtypes.int64:
            given = input.dtype if isinstance(input, Tensor) else type(input).__name__
            raise TypeError(
                f"Embedding: expected an int64 Tensor of indices (any shape), got {given}; "
                "convert it with .long()"
            )
        return embedding(input, self.weight, self.padding_idx)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None) -> Embedding:
        """An Embedding whose weight shares memory with ``embeddings`` (2-D); frozen by default."""
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            shape = tuple(embeddings.shape) if isinstance(embeddings, Tensor) else None
            raise ValueError(f"Embedding.from_pretrained: embeddings must be a 2-D Tensor, "
                             f"got {shape if shape is not None else type(embeddings).__name__}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text
