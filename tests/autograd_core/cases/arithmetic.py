"""Cases for + - * / ** and negation, broadcasting and promotion included."""

import torch
from hypothesis import strategies as st

from autograd_core.ops import arithmetic as A
from autograd_core.ops import broadcast as B
from autograd_core.ops import elementwise as E

from ..opspec import OpCase, shapes


def _positive_base(rng, dtype, shape_list, kwargs):
    base = rng.uniform(0.5, 2.0, size=shape_list[0]).astype(dtype)
    exponent = rng.uniform(-2.0, 2.0, size=shape_list[1]).astype(dtype)
    return [base, exponent]


@st.composite
def _scalar_operand(draw):
    shape_list, _ = draw(shapes(1))
    return shape_list, {"c": draw(st.sampled_from([2.0, -1.5, 0.5, 3.0, 1.0]))}


CASES = [
    OpCase("add", (A.Add,), lambda a, b: a + b, lambda a, b: a + b, shapes(2), gradgradcheck=True),
    OpCase("sub", (A.Sub,), lambda a, b: a - b, lambda a, b: a - b, shapes(2), gradgradcheck=True),
    OpCase("mul", (A.Mul,), lambda a, b: a * b, lambda a, b: a * b, shapes(2), gradgradcheck=True),
    OpCase("div", (A.Div,), lambda a, b: a / b, lambda a, b: a / b, shapes(2), low=0.5, high=2.0,
           gradgradcheck=True),
    OpCase("neg", (A.Neg,), lambda a: -a, lambda a: -a, shapes(1), gradgradcheck=True),
    OpCase("add scalar", (A.Add,), lambda a, c: a + c, lambda a, c: a + c, _scalar_operand()),
    OpCase("radd scalar", (A.Add,), lambda a, c: c + a, lambda a, c: c + a, _scalar_operand()),
    OpCase("rsub scalar", (A.Sub,), lambda a, c: c - a, lambda a, c: c - a, _scalar_operand()),
    OpCase("mul scalar", (A.Mul,), lambda a, c: c * a, lambda a, c: c * a, _scalar_operand()),
    OpCase("rdiv scalar", (A.Div,), lambda a, c: c / a, lambda a, c: c / a, _scalar_operand(),
           low=0.5, high=2.0),
    OpCase("pow scalar exponent", (A.Pow,), lambda a, c: a ** c, lambda a, c: a ** c,
           _scalar_operand(), low=0.5, high=2.0, gradgradcheck=True),
    OpCase("pow scalar base", (A.Pow,), lambda a, c: abs(c) ** a, lambda a, c: abs(c) ** a,
           _scalar_operand()),
    OpCase("pow tensors", (A.Pow,), lambda a, b: a ** b, lambda a, b: a ** b, shapes(2),
           make=_positive_base, gradgradcheck=True),
    OpCase("promotion float32+float64", (A.Add, E.Cast),
           lambda a, b: a.float() + b.double(), lambda a, b: a.float() + b.double(), shapes(2),
           rtol64=1e-5, atol64=1e-6,  # a 0-d float64 does not widen float32: float32 math
           extra={"gradcheck": {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3}}),
    OpCase("sum_to", (B.SumTo,), lambda a: B.sum_to(a, (1,) * a.ndim),
           lambda a: a.sum_to_size((1,) * a.ndim) if a.ndim else a.clone(), shapes(1, min_dims=1),
           gradgradcheck=True),
    OpCase("expand", (B.BroadcastTo,), lambda a: a.expand(3, *a.shape),
           lambda a: a.expand(3, *a.shape), shapes(1), gradgradcheck=True),
]

_ = torch  # the torch lambdas above receive torch tensors
