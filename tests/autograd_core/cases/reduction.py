"""Cases for the reductions: sum, mean, var, std, max/min, amax/amin, prod, logsumexp, norm
(with gradients), argmax/argmin and all/any (values only).

Shapes come from Hypothesis (0-d, size-1 dimensions, non-contiguous inputs); ``dim`` is
an int, a tuple of distinct dims or None, negative dims included, with ``keepdim`` both
ways. Inputs of max/min/amax/amin/norm(inf) are drawn without ties (``make=``), so finite
differences see one smooth piece; tie-breaking is tested in test_reduction_edges.py.
"""

import math

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_core.ops import elementwise as E
from autograd_core.ops import reduction as R

from ..opspec import OpCase

INF = math.inf


# -- strategies ---------------------------------------------------------------------------


@st.composite
def _reduce(draw, min_dims=0, max_dims=4, min_side=1, single=False, allow_none=True):
    """One shape plus ``dim`` (int, tuple of distinct dims, or None) and ``keepdim``."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                  max_side=4))
    ndim = max(len(shape), 1)
    one = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(
        lambda axes: tuple(a - ndim if i % 2 else a for i, a in enumerate(axes)))
    options = [one] if single or not shape else [one, several]
    if allow_none:
        options.append(st.none())
    return [shape], {"dim": draw(st.one_of(options)), "keepdim": draw(st.booleans())}


@st.composite
def _var_inputs(draw, correction=True):
    """A reduction with a correction below the number of reduced elements (finite var)."""
    shape_list, kwargs = draw(_reduce())
    shape = shape_list[0]
    axes = R._axes("var", shape, kwargs["dim"])
    count = math.prod(shape[a] for a in axes)
    if correction:
        kwargs["correction"] = draw(st.integers(0, min(count - 1, 2)))
    else:
        kwargs["unbiased"] = draw(st.booleans()) if count > 1 else False
        kwargs["dim"] = list(axes) if kwargs["dim"] is not None and shape else kwargs["dim"]
    return shape_list, kwargs


@st.composite
def _norm_inputs(draw, orders):
    shape_list, kwargs = draw(_reduce())
    p = draw(st.sampled_from(orders))
    if p == "fro" and isinstance(kwargs["dim"], tuple) and len(kwargs["dim"]) > 2:
        p = 2  # 'fro' takes one or two dims, as in PyTorch
    return shape_list, dict(kwargs, p=p)


# -- input makers -------------------------------------------------------------------------


def _distinct(rng, dtype, shape_list, kwargs):
    """Values with no ties, at least 0.1 apart (a permutation of a grid, signs mixed)."""
    shape = shape_list[0]
    size = math.prod(shape)
    grid = (rng.permutation(size) - size / 2.0) * 0.25 + rng.uniform(-0.05, 0.05, size)
    return [grid.reshape(shape).astype(dtype)]


def _distinct_magnitudes(rng, dtype, shape_list, kwargs):
    """Nonzero values whose magnitudes differ (for norm: no ties, no kink at 0)."""
    shape = shape_list[0]
    size = math.prod(shape)
    magnitude = 0.5 + 0.2 * rng.permutation(size) + rng.uniform(0, 0.05, size)
    sign = rng.choice([-1.0, 1.0], size)
    return [(sign * magnitude).reshape(shape).astype(dtype)]


def _away_from_zero(rng, dtype, shape_list, kwargs):
    shape = shape_list[0]
    sign = rng.choice([-1.0, 1.0], shape)
    return [np.asarray(sign * rng.uniform(0.5, 1.5, shape)).astype(dtype)]


def _one_zero(rng, dtype, shape_list, kwargs):
    """Nonzero values except one exact zero in the whole tensor (one per slice at most)."""
    (x,) = _away_from_zero(rng, dtype, shape_list, kwargs)
    x.reshape(-1)[rng.integers(x.size)] = 0.0
    return [x]


def _several_zeros(rng, dtype, shape_list, kwargs):
    """About half of the elements exactly zero: slices with 0, 1 and several zeros."""
    (x,) = _away_from_zero(rng, dtype, shape_list, kwargs)
    return [np.where(rng.random(x.shape) < 0.5, 0.0, x).astype(dtype)]


def _small_integers(rng, dtype, shape_list, kwargs):
    """Values in {0, 1, 2}: ties everywhere (argmax's first-occurrence rule) and zeros."""
    return [rng.integers(0, 3, size=shape_list[0]).astype(dtype)]


# -- torch spellings ----------------------------------------------------------------------


def _torch_dim(a, dim):
    """Our ``dim=None`` (every dim) in a form every torch reduction accepts."""
    return tuple(range(a.ndim)) if dim is None and a.ndim else (0 if dim is None else dim)


def _unreduce_ours(a, dim, keepdim):
    axes = R._axes("sum", a.shape, dim)
    return R.unreduce(a.sum(dim, keepdim), axes, keepdim, a.shape)


CASES = [
    OpCase("sum", (R.Sum,), lambda a, dim, keepdim: a.sum(dim, keepdim),
           lambda a, dim, keepdim: a.sum(dim, keepdim), _reduce(), gradgradcheck=True),
    OpCase("sum all", (R.Sum,), lambda a: a.sum(), lambda a: a.sum(),
           _reduce().map(lambda c: (c[0], {}))),
    OpCase("sum dtype=float64", (R.Sum, E.Cast), lambda a: a.float().sum(dtype="float64"),
           lambda a: a.float().sum(dtype=torch.float64), _reduce().map(lambda c: (c[0], {})),
           rtol32=1e-6, atol32=1e-6,
           extra={"gradcheck": {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3}}),  # float32 inside
    OpCase("sum axis= keepdims=", (R.Sum,), lambda a, dim, keepdim: R.sum(
        a, axis=dim, keepdims=keepdim), lambda a, dim, keepdim: a.sum(dim, keepdim),
        _reduce()),
    OpCase("unreduce (sum's adjoint)", (R.Sum, R.Unreduce), _unreduce_ours,
           lambda a, dim, keepdim: a.sum(_torch_dim(a, dim), True).expand(a.shape),
           _reduce(min_dims=1, min_side=2, allow_none=False), gradgradcheck=True),
    OpCase("mean", (R.Mean,), lambda a, dim, keepdim: a.mean(dim, keepdim),
           lambda a, dim, keepdim: a.mean(dim, keepdim), _reduce(), gradgradcheck=True),
    OpCase("var correction", (R.Var,),
           lambda a, dim, keepdim, correction: a.var(dim, keepdim=keepdim, correction=correction),
           lambda a, dim, keepdim, correction: a.var(dim, keepdim=keepdim, correction=correction),
           _var_inputs(), gradgradcheck=True, rtol32=1e-4, atol32=1e-5),
    OpCase("var unbiased", (R.Var,),
           lambda a, dim, keepdim, unbiased: a.var(dim, unbiased, keepdim),
           lambda a, dim, keepdim, unbiased: a.var(dim, unbiased, keepdim),
           _var_inputs(correction=False), rtol32=1e-4, atol32=1e-5),
    OpCase("std correction", (R.Std,),
           lambda a, dim, keepdim, correction: a.std(dim, keepdim=keepdim, correction=correction),
           lambda a, dim, keepdim, correction: a.std(dim, keepdim=keepdim, correction=correction),
           _var_inputs(), make=_distinct, gradgradcheck=True, rtol32=1e-4, atol32=1e-5),
    OpCase("std unbiased", (R.Std,),
           lambda a, dim, keepdim, unbiased: a.std(dim, unbiased, keepdim),
           lambda a, dim, keepdim, unbiased: a.std(dim, unbiased, keepdim),
           _var_inputs(correction=False), make=_distinct, rtol32=1e-4, atol32=1e-5),
    OpCase("max", (R.Max,), lambda a: a.max(), lambda a: a.max(),
           _reduce().map(lambda c: (c[0], {})), make=_distinct, gradgradcheck=True),
    OpCase("min", (R.Min,), lambda a: a.min(), lambda a: a.min(),
           _reduce().map(lambda c: (c[0], {})), make=_distinct, gradgradcheck=True),
    OpCase("max dim values", (R.MaxDim,), lambda a, dim, keepdim: a.max(dim, keepdim).values,
           lambda a, dim, keepdim: a.max(dim, keepdim).values, _reduce(allow_none=False,
                                                                       single=True),
           make=_distinct, gradgradcheck=True),
    OpCase("min dim values", (R.MinDim,), lambda a, dim, keepdim: a.min(dim=dim,
                                                                        keepdim=keepdim)[0],
           lambda a, dim, keepdim: a.min(dim=dim, keepdim=keepdim)[0],
           _reduce(allow_none=False, single=True), make=_distinct, gradgradcheck=True),
    OpCase("max dim indices (ties)", (), lambda a, dim, keepdim: a.max(dim, keepdim).indices,
           lambda a, dim, keepdim: a.max(dim, keepdim).indices,
           _reduce(allow_none=False, single=True), make=_small_integers, gradcheck=False),
    OpCase("min dim indices (ties)", (), lambda a, dim, keepdim: a.min(dim, keepdim)[1],
           lambda a, dim, keepdim: a.min(dim, keepdim)[1],
           _reduce(allow_none=False, single=True), make=_small_integers, gradcheck=False),
    OpCase("amax", (R.Amax,), lambda a, dim, keepdim: a.amax(dim, keepdim),
           lambda a, dim, keepdim: a.amax(_torch_dim(a, dim), keepdim), _reduce(),
           make=_distinct, gradgradcheck=True),
    OpCase("amin", (R.Amin,), lambda a, dim, keepdim: R.amin(a, dim=dim, keepdim=keepdim),
           lambda a, dim, keepdim: a.amin(_torch_dim(a, dim), keepdim), _reduce(),
           make=_distinct, gradgradcheck=True),
    OpCase("argmax (ties: first occurrence)", (), lambda a, dim, keepdim: a.argmax(dim, keepdim),
           lambda a, dim, keepdim: a.argmax(dim, keepdim), _reduce(single=True),
           make=_small_integers, gradcheck=False),
    OpCase("argmin (ties: first occurrence)", (), lambda a, dim, keepdim: a.argmin(dim, keepdim),
           lambda a, dim, keepdim: a.argmin(dim, keepdim), _reduce(single=True),
           make=_small_integers, gradcheck=False),
    OpCase("prod", (R.Prod,), lambda a, dim, keepdim: R.prod(a, dim, keepdim),
           lambda a, dim, keepdim: _torch_prod(a, dim, keepdim), _reduce(),
           make=_away_from_zero, gradgradcheck=True, rtol32=1e-4),
    OpCase("prod with one zero", (R.Prod,), lambda a, dim, keepdim: R.prod(a, dim, keepdim),
           lambda a, dim, keepdim: _torch_prod(a, dim, keepdim), _reduce(), make=_one_zero,
           gradgradcheck=True, rtol32=1e-4),
    OpCase("prod with several zeros", (R.Prod,), lambda a, dim, keepdim: R.prod(a, dim, keepdim),
           lambda a, dim, keepdim: _torch_prod(a, dim, keepdim), _reduce(),
           make=_several_zeros, rtol32=1e-4),
    OpCase("logsumexp", (R.LogSumExp,), lambda a, dim, keepdim: a.logsumexp(dim, keepdim),
           lambda a, dim, keepdim: a.logsumexp(dim, keepdim), _reduce(allow_none=False),
           gradgradcheck=True, low=-5.0, high=5.0),
    OpCase("norm smooth p", (R.Norm,), lambda a, dim, keepdim, p: a.norm(p, dim, keepdim),
           lambda a, dim, keepdim, p: a.norm(p, dim, keepdim),
           _norm_inputs([2, "fro", 3, 1.5, 0.5, 2.5, -1.0]), make=_distinct_magnitudes,
           gradgradcheck=True, rtol32=1e-4, atol32=1e-5),
    OpCase("norm p in {1, inf, -inf}", (R.Norm,),
           lambda a, dim, keepdim, p: R.norm(a, p=p, dim=dim, keepdim=keepdim),
           lambda a, dim, keepdim, p: a.norm(p, dim, keepdim),
           _norm_inputs([1, INF, -INF]), make=_distinct_magnitudes, gradgradcheck=True),
    OpCase("norm p=0 (count of nonzeros)", (R.Norm,),
           lambda a, dim, keepdim, p: R.norm(a, p, dim, keepdim),
           lambda a, dim, keepdim, p: a.norm(p, dim, keepdim),
           _norm_inputs([0]), make=_several_zeros),
    OpCase("all", (), lambda a, dim, keepdim: R.all(a, dim, keepdim),
           lambda a, dim, keepdim: a.all(_torch_dim(a, dim), keepdim), _reduce(),
           make=_small_integers, gradcheck=False),
    OpCase("any", (), lambda a, dim, keepdim: a.any(dim, keepdim),
           lambda a, dim, keepdim: a.any(_torch_dim(a, dim), keepdim), _reduce(),
           make=_small_integers, gradcheck=False),
]


def _torch_prod(a, dim, keepdim):
    """torch.prod takes one dim at a time (or none): reduce the dims one by one."""
    if dim is None:
        out = a.prod()
        return out.reshape((1,) * a.ndim) if keepdim else out
    dims = sorted((d % max(a.ndim, 1) for d in ((dim,) if isinstance(dim, int) else dim)),
                  reverse=True)
    for d in dims:
        a = a.prod(d, keepdim=keepdim) if a.ndim else a.prod()
    return a
