"""Cases for the fused training-mode batch norm (the eval-mode formula is Tensor ops)."""

import math

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_core.ops import arithmetic as A
from autograd_core.ops import normalization as N

from ..opspec import OpCase


@st.composite
def _bn_shapes(draw, affine=True):
    """x ``(N, C, *)`` with 0 to 2 position dims and more than one value per channel,
    plus weight and bias ``(C,)`` when ``affine``."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rest = tuple(draw(st.lists(st.integers(1, 4), max_size=2)))
    if n * math.prod(rest) == 1:
        n = 2
    shape_list = [(n, c, *rest)] + ([(c,), (c,)] if affine else [])
    return shape_list, {"eps": draw(st.sampled_from([1e-5, 1e-3, 0.1]))}


def _running(x, ours):
    """Fixed running statistics for eval mode: mean in [-1, 1], variance in [0.5, 2]."""
    c = x.shape[1]
    mean = np.linspace(-1.0, 1.0, c)
    var = np.linspace(0.5, 2.0, c)
    if ours:
        import autograd_core as ac

        return ac.tensor(mean, dtype=x.dtype), ac.tensor(var, dtype=x.dtype)
    return torch.tensor(mean, dtype=x.dtype), torch.tensor(var, dtype=x.dtype)


def _eval_ours(x, w, b, eps):
    rm, rv = _running(x, True)
    return N.batch_norm(x, w, b, rm, rv, training=False, eps=eps)


def _eval_theirs(x, w, b, eps):
    rm, rv = _running(x, False)
    return torch.nn.functional.batch_norm(x, rm, rv, w, b, training=False, eps=eps)


CASES = [
    OpCase("batch_norm train", (N.BatchNorm,),
           lambda x, w, b, eps: N.batch_norm(x, w, b, training=True, eps=eps),
           lambda x, w, b, eps: torch.nn.functional.batch_norm(x, None, None, w, b,
                                                               training=True, eps=eps),
           _bn_shapes(), rtol32=1e-4, atol32=1e-4, rtol64=1e-9, atol64=1e-9,
           gradgradcheck=True),
    OpCase("batch_norm train no affine", (N.BatchNorm,),
           lambda x, eps: N.batch_norm(x, training=True, eps=eps),
           lambda x, eps: torch.nn.functional.batch_norm(x, None, None, training=True, eps=eps),
           _bn_shapes(affine=False), rtol32=1e-4, atol32=1e-4, rtol64=1e-9, atol64=1e-9,
           gradgradcheck=True),
    OpCase("batch_norm eval", (A.Sub, A.Mul, A.Add), _eval_ours, _eval_theirs,
           _bn_shapes(), gradgradcheck=True),
]
