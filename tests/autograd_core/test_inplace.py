"""In-place ops (``add_``, ``+=``, ``clamp_``, ``copy_``, ...) against PyTorch's semantics.

Each scenario is written once and run on both libraries (``lib`` is ``autograd_core`` or
``torch``), so values, gradients and errors are compared with PyTorch's own.
"""

import operator

import numpy as np
import pytest
import torch

import autograd_core as ac

G = [1.0, 10.0, 100.0]


def _inputs(lib, dtype="float32"):
    dt = getattr(lib, dtype)
    x = lib.tensor([0.3, -1.2, 2.0], dtype=dt, requires_grad=True)
    w = lib.tensor([0.5, -1.0, 2.5], dtype=dt, requires_grad=True)
    s = lib.tensor(1.5, dtype=dt, requires_grad=True)
    return x, w, s


def _grad(t):
    return None if t.grad is None else np.asarray(t.grad.detach().numpy())


def _run(lib, scenario):
    x, w, s = _inputs(lib)
    y = scenario(lib, x, w, s)
    y.backward(lib.tensor(np.broadcast_to(G, tuple(y.shape)).copy(), dtype=y.dtype))
    return y.detach().numpy(), [_grad(t) for t in (x, w, s)], y.dtype


SCENARIOS = {
    "add_ then mul_": lambda lib, x, w, s: (x * 2).add_(1).mul_(3),
    "mul_ by a tensor": lambda lib, x, w, s: (x * 1).mul_(w),
    "div_ by a tensor": lambda lib, x, w, s: (x * 1).div_(w),
    "sub_ with alpha": lambda lib, x, w, s: (x * 1).sub_(w, alpha=2),
    "add_ of itself": lambda lib, x, w, s: (x * 1).add_(x * 1),
    "mul_ by a 0-d tensor": lambda lib, x, w, s: (x * 1).mul_(s),
    "augmented assignment": lambda lib, x, w, s: operator.isub(operator.itruediv(
        operator.imul(operator.iadd(x * 1, w), x), 2.0), s),
    "copy_": lambda lib, x, w, s: (x * 2).copy_(w),
    "copy_ broadcast": lambda lib, x, w, s: (x * 2).copy_(s),
    "zero_": lambda lib, x, w, s: (x * 2).zero_().add_(w),
    "fill_ number": lambda lib, x, w, s: (x * 2).fill_(5.0).mul_(w),
    "fill_ 0-d tensor": lambda lib, x, w, s: (x * 2).fill_(s),
    "clamp_ numbers": lambda lib, x, w, s: (x * 1).clamp_(-0.5, 1.0),
    "clamp_ at its bounds": lambda lib, x, w, s: (x * 1).clamp_(0.3, 2.0),
    "clamp_ tensor min": lambda lib, x, w, s: (x * 1).clamp_(min=w),
    "in-place into a constant": lambda lib, x, w, s: lib.zeros(3).add_(w).mul_(x),
    "in-place after an op that saved nothing": lambda lib, x, w, s: _saved_nothing(x),
    "non-contiguous": lambda lib, x, w, s: (x.reshape(3, 1) * w).t().mul_(2).add_(s),
}


def _saved_nothing(x):
    y = x * 2
    z = y + 1  # Add saves nothing: changing y later does not affect its backward
    y.add_(1)
    return z * 1


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_gradients_through_inplace_ops_match_torch(name):
    ours = _run(ac, SCENARIOS[name])
    theirs = _run(torch, SCENARIOS[name])
    assert ours[0].shape == theirs[0].shape
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6, err_msg=f"{name}: values")
    assert str(ours[2]) == str(theirs[2]).replace("torch.", "")
    for i, (g, tg) in enumerate(zip(ours[1], theirs[1])):
        if tg is None:
            assert g is None or not g.any(), f"{name}: input {i} should get no gradient"
        else:
            assert g is not None, f"{name}: no gradient for input {i}"
            np.testing.assert_allclose(g, tg, rtol=1e-6, err_msg=f"{name}: gradient {i}")


def test_inplace_returns_the_same_tensor_and_records_the_op():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    assert y.add_(1) is y and y.mul_(2) is y and y.clamp_(0, 5) is y
    z = y
    y += 1
    y /= 2
    assert y is z
    assert y.grad_fn.name == "DivBackward" and not y.is_leaf
    assert y._version == 5


@pytest.mark.parametrize("op", [
    lambda t: t.add_(1), lambda t: t.sub_(1), lambda t: t.mul_(2), lambda t: t.div_(2),
    lambda t: t.zero_(), lambda t: t.fill_(1.0), lambda t: t.copy_(t.detach() * 2),
    lambda t: t.clamp_(0, 1), lambda t: operator.iadd(t, 1), lambda t: operator.imul(t, 2),
    lambda t: operator.isub(t, 1), lambda t: operator.itruediv(t, 2),
])
def test_leaf_that_requires_grad_cannot_change_in_place(op):
    x = ac.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad \(shape \(3,\)") as e:
        op(x)
    assert "no_grad" in str(e.value) and "out-of-place" in str(e.value)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        op(torch.tensor([1.0, 2.0, 3.0], requires_grad=True))
    assert x._version == 0 and x.tolist() == [1.0, 2.0, 3.0]


def test_leaf_update_under_no_grad_like_an_optimizer_step():
    p = ac.tensor([1.0, 2.0], requires_grad=True)
    with ac.no_grad():
        p.sub_(ac.tensor([0.5, 0.5]), alpha=0.1)
        p *= 2
    assert p.tolist() == pytest.approx([1.9, 3.9])
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p._version == 2


def test_inplace_on_a_non_leaf_under_no_grad_keeps_its_graph():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    with ac.no_grad():
        y.add_(1)
    (y * 2).backward(ac.ones(2))
    assert y.tolist() == [4.0, 7.0] and x.grad.tolist() == [6.0, 6.0]  # as PyTorch


# -- a saved tensor changed in place ------------------------------------------------------


def _sin_input_changed(lib, x):
    a = x * 1
    y = a.sin()  # Sin saves its input a
    a.add_(1)
    return y


def _sin_input_changed_under_no_grad(lib, x):
    a = x * 1
    y = a.sin()
    with (ac.no_grad() if lib is ac else torch.no_grad()):
        a.mul_(2)
    return y


def _mul_by_itself(lib, x):
    y = x * 1
    return y.mul_(y)  # Mul saves y, which the op itself then changes


@pytest.mark.parametrize("scenario, op", [
    (_sin_input_changed, "Sin"), (_sin_input_changed_under_no_grad, "Sin"),
    (_mul_by_itself, "Mul"),
])
def test_backward_through_a_saved_tensor_changed_in_place_raises(scenario, op):
    x = ac.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = scenario(ac, x)
    with pytest.raises(RuntimeError, match=rf"{op}Backward: .*modified by an in-place"):
        y.backward(ac.tensor(G))
    tx = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        scenario(torch, tx).backward(torch.tensor(G))




@pytest.mark.parametrize("fn", ["exp", "sqrt", "tanh", "sigmoid", "relu"])
def test_changing_an_output_that_its_op_saved_raises_at_backward(fn):
    x = ac.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = getattr(x, fn)()  # these ops save their output
    y.add_(1)
    with pytest.raises(RuntimeError, match=rf"{fn.capitalize()}Backward: .*in-place"):
        y.backward(ac.tensor(G))


def test_changing_a_saved_output_under_no_grad_still_raises():
    x = ac.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()
    with ac.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="ExpBackward"):
        y.backward(ac.ones(2))


@pytest.mark.parametrize("fn", ["exp", "relu", "sigmoid"])
def test_torch_also_raises_for_a_changed_saved_output(fn):
    x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = getattr(x, fn)()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(torch.tensor(G))


# -- views ----------------------------------------------------------------------------------


def test_views_see_inplace_changes():
    base = ac.zeros(2, 3)
    row, flat, transposed = base[0], base.reshape(6), base.t()
    row.add_(1)
    transposed.mul_(ac.tensor([2.0, 3.0]))
    flat.sub_(0.5)
    assert base.tolist() == [[1.5, 1.5, 1.5], [-0.5, -0.5, -0.5]]
    assert row.tolist() == [1.5, 1.5, 1.5] and flat.tolist()[3:] == [-0.5] * 3
    assert base._version == row._version == flat._version == transposed._version == 3


def test_a_detached_alias_sees_a_recorded_inplace_change():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    d = y.detach()
    y.mul_(3)
    assert d.tolist() == [3.0, 6.0] and d._version == y._version == 1
    y.backward(ac.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]


def test_recorded_inplace_on_a_view_or_its_base_raises_instead_of_a_wrong_gradient():
    x = ac.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    row = y[0]
    with pytest.raises(RuntimeError, match="mul_: .*shares its memory"):
        row.mul_(2)
    with pytest.raises(RuntimeError, match="add_: .*shares its memory"):
        y.add_(1)
    del row
    y.add_(1)  # no live view left: fine
    y.backward(ac.ones(2, 2))
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


# -- dtypes, shapes and other errors -------------------------------------------------------


@pytest.mark.parametrize("op, message", [
    (lambda lib, t: t.add_(1.5),
     "add_: result type float32 can't be cast to the desired output type int64"),
    (lambda lib, t: t.div_(2), "div_: result type float32"),
    (lambda lib, t: operator.itruediv(t, 2), "div_: result type float32"),
    (lambda lib, t: t.mul_(t.float()), "mul_: result type float32"),
    (lambda lib, t: t.add_(lib.tensor(1.5)), "add_: result type float32"),
    (lambda lib, t: t.clamp_(0.5), "clamp_: result type float32"),
    (lambda lib, t: t.add_(1, alpha=0.5), "alpha must not be a floating point number"),
])
def test_a_float_result_cannot_go_into_an_integer_tensor(op, message):
    t = ac.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match=message):
        op(ac, t)
    assert t.tolist() == [1, 2, 3] and t._version == 0
    with pytest.raises(RuntimeError):
        op(torch, torch.tensor([1, 2, 3]))


def test_integer_and_bool_inplace_follow_torch():
    i32 = ac.tensor([1, 2], dtype=ac.int32)
    i32.add_(ac.tensor([10, 20]))  # int64 result into int32: allowed, as in PyTorch
    assert i32.dtype == ac.int32 and i32.tolist() == [11, 22]
    i = ac.tensor([5, 7])
    i *= 2
    i -= 1
    assert i.tolist() == [9, 13] and i.dtype == ac.int64
    assert ac.tensor([0, 0, 0]).copy_(ac.tensor([1.7, -2.7, 3.2])).tolist() == [1, -2, 3]
    assert ac.zeros(2, dtype=ac.int64).fill_(-1.7).tolist() == [-1, -1]
    flags = ac.tensor([True, False])
    assert flags.add_(True).tolist() == [True, True]
    with pytest.raises(RuntimeError, match="result type int64 can't be cast to the desired "
                                           "output type bool"):
        flags.add_(1)
    with pytest.raises(RuntimeError, match="sub_: subtraction of bool tensors"):
        flags.sub_(flags)


def test_integer_tensor_takes_a_float_that_requires_grad_without_a_graph():
    w = ac.tensor([0.5, -1.0, 2.5], requires_grad=True)
    i = ac.zeros(3, dtype=ac.int64).copy_(w)
    assert i.tolist() == [0, -1, 2] and not i.requires_grad and i.grad_fn is None


def test_float32_tensor_with_a_float64_operand_stays_float32():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    d = ac.tensor([3.0, 4.0], dtype=ac.float64, requires_grad=True)
    y = (x * 1).mul_(d)
    assert y.dtype == ac.float32
    y.backward(ac.ones(2))
    assert x.grad.dtype == ac.float32 and x.grad.tolist() == [3.0, 4.0]
    assert d.grad.dtype == ac.float64 and d.grad.tolist() == [1.0, 2.0]


def test_an_inplace_op_cannot_change_the_shape():
    with pytest.raises(RuntimeError, match=r"add_: output with shape \(3,\) doesn't match the "
                                           r"broadcast shape \(2, 3\)"):
        ac.ones(3).add_(ac.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"copy_: output with shape \(3,\)"):
        ac.ones(3).copy_(ac.ones(2, 3))
    with pytest.raises(ValueError, match=r"copy_: shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        ac.zeros(2, 3).copy_(ac.ones(2))


def test_other_inplace_errors():
    with pytest.raises(RuntimeError, match="read-only: it is an expanded view"):
        ac.ones(1).expand(3).add_(1)
    with pytest.raises(RuntimeError, match="fill_: only a 0-dimensional value tensor"):
        ac.zeros(3).fill_(ac.ones(1))
    with pytest.raises(RuntimeError, match="clamp_: at least one of 'min' or 'max'"):
        ac.zeros(3).clamp_()
    with pytest.raises(TypeError, match="add_: expected a Tensor or a number, got str"):
        ac.zeros(3).add_("1")


def test_second_order_through_an_inplace_op():
    x = ac.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y.mul_(x)  # y = x**2
    (gx,) = ac.grad(y, x, ac.ones(3), create_graph=True)
    (ggx,) = ac.grad(gx, x, ac.ones(3))
    assert gx.tolist() == [2.0, 4.0, 6.0] and ggx.tolist() == [2.0, 2.0, 2.0]


def test_nan_and_inf_in_inplace_ops_match_torch():
    values = [np.nan, np.inf, -np.inf, 0.0, -1.0]
    for op in (lambda t: t.div_(0.0), lambda t: t.mul_(0.0), lambda t: t.clamp_(-0.5, 0.5),
               lambda t: t.add_(-np.inf)):
        ours = op(ac.tensor(values)).numpy()
        theirs = op(torch.tensor(values)).numpy()
        np.testing.assert_array_equal(ours, theirs)
