"""Dropout as functions: ``dropout``, ``dropout2d``, ``stochastic_depth``, ``drop_connect``.

Inverted dropout (the notes): while training, each unit is kept with probability
``q = 1 - p`` and the kept ones are divided by ``q``, so every unit's expected value is
unchanged and evaluation needs no rescaling: it is the identity. Here, as in PyTorch,
``p`` is the probability of DROPPING a unit; the lecture notes write the keep probability
``q`` instead.

The masks are drawn from ``autograd_core.creation.generator()`` (one uniform number per
mask element, kept where it is below ``q``), so ``autograd_core.manual_seed`` makes them
repeat. Applying a mask is a multiplication by a constant, so gradients (of any order)
pass through the kept units, scaled by ``1 / q``, and are zero for the dropped ones.
"""

from __future__ import annotations

import warnings

import numpy as np

from autograd_core import Tensor
from autograd_core.creation import generator

__all__ = ["dropout", "dropout2d", "stochastic_depth", "drop_connect"]


def _check_p(op: str, p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not (
            0.0 <= p <= 1.0):
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def _check_input(op: str, x: object) -> None:
    if not isinstance(x, Tensor) or x.dtype.kind != "f":
        got = x.dtype if isinstance(x, Tensor) else type(x).__name__
        raise TypeError(f"{op}: expected a float32 or float64 Tensor, got {got}")


def scaled_mask(shape: tuple[int, ...], p: float, dtype: np.dtype) -> Tensor:
    """A constant tensor of ``0`` (probability ``p``) and ``1 / (1 - p)`` (probability
    ``1 - p``); all zeros when ``p == 1``."""
    keep = 1.0 - p
    mask = (generator().random(shape) < keep).astype(dtype)
    if keep > 0.0:
        mask /= mask.dtype.type(keep)
    return Tensor._make(mask)


def _apply(x: Tensor, mask: Tensor, inplace: bool) -> Tensor:
    return x.mul_(mask) if inplace else x * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` (the drop probability) and scale the rest
    by ``1 / (1 - p)`` while ``training``; otherwise return ``input`` itself.

    ``inplace=True`` writes the result into ``input``.
    """
    p = _check_p("dropout", p)
    _check_input("dropout", input)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return _apply(input, scaled_mask(input.shape, p, input.dtype), inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each ``input[n, c]`` feature map of ``(N, C, H, W)`` is dropped
    with probability ``p``, the kept ones scaled by ``1 / (1 - p)``, while ``training``.

    A 3-D input is taken as ``(N, C, L)`` with PyTorch's warning (PyTorch's historical
    behaviour); other numbers of dimensions (at least 2) warn that dropout2d expects 3-D or
    4-D input, as PyTorch does.
    """
    p = _check_p("dropout2d", p)
    _check_input("dropout2d", input)
    if input.ndim < 2:
        raise ValueError(f"dropout2d: channel-wise dropout needs an input of shape (N, C, *), "
                         f"got shape {tuple(input.shape)}")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior and "
            "silence this warning, please use dropout instead. Note that dropout2d exists to "
            "provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if not training or p == 0.0 or input.numel() == 0:
        return input
    shape = input.shape[:2] + (1,) * (input.ndim - 2)
    return _apply(input, scaled_mask(shape, p, input.dtype), inplace)


def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:
    """Drop a residual branch: zero ``input`` for whole samples (``mode="row"``: each row of
    the batch with probability ``p``) or for the whole batch (``mode="batch"``), scaling
    what survives by ``1 / (1 - p)``, while ``training``. As ``torchvision.ops``' function:
    use it on the branch, ``x + stochastic_depth(f(x), p, "row")``.
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"stochastic_depth: drop probability has to be between 0 and 1, "
                         f"but got {p!r}")
    if mode not in ("batch", "row"):
        raise ValueError(f"stochastic_depth: mode has to be either 'batch' or 'row', but got "
                         f"{mode!r}")
    _check_input("stochastic_depth", input)
    if not training or p == 0.0:
        return input
    if mode == "row":
        if input.ndim == 0:
            raise ValueError("stochastic_depth: mode='row' needs a batch dimension (dim 0), "
                             "got a 0-d tensor")
        shape = (input.shape[0],) + (1,) * (input.ndim - 1)
    else:
        shape = (1,) * input.ndim
    return input * scaled_mask(shape, float(p), input.dtype)


def drop_connect(input: Tensor, weight: Tensor, bias: Tensor | None = None, p: float = 0.5,
                 training: bool = True) -> Tensor:
    """A linear layer ``input @ weight.T + bias`` whose WEIGHTS are dropped while training:
    each entry of ``weight`` (out_features, in_features) is zeroed with probability ``p``
    and the rest scaled by ``1 / (1 - p)``; one mask per call, shared by the batch."""
    p = _check_p("drop_connect", p)
    _check_input("drop_connect", input)
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        got = tuple(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"drop_connect: weight must be a 2-D Tensor (out_features, "
                         f"in_features), got {got}")
    if input.ndim < 1 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"drop_connect: the input's last dimension must be in_features={weight.shape[1]}, "
            f"got an input of shape {tuple(input.shape)}"
        )
    if training and p > 0.0:
        weight = weight * scaled_mask(weight.shape, p, weight.dtype)
    out = input @ weight.T
    return out if bias is None else out + bias
