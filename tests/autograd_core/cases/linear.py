"""Cases for the layer ops: fused ``linear`` and ``embedding``."""

import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_core.ops import linear as L

from ..opspec import OpCase


@st.composite
def _linear_shapes(draw, bias=True):
    """x ``(*, in)`` with 0 to 3 leading dimensions, weight ``(out, in)``, bias ``(out,)``."""
    lead = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    in_f, out_f = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    shape_list = [lead + (in_f,), (out_f, in_f)] + ([(out_f,)] if bias else [])
    return shape_list, {}


@st.composite
def _embedding_inputs(draw, padding=False):
    """An index shape (0 to 3 dims), a table ``(num, dim)`` and, if ``padding``, a padding
    row (possibly negative, counted from the end)."""
    index_shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    num, dim = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    padding_idx = draw(st.integers(-num, num - 1)) if padding else None
    return [index_shape, (num, dim)], {"padding_idx": padding_idx}


def _indices_and_table(rng, dtype, shape_list, kwargs):
    index_shape, table_shape = shape_list
    indices = rng.integers(0, table_shape[0], size=index_shape)  # small tables: many repeats
    table = rng.uniform(-2.0, 2.0, size=table_shape).astype(dtype)
    return [indices.astype("int64"), table]


CASES = [
    OpCase("linear", (L.Linear,), lambda x, w, b: L.linear(x, w, b),
           lambda x, w, b: torch.nn.functional.linear(x, w, b), _linear_shapes(),
           gradgradcheck=True),
    OpCase("linear no bias", (L.Linear,), lambda x, w: L.linear(x, w),
           lambda x, w: torch.nn.functional.linear(x, w), _linear_shapes(bias=False),
           gradgradcheck=True),
    OpCase("embedding", (L.Embedding,),
           lambda i, w, padding_idx: L.embedding(i, w, padding_idx),
           lambda i, w, padding_idx: torch.nn.functional.embedding(i, w, padding_idx),
           _embedding_inputs(), make=_indices_and_table, grad_inputs=[1], gradgradcheck=True),
    # The padding row getting no gradient is a convention, not the derivative: no gradcheck.
    OpCase("embedding padding_idx", (L.Embedding,),
           lambda i, w, padding_idx: L.embedding(i, w, padding_idx),
           lambda i, w, padding_idx: torch.nn.functional.embedding(i, w, padding_idx),
           _embedding_inputs(padding=True), make=_indices_and_table, grad_inputs=[1],
           gradcheck=False),
]
