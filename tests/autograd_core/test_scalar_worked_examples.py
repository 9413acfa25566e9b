"""The lecture notes' worked examples, reproduced exactly with `Value`."""

import math

import pytest

from autograd_core import Value


def test_add_then_multiply_circuit():
    # f = (x + y) z at x = -2, y = 5, z = -4
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)
    assert q.grad == -4.0  # the add gate distributes the same gradient to both inputs


def _neuron_primitives(w, x):
    dot = w[0] * x[0] + w[1] * x[1] + w[2]
    return 1.0 / (1.0 + (-dot).exp())  # sigmoid spelled out from primitive ops


def _neuron_sigmoid(w, x):
    return (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid()


@pytest.mark.parametrize("build", [_neuron_primitives, _neuron_sigmoid])
def test_sigmoid_neuron(build):
    w = [Value(2.0), Value(-3.0), Value(-3.0)]
    x = [Value(-1.0), Value(-2.0)]
    f = build(w, x)
    f.backward()
    assert f.data == pytest.approx(0.7311, abs=5e-5)
    assert [round(v.grad, 4) for v in w] == [-0.1966, -0.3932, 0.1966]
    assert [round(v.grad, 4) for v in x] == [0.3932, -0.5898]
    # the notes' shortcut: the sigmoid's local gradient is (1 - f) f
    assert w[2].grad == pytest.approx((1 - f.data) * f.data, rel=1e-12)


def test_max_gate_routes_the_gradient():
    from autograd_core.scalar import maximum

    x, y = Value(3.0), Value(-1.0)
    m = maximum(x, y) * 2.0
    m.backward()
    assert (x.grad, y.grad) == (2.0, 0.0)


def test_multiply_gate_switches_the_inputs():
    x, y = Value(3.0), Value(-4.0)
    (x * y).backward()
    assert (x.grad, y.grad) == (-4.0, 3.0)


def test_formulas_and_op_names_are_readable():
    a, b = Value(2.0, "a"), Value(3.0, "b")
    assert (a * b).op == "*"
    assert (a * b).formula == "d(a*b)/da = b, d(a*b)/db = a"
    assert (a * 2).op == "* 2"
    assert (2 - a).op == "2 -"
    assert (a ** 0.5).formula == "d(a**c)/da = c*a**(c-1)"
    assert a.leaky_relu(0.1).op == "leaky_relu(0.1)"
    assert a.op == "" and a.inputs == ()
    assert all(isinstance(v, str) and v for v in (a.exp().formula, a.tanh().formula))


def test_ieee_results_not_exceptions():
    assert Value(0.0).log().data == -math.inf
    assert math.isnan(Value(-1.0).log().data)
    assert math.isnan((Value(-8.0) ** 0.5).data)
    assert (Value(1.0) / 0.0).data == math.inf
    assert (Value(-1.0) / Value(0.0)).data == -math.inf
    assert math.isnan((Value(0.0) / 0.0).data)
    assert (Value(1000.0).exp()).data == math.inf
    assert (Value(0.0) ** -1.0).data == math.inf
    assert (Value(10.0) ** 400.0).data == math.inf
    assert (2.0 ** Value(5000.0)).data == math.inf
