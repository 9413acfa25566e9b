"""Activation kernels: fused forward and backward, each loop beside its numpy reference.

``<name>_forward(x, *params) -> y`` and ``<name>_backward(x_or_y, grad, *params) ->
grad_x``, where ``grad_x = grad * (local derivative)`` in one pass. The formulas are
PyTorch's (ATen's CPU kernels), including which backward reads the output (relu, sigmoid,
tanh: ``y``) and which the input (all others: ``x``), and how ties and thresholds fall
(relu passes no gradient at 0, leaky_relu passes ``slope``, elu's negative branch
includes 0, softplus is linear where ``x * beta > threshold``).

The Numba loops see flat C-contiguous arrays: the wrapper ravels the input (copying only
what is not C-contiguous), so any shape and strides work, 0-d included. For float32 the
loops compute in float64 where a constant meets a float32 value and round once when
storing: at most an ulp or so from the float32 reference.

Where we differ from PyTorch on purpose: exact gelu at +inf is inf, as the formula gives
(PyTorch's vectorised float32 erf returns nan there).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ._spec import FLOATS, KernelSpec

SQRT1_2 = 0.7071067811865476  # 1/sqrt(2)
INV_SQRT_2PI = 0.3989422804014327  # 1/sqrt(2*pi): the standard normal density at 0
GELU_BETA = 0.7978845608028654  # sqrt(2/pi)
GELU_KAPPA = 0.044715

_erf_object = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; math.erf is exact to 1 ulp


def _erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_object(x), dtype=x.dtype)


def _quiet() -> np.errstate:
    """exp overflowing to inf (and inf/inf at the far ends) is expected, as in PyTorch."""
    return np.errstate(over="ignore", invalid="ignore")


# -- relu: y = max(x, 0); backward from y: grad where y > 0 --------------------------------

def relu_forward(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.where(x < 0, 0, x))


def _relu_forward(x, out):
    for i in range(x.size):
        out[i] = 0.0 if x[i] < 0 else x[i]


def relu_backward(y: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return np.asarray(np.where(y <= 0, 0, grad))


def _relu_backward(y, grad, out):
    for i in range(y.size):
        out[i] = 0.0 if y[i] <= 0 else grad[i]


# -- sigmoid: y = 1 / (1 + exp(-x)); backward from y: grad * (1 - y) * y -------------------

def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    with _quiet():
        return np.asarray(1 / (1 + np.exp(-x)))


def _sigmoid_forward(x, out):
    for i in range(x.size):
        out[i] = 1.0 / (1.0 + math.exp(-x[i]))


def sigmoid_backward(y: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return np.asarray(grad * (1 - y) * y)


def _sigmoid_backward(y, grad, out):
    for i in range(y.size):
        out[i] = grad[i] * (1.0 - y[i]) * y[i]


# -- tanh; backward from y: grad * (1 - y^2) -----------------------------------------------

def tanh_forward(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.tanh(x))


def _tanh_forward(x, out):
    for i in range(x.size):
        out[i] = math.tanh(x[i])


def tanh_backward(y: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return np.asarray(grad * (1 - y * y))


def _tanh_backward(y, grad, out):
    for i in range(y.size):
        out[i] = grad[i] * (1.0 - y[i] * y[i])


# -- leaky_relu: x if x > 0 else slope * x; backward from x --------------------------------

def leaky_relu_forward(x: np.ndarray, slope: float) -> np.ndarray:
    return np.asarray(np.where(x > 0, x, x * slope))


def _leaky_relu_forward(x, out, slope):
    for i in range(x.size):
        out[i] = x[i] if x[i] > 0 else x[i] * slope


def leaky_relu_backward(x: np.ndarray, grad: np.ndarray, slope: float) -> np.ndarray:
    return np.asarray(np.where(x > 0, grad, grad * slope))


def _leaky_relu_backward(x, grad, out, slope):
    for i in range(x.size):
        out[i] = grad[i] if x[i] > 0 else grad[i] * slope


# -- elu: alpha * (exp(x) - 1) where x <= 0, else x; backward from x -----------------------

def elu_forward(x: np.ndarray, alpha: float) -> np.ndarray:
    with _quiet():
        return np.asarray(np.where(x <= 0, np.expm1(x) * alpha, x))


def _elu_forward(x, out, alpha):
    for i in range(x.size):
        out[i] = math.expm1(x[i]) * alpha if x[i] <= 0 else x[i]


def elu_backward(x: np.ndarray, grad: np.ndarray, alpha: float) -> np.ndarray:
    with _quiet():
        return np.asarray(np.where(x <= 0, grad * alpha * np.exp(x), grad))


def _elu_backward(x, grad, out, alpha):
    for i in range(x.size):
        out[i] = grad[i] * alpha * math.exp(x[i]) if x[i] <= 0 else grad[i]


# -- gelu (exact): x * Phi(x), Phi the standard normal CDF; backward from x ----------------

def gelu_forward(x: np.ndarray) -> np.ndarray:
    with _quiet():
        return np.asarray(x * 0.5 * (1 + _erf(x * SQRT1_2)))


def _gelu_forward(x, out):
    for i in range(x.size):
        out[i] = x[i] * 0.5 * (1.0 + math.erf(x[i] * SQRT1_2))


def gelu_backward(x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    with _quiet():
        cdf = 0.5 * (1 + _erf(x * SQRT1_2))
        pdf = np.exp(-0.5 * x * x) * INV_SQRT_2PI
        return np.asarray(grad * (cdf + x * pdf))


def _gelu_backward(x, grad, out):
    for i in range(x.size):
        v = x[i]
        cdf = 0.5 * (1.0 + math.erf(v * SQRT1_2))
        pdf = math.exp(-0.5 * v * v) * INV_SQRT_2PI
        out[i] = grad[i] * (cdf + v * pdf)


# -- gelu (tanh approximation): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) -------------

def gelu_tanh_forward(x: np.ndarray) -> np.ndarray:
    with _quiet():
        inner = GELU_BETA * (x + GELU_KAPPA * (x * x * x))
        return np.asarray(0.5 * x * (1 + np.tanh(inner)))


def _gelu_tanh_forward(x, out):
    for i in range(x.size):
        v = x[i]
        inner = GELU_BETA * (v + GELU_KAPPA * (v * v * v))
        out[i] = 0.5 * v * (1.0 + math.tanh(inner))


def gelu_tanh_backward(x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    with _quiet():
        x_sq = x * x
        t = np.tanh(GELU_BETA * (x + GELU_KAPPA * (x_sq * x)))
        left = 0.5 * x
        d_inner = GELU_BETA * (1 + 3 * GELU_KAPPA * x_sq)
        return np.asarray(grad * (0.5 * (1 + t) + left * (1 - t * t) * d_inner))


def _gelu_tanh_backward(x, grad, out):
    for i in range(x.size):
        v = x[i]
        x_sq = v * v
        t = math.tanh(GELU_BETA * (v + GELU_KAPPA * (x_sq * v)))
        d_inner = GELU_BETA * (1.0 + 3.0 * GELU_KAPPA * x_sq)
        out[i] = grad[i] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * d_inner)


# -- silu: x * sigmoid(x); backward from x: grad * s * (1 + x (1 - s)) ---------------------

def silu_forward(x: np.ndarray) -> np.ndarray:
    with _quiet():
        return np.asarray(x / (1 + np.exp(-x)))


def _silu_forward(x, out):
    for i in range(x.size):
        out[i] = x[i] / (1.0 + math.exp(-x[i]))


def silu_backward(x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    with _quiet():
        s = 1 / (1 + np.exp(-x))
        return np.asarray(grad * s * (1 + x * (1 - s)))


def _silu_backward(x, grad, out):
    for i in range(x.size):
        s = 1.0 / (1.0 + math.exp(-x[i]))
        out[i] = grad[i] * s * (1.0 + x[i] * (1.0 - s))


# -- softplus: log(1 + exp(beta x)) / beta, linear where beta x > threshold ----------------

def softplus_forward(x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    with _quiet():
        z = x * beta
        return np.asarray(np.where(z > threshold, x, np.log1p(np.exp(z)) / beta))


def _softplus_forward(x, out, beta, threshold):
    for i in range(x.size):
        z = x[i] * beta
        out[i] = x[i] if z > threshold else math.log1p(math.exp(z)) / beta


def softplus_backward(x: np.ndarray, grad: np.ndarray, beta: float,
                      threshold: float) -> np.ndarray:
    with _quiet():
        z = np.exp(x * beta)
        return np.asarray(np.where(x * beta > threshold, grad, grad * z / (z + 1)))


def _softplus_backward(x, grad, out, beta, threshold):
    for i in range(x.size):
        z = math.exp(x[i] * beta)
        out[i] = grad[i] if x[i] * beta > threshold else grad[i] * z / (z + 1.0)


# -- the Numba side -----------------------------------------------------------------------

def _elementwise(n_arrays: int) -> Callable[[Callable, Callable], Callable]:
    """Wrap a flat loop ``loop(x, [grad,] out, *params)`` to take arrays of any shape.

    ``n_arrays`` is 1 for a forward ``(x, *params)`` and 2 for a backward
    ``(x_or_y, grad, *params)``. Other dtypes, mixed dtypes or shapes that differ (numpy
    broadcasting) go to the numpy reference, which handles them as numpy does.
    """

    def wrap(compiled: Callable, reference: Callable) -> Callable:
        def forward(x: object, *params: object) -> np.ndarray:
            x = np.asarray(x)
            if x.dtype not in FLOATS:
                return reference(x, *params)
            out = np.empty(x.shape, x.dtype)
            compiled(x.ravel(), out.reshape(-1), *[float(p) for p in params])
            return out

        def backward(x: object, grad: object, *params: object) -> np.ndarray:
            x, grad = np.asarray(x), np.asarray(grad)
            if x.dtype not in FLOATS or grad.dtype != x.dtype or grad.shape != x.shape:
                return reference(x, grad, *params)
            out = np.empty(x.shape, x.dtype)
            compiled(x.ravel(), grad.ravel(), out.reshape(-1), *[float(p) for p in params])
            return out

        return functools.update_wrapper(forward if n_arrays == 1 else backward, reference)

    return wrap


def _pair(name: str, forward_loop: Callable, backward_loop: Callable,
          n_params: int = 0) -> dict[str, KernelSpec]:
    params = " f" * n_params
    module = globals()
    return {
        f"{name}_forward": KernelSpec(module[f"{name}_forward"], forward_loop,
                                      "i1 o1" + params, _elementwise(1)),
        f"{name}_backward": KernelSpec(module[f"{name}_backward"], backward_loop,
                                       "i1 i1 o1" + params, _elementwise(2)),
    }


KERNELS: dict[str, KernelSpec] = {
    **_pair("relu", _relu_forward, _relu_backward),
    **_pair("sigmoid", _sigmoid_forward, _sigmoid_backward),
    **_pair("tanh", _tanh_forward, _tanh_backward),
    **_pair("leaky_relu", _leaky_relu_forward, _leaky_relu_backward, 1),
    **_pair("elu", _elu_forward, _elu_backward, 1),
    **_pair("gelu", _gelu_forward, _gelu_backward),
    **_pair("gelu_tanh", _gelu_tanh_forward, _gelu_tanh_backward),
    **_pair("silu", _silu_forward, _silu_backward),
    **_pair("softplus", _softplus_forward, _softplus_backward, 2),
}
