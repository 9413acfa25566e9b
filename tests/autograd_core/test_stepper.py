"""Stepping through backward: the engine's order, its gradients, and honest contributions."""

import numpy as np
import pytest

import autograd_core as ac
from autograd_core import Value, backward_steps
from autograd_core.engine import backward_local


def scalar_graphs():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    yield (x + y) * z, [x, y, z]
    w = [Value(2.0), Value(-3.0), Value(-3.0)]
    a = [Value(-1.0), Value(-2.0)]
    yield (w[0] * a[0] + w[1] * a[1] + w[2]).sigmoid(), w + a
    t = Value(0.7)
    h = t.tanh()
    yield h * h + h.exp() - (t * 3.0).relu() / 2.0, [t]


def build_again(index):
    return list(scalar_graphs())[index]


@pytest.mark.parametrize("index", range(3))
def test_scalar_steps_end_with_backwards_gradients_in_the_engines_order(index):
    root, leaves = build_again(index)
    steps = list(backward_steps(root))
    stepped = [v.grad for v in leaves]
    root2, leaves2 = build_again(index)
    visited = []
    backward_local(root2, visited=visited)
    assert stepped == [v.grad for v in leaves2]  # bit for bit
    assert [s.op for s in steps] == [v.op for v in visited]
    assert len(steps) == len(visited) and steps[-1].index == len(steps) - 1


def test_a_step_shows_upstream_local_and_contributions():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    first = next(iter(backward_steps(f)))
    assert first.node is f and first.upstream == 1.0
    assert first.local == (-4.0, 3.0) and first.contributions == (-4.0, 3.0)
    assert first.formula == "d(a*b)/da = b, d(a*b)/db = a"
    assert "sends -4 to" in first.describe()


def test_contributions_sum_to_the_gradients_they_changed():
    t = Value(0.3)
    h = t.tanh()
    root = h * h + h
    before = {}
    for step in backward_steps(root):
        for node, c in zip(step.inputs, step.contributions):
            if c is not None:
                changed = step.grads[node] - before.get(node, 0.0)
                assert changed == pytest.approx(sum(
                    cc for n, cc in zip(step.inputs, step.contributions)
                    if n is node and cc is not None))
        before = dict(step.grads)


def tensor_graph():
    W = ac.tensor([[0.1, 0.5], [-0.3, 0.8]], dtype="float64", requires_grad=True)
    x = ac.tensor([0.2, 0.4], dtype="float64", requires_grad=True)
    q = W @ x
    return (q * q).sum() + x.exp().sum(), [W, x]


def test_tensor_steps_end_with_backwards_gradients():
    root, leaves = tensor_graph()
    steps = list(backward_steps(root))
    root2, leaves2 = tensor_graph()
    root2.backward()
    for a, b in zip(leaves, leaves2):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    assert steps[0].op == "+" and steps[-1].op == "AccumulateGrad"
    vjp = next(s for s in steps if s.op == "@")
    assert isinstance(vjp.contributions[0], ac.Tensor)  # vector-Jacobian products as arrays
    assert vjp.contributions[0].shape == (2, 2)


def test_step_drawing_marks_current_done_and_pending():
    root, _ = build_again(0)
    steps = list(backward_steps(root))
    middle = steps[2].draw()
    states = [n.state for n in middle.model.nodes]
    assert states.count("current") >= 1 and "done" in states and "pending" in states
    assert 'penwidth="3"' in middle.source


def test_step_through_without_widgets_is_a_sequence_of_pictures(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_widgets)
    root, _ = build_again(0)
    frames = ac.step_through(root)
    assert len(frames) == 5
    assert "step 1/5" in frames._repr_html_()


def test_step_through_with_widgets():
    pytest.importorskip("ipywidgets")
    root, _ = build_again(1)
    box = ac.step_through(root)
    slider = box.children[0].children[1]
    assert slider.max == len(box.frames) - 1
    box.children[0].children[2].click()  # Next
    assert slider.value == 1
