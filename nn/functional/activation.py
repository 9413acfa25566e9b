"""Activation functions, stateless: ``nn.functional.relu(x)``, ``gelu(x)``, ``glu(x)``, ...

Names, arguments and defaults are PyTorch's. The elementwise ones with a hand-written
derivative are autograd Functions in ``autograd_core.ops.activation`` (re-exported here);
the rest are compositions of Tensor ops: ``prelu``, ``glu``, and what PyTorch does not
have, ``swish`` with a (learnable) beta, ``maxout`` and the gated linear units ``reglu``,
``geglu``, ``swiglu`` with their two projections.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd_core import Tensor
from autograd_core.ops.activation import _float_input as _float
from autograd_core.ops.activation import (
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    relu6,
    relu_,
    selu,
    selu_,
    silu,
    softplus,
    threshold,
    threshold_,
)
from autograd_core.ops.elementwise import relu as _relu
from autograd_core.ops.elementwise import sigmoid, tanh, where
from autograd_core.ops.softmax import log_softmax, softmax
from autograd_core.tensor import _check_dim

__all__ = [
    "sigmoid", "tanh", "relu", "relu_", "leaky_relu", "leaky_relu_", "prelu", "elu", "elu_",
    "celu", "celu_", "selu", "selu_", "gelu", "softplus", "silu", "swish", "hardswish",
    "hardsigmoid", "hardtanh", "hardtanh_", "relu6", "threshold", "threshold_", "softmax",
    "log_softmax", "glu", "maxout", "reglu", "geglu", "swiglu",
]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``; the gradient at 0 is 0, as in PyTorch."""
    return relu_(input) if inplace else _relu(input)


def _per_channel(weight: Any, x: Tensor, op: str, name: str) -> Any:
    """``weight`` (one value, or one per channel on dim 1) shaped to broadcast with ``x``."""
    if not isinstance(weight, Tensor):
        return weight  # a number: broadcasts as it is
    if weight.ndim > 1:
        raise ValueError(f"{op}: expected `{name}` to be a scalar or 1-D tensor, got shape "
                         f"{tuple(weight.shape)}")
    if weight.dtype != x.dtype:
        raise TypeError(f"{op}: input is {x.dtype} but {name} is {weight.dtype}; convert one "
                        "of them (module.double(), or x.float())")
    n = weight.numel()
    if n == 1:
        return weight.reshape(())
    channels = x.shape[1] if x.ndim >= 2 else 1
    if n != channels:
        raise ValueError(
            f"{op}: {name} has {n} values (one per channel) but the input of shape "
            f"{tuple(x.shape)} has {channels} channel(s) on dim 1; use one value, or as many "
            "as channels"
        )
    return weight.reshape((n,) + (1,) * (x.ndim - 2))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` where ``x > 0``, else ``weight * x``: leaky relu with a learned slope, one
    shared or one per channel (dim 1) (He et al., 2015)."""
    x = _float(input, "prelu")
    slope = _per_channel(weight, x, "prelu", "weight")
    return where(x > 0, x, x * slope)


def swish(input: Tensor, beta: Any = 1.0) -> Tensor:
    """``x * sigmoid(beta * x)`` (Ramachandran et al., 2017); ``beta`` a number or a tensor
    of one value or one per channel (dim 1). ``beta = 1`` is `silu`. No PyTorch twin."""
    x = _float(input, "swish")
    return x * sigmoid(x * _per_channel(beta, x, "swish", "beta"))


def glu(input: Tensor, dim: int = -1, *, axis: int | None = None) -> Tensor:
    """``a * sigmoid(b)``, where ``a`` and ``b`` are the two halves of ``input`` along
    ``dim`` (or ``axis``) (Dauphin et al., 2017)."""
    if axis is not None:
        dim = axis
    x = _float(input, "glu")
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _check_dim(dim, x.ndim, "glu")
    n = x.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: halving dimension must be even, but dimension {d} is size "
                           f"{n} (input shape {tuple(x.shape)})")
    return x.narrow(d, 0, n // 2) * sigmoid(x.narrow(d, n // 2, n // 2))


# -- the layers with their own projections, as functions ------------------------------------


def _project(x: Tensor, weight: Tensor, bias: Tensor | None, op: str) -> Tensor:
    """``x @ weight.T + bias``: an affine map of the last dimension, checked."""
    if weight.ndim != 2:
        raise ValueError(f"{op}: weight must be 2-D (out_features, in_features), got shape "
                         f"{tuple(weight.shape)}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"{op}: expected input of shape (*, {weight.shape[1]}) (in_features last), got "
            f"shape {tuple(x.shape)}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and p.dtype != x.dtype:
            raise TypeError(f"{op}: input is {x.dtype} but {name} is {p.dtype}; convert one "
                            "of them (module.double(), or x.float())")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"{op}: bias must have shape ({weight.shape[0]},), got "
                         f"{tuple(bias.shape)}")
    out = x @ weight.T
    return out if bias is None else out + bias


def maxout(input: Tensor, weight: Tensor, bias: Tensor | None = None, *,
           pieces: int) -> Tensor:
    """Maxout (Goodfellow et al., 2013): ``z = x @ weight.T + bias`` has
    ``out_features * pieces`` entries; output ``i`` is the max of ``z[i*pieces:(i+1)*pieces]``.

    The gradient goes to the winning piece (the first one on a tie, as ``max(dim)``).
    """
    x = _float(input, "maxout")
    if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 1:
        raise ValueError(f"maxout: pieces must be a positive int, got {pieces!r}")
    if weight.ndim == 2 and weight.shape[0] % pieces:
        raise ValueError(f"maxout: weight has {weight.shape[0]} rows, not a multiple of "
                         f"pieces={pieces}; it needs out_features * pieces rows")
    z = _project(x, weight, bias, "maxout")
    grouped = z.reshape(tuple(z.shape[:-1]) + (z.shape[-1] // pieces, pieces))
    return grouped.max(-1).values


def _gated(act: Callable[[Tensor], Tensor], op: str, input: Tensor, weight: Tensor,
           gate_weight: Tensor, bias: Tensor | None, gate_bias: Tensor | None) -> Tensor:
    x = _float(input, op)
    if tuple(gate_weight.shape) != tuple(weight.shape):
        raise ValueError(f"{op}: gate_weight has shape {tuple(gate_weight.shape)} but weight "
                         f"has {tuple(weight.shape)}; they must match")
    gate = act(_project(x, gate_weight, gate_bias, op))
    return gate * _project(x, weight, bias, op)


def reglu(input: Tensor, weight: Tensor, gate_weight: Tensor, bias: Tensor | None = None,
          gate_bias: Tensor | None = None) -> Tensor:
    """``relu(x @ gate_weight.T + gate_bias) * (x @ weight.T + bias)`` (Shazeer, 2020)."""
    return _gated(_relu, "reglu", input, weight, gate_weight, bias, gate_bias)


def geglu(input: Tensor, weight: Tensor, gate_weight: Tensor, bias: Tensor | None = None,
          gate_bias: Tensor | None = None, approximate: str = "none") -> Tensor:
    """``gelu(x @ gate_weight.T + gate_bias) * (x @ weight.T + bias)`` (Shazeer, 2020)."""
    return _gated(lambda z: gelu(z, approximate), "geglu", input, weight, gate_weight, bias,
                  gate_bias)


def swiglu(input: Tensor, weight: Tensor, gate_weight: Tensor, bias: Tensor | None = None,
           gate_bias: Tensor | None = None) -> Tensor:
    """``silu(x @ gate_weight.T + gate_bias) * (x @ weight.T + bias)`` (Shazeer, 2020)."""
    return _gated(silu, "swiglu", input, weight, gate_weight, bias, gate_bias)
