"""Hessians against torch.autograd.functional.hessian, and second-order gradchecks."""

import numpy as np
import pytest
import torch

import autograd_core as ac
from autograd_core.functional import hessian, jacobian

RNG = np.random.default_rng(3)
W = RNG.standard_normal((4, 3))
TARGET = np.array([0, 2, 1])


def tanh_energy(x, lib):
    w = lib.tensor(W, dtype=lib.float64)
    return (lib.tanh(w @ x) ** 2).sum()


def softmax_cross_entropy(z, lib):
    logits = z.reshape(3, 4)
    logp = logits.log_softmax(dim=1)
    return -logp[lib.arange(3), lib.tensor(TARGET)].mean()


def log_sum_exp(x, lib):
    return lib.logsumexp(x * 2.0, dim=0) + (x ** 3).sum() * 0.1


@pytest.mark.parametrize(
    "fn, size", [(tanh_energy, 3), (softmax_cross_entropy, 12), (log_sum_exp, 5)],
    ids=["sum(tanh(Wx)^2)", "softmax cross-entropy", "logsumexp"],
)
def test_hessian_matches_torch(fn, size):
    x = RNG.standard_normal(size)
    ours = hessian(lambda t: fn(t, ac), ac.tensor(x, dtype="float64"))
    theirs = torch.autograd.functional.hessian(lambda t: fn(t, torch),
                                               torch.tensor(x, dtype=torch.float64))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_jacobian_matches_torch():
    x = RNG.standard_normal(3)
    ours = jacobian(lambda t: ac.tensor(W) @ t.tanh(), ac.tensor(x, dtype="float64"))
    theirs = torch.autograd.functional.jacobian(lambda t: torch.tensor(W) @ t.tanh(),
                                                torch.tensor(x, dtype=torch.float64))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_hessian_of_a_non_scalar_is_refused():
    with pytest.raises(ValueError, match="single number"):
        hessian(lambda t: t * 2.0, ac.tensor([1.0, 2.0], dtype="float64"))
