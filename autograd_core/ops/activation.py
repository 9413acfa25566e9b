"""Activation functions beyond relu, sigmoid and tanh, with PyTorch's formulas and kinks.

Each Function computes forward with numpy or a fused Numba kernel (the kernel seam,
``autograd_core.kernels``) and has two backward paths, as ``tanh``/``sigmoid``/``relu`` in
``elementwise.py``: a fused array kernel for a plain first-order pass, and the same
derivative written with Tensor ops when a graph of the gradient is being built
(``create_graph=True``), so second and higher derivatives work.

Which array code runs was measured on this machine (``./run bench kernels``): Numba wins
for leaky_relu both ways and exact gelu both ways; numpy's vectorised exp/tanh/log1p win
for the elu family, the tanh-approximate gelu, silu (both ways: the Numba silu backward
is faster only below about 2,000 elements, and 3x slower at 100,000) and softplus, so
those use the numpy reference (``reference(...)``).

Kinks and ties follow ATen's CPU kernels exactly:

- leaky_relu passes ``slope * grad`` at 0 (``x > 0`` selects the identity);
- the elu family (elu, celu, selu) takes its exponential branch at 0 (``x <= 0``);
- hardtanh, relu6, hardsigmoid and threshold pass no gradient on their boundaries;
- hardswish passes 0 at -3 and ``grad`` at 3;
- softplus is the identity where ``beta * x > threshold``;
- second derivatives too, as PyTorch's double backward: elu's is 0 at 0, softplus's is 0
  where ``beta * x == threshold``.

NaN inputs give NaN outputs. Their gradients follow ATen's vectorised kernels (which its
scalar code, used for short tails, does not always agree with): NaN for elu, celu, selu,
hardswish, gelu, silu and softplus; 0 for hardtanh, relu6 and hardsigmoid; ``grad`` for
threshold and ``slope * grad`` for leaky_relu.

The in-place forms (``relu_``, ``elu_``, ... and ``inplace=True``) go through the
machinery of ``inplace.py``: unlike PyTorch they also work with a negative slope or alpha,
since the old values are kept for backward.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..kernels import kernel, reference
from ..tensor import Tensor
from ._util import as_operand
from .elementwise import exp, sigmoid, tanh, where
from .inplace import _apply, _check_target

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT1_2 = 0.7071067811865476  # 1/sqrt(2)
INV_SQRT_2PI = 0.3989422804014327  # 1/sqrt(2*pi): the standard normal density at 0
TWO_OVER_SQRT_PI = 1.1283791670955126  # the derivative of erf at 0
GELU_BETA = 0.7978845608028654  # sqrt(2/pi)
GELU_KAPPA = 0.044715

_erf_object = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; math.erf is exact to 1 ulp


def _quiet() -> np.errstate:
    """exp overflowing to inf in a branch that is not taken is expected."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _fused(array: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(array))


# -- leaky_relu -----------------------------------------------------------------------------


class LeakyRelu(Function):
    display_name = "leaky_relu"
    formula = "d leaky_relu(x)/dx = 1 if x > 0 else slope (slope at x = 0)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, slope: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.slope = slope
        return kernel("leaky_relu_forward")(x, slope)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        if not is_grad_enabled():
            return _fused(kernel("leaky_relu_backward")(x._data, grad._data, ctx.slope)), None
        return where(x > 0, grad, grad * ctx.slope), None


# -- the exponential linear units: elu, celu, selu ------------------------------------------
#
# ATen computes all three with one kernel and three coefficients:
#   y = x * scale                                   where x > 0
#   y = alpha * scale * (exp(x * input_scale) - 1)  elsewhere (x <= 0, and NaN)
# elu: (alpha, 1, 1); celu: (alpha, 1, 1/alpha); selu: (SELU_ALPHA, SELU_SCALE, 1).
# A NaN input takes the exponential branch, so its gradient is NaN too, as in ATen's
# vectorised kernels (the seam's elu kernel sends it to the identity branch instead).


def _elu_forward(x: np.ndarray, alpha: float, scale: float, input_scale: float) -> np.ndarray:
    with _quiet():
        negative = np.expm1(x * input_scale) * (alpha * scale)
        return np.asarray(np.where(x > 0, x * scale, negative))


def _elu_backward(x: np.ndarray, grad: np.ndarray, alpha: float, scale: float,
                  input_scale: float) -> np.ndarray:
    with _quiet():
        negative = grad * (alpha * scale * input_scale) * np.exp(x * input_scale)
        return np.asarray(np.where(x > 0, grad * scale, negative))


class _ExponentialLinear(Function):
    """Shared forward and backward of elu, celu and selu (see the coefficients above)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, alpha: float, scale: float,
                input_scale: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.coefficients = (alpha, scale, input_scale)
        return _elu_forward(x, alpha, scale, input_scale)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefficients
        if not is_grad_enabled():
            return _fused(_elu_backward(x._data, grad._data, alpha, scale, input_scale)), \
                None, None, None
        # exp only of the negative part, so the branch not taken cannot overflow to inf (inf
        # * 0 would put NaN into a second derivative); at x = 0 the constant exp(0) = 1
        # keeps the second derivative 0 there, as PyTorch's elu double backward (x < 0)
        e = exp(where(x >= 0, 0.0, x) * input_scale)
        dx = where(x > 0, grad * scale, grad * (alpha * scale * input_scale) * e)
        return dx, None, None, None


class Elu(_ExponentialLinear):
    display_name = "elu"
    formula = "d elu(x)/dx = 1 if x > 0 else alpha * exp(x)"


class Celu(_ExponentialLinear):
    display_name = "celu"
    formula = "d celu(x)/dx = 1 if x > 0 else exp(x / alpha)"


class Selu(_ExponentialLinear):
    display_name = "selu"
    formula = "d selu(x)/dx = scale if x > 0 else scale * alpha * exp(x)"


# -- gelu, erf ------------------------------------------------------------------------------


class Erf(Function):
    display_name = "erf"
    formula = "d erf(x)/dx = 2/sqrt(pi) * exp(-x**2)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.asarray(_erf_object(x), dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (exp(-(x * x)) * TWO_OVER_SQRT_PI)


class Gelu(Function):
    """``x * Phi(x)`` (Phi the standard normal CDF), or its tanh approximation."""

    display_name = "gelu"
    formula = "d gelu(x)/dx = Phi(x) + x * phi(x) (phi the standard normal density)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, approximate: str) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return reference("gelu_tanh_forward")(x)
        return kernel("gelu_forward")(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        approx = ctx.approximate == "tanh"
        if not is_grad_enabled():
            fused = reference("gelu_tanh_backward") if approx else kernel("gelu_backward")
            return _fused(fused(x._data, grad._data)), None
        if approx:
            x_sq = x * x
            t = tanh((x + x_sq * x * GELU_KAPPA) * GELU_BETA)
            d_inner = (x_sq * (3 * GELU_KAPPA) + 1.0) * GELU_BETA
            local = (t + 1.0) * 0.5 + x * 0.5 * (1.0 - t * t) * d_inner
        else:
            cdf = (erf(x * SQRT1_2) + 1.0) * 0.5
            pdf = exp(x * x * -0.5) * INV_SQRT_2PI
            local = cdf + x * pdf
        return grad * local, None


# -- silu, softplus -------------------------------------------------------------------------


class Silu(Function):
    display_name = "silu"
    formula = "d silu(x)/dx = s * (1 + x * (1 - s)), s = sigmoid(x)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return reference("silu_forward")(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        if not is_grad_enabled():
            return _fused(reference("silu_backward")(x._data, grad._data))
        s = sigmoid(x)
        return grad * (s * (x * (1.0 - s) + 1.0))


class Softplus(Function):
    display_name = "softplus"
    formula = ("d softplus(x)/dx = sigmoid(beta * x) (1 where beta * x > threshold: "
               "there softplus is x)")

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return reference("softplus_forward")(x, beta, threshold)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        if not is_grad_enabled():
            fused = reference("softplus_backward")(x._data, grad._data, ctx.beta, ctx.threshold)
            return _fused(fused), None, None
        z = x * ctx.beta
        # PyTorch's double backward passes nothing where z == threshold (z < threshold):
        # there sigmoid sees the constant threshold, the same value with no gradient
        s = sigmoid(where(z < ctx.threshold, z, ctx.threshold))
        return where(z > ctx.threshold, grad, grad * s), None, None


# -- the hard (piecewise linear) activations ------------------------------------------------


def _passed_inside(x: Tensor, grad: Tensor, lo: float, hi: float, slope: float = 1.0) -> Tensor:
    """``slope * grad`` where ``lo < x < hi``, else 0: a linear piece between two flat ones,
    with no gradient on the boundaries (hardtanh, hardsigmoid)."""
    if not is_grad_enabled():
        a, g = x._data, grad._data
        passed = g if slope == 1.0 else g * slope
        return _fused(np.where((a > lo) & (a < hi), passed, 0).astype(grad.dtype))
    return where((x > lo) & (x < hi), grad if slope == 1.0 else grad * slope, 0.0)


class Hardtanh(Function):
    """``clamp(x, min_val, max_val)``; unlike clamp, no gradient on the boundaries."""

    display_name = "hardtanh"
    formula = "d hardtanh(x)/dx = 1 if min_val < x < max_val else 0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, lo: float, hi: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        out = np.minimum(np.maximum(x, lo), hi)  # NaN propagates, as in PyTorch
        return np.asarray(out).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        return _passed_inside(x, grad, *ctx.bounds), None, None


class Hardsigmoid(Function):
    display_name = "hardsigmoid"
    formula = "d hardsigmoid(x)/dx = 1/6 if -3 < x < 3 else 0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.asarray(np.minimum(np.maximum(x + 3, 0), 6) / 6)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return _passed_inside(x, grad, -3, 3, slope=1 / 6)


class Hardswish(Function):
    display_name = "hardswish"
    formula = "d hardswish(x)/dx = 0 if x <= -3, x/3 + 1/2 if x < 3, else 1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with _quiet():  # -inf * 0 is NaN, as in PyTorch
            return np.asarray(x * np.minimum(np.maximum(x + 3, 0), 6) / 6)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        if not is_grad_enabled():
            a, g = x._data, grad._data
            upper = np.where(a >= 3, g, g * (a / 3 + 0.5))
            return _fused(np.where(a <= -3, 0, upper).astype(grad.dtype))
        return where(x <= -3, 0.0, where(x >= 3, grad, grad * (x / 3.0 + 0.5)))


class Threshold(Function):
    """``x`` where ``x > threshold``, else ``value``."""

    display_name = "threshold"
    formula = "d threshold(x)/dx = 1 if x > threshold else 0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, threshold: float, value: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        return np.asarray(np.where(x <= threshold, value, x)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        if not is_grad_enabled():
            blocked = x._data <= ctx.threshold
            return _fused(np.where(blocked, 0, grad._data).astype(grad.dtype)), None, None
        return where(x <= ctx.threshold, 0.0, grad), None, None


# -- argument checks and the in-place forms -------------------------------------------------


def _float_input(x: Any, op: str) -> Tensor:
    """The input as a float Tensor; integer and bool tensors raise, as in PyTorch."""
    x = as_operand(x, op)
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected a float tensor (float32 or float64), got {x.dtype} of shape "
            f"{tuple(x.shape)}; convert it first, e.g. x.float()"
        )
    return x


def _any_input(x: Any, op: str) -> Tensor:
    """The input as a Tensor of a number dtype (hardtanh and threshold keep integers)."""
    x = as_operand(x, op)
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if x.dtype.kind == "b":
        raise TypeError(f"{op}: bool tensors are not supported; convert first, e.g. x.float()")
    return x


def _number(value: Any, name: str, op: str) -> float:
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__} "
                        f"({value!r})")
    return float(value)


def _run(x: Tensor, op: str, out_of_place: Callable[[Tensor], Tensor], inplace: bool) -> Tensor:
    """``out_of_place(x)``, or its result written into ``x`` when ``inplace``.

    In place, the op runs on a copy of the old values (which it saves for backward) and
    ``x`` takes over the new node, as the in-place arithmetic ops do.
    """
    if not inplace:
        return out_of_place(x)
    _check_target(x, op)

    def direct(data: np.ndarray) -> None:
        np.copyto(data, out_of_place(Tensor._make(data))._data, casting="unsafe")

    return _apply(x, op, (), direct, out_of_place, saves_old=True)


# -- the public functions (PyTorch's ``torch.nn.functional`` signatures) --------------------


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``; the slope is the gradient at 0."""
    x = _float_input(input, "leaky_relu")
    slope = _number(negative_slope, "negative_slope", "leaky_relu")
    return _run(x, "leaky_relu_", lambda t: LeakyRelu.apply(t, slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)`` (Clevert et al., 2015)."""
    x = _float_input(input, "elu")
    alpha = _number(alpha, "alpha", "elu")
    return _run(x, "elu_", lambda t: Elu.apply(t, alpha, 1.0, 1.0), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``: elu made C1 for any alpha."""
    x = _float_input(input, "celu")
    alpha = _number(alpha, "alpha", "celu")
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (the formula divides by it)")
    return _run(x, "celu_", lambda t: Celu.apply(t, alpha, 1.0, 1.0 / alpha), inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalizing constants of Klambauer et al."""
    x = _float_input(input, "selu")
    return _run(x, "selu_", lambda t: Selu.apply(t, SELU_ALPHA, SELU_SCALE, 1.0), inplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t**2) dt``."""
    return Erf.apply(_float_input(input, "erf"))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``, Phi the standard normal CDF (Hendrycks and Gimpel, 2016).

    ``approximate='tanh'``: ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))``.
    """
    x = _float_input(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(x, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish with beta = 1)."""
    return _run(_float_input(input, "silu"), "silu_", Silu.apply, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, a smooth relu; ``x`` itself where
    ``beta * x > threshold`` (there the two agree to float precision)."""
    x = _float_input(input, "softplus")
    beta = _number(beta, "beta", "softplus")
    threshold = _number(threshold, "threshold", "softplus")
    return Softplus.apply(x, beta, threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``clamp(x, min_val, max_val)``, with no gradient on the boundaries (PyTorch's rule)."""
    x = _any_input(input, "hardtanh")
    lo = _number(min_val, "min_val", "hardtanh")
    hi = _number(max_val, "max_val", "hardtanh")
    if lo > hi:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    return _run(x, "hardtanh_", lambda t: Hardtanh.apply(t, lo, hi), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``: ``hardtanh(x, 0, 6)``, so no gradient at 0 and at 6."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between."""
    return _run(_float_input(input, "hardsigmoid"), "hardsigmoid_", Hardsigmoid.apply,
                inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (Howard et al., 2019: MobileNetV3)."""
    return _run(_float_input(input, "hardswish"), "hardswish_", Hardswish.apply, inplace)


def threshold(input: Tensor, threshold: float, value: float,
              inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return _threshold(input, threshold, value, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _threshold(input, threshold, value, True)


def _threshold(input: Any, th: Any, value: Any, inplace: bool, op: str = "threshold") -> Tensor:
    x = _any_input(input, op)
    th = _number(th, "threshold", op)
    value = _number(value, "value", op)
    return _run(x, f"{op}_", lambda t: Threshold.apply(t, th, value), inplace)


def relu_(input: Tensor) -> Tensor:
    """``relu`` in place: ``input`` becomes ``max(input, 0)``; returns it.

    Recorded as ``threshold(x, 0, 0)`` (the same values and gradient, PyTorch's original
    definition of ``relu_``), which saves the old values for backward: a relu node would
    save its output, which later in-place changes to ``input`` could overwrite unseen.
    """
    return _threshold(input, 0.0, 0.0, True, "relu")


METHODS = {"erf": erf, "relu_": relu_}
FUNCTIONS = {
    "erf": erf, "celu": celu, "celu_": celu_, "selu": selu, "selu_": selu_,
    "threshold": threshold, "threshold_": threshold_, "relu_": relu_,
}
