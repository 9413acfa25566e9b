"""Cases for the elementwise family (unary functions, where, casts, clamp, maximum/minimum)
and for the in-place ops, whose gradients go through the same Functions.

Gradient checks need inputs away from kinks and ties (``abs`` and ``relu`` at 0, ``clamp``
at its bounds, ``maximum`` where both sides are equal): the ``make`` functions below keep
them there. Ties themselves are compared with PyTorch by the parity-only cases.
"""

import operator

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ac
from autograd_core.ops import arithmetic as A
from autograd_core.ops import elementwise as E
from autograd_core.ops import inplace as I

from ..opspec import OpCase, shapes

# -- input makers -------------------------------------------------------------------------


def _away_from(*points, low=-2.0, high=2.0, gap=0.1):
    """Uniform values on [low, high], none closer than ``gap`` to any of ``points``."""

    def make(rng, dtype, shape_list, kwargs):
        arrays = []
        for shape in shape_list:
            x = np.asarray(rng.uniform(low, high, size=shape))
            for p in points:
                near = np.abs(x - p) < gap
                x = np.where(near, p + np.where(x < p, -gap, gap), x)
            arrays.append(x.astype(dtype))
        return arrays

    return make


def _bounds_make(lo_range, hi_range):
    """x, lo, hi (broadcastable) with x outside both bound ranges, so no ties anywhere."""

    def make(rng, dtype, shape_list, kwargs):
        x_shape, lo_shape, hi_shape = shape_list
        x = rng.choice([-1.6, -1.3, 0.0, 1.3, 1.6], size=x_shape) + rng.uniform(
            -0.1, 0.1, size=x_shape)
        lo = rng.uniform(*lo_range, size=lo_shape)
        hi = rng.uniform(*hi_range, size=hi_shape)
        return [np.asarray(a).astype(dtype) for a in (x, lo, hi)]

    return make


def _tied(rng, dtype, shape_list, kwargs):
    """Two inputs equal in about half their (broadcast) places, with a NaN now and then."""
    a = rng.choice([-1.0, 0.0, 1.0, 2.0], size=shape_list[0])
    b = rng.choice([-1.0, 0.0, 1.0, 2.0, np.nan], size=shape_list[1])
    return [np.asarray(a).astype(dtype), np.asarray(b).astype(dtype)]


def _on_kinks(rng, dtype, shape_list, kwargs):
    """Values exactly on the kinks of abs, relu and clamp(-0.5, 0.5), and some non-finite."""
    pool = [-2.0, -0.5, -0.0, 0.0, 0.5, 1.0, np.inf, -np.inf, np.nan]
    return [np.asarray(rng.choice(pool, size=s)).astype(dtype) for s in shape_list]


def _where_make(rng, dtype, shape_list, kwargs):
    cond = np.asarray(rng.random(size=shape_list[0]) < 0.5)
    a, b = (np.asarray(rng.uniform(-2, 2, size=s)).astype(dtype) for s in shape_list[1:])
    return [cond, a, b]


def _nonzero_divisor(rng, dtype, shape_list, kwargs):
    a = rng.uniform(-2, 2, size=shape_list[0])
    b = rng.uniform(0.5, 2, size=shape_list[1]) * rng.choice([-1, 1], size=shape_list[1])
    return [np.asarray(a).astype(dtype), np.asarray(b).astype(dtype)]


# -- strategies ---------------------------------------------------------------------------


@st.composite
def _into(draw, n=2):
    """Shapes for an in-place op: the first is the full broadcast shape of all of them."""
    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=3,
                                               min_side=1, max_side=4))
    return [b.result_shape, *b.input_shapes[1:]], {}


@st.composite
def _scalar_bounds(draw):
    shape_list, _ = draw(shapes(1))
    lo, hi = draw(st.sampled_from([(-0.5, 0.5), (None, 0.5), (-0.5, None), (0.5, -0.5)]))
    return shape_list, {"min": lo, "max": hi}


@st.composite
def _with_scalar(draw, values=(-1.5, -0.5, 0.5, 1.0, 2.0)):
    shape_list, _ = draw(shapes(1))
    return shape_list, {"c": draw(st.sampled_from(values))}


@st.composite
def _alpha(draw):
    shape_list, _ = draw(_into(2))
    return shape_list, {"alpha": draw(st.sampled_from([1, 2, -0.5]))}


def _unary(name, fn, ours, theirs, **kw):
    return OpCase(name, (fn,), ours, theirs, shapes(1), **kw)


def _other_float(t):
    """float32 <-> float64, for the Cast case (the same on both sides)."""
    if isinstance(t, torch.Tensor):
        return t.to(torch.float64 if t.dtype == torch.float32 else torch.float32)
    return t.to(ac.float64 if t.dtype == ac.float32 else ac.float32)


def _expanded(a, *bounds):
    """``a`` expanded to the broadcast shape first: PyTorch's clamp backward fails when the
    bounds are larger than ``a`` (the same math, with expand's backward summing)."""
    return a.expand(torch.broadcast_shapes(a.shape, *(b.shape for b in bounds)))


_CAST_GRADCHECK = {"gradcheck": {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3}}

CASES = [
    # smooth unary functions
    _unary("exp", E.Exp, lambda a: a.exp(), torch.exp, gradgradcheck=True),
    _unary("log", E.Log, lambda a: a.log(), torch.log, low=0.5, high=3.0, gradgradcheck=True),
    _unary("log1p", E.Log1p, lambda a: a.log1p(), torch.log1p, low=-0.5, high=3.0,
           gradgradcheck=True),
    _unary("sqrt", E.Sqrt, lambda a: a.sqrt(), torch.sqrt, low=0.3, high=3.0,
           gradgradcheck=True),
    _unary("sin", E.Sin, lambda a: ac.sin(a), torch.sin, low=-4.0, high=4.0, gradgradcheck=True),
    _unary("cos", E.Cos, lambda a: ac.cos(a), torch.cos, low=-4.0, high=4.0, gradgradcheck=True),
    _unary("tanh", E.Tanh, lambda a: a.tanh(), torch.tanh, low=-3.0, high=3.0,
           gradgradcheck=True),
    _unary("sigmoid", E.Sigmoid, lambda a: a.sigmoid(), torch.sigmoid, low=-4.0, high=4.0,
           gradgradcheck=True),
    _unary("sigmoid far tails", E.Sigmoid, lambda a: a.sigmoid(), torch.sigmoid, low=-60.0,
           high=60.0, atol32=1e-7, atol64=1e-12),
    _unary("clone", E.Clone, lambda a: a.clone(), torch.clone, gradgradcheck=True),
    # functions with kinks: gradcheck away from them, parity on them
    _unary("abs", E.Abs, lambda a: abs(a), torch.abs, make=_away_from(0.0), gradgradcheck=True),
    _unary("sign", E.Sign, lambda a: a.sign(), torch.sign, make=_away_from(0.0)),
    _unary("relu", E.Relu, lambda a: a.relu(), torch.relu, make=_away_from(0.0),
           gradgradcheck=True),
    OpCase("clamp number bounds", (E.Clamp,), lambda a, min, max: a.clamp(min, max),
           lambda a, min, max: a.clamp(min, max), _scalar_bounds(),
           make=_away_from(-0.5, 0.5), gradgradcheck=True),
    OpCase("clamp tensor bounds", (E.Clamp,), lambda a, lo, hi: ac.clamp(a, lo, hi),
           lambda a, lo, hi: torch.clamp(_expanded(a, lo, hi), lo, hi), shapes(3),
           make=_bounds_make((-1.0, -0.2), (0.2, 1.0)), gradgradcheck=True),
    OpCase("clamp tensor bounds, min > max", (E.Clamp,), lambda a, lo, hi: a.clip(lo, hi),
           lambda a, lo, hi: _expanded(a, lo, hi).clip(lo, hi), shapes(3),
           make=_bounds_make((0.2, 1.0), (-1.0, -0.2))),
    OpCase("clamp_min tensor", (E.Clamp,), lambda a, lo, hi: a.clamp_min(lo),
           lambda a, lo, hi: _expanded(a, lo).clamp_min(lo), shapes(3),
           make=_bounds_make((-1.0, -0.2), (0.2, 1.0))),
    OpCase("clamp_max tensor", (E.Clamp,), lambda a, lo, hi: ac.clamp_max(a, hi),
           lambda a, lo, hi: torch.clamp_max(_expanded(a, hi), hi), shapes(3),
           make=_bounds_make((-1.0, -0.2), (0.2, 1.0))),
    OpCase("abs, relu, sign, clamp on kinks and non-finite values", (E.Abs, E.Relu, E.Clamp),
           lambda a: (abs(a) + a.relu() + a.sign()) * a.clamp(-0.5, 0.5),
           lambda a: (a.abs() + a.relu() + a.sign()) * a.clamp(-0.5, 0.5), shapes(1),
           make=_on_kinks, gradcheck=False),
    OpCase("maximum", (E.Maximum,), ac.maximum, torch.maximum, shapes(2), gradgradcheck=True),
    OpCase("minimum", (E.Minimum,), lambda a, b: a.minimum(b), torch.minimum, shapes(2),
           gradgradcheck=True),
    OpCase("maximum ties and NaN", (E.Maximum,), ac.maximum, torch.maximum, shapes(2),
           make=_tied, gradcheck=False),
    OpCase("minimum ties and NaN", (E.Minimum,), ac.minimum, torch.minimum, shapes(2),
           make=_tied, gradcheck=False),
    OpCase("maximum with a number", (E.Maximum,), lambda a, c: ac.maximum(a, c),
           lambda a, c: torch.maximum(a, torch.tensor(c, dtype=a.dtype)), _with_scalar(),
           make=_away_from(-1.5, -0.5, 0.5, 1.0, 2.0)),
    # selection and casts
    OpCase("where", (E.Where,), ac.where, torch.where, shapes(3), make=_where_make,
           grad_inputs=[1, 2], gradgradcheck=True),
    OpCase("where with a number", (E.Where,), lambda c, a, b: ac.where(c, a, -1.0),
           lambda c, a, b: torch.where(c, a, -1.0), shapes(3), make=_where_make,
           grad_inputs=[1]),
    OpCase("cast float32 <-> float64", (E.Cast,), _other_float, _other_float, shapes(1),
           rtol64=1e-6, atol64=1e-6, extra=_CAST_GRADCHECK),
    # in-place ops: a copy of the input stands for the tensor changed in place
    OpCase("add_", (A.Add,), lambda a, b, alpha: (a * 1).add_(b, alpha=alpha),
           lambda a, b, alpha: (a * 1).add_(b, alpha=alpha), _alpha(), gradgradcheck=True),
    OpCase("sub_", (A.Sub,), lambda a, b, alpha: a.clone().sub_(b, alpha=alpha),
           lambda a, b, alpha: a.clone().sub_(b, alpha=alpha), _alpha()),
    OpCase("mul_", (A.Mul,), lambda a, b: (a * 1).mul_(b), lambda a, b: (a * 1).mul_(b),
           _into(2), gradgradcheck=True),
    OpCase("div_", (A.Div,), lambda a, b: (a * 1).div_(b), lambda a, b: (a * 1).div_(b),
           _into(2), make=_nonzero_divisor, gradgradcheck=True),
    OpCase("augmented assignment", (A.Add, A.Sub, A.Mul, A.Div),
           lambda a, b: operator.itruediv(operator.imul(operator.isub(
               operator.iadd(a * 1, b), 0.5), b), 2.0),
           lambda a, b: operator.itruediv(operator.imul(operator.isub(
               operator.iadd(a * 1, b), 0.5), b), 2.0), _into(2)),
    OpCase("clamp_", (E.Clamp,), lambda a, lo, hi: (a * 1).clamp_(lo, hi),
           lambda a, lo, hi: (a * 1).clamp_(lo, hi), _into(3),
           make=_bounds_make((-1.0, -0.2), (0.2, 1.0))),
    OpCase("copy_", (I.Copy,), lambda a, b: (a * 1).copy_(b), lambda a, b: (a * 1).copy_(b),
           _into(2), gradgradcheck=True),
    OpCase("fill_ with a 0-d tensor", (I.Fill,), lambda a, v: (a * 1).fill_(v),
           lambda a, v: (a * 1).fill_(v), shapes(1).map(lambda s: ([s[0][0], ()], {})),
           gradgradcheck=True),
    OpCase("fill_ with a number", (I.Fill,), lambda a, c: (a * 2).fill_(c),
           lambda a, c: (a * 2).fill_(c), _with_scalar()),
    OpCase("zero_", (I.Zero,), lambda a: (a * 2).zero_(), lambda a: (a * 2).zero_(), shapes(1),
           gradgradcheck=True),
]
