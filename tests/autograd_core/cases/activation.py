"""Cases for the activation family: leaky_relu, the elu family, gelu, erf, silu, softplus
and the hard activations, out of place and in place.

Gradient checks keep inputs away from each function's kinks (``_away``); the ``on kinks``
cases put inputs exactly on them (and on NaN) and compare values and gradients with
PyTorch, whose tie conventions we follow. Second order (``gradgradcheck``) runs wherever
the function is twice differentiable away from its kinks.
"""

import numpy as np
import torch
import torch.nn.functional as TF
from hypothesis import strategies as st

from autograd_core.ops import activation as A

from ..opspec import OpCase, shapes

# -- inputs ---------------------------------------------------------------------------------


def _params(strategy=None, **choices):
    """``shapes(1)`` plus keyword arguments, each drawn from its list of choices."""
    strategy = strategy or shapes(1)

    @st.composite
    def draw(data):
        shape_list, kwargs = data(strategy)
        for name, values in choices.items():
            kwargs[name] = data(st.sampled_from(values))
        return shape_list, kwargs

    return draw()


def _away(kinks, low=-2.0, high=2.0, gap=0.05):
    """Uniform values on [low, high], none within ``gap`` of a kink; ``kinks(kwargs)``
    lists the kinks for the drawn arguments."""

    def make(rng, dtype, shape_list, kwargs):
        arrays = []
        for shape in shape_list:
            x = np.asarray(rng.uniform(low, high, size=shape))
            for k in kinks(kwargs):
                near = np.abs(x - k) < gap
                x = np.where(near, k + np.where(x < k, -gap, gap), x)
            arrays.append(x.astype(dtype))
        return arrays

    return make


def _on(points, nan=True):
    """Values drawn from ``points(kwargs)`` (the kinks themselves, NaN, a few others).

    ``nan=False`` where PyTorch's gradient at NaN depends on the tensor's length (its
    vectorised and scalar kernels disagree); tests/nn/test_activation.py checks ours.
    """

    def make(rng, dtype, shape_list, kwargs):
        pool = list(points(kwargs)) + [-1.5, 0.7] + ([np.nan] if nan else [])
        return [np.asarray(rng.choice(pool, size=s)).astype(dtype) for s in shape_list]

    return make


def _no_kinks(kwargs):
    return ()


def _zero(kwargs):
    return (0.0,)


def _inplace(fn):
    """Apply an in-place function to a copy (a leaf that requires grad may not change)."""
    return lambda a, **kw: fn(a.clone(), **kw)


SLOPES = [0.01, 0.2, -0.3, 1.5]
ALPHAS = [1.0, 0.5, 2.0]
BOUNDS = [(-1.0, 1.0), (0.0, 6.0), (-0.5, 1.5)]
SOFTPLUS = dict(beta=[1.0, 2.0, 0.5], threshold=[20.0, 1.0, 2.0])


def _hardtanh_kwargs():
    @st.composite
    def draw(data):
        shape_list, _ = data(shapes(1))
        lo, hi = data(st.sampled_from(BOUNDS))
        return shape_list, {"min_val": lo, "max_val": hi}

    return draw()


def _hardtanh_kinks(kw):
    return (kw["min_val"], kw["max_val"])


def _softplus_kinks(kw):
    return (kw["threshold"] / kw["beta"],)


def _threshold_kinks(kw):
    return (kw["threshold"],)


def _hard_kinks(kw):
    return (-3.0, 3.0)


CASES = [
    # -- leaky_relu -------------------------------------------------------------------------
    OpCase("leaky_relu", (A.LeakyRelu,), A.leaky_relu, TF.leaky_relu,
           _params(negative_slope=SLOPES), make=_away(_zero), gradgradcheck=True),
    OpCase("leaky_relu on kinks", (A.LeakyRelu,), A.leaky_relu, TF.leaky_relu,
           _params(negative_slope=SLOPES), make=_on(lambda kw: (0.0, -0.0, np.inf, -np.inf)),
           gradcheck=False),
    OpCase("leaky_relu_", (A.LeakyRelu,), _inplace(A.leaky_relu_),
           _inplace(lambda a, **kw: TF.leaky_relu(a, inplace=False, **kw)),
           _params(negative_slope=SLOPES), make=_away(_zero)),
    # -- elu, celu, selu --------------------------------------------------------------------
    OpCase("elu", (A.Elu,), A.elu, TF.elu, _params(alpha=ALPHAS), make=_away(_zero),
           gradgradcheck=True),
    OpCase("elu on kinks", (A.Elu,), A.elu, TF.elu, _params(alpha=ALPHAS),
           make=_on(lambda kw: (0.0, -0.0, -np.inf, np.inf, -100.0, 100.0), nan=False),
           gradcheck=False),
    OpCase("elu_", (A.Elu,), _inplace(A.elu_), _inplace(lambda a, **kw: TF.elu(a, **kw)),
           _params(alpha=ALPHAS), make=_away(_zero)),
    OpCase("celu", (A.Celu,), A.celu, TF.celu, _params(alpha=ALPHAS), make=_away(_zero),
           gradgradcheck=True),
    OpCase("celu on kinks", (A.Celu,), A.celu, TF.celu, _params(alpha=ALPHAS),
           make=_on(lambda kw: (0.0, -0.0, -np.inf, np.inf), nan=False),
           gradcheck=False),
    OpCase("celu_", (A.Celu,), _inplace(A.celu_), _inplace(lambda a, **kw: TF.celu(a, **kw)),
           _params(alpha=ALPHAS), make=_away(_zero)),
    OpCase("selu", (A.Selu,), A.selu, TF.selu, shapes(1), make=_away(_zero),
           gradgradcheck=True),
    OpCase("selu on kinks", (A.Selu,), A.selu, TF.selu, shapes(1),
           make=_on(lambda kw: (0.0, -0.0, -np.inf, np.inf), nan=False),
           gradcheck=False),
    OpCase("selu_", (A.Selu,), _inplace(A.selu_), _inplace(TF.selu), shapes(1),
           make=_away(_zero)),
    # -- gelu, erf, silu, softplus ----------------------------------------------------------
    OpCase("gelu", (A.Gelu,), A.gelu, TF.gelu, _params(approximate=["none", "tanh"]),
           low=-4.0, high=4.0, gradgradcheck=True),
    OpCase("gelu tails", (A.Gelu,), A.gelu, TF.gelu, _params(approximate=["none", "tanh"]),
           make=_on(lambda kw: (-np.inf, -40.0, -8.0, 0.0, 8.0, 40.0)), gradcheck=False),
    OpCase("erf", (A.Erf,), A.erf, torch.erf, shapes(1), low=-3.0, high=3.0,
           gradgradcheck=True),
    OpCase("silu", (A.Silu,), A.silu, TF.silu, shapes(1), low=-6.0, high=6.0,
           gradgradcheck=True),
    OpCase("silu_", (A.Silu,), _inplace(lambda a: A.silu(a, inplace=True)),
           _inplace(TF.silu), shapes(1)),
    OpCase("silu tails", (A.Silu,), A.silu, TF.silu, shapes(1),
           make=_on(lambda kw: (-np.inf, -200.0, 0.0, 200.0, np.inf)), gradcheck=False),
    OpCase("softplus", (A.Softplus,), A.softplus, TF.softplus, _params(**SOFTPLUS),
           make=_away(_softplus_kinks, -4.0, 4.0), gradgradcheck=True),
    OpCase("softplus on the threshold", (A.Softplus,), A.softplus, TF.softplus,
           _params(**SOFTPLUS),
           make=_on(lambda kw: (kw["threshold"] / kw["beta"], -100.0, 100.0, 0.0)),
           gradcheck=False),
    # -- hardtanh, relu6, hardsigmoid, hardswish, threshold ---------------------------------
    OpCase("hardtanh", (A.Hardtanh,), A.hardtanh, TF.hardtanh, _hardtanh_kwargs(),
           make=_away(_hardtanh_kinks, -3.0, 7.0), gradgradcheck=True),
    OpCase("hardtanh on kinks", (A.Hardtanh,), A.hardtanh, TF.hardtanh, _hardtanh_kwargs(),
           make=_on(_hardtanh_kinks, nan=False), gradcheck=False),
    OpCase("hardtanh_", (A.Hardtanh,), _inplace(A.hardtanh_),
           _inplace(lambda a, **kw: TF.hardtanh(a, inplace=True, **kw)), _hardtanh_kwargs(),
           make=_away(_hardtanh_kinks, -3.0, 7.0)),
    OpCase("relu6", (A.Hardtanh,), A.relu6, TF.relu6, shapes(1),
           make=_away(lambda kw: (0.0, 6.0), -3.0, 9.0)),
    OpCase("relu6 on kinks", (A.Hardtanh,), A.relu6, TF.relu6, shapes(1),
           make=_on(lambda kw: (0.0, -0.0, 6.0, np.inf, -np.inf), nan=False),
           gradcheck=False),
    # PyTorch's hardsigmoid backward multiplies by the float constant 1/6 even in float64
    OpCase("hardsigmoid", (A.Hardsigmoid,), A.hardsigmoid, TF.hardsigmoid, shapes(1),
           make=_away(_hard_kinks, -5.0, 5.0), rtol64=1e-7, gradgradcheck=True),
    OpCase("hardsigmoid on kinks", (A.Hardsigmoid,), A.hardsigmoid, TF.hardsigmoid,
           shapes(1), make=_on(lambda kw: (-3.0, 3.0, 0.0, np.inf, -np.inf)),
           rtol64=1e-7, gradcheck=False),
    OpCase("hardsigmoid_", (A.Hardsigmoid,), _inplace(lambda a: A.hardsigmoid(a, True)),
           _inplace(TF.hardsigmoid), shapes(1), make=_away(_hard_kinks, -5.0, 5.0),
           rtol64=1e-7),
    OpCase("hardswish", (A.Hardswish,), A.hardswish, TF.hardswish, shapes(1),
           make=_away(_hard_kinks, -5.0, 5.0), gradgradcheck=True),
    OpCase("hardswish on kinks", (A.Hardswish,), A.hardswish, TF.hardswish, shapes(1),
           make=_on(lambda kw: (-3.0, 3.0, 0.0, np.inf, -np.inf), nan=False),
           gradcheck=False),
    OpCase("hardswish_", (A.Hardswish,), _inplace(lambda a: A.hardswish(a, True)),
           _inplace(TF.hardswish), shapes(1), make=_away(_hard_kinks, -5.0, 5.0)),
    OpCase("threshold", (A.Threshold,), A.threshold, TF.threshold,
           _params(threshold=[0.0, 0.5, -1.0], value=[0.0, -2.0, 7.5]),
           make=_away(_threshold_kinks), gradgradcheck=True),
    OpCase("threshold on kinks", (A.Threshold,), A.threshold, TF.threshold,
           _params(threshold=[0.0, 0.5, -1.0], value=[0.0, -2.0, 7.5]),
           make=_on(lambda kw: (kw["threshold"], np.inf, -np.inf)), gradcheck=False),
    OpCase("threshold_", (A.Threshold,), _inplace(A.threshold_),
           _inplace(lambda a, **kw: TF.threshold(a, inplace=True, **kw)),
           _params(threshold=[0.0, 0.5], value=[0.0, -2.0]), make=_away(_threshold_kinks)),
    OpCase("relu_", (A.Threshold,), _inplace(A.relu_), _inplace(torch.relu_), shapes(1),
           make=_away(_zero)),
    OpCase("relu_ on kinks", (A.Threshold,), _inplace(A.relu_), _inplace(torch.relu_),
           shapes(1), make=_on(lambda kw: (0.0, -0.0, np.inf, -np.inf)), gradcheck=False),
]
