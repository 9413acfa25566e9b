"""Annealed Gaussian gradient noise (Neelakantan et al.): schedule, statistics, wrapper."""

import math

import numpy as np
import pytest

import autograd_core as ac
import optim
from autograd_core.creation import generator
from optim import GradientNoise, add_gradient_noise_, gradient_noise_variance

N = 200_000  # elements of the "large parameter" whose gradient noise we measure
# The sample variance of N normal draws has relative standard deviation sqrt(2 / (N - 1))
# (~0.32%); we allow 6 of those, so a correct schedule fails with probability < 1e-8 (and
# the seeds are fixed, so the tests are deterministic anyway).
VAR_RTOL = 6 * math.sqrt(2 / (N - 1))


class PlainSGD(optim.Optimizer):
    """p -= lr * g, recording the gradients it saw (a stand-in for any optimizer)."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})
        self.seen = []

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with ac.enable_grad():
                loss = closure()
        self.seen.append([None if p.grad is None else p.grad._data.copy()
                          for g in self.param_groups for p in g["params"]])
        for group in self.param_groups:
            for p in self._params_with_grad(group):
                p._data -= group["lr"] * p.grad._data
                p._bump_version()
        return loss


def big_param(dtype=ac.float64):
    p = ac.zeros(N, dtype=dtype, requires_grad=True)
    p.grad = ac.zeros(N, dtype=dtype)
    return p


def taco(x):
    """The notes' ill-conditioned "taco shell": 0.5 * (x0^2 + 100 * x1^2)."""
    return 0.5 * (x[0] * x[0] + 100.0 * x[1] * x[1])


def assert_variance(noise, expected):
    var = float(np.var(noise, ddof=1))
    assert abs(var / expected - 1) < VAR_RTOL, (var, expected)
    assert abs(float(np.mean(noise))) < 6 * math.sqrt(expected / noise.size)


@pytest.mark.parametrize("eta", [0.01, 0.3, 1.0])
@pytest.mark.parametrize("t", [0, 1, 10, 1000])
def test_noise_variance_follows_the_annealing_schedule(eta, t):
    ac.manual_seed(1234 + t)
    p = big_param()
    add_gradient_noise_([p], eta=eta, gamma=0.55, step=t)
    expected = eta / (1 + t) ** 0.55
    assert gradient_noise_variance(eta, 0.55, t) == expected
    assert_variance(p.grad._data, expected)


def test_noise_is_added_to_the_gradient_in_place_in_its_dtype():
    ac.manual_seed(0)
    p = ac.ones(N, requires_grad=True)  # float32
    grad = ac.full((N,), 3.0)
    p.grad = grad
    version = grad._version
    add_gradient_noise_(p, eta=0.3, step=2)  # a single tensor is accepted too
    assert p.grad is grad and grad._version == version + 1
    assert grad.dtype == ac.float32
    assert_variance(grad._data.astype(np.float64) - 3.0, 0.3 / 3**0.55)


def test_a_read_only_gradient_gets_an_array_of_its_own():
    ac.manual_seed(0)
    base = np.ones(3)
    p = ac.zeros(4, 3, dtype=ac.float64, requires_grad=True)
    p.grad = ac.Tensor._make(np.broadcast_to(base, (4, 3)))
    add_gradient_noise_([p], eta=1.0, step=0)
    assert np.array_equal(base, np.ones(3))  # untouched
    assert p.grad._data.flags.writeable and not np.allclose(p.grad._data, 1.0)


def test_noise_is_reproducible_with_manual_seed_and_parameters_without_grad_are_skipped():
    def noisy_grads(seed):
        ac.manual_seed(seed)
        a = ac.zeros(5, dtype=ac.float64, requires_grad=True)
        b = ac.zeros(2, 3, dtype=ac.float64, requires_grad=True)
        c = ac.zeros(7, dtype=ac.float64, requires_grad=True)
        a.grad, c.grad = ac.zeros(5, dtype=ac.float64), ac.zeros(7, dtype=ac.float64)
        add_gradient_noise_([a, b, c], eta=0.3, step=4)
        assert b.grad is None
        return a.grad._data, c.grad._data

    first, again, other = noisy_grads(7), noisy_grads(7), noisy_grads(8)
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], other[0])
    # b had no gradient, so it drew nothing: a then c are the first 12 draws of the stream
    ac.manual_seed(7)
    draws = generator().standard_normal(12) * math.sqrt(0.3 / 5**0.55)
    np.testing.assert_array_equal(np.concatenate(first), draws)


def test_the_wrapper_advances_t_once_per_step():
    ac.manual_seed(3)
    p = big_param()
    opt = GradientNoise(PlainSGD([p], lr=0.0), eta=1.0)
    for t in range(4):
        assert opt.t == t
        p.grad = ac.zeros(N, dtype=ac.float64)
        opt.step()
        noise = opt.optimizer.seen[-1][0]
        assert_variance(noise, 1.0 / (1 + t) ** 0.55)
        for wrong in (t - 1, t + 1):  # neighbouring steps' variances are rejected
            if wrong >= 0:
                assert abs(np.var(noise, ddof=1) * (1 + wrong) ** 0.55 - 1) > VAR_RTOL
    assert opt.t == 4 and opt.state_dict()["gradient_noise"]["t"] == 4


def quadratic_run(seed, steps, eta, gamma=0.55, start=(3.0, -2.0), opt=None):
    """GradientNoise(PlainSGD) on the taco shell; returns the iterates."""
    ac.manual_seed(seed)
    x = ac.tensor(start, dtype=ac.float64, requires_grad=True)
    opt = GradientNoise(PlainSGD([x], lr=0.009), eta=eta, gamma=gamma)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        taco(x).backward()
        opt.step()
        path.append(x._data.copy())
    return np.array(path)


def test_wrapper_equals_the_function_called_by_hand_with_t_counting_from_zero():
    noisy = quadratic_run(seed=5, steps=20, eta=0.3)
    ac.manual_seed(5)
    x = ac.tensor([3.0, -2.0], dtype=ac.float64, requires_grad=True)
    for t in range(20):
        x.grad = None
        taco(x).backward()
        add_gradient_noise_([x], eta=0.3, gamma=0.55, step=t)
        x._data -= 0.009 * x.grad._data
        np.testing.assert_array_equal(x._data, noisy[t])


def test_eta_zero_gives_the_plain_trajectory_and_noise_changes_it():
    plain = np.array([3.0, -2.0])
    expected = []
    for _ in range(10):
        plain = plain - 0.009 * np.array([plain[0], 100.0 * plain[1]])
        expected.append(plain)
    np.testing.assert_array_equal(quadratic_run(0, 10, eta=0.0), np.array(expected))
    assert not np.allclose(quadratic_run(0, 10, eta=0.01), np.array(expected))
    np.testing.assert_array_equal(quadratic_run(9, 10, eta=0.01), quadratic_run(9, 10, eta=0.01))


def test_with_a_closure_the_noise_lands_after_the_gradients_are_computed():
    def run(use_wrapper):
        ac.manual_seed(11)
        x = ac.tensor([1.0, 1.0], dtype=ac.float64, requires_grad=True)
        inner = PlainSGD([x], lr=0.009)
        opt = GradientNoise(inner, eta=1.0)

        def closure():
            inner.zero_grad()
            loss = taco(x)
            loss.backward()
            return loss

        losses = []
        for t in range(5):
            if use_wrapper:
                losses.append(opt.step(closure).item())
            else:
                losses.append(closure().item())
                add_gradient_noise_([x], eta=1.0, step=t)
                inner.step()
        return losses, x._data.copy(), inner.seen

    (l1, x1, seen1), (l2, x2, seen2) = run(True), run(False)
    assert l1 == l2
    np.testing.assert_array_equal(x1, x2)
    for a, b in zip(seen1, seen2):
        np.testing.assert_array_equal(a[0], b[0])
    exact_first_grad = np.array([1.0, 100.0])
    assert not np.array_equal(seen1[0][0], exact_first_grad)  # the noise survived


def test_the_wrapper_forwards_groups_state_and_zero_grad():
    a = ac.zeros(2, requires_grad=True)
    b = ac.zeros(3, requires_grad=True)
    inner = PlainSGD([a], lr=0.5)
    opt = GradientNoise(inner, eta=0.3, gamma=0.6)
    assert isinstance(opt, optim.Optimizer)
    assert opt.param_groups is inner.param_groups and opt.state is inner.state
    assert opt.defaults is inner.defaults
    opt.param_groups[0]["lr"] = 0.25  # what an LR scheduler does
    assert inner.param_groups[0]["lr"] == 0.25
    opt.add_param_group({"params": [b], "lr": 1.0})
    assert inner.param_groups[1]["params"] == [b]
    a.grad, b.grad = ac.ones(2), ac.ones(3)
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    opt.state[a]["note"] = 1
    assert inner.state[a] == {"note": 1}
    assert "GradientNoise(eta=0.3, gamma=0.6, t=0" in repr(opt) and "PlainSGD" in repr(opt)


def test_state_dict_round_trip_resumes_bit_identically():
    def fresh(start):
        x = ac.tensor(start, dtype=ac.float64, requires_grad=True)
        return x, GradientNoise(PlainSGD([x], lr=0.009), eta=0.3)

    def train(x, opt, steps):
        out = []
        for _ in range(steps):
            opt.zero_grad()
            taco(x).backward()
            opt.step()
            out.append(x._data.copy())
        return out

    ac.manual_seed(21)
    x, opt = fresh([3.0, -2.0])
    train(x, opt, 4)
    saved, saved_x = opt.state_dict(), x._data.copy()
    rng_state = generator().bit_generator.state
    assert saved["gradient_noise"] == {"t": 4, "eta": 0.3, "gamma": 0.55}
    assert saved["param_groups"][0]["lr"] == 0.009  # the wrapped optimizer's own entries
    rest = train(x, opt, 6)

    y, resumed = fresh(saved_x)
    resumed.eta = 1.0  # overwritten by the load
    resumed.load_state_dict(saved)
    assert (resumed.t, resumed.eta) == (4, 0.3)
    generator().bit_generator.state = rng_state
    for a, b in zip(rest, train(y, resumed, 6)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: add_gradient_noise_([], eta=-0.1), "invalid eta -0.1"),
        (lambda: add_gradient_noise_([], eta=float("nan")), "invalid eta"),
        (lambda: add_gradient_noise_([], eta=0.3, gamma=-1), "invalid gamma -1"),
        (lambda: add_gradient_noise_([], eta=0.3, step=-1), "invalid step -1"),
        (lambda: add_gradient_noise_([], eta=0.3, step=1.5), "invalid step 1.5"),
        (lambda: gradient_noise_variance(0.3, 0.55, -2), "invalid step"),
        (lambda: GradientNoise(PlainSGD([ac.zeros(1, requires_grad=True)]), eta=-1), "eta"),
    ],
)
def test_bad_schedules_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrapping_something_else_or_loading_a_bare_state_dict_raises():
    with pytest.raises(TypeError, match="expected an optimizer to wrap, got list"):
        GradientNoise([ac.zeros(1, requires_grad=True)])
    inner = PlainSGD([ac.zeros(1, requires_grad=True)])
    opt = GradientNoise(inner)
    with pytest.raises(KeyError, match="saved by a bare optimizer"):
        opt.load_state_dict(inner.state_dict())
