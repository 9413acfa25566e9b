"""Cases for the fused losses: cross-entropy on class indices, NLL and the binary ones.

Class-index cases draw (C,) unbatched inputs, (N, C) and (N, C, d1, d2) inputs, every
reduction, class weights (passed as a third input that gets no gradient), ``ignore_index``
either -100 (with some targets set to it) or a real class, and label smoothing. At least
one target always counts, so ``'mean'`` never divides by zero (that gives nan, checked in
tests/nn/test_loss.py).
"""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from autograd_core.ops import loss as L

from ..opspec import OpCase

_REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@st.composite
def _class_inputs(draw, spatial=True, smoothing=(0.0,)):
    """Shapes [input, target, weight] and the loss's keyword arguments."""
    c = draw(st.integers(1, 5))
    if draw(st.integers(0, 4)) == 0:
        x_shape, t_shape = (c,), ()
    else:
        n = draw(st.integers(1, 4))
        extra = tuple(draw(st.lists(st.integers(1, 3), max_size=2 if spatial else 0)))
        x_shape, t_shape = (n, c) + extra, (n,) + extra
    kwargs = {
        "reduction": draw(_REDUCTIONS),
        "weighted": draw(st.booleans()),
        "ignore_index": draw(st.sampled_from([-100, 0, 1][:1 + min(c - 1, 2)])),
    }
    if smoothing != (0.0,):
        kwargs["label_smoothing"] = draw(st.sampled_from(smoothing))
    return [x_shape, t_shape, (c,)], kwargs


def _scores_targets_weights(rng, dtype, shape_list, kwargs):
    x_shape, t_shape, (c,) = shape_list
    ignore = kwargs["ignore_index"]
    x = rng.uniform(-3.0, 3.0, size=x_shape).astype(dtype)
    t = np.asarray(rng.integers(0, c, size=t_shape))
    if ignore == -100:
        t[rng.random(t_shape) < 0.3] = -100
    if t.flat[0] == ignore:  # one target that counts: the mean is never 0/0
        t.flat[0] = (ignore + 1) % c if ignore >= 0 else 0
    w = rng.uniform(0.5, 2.0, size=c).astype(dtype)
    return [x, t.astype(np.int64), w]


def _ce_ours(x, t, w, reduction, weighted, ignore_index, label_smoothing=0.0):
    return L.cross_entropy_indices(x, t, w if weighted else None, ignore_index,
                                   label_smoothing, reduction)


def _ce_theirs(x, t, w, reduction, weighted, ignore_index, label_smoothing=0.0):
    return F.cross_entropy(x, t, w if weighted else None, ignore_index=ignore_index,
                           reduction=reduction, label_smoothing=label_smoothing)


def _nll_ours(x, t, w, reduction, weighted, ignore_index):
    return L.nll_loss(x, t, w if weighted else None, ignore_index, reduction)


def _nll_theirs(x, t, w, reduction, weighted, ignore_index):
    return F.nll_loss(x, t, w if weighted else None, ignore_index=ignore_index,
                      reduction=reduction)


@st.composite
def _binary_inputs(draw):
    """Shapes [input, target, weight, pos_weight]: the weights broadcast to the input (a
    suffix of its shape, some sides 1), and the keyword arguments."""
    x_shape = tuple(draw(st.lists(st.integers(1, 4), max_size=3)))
    suffixes = []
    for _ in range(2):
        k = draw(st.integers(0, len(x_shape)))
        tail = x_shape[len(x_shape) - k:]
        suffixes.append(tuple(1 if draw(st.booleans()) else s for s in tail))
    kwargs = {"reduction": draw(_REDUCTIONS), "weighted": draw(st.booleans()),
              "pos_weighted": draw(st.booleans())}
    return [x_shape, x_shape, *suffixes], kwargs


def _make_binary(low, high):
    def make(rng, dtype, shape_list, kwargs):
        x_shape, _, w_shape, pw_shape = shape_list
        return [np.asarray(rng.uniform(low, high, size=x_shape)).astype(dtype),
                np.asarray(rng.uniform(0.0, 1.0, size=x_shape)).astype(dtype),
                np.asarray(rng.uniform(0.5, 2.0, size=w_shape)).astype(dtype),
                np.asarray(rng.uniform(0.5, 3.0, size=pw_shape)).astype(dtype)]

    return make


def _bce_ours(x, y, w, pw, reduction, weighted, pos_weighted):
    return L.binary_cross_entropy(x, y, w if weighted else None, reduction)


def _bce_theirs(x, y, w, pw, reduction, weighted, pos_weighted):
    return F.binary_cross_entropy(x, y, w if weighted else None, reduction=reduction)


def _logits_ours(x, y, w, pw, reduction, weighted, pos_weighted):
    return L.binary_cross_entropy_with_logits(x, y, w if weighted else None, reduction,
                                              pw if pos_weighted else None)


def _logits_theirs(x, y, w, pw, reduction, weighted, pos_weighted):
    return F.binary_cross_entropy_with_logits(x, y, w if weighted else None,
                                              reduction=reduction,
                                              pos_weight=pw if pos_weighted else None)


_CLASS = {"make": _scores_targets_weights, "grad_inputs": [0], "gradgradcheck": True}
_BINARY = {"grad_inputs": [0, 1], "gradgradcheck": True}

CASES = [
    OpCase("cross_entropy", (L.CrossEntropy,), _ce_ours, _ce_theirs,
           _class_inputs(spatial=False), **_CLASS),
    OpCase("cross_entropy K-dim label_smoothing", (L.CrossEntropy,), _ce_ours, _ce_theirs,
           _class_inputs(smoothing=(0.0, 0.1, 0.5, 1.0)), **_CLASS),
    OpCase("nll_loss", (L.NLL,), _nll_ours, _nll_theirs, _class_inputs(), **_CLASS),
    OpCase("binary_cross_entropy", (L.BinaryCrossEntropy,), _bce_ours, _bce_theirs,
           _binary_inputs(), make=_make_binary(0.02, 0.98), **_BINARY),
    OpCase("binary_cross_entropy_with_logits", (L.BinaryCrossEntropyWithLogits,),
           _logits_ours, _logits_theirs, _binary_inputs(), make=_make_binary(-4.0, 4.0),
           **_BINARY),
    # logits of magnitude 1e3: exp overflows unless the loss is computed stably
    OpCase("binary_cross_entropy_with_logits 1e3", (L.BinaryCrossEntropyWithLogits,),
           _logits_ours, _logits_theirs, _binary_inputs(), make=_make_binary(-1e3, 1e3),
           grad_inputs=[0, 1], gradcheck=False),
]

_ = torch  # the torch lambdas above receive torch tensors
