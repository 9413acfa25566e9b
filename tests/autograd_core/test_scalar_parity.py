"""`Value` against PyTorch float64: random expressions over every op and operator form.

Hypothesis draws an expression tree over three shared leaves (so nodes get reused), with
constants on either side of the operators and IEEE special values (0, ±inf, nan) among the
inputs. The tree is evaluated once with `Value` and once with 0-d float64 torch tensors;
results and every leaf's gradient must agree to 1e-12 relative, nan for nan, inf for inf.

"Relative" is measured against the magnitude of what was summed, the standard
floating-point error model: PyTorch computes ``g / b`` where `Value` computes ``(1/b) * g``,
so ``x/x`` sums two terms of size 1/x that cancel, and the last-bit difference of each term
shows in the (near-zero) sum. The scale of a gradient is therefore the sum over paths of
|local derivative| products (the gradient of the same graph with every local derivative
replaced by its absolute value), and the scale of a value the largest magnitude in its graph.
A few local derivatives are themselves differences of nearly equal numbers (tanh's
``1 - y*y`` near saturation): their scale is the size of the terms, not of the difference.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from autograd_core import Value
from autograd_core.engine import backward_order
from autograd_core.scalar import maximum, minimum

# Moderate magnitudes: products of local derivatives of tiny numbers overflow, and where
# PyTorch computes g / b and we compute (1/b) * g, one may overflow where the other does not.
moderate = st.floats(-4.0, 4.0, allow_nan=False).filter(lambda x: x == 0.0 or abs(x) >= 1e-3)
finite_numbers = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, -2.0, 3.0]), moderate)
SPECIAL = [-0.0, math.inf, -math.inf, math.nan]
numbers = st.one_of(st.sampled_from(SPECIAL), finite_numbers)

# name -> (Value version, torch version)
UNARY = {
    "neg": (lambda a: -a, lambda a: -a),
    "exp": (lambda a: a.exp(), torch.exp),
    "log": (lambda a: a.log(), torch.log),
    "sqrt": (lambda a: a.sqrt(), torch.sqrt),
    "tanh": (lambda a: a.tanh(), torch.tanh),
    "sigmoid": (lambda a: a.sigmoid(), torch.sigmoid),
    "relu": (lambda a: a.relu(), torch.relu),
    "leaky_relu": (lambda a: a.leaky_relu(), F.leaky_relu),
    "leaky_relu_0.2": (lambda a: a.leaky_relu(0.2), lambda a: F.leaky_relu(a, 0.2)),
    "elu": (lambda a: a.elu(), F.elu),
    "elu_0.5": (lambda a: a.elu(0.5), lambda a: F.elu(a, 0.5)),
    "softplus": (lambda a: a.softplus(), F.softplus),
    "abs": (lambda a: a.abs(), torch.abs),
    "abs_builtin": (abs, abs),
}
BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: a + b),
    "-": (lambda a, b: a - b, lambda a, b: a - b),
    "*": (lambda a, b: a * b, lambda a, b: a * b),
    "/": (lambda a, b: a / b, lambda a, b: a / b),
    "**": (lambda a, b: a ** b, lambda a, b: a ** b),
    "maximum": (maximum, torch.maximum),
    "minimum": (minimum, torch.minimum),
}
N_LEAVES = 3


def trees(depth: int, constants=numbers):
    """Expression trees as nested tuples: ('leaf', i) | ('const', c) | (op, child, ...)."""
    leaf = st.tuples(st.just("leaf"), st.integers(0, N_LEAVES - 1))
    if depth == 0:
        return leaf
    child = trees(depth - 1, constants)
    const = st.tuples(st.just("const"), constants)
    unary = st.tuples(st.sampled_from(sorted(UNARY)), child)
    binary = st.tuples(st.sampled_from(sorted(BINARY)), child, st.one_of(child, child, const))
    rbinary = st.tuples(st.sampled_from(sorted(BINARY)), const, child)
    return st.one_of(leaf, unary, binary, rbinary)


def evaluate(tree, leaves, backend: int):
    """Evaluate a tree with backend 0 (`Value`) or 1 (torch)."""
    kind = tree[0]
    if kind == "leaf":
        return leaves[tree[1]]
    if kind == "const":
        return tree[1]
    if kind in UNARY:
        return UNARY[kind][backend](evaluate(tree[1], leaves, backend))
    a, b = (evaluate(t, leaves, backend) for t in tree[1:])
    if backend and kind in ("maximum", "minimum"):
        # torch.maximum takes tensors only; a 0-d constant tensor gets no gradient
        a, b = (torch.tensor(x, dtype=torch.float64) if isinstance(x, float) else x for x in (a, b))
    return BINARY[kind][backend](a, b)


def close(ours: float, theirs: float, scale: float = 0.0, rel: float = 1e-12) -> bool:
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if ours == theirs:
        return True
    if not math.isfinite(scale):
        scale = 0.0
    return abs(ours - theirs) <= rel * max(abs(ours), abs(theirs), scale)


def value_scale(out: Value) -> float:
    """The largest finite magnitude in the graph of ``out``."""
    return max((abs(n.data) for n in backward_order([out]) if math.isfinite(n.data)), default=0.0)


def local_scales(node: Value) -> list:
    """|local derivative| of each input, or the size of the terms it was computed from."""
    y = abs(node.data)
    scales = [None if d is None else abs(d) for d in node._local]
    if node._op == "tanh":  # 1 - y*y
        scales = [1.0 + y * y]
    elif node._op == "sigmoid":  # (1 - y) * y
        scales = [(1.0 + y) * y]
    elif node._op in ("**", "c**"):  # d/d exponent = y * log(base): log is tiny near 1
        scales[-1] = y * (1.0 + abs(scales[-1] / y)) if y else scales[-1]
    return scales


def gradient_scales(out: Value) -> dict:
    """Per node: the sum over paths to ``out`` of the product of local scales."""
    scale = {out: 1.0}
    for node in backward_order([out]):
        s = scale.get(node, 0.0)
        for child, d in zip(node._inputs, local_scales(node)):
            if d is not None:
                scale[child] = scale.get(child, 0.0) + d * s
    return scale


def run_both(tree, values):
    leaves = [Value(v) for v in values]
    out = evaluate(tree, leaves, 0)
    tleaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    tout = evaluate(tree, tleaves, 1)
    if not isinstance(out, Value):  # a tree of constants only: nothing to differentiate
        return None
    out.backward()
    tout.backward()
    return out, leaves, tout, tleaves


def assert_agree(tree, values):
    result = run_both(tree, values)
    if result is None:
        return
    out, leaves, tout, tleaves = result
    assert close(out.data, tout.item(), value_scale(out)), (tree, values, out.data, tout.item())
    scales = gradient_scales(out)
    for i, (ours, theirs) in enumerate(zip(leaves, tleaves)):
        expected = 0.0 if theirs.grad is None else theirs.grad.item()
        scale = scales.get(ours, 0.0)
        assert close(ours.grad, expected, scale), (tree, values, i, ours.grad, expected, scale)


@given(trees(4, finite_numbers), st.lists(finite_numbers, min_size=N_LEAVES, max_size=N_LEAVES))
def test_random_expressions_match_torch_on_finite_inputs(tree, values):
    assert_agree(tree, values)


@given(trees(3), st.lists(numbers, min_size=N_LEAVES, max_size=N_LEAVES))
def test_random_expressions_match_torch_with_special_values(tree, values):
    assert_agree(tree, values)


@given(st.sampled_from(sorted(UNARY)), numbers)
def test_every_unary_op(name, x):
    assert_agree((name, ("leaf", 0)), [x, 0.0, 0.0])


@given(st.sampled_from(sorted(BINARY)), numbers, numbers, st.integers(0, 2))
def test_every_binary_op_and_operator_form(name, x, y, form):
    a, b = ("leaf", 0), ("leaf", 1)
    tree = [(name, a, b), (name, a, ("const", y)), (name, ("const", x), b)][form]
    assert_agree(tree, [x, y, 0.0])


def test_repeated_use_matches_torch():
    for tree in [
        ("*", ("leaf", 0), ("leaf", 0)),  # a * a: two edges to a
        ("+", ("leaf", 0), ("leaf", 0)),  # a + a
        # one node used by three consumers
        ("+", ("*", ("tanh", ("leaf", 0)), ("exp", ("tanh", ("leaf", 0)))), ("tanh", ("leaf", 0))),
    ]:
        for x in (-1.3, 0.0, 0.7):
            assert_agree(tree, [x, 0.0, 0.0])


def test_relu_keeps_the_sign_of_zero_like_torch():
    """relu(-0.0) is -0.0 in PyTorch, and the sign matters downstream: 1/relu(-0.0) = -inf."""
    for x in (-0.0, 0.0):
        ours = Value(x).relu()
        theirs = torch.relu(torch.tensor(x, dtype=torch.float64)).item()
        assert math.copysign(1.0, ours.data) == math.copysign(1.0, theirs)
    assert (1.0 / Value(-0.0).relu()).data == -math.inf
