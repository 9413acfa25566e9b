"""Bad input gets a clear error that names the op and the shapes or dtypes involved."""

import re

import pytest

import autograd_core as ac


def leaf(*shape):
    return ac.randn(*shape, requires_grad=True)


def broadcast_mismatch():
    leaf(2, 3) + leaf(4)


def broadcast_mismatch_mixed_dtypes():
    leaf(2, 3) * leaf(4).double()


def inplace_broadcast_mismatch():
    with ac.no_grad():
        leaf(3).add_(leaf(2))


def matmul_inner():
    leaf(2, 3) @ leaf(4, 5)


def matmul_batch():
    leaf(2, 2, 3) @ leaf(3, 3, 2).double()


def backward_non_scalar():
    (leaf(2, 3) * 2.0).backward()


def backward_twice():
    y = leaf(3).exp().sum()
    y.backward()
    y.backward()


def inplace_on_saved():
    x = leaf(3)
    h = x * 2.0
    y = h.exp()  # saves its output
    with ac.no_grad():
        y.add_(1.0)
    y.sum().backward()


def float_index():
    leaf(3, 4)[ac.tensor([0.0, 1.0])]


def int_requires_grad():
    ac.tensor([1, 2, 3]).requires_grad_()


def inplace_on_leaf():
    leaf(3).add_(1.0)


CASES = [
    (broadcast_mismatch, ValueError, [r"add", r"\(2, 3\)", r"\(4,\)", r"float32"]),
    (broadcast_mismatch_mixed_dtypes, ValueError,
     [r"mul", r"\(2, 3\)", r"\(4,\)", r"float32 and float64"]),
    (inplace_broadcast_mismatch, ValueError, [r"add_", r"\(3,\)", r"\(2,\)", r"float32"]),
    (matmul_inner, (ValueError, RuntimeError),
     [r"matmul", r"\(2, 3\)", r"\(4, 5\)", r"float32 and float32"]),
    (matmul_batch, ValueError, [r"matmul", r"\(2, 2, 3\)", r"\(3, 3, 2\)", r"float32 and float64"]),
    (backward_non_scalar, RuntimeError, [r"backward", r"\(2, 3\)"]),
    (backward_twice, RuntimeError, [r"ExpBackward|SumBackward", r"retain_graph"]),
    (inplace_on_saved, RuntimeError, [r"ExpBackward", r"in-place", r"\(3,\)"]),
    (float_index, (IndexError, TypeError), [r"float32", r"index"]),
    (int_requires_grad, RuntimeError, [r"requires_grad", r"int64", r"\(3,\)"]),
    (inplace_on_leaf, RuntimeError, [r"add_", r"leaf", r"\(3,\)"]),
]


@pytest.mark.parametrize("make_error, kind, patterns", CASES, ids=[c[0].__name__ for c in CASES])
def test_error_names_op_and_shapes(make_error, kind, patterns):
    with pytest.raises(kind) as info:
        make_error()
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), f"{pattern!r} not in: {info.value}"
