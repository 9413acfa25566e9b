"""``linear``, ``bilinear`` and ``embedding`` as functions (the layers without state).

``linear`` and ``embedding`` are single ops of autograd_core (one node each in the graph);
``bilinear`` is composed from ``linear`` and elementwise ops.
"""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from autograd_core.ops.linear import embedding, linear

__all__ = ["linear", "bilinear", "embedding"]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None
             ) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``.

    input1 ``(*, in1)``, input2 ``(*, in2)`` (same leading dimensions), weight
    ``(out, in1, in2)``, bias ``(out,)`` or None; the result has shape ``(*, out)``.
    """
    if not all(isinstance(t, Tensor) for t in (input1, input2, weight)):
        raise TypeError("bilinear: input1, input2 and weight must be Tensors")
    if weight.ndim != 3:
        raise ValueError(f"bilinear: weight must be 3-D (out_features, in1_features, "
                         f"in2_features), got shape {tuple(weight.shape)}")
    out_f, in1, in2 = weight.shape
    _check_pair("bilinear", input1, input2, in1, in2)
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # t[r, o, j] = sum_i x1[r, i] weight[o, i, j]: one linear against weight as (out*in2, in1)
    flat = weight.permute(0, 2, 1).reshape(out_f * in2, in1)
    t = linear(x1, flat).reshape(-1, out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        if tuple(bias.shape) != (out_f,):
            raise ValueError(f"bilinear: bias must have shape ({out_f},), got "
                             f"{tuple(bias.shape)}")
        y = y + bias
    return y.reshape(*lead, out_f)


def _check_pair(op: str, input1: Any, input2: Any, in1: int, in2: int) -> None:
    """Raise unless the inputs are ``(*, in1)`` and ``(*, in2)`` with equal ``*``."""
    ok = (input1.ndim >= 1 and input2.ndim >= 1 and input1.shape[-1] == in1
          and input2.shape[-1] == in2 and input1.shape[:-1] == input2.shape[:-1])
    if not ok:
        raise ValueError(
            f"{op}: expected inputs of shapes (*, in1_features) = (*, {in1}) and "
            f"(*, in2_features) = (*, {in2}) with the same leading dimensions, got shapes "
            f"{tuple(input1.shape)} and {tuple(input2.shape)}"
        )
