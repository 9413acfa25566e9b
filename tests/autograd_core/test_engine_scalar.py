"""The engine on scalar graphs: order, accumulation, depth, and memory."""

import gc
import math

import pytest

from autograd_core import Value
from autograd_core.engine import backward_order, count_uses
from autograd_core.scalar import zero_grad


def test_chain_of_a_million_nodes_has_no_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    assert len(backward_order([y])) == 2_000_001
    del y  # freeing a deep chain must not overflow the C stack either


def test_gradients_from_several_uses_add_up():
    a = Value(3.0)
    b = a * a  # two edges into a
    assert b.inputs == (a, a)
    c = b + a + a.exp()  # a used by three consumers in all
    c.backward()
    assert a.grad == pytest.approx(2 * 3.0 + 1 + math.exp(3.0), rel=1e-15)


def test_backward_twice_adds_and_zero_grad_resets():
    x, y = Value(2.0), Value(-3.0)
    f = x * y + x
    f.backward()
    first = (x.grad, y.grad, f.grad)
    f.backward()
    assert (x.grad, y.grad, f.grad) == tuple(2 * g for g in first)
    zero_grad([x, y, f])
    f.backward()
    assert (x.grad, y.grad, f.grad) == first


def test_backward_order_puts_every_node_before_its_inputs():
    x = Value(1.0)
    h = x.tanh()
    out = (h * h).exp() + h.relu() * x
    order = backward_order([out])
    position = {id(n): i for i, n in enumerate(order)}
    assert order[0] is out and len(order) == len(count_uses([out]))
    for node in order:
        for child in node.inputs:
            assert position[id(node)] < position[id(child)]


def test_engine_bookkeeping_is_reset_after_each_pass():
    x = Value(1.5)
    f = (x * x).sigmoid() * x
    f.backward()
    assert all(n._uses == 0 for n in backward_order([f]))


def test_graphs_hold_no_reference_cycles():
    gc.collect()
    x = Value(0.3)
    y = x
    for _ in range(1000):
        y = (y * x).tanh() + y.sigmoid()
    y.backward()
    del y
    assert gc.collect() == 0  # nothing was left for the cycle collector: all freed by refcount


def test_values_are_slotted():
    assert not hasattr(Value(1.0), "__dict__")


@pytest.mark.parametrize("bad", ["3", None, [1.0], 1j])
def test_bad_operand_gets_a_clear_error(bad):
    with pytest.raises(TypeError, match="Value or a real number"):
        Value(1.0) * bad


def test_numpy_scalars_work_on_either_side():
    np = pytest.importorskip("numpy")
    x = Value(2.0)
    for y in (np.float64(3.0) * x, x * np.float32(3.0), np.int64(3) + x - x):
        assert isinstance(y, Value)


@pytest.mark.parametrize("inputs", [[0.5, -1.5, 2.0], [Value(0.5), Value(-1.5), Value(2.0)],
                                    [Value(0.5), 3, -1.25]])
def test_weighted_sum_builds_the_same_graph_as_the_operators(inputs):
    from autograd_core.engine import backward_order
    from autograd_core.scalar import weighted_sum

    def build(fast):
        w = [Value(0.3), Value(-0.7), Value(1.1)]
        b = Value(0.2)
        xs = [Value(x.data) if isinstance(x, Value) else x for x in inputs]
        if fast:
            out = weighted_sum(b, w, xs)
        else:
            out = b
            for wi, xi in zip(w, xs):
                out = out + wi * xi
        out = out.tanh()
        out.backward()
        return out, w, b, xs

    fast, slow = build(True), build(False)
    assert [(n.op, n.data, n._local) for n in backward_order([fast[0]])] == [
        (n.op, n.data, n._local) for n in backward_order([slow[0]])]
    assert [v.grad for v in fast[1] + [fast[2]]] == [v.grad for v in slow[1] + [slow[2]]]
