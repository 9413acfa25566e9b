"""Cases for matmul / @ (1-D, 2-D and batched operands with broadcasting batch dimensions),
mm, bmm, dot, mv, outer, and the matrix transpose matmul's backward uses."""

import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_core.ops import arithmetic as A
from autograd_core.ops import elementwise as E
from autograd_core.ops import linalg as L
from autograd_core.ops import reduction as R

from ..opspec import OpCase, shapes

_side = st.integers(1, 4)


@st.composite
def _matmul_shapes(draw):
    """Two shapes numpy's matmul accepts: either may be 1-D; batch dims broadcast."""
    n, k, m = draw(_side), draw(_side), draw(_side)
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                   min_side=1, max_side=3)).input_shapes
    a_vector, b_vector = draw(st.booleans()), draw(st.booleans())
    a = (k,) if a_vector else batch[0] + (n, k)
    b = (k,) if b_vector else batch[1] + (k, m)
    return [a, b], {}


@st.composite
def _sizes(draw, pattern):
    """Shapes for mm ('nk,km'), bmm ('bnk,bkm'), dot ('k,k'), mv ('nk,k'), outer ('n,m')."""
    size = {c: draw(_side) for c in "bnkm"}
    return [tuple(size[c] for c in part) for part in pattern.split(",")], {}


CASES = [
    OpCase("matmul", (L.MatMul,), lambda a, b: a @ b, lambda a, b: a @ b, _matmul_shapes(),
           gradgradcheck=True),
    OpCase("matmul function", (L.MatMul,), lambda a, b: L.matmul(a, b),
           lambda a, b: torch.matmul(a, b), _matmul_shapes()),
    OpCase("matmul float32 @ float64", (L.MatMul, E.Cast), lambda a, b: a.float() @ b.double(),
           lambda a, b: a.float().double() @ b.double(), _matmul_shapes(),
           rtol64=1e-6, atol64=1e-6,  # the float32 rounding of a, then float64 math
           extra={"gradcheck": {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3}}),
    OpCase("mm", (L.MatMul,), lambda a, b: a.mm(b), lambda a, b: a.mm(b), _sizes("nk,km"),
           gradgradcheck=True),
    OpCase("bmm", (L.MatMul,), lambda a, b: L.bmm(a, b), lambda a, b: torch.bmm(a, b),
           _sizes("bnk,bkm"), gradgradcheck=True),
    OpCase("dot", (L.MatMul,), lambda a, b: a.dot(b), lambda a, b: a.dot(b), _sizes("k,k"),
           gradgradcheck=True),
    OpCase("mv", (L.MatMul,), lambda a, b: L.mv(a, b), lambda a, b: torch.mv(a, b),
           _sizes("nk,k"), gradgradcheck=True),
    OpCase("outer", (R.Unreduce, A.Mul), lambda a, b: a.outer(b), lambda a, b: a.outer(b),
           _sizes("n,m"), gradgradcheck=True),
    OpCase("matrix transpose (mT)", (L.MatrixTranspose,), lambda a: L.matrix_transpose(a),
           lambda a: a.mT, shapes(1, min_dims=2), gradgradcheck=True),
]
