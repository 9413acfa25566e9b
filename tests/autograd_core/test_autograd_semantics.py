"""PyTorch's autograd semantics: leaves, grad modes, retain_graph, grad(), hooks, Functions."""

import threading

import numpy as np
import pytest
import torch

import autograd_core as ac
from autograd_core import Function


def leaf(values, dtype="float64"):
    return ac.tensor(values, dtype=dtype, requires_grad=True)


def test_requires_grad_propagates_and_leaves_accumulate():
    x = leaf([1.0, 2.0])
    c = ac.tensor([3.0, 4.0], dtype="float64")
    y = x * c
    assert y.requires_grad and not y.is_leaf and x.is_leaf
    assert not (c * 2.0).requires_grad
    y.backward(ac.ones(2, dtype="float64"))
    y2 = x * c
    y2.backward(ac.ones(2, dtype="float64"))
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 8.0])  # accumulated over two passes
    assert y.grad is None  # non-leaves keep no .grad unless asked
    assert isinstance(x.grad, ac.Tensor) and not x.grad.requires_grad


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf([1.0, -2.0])
    h = x * x
    h.retain_grad()
    (h * 3.0).backward(ac.ones(2, dtype="float64"))
    np.testing.assert_array_equal(h.grad.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, -12.0])


def test_non_scalar_root_without_gradient_is_a_clear_error():
    y = leaf([1.0, 2.0]) * 2.0
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*gradient="):
        y.backward()


def test_backward_twice_without_retain_graph_names_the_op():
    x = leaf(2.0)
    y = x.exp()
    y.backward()
    with pytest.raises(RuntimeError, match="ExpBackward.*second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_pass():
    x = leaf(2.0)
    y = (x * x).exp()
    y.backward(retain_graph=True)
    first = x.grad.item()
    y.backward()
    assert x.grad.item() == pytest.approx(2 * first)


def test_backward_on_a_tensor_that_needs_no_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (ac.tensor(1.0) * 2.0).backward()


def test_grad_returns_instead_of_accumulating():
    x, w = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    y = x * w
    gx, gw = ac.grad(y, [x, w], grad_outputs=ac.ones(2, dtype="float64"))
    np.testing.assert_array_equal(gx.numpy(), [3.0, -1.0])
    np.testing.assert_array_equal(gw.numpy(), [1.0, 2.0])
    assert x.grad is None and w.grad is None


def test_grad_allow_unused():
    x, unused = leaf(1.0), leaf(2.0)
    y = x * 3.0
    with pytest.raises(RuntimeError, match="not used"):
        ac.grad(y, [x, unused], retain_graph=True)
    gx, gu = ac.grad(y, [x, unused], allow_unused=True)
    assert gx.item() == 3.0 and gu is None


def test_grad_of_a_non_leaf_input():
    x = leaf(3.0)
    h = x * x
    y = h.exp()
    (gh,) = ac.grad(y, h)
    assert gh.item() == pytest.approx(np.exp(9.0))


def test_second_derivative_through_create_graph():
    x = leaf(1.5)
    y = x ** 3.0 * x.exp()
    (g,) = ac.grad(y, x, create_graph=True)
    (h,) = ac.grad(g, x)
    tx = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    ty = tx ** 3.0 * tx.exp()
    (tg,) = torch.autograd.grad(ty, tx, create_graph=True)
    (th,) = torch.autograd.grad(tg, tx)
    assert g.item() == pytest.approx(tg.item(), rel=1e-12)
    assert h.item() == pytest.approx(th.item(), rel=1e-12)


def test_no_grad_and_enable_grad_nest_and_decorate():
    x = leaf(1.0)
    with ac.no_grad():
        assert not (x * 2.0).requires_grad
        with ac.enable_grad():
            assert (x * 2.0).requires_grad
        assert not ac.is_grad_enabled()
    assert ac.is_grad_enabled()

    @ac.no_grad()
    def evaluate(t):
        return t * 2.0

    assert not evaluate(x).requires_grad
    with ac.set_grad_enabled(False):
        assert not (x * 1.0).requires_grad
    assert ac.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = ac.is_grad_enabled()

    with ac.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen["enabled"] is True


def test_detach_and_requires_grad_():
    x = leaf([1.0, 2.0])
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.is_leaf
    y = x * 2.0
    y.detach_()
    assert y.is_leaf and not y.requires_grad
    z = ac.tensor([1.0]).requires_grad_()
    assert z.requires_grad


def test_requires_grad_on_an_int_tensor_is_refused():
    with pytest.raises(RuntimeError, match=r"floating-point.*int64 with shape \(2,\)"):
        ac.tensor([1, 2], requires_grad=True)


def test_hooks_see_and_replace_gradients_and_can_be_removed():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.numpy().copy()))
    y = x * 3.0
    doubler = y.register_hook(lambda g: g * 2.0)
    y.backward(ac.ones(2, dtype="float64"))
    np.testing.assert_array_equal(seen[0], [6.0, 6.0])
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])
    handle.remove()
    doubler.remove()
    x.grad = None
    (x * 3.0).backward(ac.ones(2, dtype="float64"))
    assert len(seen) == 1
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


class Cube(Function):
    """A user-defined op, the documented way."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True,)
        return grad * 3.0 * x * x


def test_user_function_first_and_second_order():
    x = leaf(2.0)
    y = Cube.apply(x)
    assert y.item() == 8.0 and y.grad_fn.name == "CubeBackward"
    (g,) = ac.grad(y, x, create_graph=True)
    (h,) = ac.grad(g, x)
    assert (g.item(), h.item()) == (12.0, 12.0)
    assert ac.gradcheck(Cube.apply, [leaf([0.3, -1.2])])
    assert Cube not in ac.functions()  # only built-ins are listed


class FusedSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    @ac.once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return ac.Tensor._make(2.0 * x.detach().numpy() * grad.numpy())


def test_once_differentiable_names_itself_on_second_order():
    x = leaf(3.0)
    (g,) = ac.grad(FusedSquare.apply(x), x)
    assert g.item() == 6.0
    (g,) = ac.grad(FusedSquare.apply(x), x, create_graph=True)
    with pytest.raises(RuntimeError, match="FusedSquare is once-differentiable"):
        g.backward()


def test_gradcheck_catches_a_wrong_backward():
    class WrongExp(Function):
        @staticmethod
        def forward(ctx, x):
            return np.exp(x)

        @staticmethod
        def backward(ctx, grad):
            return grad * 1.0

    with pytest.raises(ac.GradcheckError, match="analytic.*numeric"):
        ac.gradcheck(WrongExp.apply, [leaf([0.5, 1.0])])


def test_backward_returning_a_wrong_shape_is_reported():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return ac.ones(3, dtype="float64")

    with pytest.raises(RuntimeError, match=r"BadShape.backward.*shape \(3,\).*\(2,\)"):
        BadShape.apply(leaf([1.0, 2.0])).backward(ac.ones(2, dtype="float64"))


def test_a_million_op_chain_backpropagates():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
