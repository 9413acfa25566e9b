"""Cases for softmax and log_softmax: any dim, 0-d included, and inputs of magnitude 1e4."""

import torch

import autograd_core as ac
from autograd_core.ops import softmax as S

from ..opspec import OpCase, shapes, with_dim


def _dims(min_dims: int = 0):
    return with_dim(shapes(1, min_dims=min_dims), keepdim=False)


CASES = [
    OpCase("softmax", (S.Softmax,), lambda a, dim: ac.softmax(a, dim),
           lambda a, dim: torch.softmax(a, dim), _dims(), gradgradcheck=True),
    OpCase("log_softmax", (S.LogSoftmax,), lambda a, dim: ac.log_softmax(a, dim),
           lambda a, dim: torch.log_softmax(a, dim), _dims(), gradgradcheck=True),
    # magnitude 1e4: without subtracting the max, exp overflows (float32 and float64 alike)
    OpCase("softmax 1e4", (S.Softmax,), lambda a, dim: a.softmax(dim),
           lambda a, dim: a.softmax(dim), _dims(1), low=-1e4, high=1e4, gradcheck=False),
    OpCase("log_softmax 1e4", (S.LogSoftmax,), lambda a, dim: a.log_softmax(dim),
           lambda a, dim: a.log_softmax(dim), _dims(1), low=-1e4, high=1e4, gradcheck=False),
    OpCase("log_softmax dtype=float64", (S.LogSoftmax,),
           lambda a, dim: ac.log_softmax(a, dim, dtype=ac.float64),
           lambda a, dim: torch.log_softmax(a, dim, dtype=torch.float64), _dims()),
]
