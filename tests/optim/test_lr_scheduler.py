"""Learning-rate schedules against ``torch.optim.lr_scheduler``.

Each parity case builds our scheduler over a minimal local optimizer (plain SGD, with a
'momentum' or a 'betas' hyperparameter for the momentum-cycling schedules) and torch's over
a dummy parameter with the same parameter groups and rates, steps both 100 times and
compares, after construction and after every step, ``get_last_lr()``, every group's 'lr',
the cycled momentum or beta1, and ``last_epoch`` to 1e-12. ``InverseTimeLR`` has no torch
twin and is checked against its closed form lr0 / (1 + k t).
"""

import math
import pickle
import types
import warnings

import numpy as np
import pytest
import torch

import autograd_core as ac
from optim import lr_scheduler as sched
from optim.optimizer import Optimizer

LRS = (0.1, 0.03, 1.0)  # three parameter groups with different rates
STEPS = 100
TOL = 1e-12


class _SGD(Optimizer):
    """Plain SGD (p -= lr * grad) that also carries a 'momentum' hyperparameter."""

    def __init__(self, params, lr=0.1, momentum=0.9):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    def step(self, closure=None):
        with ac.no_grad():
            for group in self.param_groups:
                for p in self._params_with_grad(group):
                    p._data -= group["lr"] * p.grad._data
                    p._bump_version()


class _Betas(_SGD):
    """The same step, with Adam's 'betas' instead of 'momentum' (for beta1 cycling)."""

    def __init__(self, params, lr=0.1, betas=(0.9, 0.999)):
        Optimizer.__init__(self, params, {"lr": lr, "betas": betas})


def _groups(make_param, lrs):
    return [{"params": [make_param()], "lr": lr} for lr in lrs]


def _our_optimizer(kind="momentum", lrs=LRS):
    groups = _groups(lambda: ac.zeros(1, dtype=ac.float64, requires_grad=True), lrs)
    return _Betas(groups) if kind == "betas" else _SGD(groups)


def _torch_optimizer(kind="momentum", lrs=LRS):
    groups = _groups(lambda: torch.zeros(1, dtype=torch.float64, requires_grad=True), lrs)
    if kind == "betas":
        return torch.optim.Adam(groups, lr=0.1, betas=(0.9, 0.999))
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def _assert_same(ours, theirs, our_opt, torch_opt, step):
    where = f"after step {step}"
    np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=0, atol=TOL,
                               err_msg=where)
    for mine, ref in zip(our_opt.param_groups, torch_opt.param_groups, strict=True):
        assert abs(mine["lr"] - ref["lr"]) <= TOL, where
        for key in ("momentum", "betas"):
            if key in mine:
                assert np.allclose(mine[key], ref[key], rtol=0, atol=TOL), (where, key)
        for key in ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"):
            if key in ref:  # the schedule's own entries in the groups agree too
                assert abs(mine[key] - ref[key]) <= TOL, (where, key)
    if hasattr(theirs, "last_epoch"):
        assert ours.last_epoch == theirs.last_epoch, where


def _run_parity(make, kind="momentum", lrs=LRS, steps=STEPS):
    our_opt, torch_opt = _our_optimizer(kind, lrs), _torch_optimizer(kind, lrs)
    ours = make(sched, our_opt)
    theirs = make(torch.optim.lr_scheduler, torch_opt)
    _assert_same(ours, theirs, our_opt, torch_opt, 0)
    for step in range(1, steps + 1):
        our_opt.step()
        torch_opt.step()
        ours.step()
        theirs.step()
        _assert_same(ours, theirs, our_opt, torch_opt, step)


def _resumed(name, **kwargs):
    """Build ``name`` with last_epoch=10 over groups that already hold 'initial_lr'."""
    def make(m, opt):
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"] * 2
        return getattr(m, name)(opt, last_epoch=10, **kwargs)
    return make


def _sequential(m, opt, children, milestones):
    return m.SequentialLR(opt, [child(m, opt) for child in children], milestones=milestones)


def _chained(m, opt, children):
    return m.ChainedScheduler([child(m, opt) for child in children])


def _staircase(e):
    return 1.0 if e % 10 else 0.5


# (id, make(module, optimizer) -> scheduler, optimizer kind)
CASES = [
    ("lambda", lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e), "momentum"),
    ("lambda-per-group", lambda m, o: m.LambdaLR(
        o, [lambda e: e // 30 + 1, lambda e: 0.95 ** e, lambda e: 1 / (1 + e)]), "momentum"),
    ("multiplicative", lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97), "momentum"),
    ("multiplicative-per-group", lambda m, o: m.MultiplicativeLR(
        o, (lambda e: 0.97, _staircase, lambda e: 1.01)), "momentum"),
    ("step", lambda m, o: m.StepLR(o, step_size=7), "momentum"),
    ("step-gamma", lambda m, o: m.StepLR(o, step_size=30, gamma=0.5), "momentum"),
    ("step-every", lambda m, o: m.StepLR(o, step_size=1, gamma=0.9), "momentum"),
    ("multistep", lambda m, o: m.MultiStepLR(o, [10, 30, 60, 80], gamma=0.5), "momentum"),
    ("multistep-repeated", lambda m, o: m.MultiStepLR(o, [20, 20, 50]), "momentum"),
    ("multistep-unsorted", lambda m, o: m.MultiStepLR(o, [50, 10], gamma=0.3), "momentum"),
    ("constant", lambda m, o: m.ConstantLR(o), "momentum"),
    ("constant-long", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=40), "momentum"),
    ("constant-one", lambda m, o: m.ConstantLR(o, factor=1.0, total_iters=3), "momentum"),
    ("linear", lambda m, o: m.LinearLR(o), "momentum"),
    ("linear-warmup", lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=50), "momentum"),
    ("linear-decay", lambda m, o: m.LinearLR(
        o, start_factor=1.0, end_factor=0.0, total_iters=100), "momentum"),
    ("linear-partial", lambda m, o: m.LinearLR(
        o, start_factor=0.5, end_factor=0.25, total_iters=30), "momentum"),
    ("exponential", lambda m, o: m.ExponentialLR(o, gamma=0.95), "momentum"),
    ("exponential-fast", lambda m, o: m.ExponentialLR(o, gamma=0.5), "momentum"),
    ("exponential-grow", lambda m, o: m.ExponentialLR(o, gamma=1.01), "momentum"),
    ("polynomial", lambda m, o: m.PolynomialLR(o), "momentum"),
    ("polynomial-square", lambda m, o: m.PolynomialLR(o, total_iters=80, power=2.0),
     "momentum"),
    ("polynomial-sqrt", lambda m, o: m.PolynomialLR(o, total_iters=100, power=0.5),
     "momentum"),
    ("cosine", lambda m, o: m.CosineAnnealingLR(o, T_max=100), "momentum"),
    ("cosine-periodic", lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=1e-3),
     "momentum"),
    ("cosine-eta-above-some", lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.05),
     "momentum"),
    ("warm-restarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=10), "momentum"),
    ("warm-restarts-mult", lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=1e-3), "momentum"),
    ("warm-restarts-mult3", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=3),
     "momentum"),
    ("cyclic-triangular", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=10), "momentum"),
    ("cyclic-triangular2-betas", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=10, step_size_down=5, mode="triangular2"),
     "betas"),
    ("cyclic-exp-range-per-group", lambda m, o: m.CyclicLR(
        o, base_lr=[0.01, 0.001, 0.1], max_lr=[0.1, 0.05, 1.0], step_size_up=7,
        mode="exp_range", gamma=0.98, base_momentum=[0.8, 0.7, 0.85]), "momentum"),
    ("cyclic-custom-iterations", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=6, step_size_down=9,
        scale_fn=lambda x: 1 / (1 + 0.05 * x), scale_mode="iterations"), "betas"),
    ("cyclic-custom-cycle", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=lambda c: 0.9 ** c),
     "momentum"),
    ("cyclic-no-momentum", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=5, cycle_momentum=False), "momentum"),
    ("onecycle", lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=100), "momentum"),
    ("onecycle-linear", lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, total_steps=100, anneal_strategy="linear"), "momentum"),
    ("onecycle-three-phase-betas", lambda m, o: m.OneCycleLR(
        o, max_lr=[0.5, 0.1, 2.0], total_steps=110, three_phase=True), "betas"),
    ("onecycle-three-phase-linear", lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, epochs=10, steps_per_epoch=10, three_phase=True,
        anneal_strategy="linear", pct_start=0.25), "momentum"),
    ("onecycle-options", lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, total_steps=120, pct_start=0.4, div_factor=10.0, final_div_factor=100.0,
        base_momentum=[0.8, 0.85, 0.7], max_momentum=0.99), "momentum"),
    ("onecycle-no-momentum", lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, total_steps=100, cycle_momentum=False), "betas"),
    ("sequential-warmup-restarts", lambda m, o: _sequential(m, o, [
        lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=5),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2)], [5]), "momentum"),
    ("sequential-constant-exponential", lambda m, o: _sequential(m, o, [
        lambda m, o: m.ConstantLR(o, factor=0.2, total_iters=10),
        lambda m, o: m.ExponentialLR(o, gamma=0.97)], [10]), "momentum"),
    ("sequential-three", lambda m, o: _sequential(m, o, [
        lambda m, o: m.LinearLR(o, start_factor=0.25, total_iters=10),
        lambda m, o: m.CosineAnnealingLR(o, T_max=50),
        lambda m, o: m.StepLR(o, step_size=5, gamma=0.8)], [10, 60]), "momentum"),
    ("sequential-exponential-restarts", lambda m, o: _sequential(m, o, [
        lambda m, o: m.ExponentialLR(o, gamma=0.9),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7, eta_min=1e-4)], [20]),
     "momentum"),
    ("chained-constant-exponential", lambda m, o: _chained(m, o, [
        lambda m, o: m.ConstantLR(o, factor=0.1, total_iters=2),
        lambda m, o: m.ExponentialLR(o, gamma=0.9)]), "momentum"),
    ("chained-warmup-restarts", lambda m, o: _chained(m, o, [
        lambda m, o: m.LinearLR(o, start_factor=0.2, total_iters=8),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=12)]), "momentum"),
    ("chained-restarts-exponential", lambda m, o: _chained(m, o, [
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=12, T_mult=2),
        lambda m, o: m.ExponentialLR(o, gamma=0.99)]), "momentum"),
    ("chained-cosine-exponential", lambda m, o: _chained(m, o, [
        lambda m, o: m.CosineAnnealingLR(o, T_max=20),
        lambda m, o: m.ExponentialLR(o, gamma=0.98)]), "momentum"),
    ("chained-step-multistep-linear", lambda m, o: _chained(m, o, [
        lambda m, o: m.StepLR(o, step_size=9, gamma=0.7),
        lambda m, o: m.MultiStepLR(o, [15, 45]),
        lambda m, o: m.LinearLR(o, start_factor=0.3, total_iters=12)]), "momentum"),
    ("resume-step", _resumed("StepLR", step_size=4), "momentum"),
    ("resume-exponential", _resumed("ExponentialLR", gamma=0.9), "momentum"),
    ("resume-cosine", _resumed("CosineAnnealingLR", T_max=30, eta_min=0.01), "momentum"),
    ("resume-linear", _resumed("LinearLR", start_factor=0.5, total_iters=20), "momentum"),
    ("resume-polynomial", _resumed("PolynomialLR", total_iters=50), "momentum"),
    ("resume-multiplicative", _resumed("MultiplicativeLR", lr_lambda=lambda e: 0.98),
     "momentum"),
    ("resume-warm-restarts", _resumed("CosineAnnealingWarmRestarts", T_0=8, T_mult=2),
     "momentum"),
    ("resume-cyclic", _resumed("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=6),
     "momentum"),
]


@pytest.mark.parametrize("make, kind", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_step_matches_torch(make, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither library may warn in correct use
        _run_parity(make, kind)


def test_a_single_group_matches_torch():
    _run_parity(lambda m, o: m.CosineAnnealingLR(o, T_max=13, eta_min=0.002), lrs=(0.4,))
    _run_parity(lambda m, o: m.OneCycleLR(o, max_lr=0.4, total_steps=100), lrs=(0.4,))


def test_two_schedulers_on_one_optimizer_compose_as_in_torch():
    our_opt, torch_opt = _our_optimizer(), _torch_optimizer()
    ours = [sched.StepLR(our_opt, 10, gamma=0.5), sched.ExponentialLR(our_opt, 0.97)]
    theirs = [torch.optim.lr_scheduler.StepLR(torch_opt, 10, gamma=0.5),
              torch.optim.lr_scheduler.ExponentialLR(torch_opt, 0.97)]
    for step in range(1, STEPS + 1):
        our_opt.step()
        torch_opt.step()
        for mine, ref in zip(ours, theirs):
            mine.step()
            ref.step()
        _assert_same(ours[-1], theirs[-1], our_opt, torch_opt, step)
        _assert_same(ours[0], theirs[0], our_opt, torch_opt, step)


# -- the deprecated step(epoch) -----------------------------------------------------------

EPOCHS = [3, 7, 20, 5, 50, 51, 0, 99]
CLOSED_FORM = [
    ("step", lambda m, o: m.StepLR(o, step_size=7, gamma=0.5)),
    ("multistep", lambda m, o: m.MultiStepLR(o, [10, 10, 40])),
    ("constant", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=10)),
    ("linear", lambda m, o: m.LinearLR(o, start_factor=0.2, total_iters=30)),
    ("exponential", lambda m, o: m.ExponentialLR(o, gamma=0.95)),
    ("polynomial", lambda m, o: m.PolynomialLR(o, total_iters=60, power=2.0)),
    ("cosine", lambda m, o: m.CosineAnnealingLR(o, T_max=30, eta_min=0.01)),
    ("lambda", lambda m, o: m.LambdaLR(o, lambda e: 1 / (1 + e))),
]


@pytest.mark.parametrize("make", [c[1] for c in CLOSED_FORM], ids=[c[0] for c in CLOSED_FORM])
def test_stepping_to_an_epoch_uses_the_closed_form_like_torch(make):
    our_opt, torch_opt = _our_optimizer(), _torch_optimizer()
    ours, theirs = make(sched, our_opt), make(torch.optim.lr_scheduler, torch_opt)
    for epoch in EPOCHS:
        with pytest.warns(UserWarning, match="deprecated"):
            ours.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs.step(epoch)
        _assert_same(ours, theirs, our_opt, torch_opt, f"to epoch {epoch}")


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_take_fractional_epochs_like_torch(T_mult):
    our_opt, torch_opt = _our_optimizer(), _torch_optimizer()
    ours = sched.CosineAnnealingWarmRestarts(our_opt, T_0=4, T_mult=T_mult, eta_min=0.001)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(torch_opt, T_0=4,
                                                                  T_mult=T_mult, eta_min=0.001)
    for epoch in [0.25, 1.5, 3.99, 4.0, 4.5, 11.75, 30.2, 2.0, 60.0, 0.0]:
        ours.step(epoch)
        theirs.step(epoch)
        _assert_same(ours, theirs, our_opt, torch_opt, f"to epoch {epoch}")
        assert ours.T_i == theirs.T_i and abs(ours.T_cur - theirs.T_cur) <= TOL
    with pytest.raises(ValueError, match="epoch must be >= 0"):
        ours.step(-1)


# -- ReduceLROnPlateau --------------------------------------------------------------------

def _metrics():
    """A loss that falls, stalls, wobbles, falls again and stalls (100 values)."""
    rng = np.random.default_rng(0)
    return np.concatenate([
        np.linspace(1.0, 0.5, 20), np.full(15, 0.5), 0.5 + 0.03 * rng.standard_normal(30),
        np.linspace(0.5, 0.2, 15), np.full(20, 0.2),
    ]).tolist()


PLATEAU = [
    ("defaults", {}, 1),
    ("patient-cooldown-min-lrs", dict(factor=0.5, patience=3, threshold=0.01, cooldown=2,
                                      min_lr=[0.01, 0.001, 0.2]), 1),
    ("max-abs-impatient", dict(mode="max", threshold_mode="abs", threshold=0.05, patience=0,
                               factor=0.7), -1),
    ("max-rel", dict(mode="max", threshold=0.02, patience=2, min_lr=0.005), -1),
    ("min-abs-cooldown", dict(threshold_mode="abs", threshold=0.001, patience=1, cooldown=4,
                              factor=0.3), 1),
    ("large-eps-skips-small-cuts", dict(factor=0.5, patience=2, eps=0.02), 1),
]


@pytest.mark.parametrize("kwargs, sign", [c[1:] for c in PLATEAU], ids=[c[0] for c in PLATEAU])
def test_reduce_on_plateau_matches_torch_on_a_fixed_metric_sequence(kwargs, sign):
    our_opt, torch_opt = _our_optimizer(), _torch_optimizer()
    ours = sched.ReduceLROnPlateau(our_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, **kwargs)
    _assert_same(ours, theirs, our_opt, torch_opt, 0)
    cuts = 0
    for step, metric in enumerate(_metrics(), start=1):
        before = ours.get_last_lr()
        ours.step(ac.tensor(sign * metric, dtype=ac.float64))  # a 0-d tensor works too
        theirs.step(sign * metric)
        _assert_same(ours, theirs, our_opt, torch_opt, step)
        assert ours.num_bad_epochs == theirs.num_bad_epochs
        assert ours.cooldown_counter == theirs.cooldown_counter
        cuts += ours.get_last_lr() != before
    assert cuts > 0  # the sequence does exercise the reductions


# -- InverseTimeLR (no torch twin) --------------------------------------------------------

@pytest.mark.parametrize("k", [0.0, 0.01, 0.5, 3.0])
def test_inverse_time_follows_lr0_over_one_plus_kt(k):
    opt = _our_optimizer()
    scheduler = sched.InverseTimeLR(opt, decay_rate=k)
    for t in range(STEPS + 1):
        if t:
            opt.step()
            scheduler.step()
        expected = [lr0 / (1 + k * t) for lr0 in LRS]
        np.testing.assert_allclose(scheduler.get_last_lr(), expected, rtol=TOL, atol=0)
        assert [g["lr"] for g in opt.param_groups] == scheduler.get_last_lr()
        assert scheduler.last_epoch == t


def test_inverse_time_composes_and_jumps_by_the_closed_form():
    opt = _our_optimizer()
    k, gamma = 0.2, 0.97
    chain = sched.ChainedScheduler([sched.InverseTimeLR(opt, k), sched.ExponentialLR(opt, gamma)])
    for t in range(1, STEPS + 1):
        chain.step()
        expected = [lr0 * gamma ** t / (1 + k * t) for lr0 in LRS]
        np.testing.assert_allclose(chain.get_last_lr(), expected, rtol=TOL, atol=0)
    jump = sched.InverseTimeLR(_our_optimizer(), 0.5)
    with pytest.warns(UserWarning, match="deprecated"):
        jump.step(40)
    np.testing.assert_allclose(jump.get_last_lr(), [lr / 21 for lr in LRS], rtol=TOL)


def test_inverse_time_warms_up_and_restarts_in_a_sequence():
    opt = _our_optimizer()
    seq = sched.SequentialLR(opt, [sched.LinearLR(opt, start_factor=0.5, total_iters=4),
                                   sched.InverseTimeLR(opt, 0.1)], milestones=[4])
    lrs = [seq.get_last_lr()]
    for _ in range(10):
        seq.step()
        lrs.append(seq.get_last_lr())
    np.testing.assert_allclose(lrs[0], [0.5 * lr for lr in LRS], rtol=TOL)
    for t in range(4, 11):  # the decay restarts from lr0 at the milestone
        np.testing.assert_allclose(lrs[t], [lr / (1 + 0.1 * (t - 4)) for lr in LRS], rtol=TOL)


# -- checkpoints --------------------------------------------------------------------------

class _Warmup:
    """A callable object: its attributes are saved in the scheduler's state_dict."""

    def __init__(self, n):
        self.n = n

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.n)


class _Decay:
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return self.rate ** x


ROUND_TRIP = [(name, make, kind) for name, make, kind in CASES
              if not name.startswith("resume")] + [
    ("inverse-time", lambda m, o: m.InverseTimeLR(o, 0.3), "momentum"),
    ("lambda-object", lambda m, o: m.LambdaLR(o, _Warmup(20)), "momentum"),
    ("cyclic-object", lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                              scale_fn=_Decay(0.9)), "betas"),
    ("plateau", lambda m, o: m.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1),
     "momentum"),
]


def _advance(scheduler, opt, metric):
    opt.step()
    if isinstance(scheduler, sched.ReduceLROnPlateau):
        scheduler.step(metric)
    else:
        scheduler.step()


def _snapshot(scheduler, opt):
    groups = [{k: v for k, v in g.items() if k in ("lr", "momentum", "betas")}
              for g in opt.param_groups]
    return scheduler.get_last_lr(), groups


@pytest.mark.parametrize("make, kind", [c[1:] for c in ROUND_TRIP],
                         ids=[c[0] for c in ROUND_TRIP])
def test_state_dict_round_trip_mid_schedule_resumes_identically(make, kind):
    metrics = _metrics()
    opt = _our_optimizer(kind)
    scheduler = make(sched, opt)
    for t in range(37):
        _advance(scheduler, opt, metrics[t])
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    pickle.dumps(saved)  # plain data: no optimizer, functions or bound methods

    fresh_opt = _our_optimizer(kind, lrs=(0.5, 0.5, 0.5))
    fresh = make(sched, fresh_opt)  # as PyTorch advises: scheduler first, then load both
    if isinstance(fresh, sched.LambdaLR):
        fresh.lr_lambdas[0].n = 3  # the saved attribute must come back
    fresh_opt.load_state_dict(saved_opt)
    fresh.load_state_dict(saved)
    assert _snapshot(fresh, fresh_opt) == _snapshot(scheduler, opt)
    for t in range(37, 97):
        _advance(scheduler, opt, metrics[t])
        _advance(fresh, fresh_opt, metrics[t])
        assert _snapshot(fresh, fresh_opt) == _snapshot(scheduler, opt), f"step {t + 1}"


def test_state_dict_is_a_copy_and_skips_the_optimizer_and_plain_functions():
    opt = _our_optimizer()
    scheduler = sched.LambdaLR(opt, [lambda e: 1.0, _Warmup(4), lambda e: 0.5])
    state = scheduler.state_dict()
    assert "optimizer" not in state
    assert state["lr_lambdas"] == [None, {"n": 4}, None]
    state["base_lrs"][0] = 123.0
    assert scheduler.base_lrs[0] == LRS[0]
    chained = sched.ChainedScheduler([sched.StepLR(opt, 3), sched.ExponentialLR(opt, 0.9)])
    nested = chained.state_dict()["_schedulers"]
    assert [s["last_epoch"] for s in nested] == [0, 0] and "gamma" in nested[1]


# -- behaviour beyond parity --------------------------------------------------------------

def test_the_optimizer_uses_the_scheduled_rate():
    p = ac.zeros(1, dtype=ac.float64, requires_grad=True)
    opt = _SGD([p], lr=1.0)
    scheduler = sched.StepLR(opt, step_size=2, gamma=0.5)
    total = 0.0
    for _ in range(6):
        p.grad = ac.ones(1, dtype=ac.float64)
        total += opt.param_groups[0]["lr"]
        opt.step()
        scheduler.step()
    assert p._data[0] == -total == -(1 + 1 + 0.5 + 0.5 + 0.25 + 0.25)


def test_any_object_with_param_groups_can_be_scheduled():
    opt = types.SimpleNamespace(param_groups=[{"lr": 0.1}, {"lr": 1.0}])
    scheduler = sched.StepLR(opt, step_size=2, gamma=0.5)
    seen = [scheduler.get_last_lr()]
    for _ in range(4):
        scheduler.step()
        seen.append(scheduler.get_last_lr())
    assert seen == [[0.1, 1.0], [0.1, 1.0], [0.05, 0.5], [0.05, 0.5], [0.025, 0.25]]
    assert opt.param_groups[0]["initial_lr"] == 0.1
    # with no 'defaults', momentum cycling looks at the groups themselves
    opt = types.SimpleNamespace(param_groups=[{"lr": 0.1, "momentum": 0.9}])
    sched.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups[0]["momentum"] == 0.95


def test_get_last_lr_is_a_copy_and_get_lr_outside_step_warns():
    opt = _our_optimizer()
    scheduler = sched.ExponentialLR(opt, 0.5)
    scheduler.get_last_lr()[0] = 99.0
    assert scheduler.get_last_lr()[0] == LRS[0]
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()
    assert math.isclose(opt.param_groups[0]["lr"], LRS[0])  # get_lr doesn't set anything


ERRORS = [
    (lambda o: sched.StepLR(object(), 3), TypeError, "param_groups"),
    (lambda o: sched.StepLR(o, 0), ValueError, "step_size"),
    (lambda o: sched.StepLR(o, 3, last_epoch=5), KeyError, "initial_lr"),
    (lambda o: sched.LambdaLR(o, [lambda e: 1.0]), ValueError, "one value per parameter"),
    (lambda o: sched.MultiplicativeLR(o, 0.5), TypeError, "function"),
    (lambda o: sched.ConstantLR(o, factor=1.5), ValueError, "factor"),
    (lambda o: sched.LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
    (lambda o: sched.LinearLR(o, end_factor=2.0), ValueError, "end_factor"),
    (lambda o: sched.InverseTimeLR(o, -0.1), ValueError, "decay_rate"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), ValueError, "T_mult"),
    (lambda o: sched.CyclicLR(o, 0.01, 0.1, mode="sine"), ValueError, "mode"),
    (lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError, "step_size_up"),
    (lambda o: sched.CyclicLR(o, [0.01], 0.1), ValueError, "base_lr"),
    (lambda o: sched.CyclicLR(types.SimpleNamespace(param_groups=[{"lr": 0.1}]), 0.01, 0.1),
     ValueError, "cycle_momentum"),
    (lambda o: sched.OneCycleLR(o, 1.0), ValueError, "total_steps"),
    (lambda o: sched.OneCycleLR(o, 1.0, total_steps=0), ValueError, "total_steps"),
    (lambda o: sched.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=0), ValueError,
     "steps_per_epoch"),
    (lambda o: sched.OneCycleLR(o, 1.0, 10, pct_start=1), ValueError, "pct_start"),
    (lambda o: sched.OneCycleLR(o, 1.0, 10, anneal_strategy="cosine"), ValueError,
     "anneal_strategy"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
    (lambda o: sched.ReduceLROnPlateau(o, mode="lowest"), ValueError, "mode"),
    (lambda o: sched.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold_mode"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0.0, 0.1]), ValueError, "min_lr"),
    (lambda o: sched.ChainedScheduler([]), ValueError, "at least one"),
    (lambda o: sched.ChainedScheduler([sched.ReduceLROnPlateau(o)]), ValueError, "metric"),
    (lambda o: sched.ChainedScheduler([sched.StepLR(o, 2), sched.StepLR(_our_optimizer(), 2)]),
     ValueError, "different optimizer"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2), sched.StepLR(o, 3)], milestones=[]),
     ValueError, "milestone"),
]


@pytest.mark.parametrize("build, error, match", ERRORS)
def test_bad_arguments_raise_clear_errors(build, error, match):
    with pytest.raises(error, match=match):
        build(_our_optimizer())


def test_onecycle_refuses_to_step_past_its_end():
    scheduler = sched.OneCycleLR(_our_optimizer(), max_lr=1.0, total_steps=5)
    for _ in range(5):
        scheduler.step()
    with pytest.raises(ValueError, match="total_steps is 5"):
        scheduler.step()


def test_a_group_added_after_the_scheduler_is_reported():
    opt = _our_optimizer()
    scheduler = sched.LambdaLR(opt, lambda e: 1.0)
    opt.add_param_group({"params": [ac.zeros(1, dtype=ac.float64, requires_grad=True)]})
    with pytest.raises(ValueError, match="a group added after"):
        scheduler.step()
    plateau = sched.ReduceLROnPlateau(_our_optimizer(), patience=0, min_lr=[0.0] * 3)
    plateau.optimizer.add_param_group(
        {"params": [ac.zeros(1, dtype=ac.float64, requires_grad=True)]})
    plateau.step(1.0)
    with pytest.raises(RuntimeError, match="min_lrs"):
        plateau.step(2.0)
