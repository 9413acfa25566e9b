"""Regularization by noise: Dropout, Dropout2d, DropConnect, StochasticDepth.

All four are inverted: while training they zero random parts of the computation and
divide what survives by the keep probability ``1 - p``, so expected values are
unchanged; in evaluation mode (``model.eval()``) they are deterministic (the identity,
or a plain linear layer for DropConnect). ``p`` is always the probability of DROPPING,
as in PyTorch; the lecture notes use the keep probability ``q = 1 - p``. Masks come from
``autograd_core.creation.generator()``, so ``autograd_core.manual_seed`` repeats them.
"""

from __future__ import annotations

import autograd_core as ac
from autograd_core import Tensor

from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Dropout", "Dropout2d", "DropConnect", "StochasticDepth"]


def _check_p(layer: str, p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{layer}: dropout probability has to be between 0 and 1, but got "
                         f"{p!r}")
    return p


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = _check_p(type(self).__name__, p)
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Inverted dropout: while training, zero each element with probability ``p`` (the
    DROP probability, PyTorch's convention; the notes' keep probability is ``q = 1 - p``)
    and multiply the survivors by ``1 / (1 - p)``. The identity in evaluation mode."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Channel dropout for ``(N, C, H, W)``: zero whole feature maps ``input[n, c]`` with
    probability ``p`` (the drop probability) and scale the rest by ``1 / (1 - p)`` while
    training. Neighbouring pixels are correlated, so dropping single ones regularizes
    little; dropping channels does. The identity in evaluation mode."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class DropConnect(Module):
    """A linear layer, ``x @ weight.T + bias``, that drops WEIGHTS instead of activations.

    While training, each weight is zeroed with probability ``p`` (the drop probability)
    and the rest scaled by ``1 / (1 - p)``, a fresh mask per forward call shared by the
    whole batch; in evaluation mode it is the plain linear layer. ``weight`` is
    ``(out_features, in_features)`` and ``bias`` ``(out_features,)``, initialized as
    PyTorch's ``nn.Linear``: ``kaiming_uniform_(a=sqrt(5))`` and U(-1/sqrt(in), 1/sqrt(in)).
    """

    def __init__(self, in_features: int, out_features: int, p: float = 0.5,
                 bias: bool = True) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
                raise ValueError(f"DropConnect: {name} must be a positive int, got {n!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.p = _check_p("DropConnect", p)
        self.weight = Parameter(ac.zeros(out_features, in_features))
        if bias:
            self.bias = Parameter(ac.zeros(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.linear_default_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        name = f"DropConnect({self.in_features}, {self.out_features})"
        if not isinstance(input, Tensor) or input.dtype.kind != "f":
            got = input.dtype if isinstance(input, Tensor) else type(input).__name__
            raise TypeError(f"{name}: expected a float Tensor input, got {got}")
        if input.ndim < 1 or input.shape[-1] != self.in_features:
            raise ValueError(f"{name}: expected an input of shape (*, {self.in_features}), "
                             f"got {tuple(input.shape)}")
        if input.dtype != self.weight.dtype:
            raise TypeError(f"{name}: the input is {input.dtype} but the weight is "
                            f"{self.weight.dtype}; convert the layer or the input to match")
        return F.drop_connect(input, self.weight, self.bias, self.p, self.training)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}, p={self.p}")


class StochasticDepth(Module):
    """Randomly skip a residual branch while training (torchvision's ``StochasticDepth``).

    ``mode="row"`` drops the branch for each sample independently with probability ``p``,
    ``mode="batch"`` for the whole batch at once; survivors are scaled by ``1 / (1 - p)``.
    Apply it to the branch only: ``x + self.drop(self.block(x))``. The identity in eval.
    """

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"StochasticDepth: drop probability has to be between 0 and 1, "
                             f"but got {p!r}")
        if mode not in ("batch", "row"):
            raise ValueError(f"StochasticDepth: mode has to be either 'batch' or 'row', but "
                             f"got {mode!r}")
        self.p = p
        self.mode = mode

    def forward(self, input: Tensor) -> Tensor:
        return F.stochastic_depth(input, self.p, self.mode, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, mode={self.mode}"
