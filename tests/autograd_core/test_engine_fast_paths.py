"""The engine's shortcuts must never change a result: leaves taking a gradient without a
copy, ops that run their ufunc directly when nothing records, and cheap broadcast views."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import autograd_core as ac
from autograd_core.function import functions
from autograd_core.ops._util import broadcast_view

seen: dict[str, int] = {}


class Twice(ac.Function):
    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad):
        out = grad * 2.0
        seen["array"] = id(out._data)
        return out


def test_a_leaf_takes_a_fresh_gradient_without_copying_it():
    x = ac.tensor(np.ones((3, 3)), requires_grad=True)
    Twice.apply(x).sum().backward()
    assert id(x.grad._data) == seen["array"]
    np.testing.assert_array_equal(x.grad.numpy(), 2.0)


def test_one_gradient_sent_to_two_leaves_is_not_shared():
    a = ac.tensor([1.0, 2.0], requires_grad=True)
    b = ac.tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(ac.ones(2))
    assert not np.shares_memory(a.grad._data, b.grad._data)
    (a + b).backward(ac.ones(2))  # accumulates in place into each leaf's own array
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0])


def test_a_gradient_the_user_holds_is_copied():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    seed = ac.tensor([5.0, 7.0])
    (x + 0.0).backward(seed)  # add passes the seed itself on to x
    assert not np.shares_memory(x.grad._data, seed._data)
    x.backward(seed)
    np.testing.assert_array_equal(seed.numpy(), [5.0, 7.0])  # the seed is untouched
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 14.0])


def test_a_retained_gradient_is_not_taken_by_a_leaf():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.retain_grad()
    z = y + 0.0
    z.retain_grad()
    z.backward(ac.tensor([1.0, 1.0]))
    (x * 3.0).backward(ac.tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(z.grad.numpy(), [1.0, 1.0])


def test_a_view_of_a_gradient_is_copied():
    x = ac.tensor(np.ones((2, 3)), requires_grad=True)
    x.sum().backward()  # the gradient is a broadcast of one number: read-only, a view
    assert x.grad._data.flags.writeable
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2.0)


def test_gradients_match_torch_when_leaves_are_used_many_times():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)) for _ in range(3)]
    ours = [ac.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for _ in range(3):
        for (a, b, c) in (ours, theirs):
            (a * b + c * a + b - c * c).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", [f for f in functions() if f.ufunc is not None],
                         ids=lambda f: f.__name__)
def test_a_declared_ufunc_is_what_forward_computes(fn):
    rng = np.random.default_rng(1)
    n_inputs = fn.ufunc.nin
    arrays = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(n_inputs)]
    recorded = fn.apply(*[ac.tensor(a, requires_grad=True) for a in arrays])
    with ac.no_grad():
        direct = fn.apply(*[ac.tensor(a) for a in arrays])
    assert recorded.dtype == direct.dtype
    np.testing.assert_array_equal(recorded.detach().numpy(), direct.numpy())


@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 3), (0, 4), (2, 1, 3)])
def test_broadcast_view_of_a_single_value(shape):
    value = np.array(2.5, dtype=np.float32)
    view = broadcast_view(value, shape)
    expected = np.broadcast_to(value, shape)
    assert view.shape == expected.shape and view.dtype == expected.dtype
    np.testing.assert_array_equal(view, expected)
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view[...] = 1.0


def test_broadcast_view_of_an_array_is_numpys():
    a = np.arange(3.0).reshape(3, 1)
    np.testing.assert_array_equal(broadcast_view(a, (2, 3, 4)), np.broadcast_to(a, (2, 3, 4)))
    with pytest.raises(ValueError):
        broadcast_view(a, (2, 2))


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((), ()), ((4,), ())])
@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("float64", "float64"),
                                    ("float32", "float64"), ("int64", "int64")])
def test_unrecorded_arithmetic_matches_the_recorded_op(op, shapes, dtypes):
    rng = np.random.default_rng(2)
    arrays = [(rng.standard_normal(s) * 4).astype(d) for s, d in zip(shapes, dtypes)]
    recorded = getattr(ac, op)(*[ac.tensor(a, requires_grad=a.dtype.kind == "f")
                                 for a in arrays])
    with ac.no_grad():
        plain = getattr(ac, op)(*[ac.tensor(a) for a in arrays])
    assert type(plain._data) is np.ndarray
    assert plain.dtype == recorded.dtype and plain.shape == recorded.shape
    np.testing.assert_array_equal(plain.numpy(), recorded.detach().numpy())


def test_unrecorded_arithmetic_is_still_checked_by_anomaly_mode():
    a = ac.tensor([1.0, np.inf])
    with ac.no_grad(), ac.detect_anomaly(), pytest.raises(FloatingPointError, match="Sub"):
        a - a


def test_subtracting_bool_tensors_names_the_fix():
    a = ac.tensor([True, False])
    for mode in (ac.enable_grad, ac.no_grad):
        with mode(), pytest.raises(TypeError, match=r"sub: .*bool.*\(2,\).*a != b"):
            a - a
