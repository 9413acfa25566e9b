"""Initializers: empirical variance of a 500x500 weight within 3% of theory."""

import math

import numpy as np
import pytest

import autograd_core as ac
import nn


def weight():
    ac.manual_seed(0)
    return ac.zeros(500, 500)


@pytest.mark.parametrize("init, variance", [
    (lambda w: nn.init.xavier_uniform_(w), 2.0 / 1000),
    (lambda w: nn.init.xavier_normal_(w), 2.0 / 1000),
    (lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"), 2.0 / 500),
    (lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), 2.0 / 500),
    (lambda w: nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="tanh"),
     (5 / 3) ** 2 / 500),
    (lambda w: nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh")),
     (5 / 3) ** 2 * 2.0 / 1000),
])
def test_variance_matches_theory(init, variance):
    w = init(weight()).numpy()
    assert abs(w.mean()) < 0.01 * math.sqrt(variance) * 10
    assert w.var() == pytest.approx(variance, rel=0.03)


def test_simple_fills_and_gains():
    w = weight()
    assert (nn.init.constant_(w, 3.0).numpy() == 3.0).all()
    assert (nn.init.zeros_(w).numpy() == 0).all() and (nn.init.ones_(w).numpy() == 1).all()
    assert (nn.init.eye_(ac.zeros(3, 4)).numpy() == np.eye(3, 4)).all()
    u = nn.init.uniform_(weight(), -2.0, 2.0).numpy()
    assert u.min() >= -2.0 and u.max() < 2.0
    q = nn.init.orthogonal_(ac.zeros(30, 50)).numpy()
    np.testing.assert_allclose(q @ q.T, np.eye(30), atol=1e-5)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        nn.init.calculate_gain("swoosh")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(ac.zeros(5))


def test_initializers_are_reproducible():
    a = nn.init.kaiming_uniform_(weight()).numpy().copy()
    b = nn.init.kaiming_uniform_(weight()).numpy()
    np.testing.assert_array_equal(a, b)
