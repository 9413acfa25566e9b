"""Activation layers, with PyTorch's names, arguments, defaults and reprs.

Each wraps its function in ``nn.functional``. ``PReLU`` and ``Swish`` learn their slope;
``Maxout`` and the gated linear units ``ReGLU``, ``GEGLU``, ``SwiGLU`` hold their own
projections (no PyTorch twin). Their weights are plain Parameters initialised as
``nn.Linear``'s (``kaiming_uniform_(w, a=sqrt(5))``, bias uniform in
``+-1/sqrt(in_features)``), named so the ``state_dict`` reads well:

- ``Maxout``: ``weight`` ``(out_features * pieces, in_features)`` and ``bias``; output
  ``i`` is the max over rows ``i * pieces`` to ``i * pieces + pieces - 1``;
- ``ReGLU``/``GEGLU``/``SwiGLU``: ``act(x @ gate_weight.T + gate_bias) * (x @ weight.T +
  bias)``: ``gate_weight``/``gate_bias`` feed the activation (the gate), ``weight``/``bias``
  the linear value it multiplies.
"""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor, zeros

from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = [
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "CELU", "SELU", "GELU",
    "Softplus", "SiLU", "Swish", "Hardswish", "Hardsigmoid", "Hardtanh", "ReLU6",
    "Threshold", "Softmax", "LogSoftmax", "GLU", "Maxout", "ReGLU", "GEGLU", "SwiGLU",
]


def _inplace_repr(inplace: bool, first: bool = False) -> str:
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class ReLU(Module):
    """``max(x, 0)``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class LeakyReLU(Module):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_repr(self.inplace)}"


class PReLU(Module):
    """Leaky relu with a learned slope ``weight``: one shared (``num_parameters=1``) or one
    per channel, the input's dim 1. Initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) \
                or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got "
                             f"{num_parameters!r}")
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(zeros(num_parameters))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace)}"


class CELU(Module):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace)}"


class SELU(Module):
    """``scale * elu(x, alpha)``, ``alpha ~ 1.6733``, ``scale ~ 1.0507`` (self-normalizing)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class GELU(Module):
    """``x * Phi(x)``; ``approximate='tanh'`` for the tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``; linear where ``beta * x > threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class SiLU(Module):
    """``x * sigmoid(x)``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class Swish(Module):
    """``x * sigmoid(beta * x)`` with a learned ``beta`` (Ramachandran et al., 2017), one
    shared or one per channel (dim 1) as in `PReLU`, initialised to ``init`` (1.0: silu).

    No PyTorch twin.
    """

    def __init__(self, num_parameters: int = 1, init: float = 1.0) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) \
                or num_parameters < 1:
            raise ValueError(f"Swish: num_parameters must be a positive int, got "
                             f"{num_parameters!r}")
        self.num_parameters = num_parameters
        self.init = init
        self.beta = Parameter(zeros(num_parameters))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.beta, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.swish(input, self.beta)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardswish(Module):
    """``x * relu6(x + 3) / 6``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace  # not shown in repr, as in PyTorch

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)


class Hardsigmoid(Module):
    """``relu6(x + 3) / 6``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace  # not shown in repr, as in PyTorch

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class Hardtanh(Module):
    """``clamp(x, min_val, max_val)``, with no gradient on the boundaries."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        if max_val <= min_val:
            raise ValueError(f"{type(self).__name__}: max_val ({max_val}) must be greater than "
                             f"min_val ({min_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_repr(self.inplace)}"


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``: ``Hardtanh(0, 6)``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_repr(self.inplace)}"


class Softmax(Module):
    """``exp(x) / sum(exp(x))`` along ``dim``. ``dim=None`` takes PyTorch's legacy choice,
    with its warning: pass ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``log(softmax(x))`` along ``dim``, computed stably."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """``a * sigmoid(b)``, ``a`` and ``b`` the two halves of the input along ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# -- layers with their own projections ------------------------------------------------------


def _check_size(layer: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return value


def _linear_parameters(rows: int, in_features: int, bias: bool) -> tuple[Parameter, Any]:
    """A weight ``(rows, in_features)`` and bias ``(rows,)`` drawn as ``nn.Linear`` draws."""
    weight = Parameter(zeros(rows, in_features))
    bias_param = Parameter(zeros(rows)) if bias else None
    init.linear_default_(weight, bias_param)
    return weight, bias_param


class Maxout(Module):
    """Maxout units (Goodfellow et al., 2013): an affine map to ``out_features * pieces``
    values, then the max over each unit's ``pieces``.

    Parameters: ``weight`` ``(out_features * pieces, in_features)``, ``bias``
    ``(out_features * pieces,)``; unit ``i`` owns rows ``i * pieces`` to
    ``(i + 1) * pieces - 1``. Input ``(*, in_features)``, output ``(*, out_features)``.
    """

    def __init__(self, in_features: int, out_features: int, pieces: int,
                 bias: bool = True) -> None:
        super().__init__()
        self.in_features = _check_size("Maxout", "in_features", in_features)
        self.out_features = _check_size("Maxout", "out_features", out_features)
        self.pieces = _check_size("Maxout", "pieces", pieces)
        self.weight, b = _linear_parameters(out_features * pieces, in_features, bias)
        self.register_parameter("bias", b)

    def forward(self, input: Tensor) -> Tensor:
        return F.maxout(input, self.weight, self.bias, pieces=self.pieces)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}, bias={self.bias is not None}")


class _GatedLinearUnit(Module):
    """``act(x @ gate_weight.T + gate_bias) * (x @ weight.T + bias)`` (Shazeer, 2020).

    Parameters, each drawn as ``nn.Linear``'s: ``weight`` and ``gate_weight``
    ``(out_features, in_features)``, ``bias`` and ``gate_bias`` ``(out_features,)`` (None
    with ``bias=False``). Input ``(*, in_features)``, output ``(*, out_features)``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        name = type(self).__name__
        self.in_features = _check_size(name, "in_features", in_features)
        self.out_features = _check_size(name, "out_features", out_features)
        self.weight, b = _linear_parameters(out_features, in_features, bias)
        self.register_parameter("bias", b)
        self.gate_weight, gate_b = _linear_parameters(out_features, in_features, bias)
        self.register_parameter("gate_bias", gate_b)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReGLU(_GatedLinearUnit):
    __doc__ = "``relu`` gate: " + (_GatedLinearUnit.__doc__ or "")

    def forward(self, input: Tensor) -> Tensor:
        return F.reglu(input, self.weight, self.gate_weight, self.bias, self.gate_bias)


class GEGLU(_GatedLinearUnit):
    __doc__ = "``gelu`` (exact) gate: " + (_GatedLinearUnit.__doc__ or "")

    def forward(self, input: Tensor) -> Tensor:
        return F.geglu(input, self.weight, self.gate_weight, self.bias, self.gate_bias)


class SwiGLU(_GatedLinearUnit):
    __doc__ = "``silu`` (swish, beta = 1) gate: " + (_GatedLinearUnit.__doc__ or "")

    def forward(self, input: Tensor) -> Tensor:
        return F.swiglu(input, self.weight, self.gate_weight, self.bias, self.gate_bias)
