"""First-order optimizers against torch.optim: float64 trajectories agree to 1e-10 after
every one of 100 steps on three problems, for every option; checkpoints resume
bit-identically; parameters without gradients are skipped; bad hyperparameters raise.

The momentum-SGD and Adam-family updates run through Numba kernels, or their numpy
references under ``AUTOGRAD_CORE_JIT=0``; the trajectory tests use whichever the
environment selects, and a test here shows both give bit-identical float64 trajectories.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import autograd_core as ac
import optim

STEPS = 100
TOL = {"rtol": 1e-10, "atol": 1e-10}


# -- the three problems, written twice (ours and torch's) from the same starting arrays -----

def _linear_regression():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((24, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.1 * rng.standard_normal((24, 1))
    start = [rng.standard_normal((3, 1)), np.zeros(1)]

    def loss(lib, w, b):
        data, target = lib.tensor(x), lib.tensor(y)
        return ((data @ w + b - target) ** 2).mean()

    return start, loss


def _taco_shell():
    """The notes' ill-conditioned bowl f(x, y) = 0.5 (x^2 + 100 y^2), with 0-d parameters."""
    start = [np.array(-3.0), np.array(0.8)]

    def loss(lib, u, v):
        return 0.5 * (u * u + 100.0 * (v * v))

    return start, loss


def _mlp(dtype=np.float64):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 4)).astype(dtype)
    y = rng.standard_normal((16, 3)).astype(dtype)
    start = [(rng.standard_normal((4, 8)) * 0.5).astype(dtype), np.zeros(8, dtype),
             (rng.standard_normal((8, 3)) * 0.5).astype(dtype), np.zeros(3, dtype)]

    def loss(lib, w1, b1, w2, b2):
        hidden = lib.tanh(lib.tensor(x) @ w1 + b1)
        return ((hidden @ w2 + b2 - lib.tensor(y)) ** 2).mean()

    return start, loss


PROBLEMS = {"linear_regression": _linear_regression, "taco_shell": _taco_shell, "mlp": _mlp}


def _params(start, lib):
    if lib is torch:
        return [torch.tensor(a.copy(), requires_grad=True) for a in start]
    return [ac.tensor(a.copy(), requires_grad=True) for a in start]


def _np(t):
    return t.detach().numpy()


def _step(opt, params, loss, lib):
    opt.zero_grad()
    loss(lib, *params).backward()
    opt.step()


# -- every optimizer and option combination: (ours, torch's, keyword arguments) --------------

SGD_OPTIONS = [
    {}, {"lr": 0.01}, {"lr": 0.01, "momentum": 0.9},
    {"lr": 0.01, "momentum": 0.9, "dampening": 0.5},
    {"lr": 0.01, "momentum": 0.9, "nesterov": True}, {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "momentum": 0.8, "weight_decay": 0.1, "nesterov": True},
    {"lr": 0.01, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05, "maximize": True},
    {"lr": 0.01, "maximize": True},
]
ADAGRAD_OPTIONS = [
    {}, {"lr": 0.1}, {"lr": 0.1, "lr_decay": 0.05}, {"lr": 0.1, "weight_decay": 0.1},
    {"lr": 0.1, "initial_accumulator_value": 0.5}, {"lr": 0.1, "eps": 1e-3},
    {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05, "initial_accumulator_value": 0.1,
     "maximize": True},
]
RMSPROP_OPTIONS = [
    {}, {"lr": 0.001, "alpha": 0.9}, {"lr": 0.001, "momentum": 0.9},
    {"lr": 0.001, "centered": True},
    {"lr": 0.001, "centered": True, "momentum": 0.5}, {"lr": 0.001, "weight_decay": 0.1},
    {"lr": 0.001, "eps": 1e-3}, {"lr": 0.001, "alpha": 0.3},
    {"lr": 0.001, "alpha": 0.95, "momentum": 0.7, "centered": True, "weight_decay": 0.05,
     "maximize": True},
]
ADAM_OPTIONS = [
    {}, {"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.99)}, {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.01, "eps": 1e-3}, {"lr": 0.01, "betas": (0.3, 0.9)},
    {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05, "maximize": True},
]
ADAMW_OPTIONS = [
    {}, {"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.01, "weight_decay": 0.0},
    {"lr": 0.01, "amsgrad": True}, {"lr": 0.01, "amsgrad": True, "maximize": True},
    {"lr": 0.01, "betas": (0.7, 0.95), "eps": 1e-6, "weight_decay": 0.3},
]

CONFIGS = [
    *[(optim.SGD, torch.optim.SGD, kw) for kw in SGD_OPTIONS],
    *[(optim.Adagrad, torch.optim.Adagrad, kw) for kw in ADAGRAD_OPTIONS],
    *[(optim.RMSprop, torch.optim.RMSprop, kw) for kw in RMSPROP_OPTIONS],
    *[(optim.Adam, torch.optim.Adam, kw) for kw in ADAM_OPTIONS],
    *[(optim.AdamW, torch.optim.AdamW, kw) for kw in ADAMW_OPTIONS],
]
def _config_id(config):
    ours, _, kwargs = config
    return f"{ours.__name__}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"


def _config_id_of(value):
    return value.__name__ if isinstance(value, type) else ",".join(map(str, value.values()))


@pytest.fixture
def set_jit(monkeypatch):
    def apply(mode):
        monkeypatch.setenv("AUTOGRAD_CORE_JIT", "0" if mode == "nojit" else "1")
    return apply


def _negated(loss):
    return lambda lib, *params: -loss(lib, *params)


def _assert_close(ours, theirs, what, rtol=1e-10, atol=1e-10):
    """``np.testing.assert_allclose`` for each pair, but only run when something is off."""
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if not np.all(np.abs(a - b) <= atol + rtol * np.abs(b)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{what} {i}")


def _assert_trajectories_match(make_ours, make_torch, problem, steps=STEPS, drop=None,
                               maximize=False):
    """Run both optimizers from the same start and compare parameters after every step.

    Each step both get the same gradient: ours, computed at our parameters; every 25th
    step torch also computes its own at its parameters, which must agree. Float64
    dynamics can blow up ulp-level differences in a gradient (matmul summation order):
    Adam, for one, turns a gradient near zero into a full-size step whose sign is that of
    the rounding. Sharing the gradient keeps the comparison about the optimizers.
    ``drop(step)`` names parameters whose gradient is set to None before that step. With
    ``maximize`` the optimizers climb the negated loss (the loss itself runs off to inf).
    """
    start, loss = PROBLEMS[problem]()
    if maximize:
        loss = _negated(loss)
    ours, theirs = _params(start, ac), _params(start, torch)
    opt, topt = make_ours(ours), make_torch(theirs)
    for step in range(1, steps + 1):
        opt.zero_grad()
        loss(ac, *ours).backward()
        dropped = drop(step) if drop else ()
        for i in dropped:
            ours[i].grad = None
        if step % 25 == 1:
            topt.zero_grad()
            loss(torch, *theirs).backward()
            pairs = [(a.grad.numpy(), b.grad.numpy()) for a, b in zip(ours, theirs)
                     if a.grad is not None]
            _assert_close(*zip(*pairs), f"{problem}, step {step}: gradient", 1e-8, 1e-12)
        for a, b in zip(ours, theirs):
            b.grad = None if a.grad is None else torch.from_numpy(a.grad.numpy().copy())
        opt.step()
        topt.step()
        _assert_close([_np(a) for a in ours], [_np(b) for b in theirs],
                      f"{problem}: after step {step}, parameter")
    return opt, topt, ours


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("config", CONFIGS, ids=[_config_id(c) for c in CONFIGS])
def test_trajectory_matches_torch(config, problem):
    ours, theirs, kwargs = config
    opt, topt, _ = _assert_trajectories_match(
        lambda ps: ours(ps, **kwargs), lambda ps: theirs(ps, foreach=False, **kwargs), problem,
        maximize=kwargs.get("maximize", False))
    # the state ends where torch's does, under the same names
    ours_state, torch_state = opt.state_dict()["state"], topt.state_dict()["state"]
    assert ours_state.keys() == torch_state.keys()
    for i in ours_state:
        assert ours_state[i].keys() == torch_state[i].keys()
        for key, value in ours_state[i].items():
            np.testing.assert_allclose(value.numpy(), torch_state[i][key].numpy(), **TOL,
                                       err_msg=f"state {key} of parameter {i}")


@pytest.mark.parametrize("cls, kwargs", [
    (optim.SGD, {"lr": 0.01, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.1}),
    (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True, "maximize": True}),
    (optim.SGD, {"lr": 0.01, "weight_decay": 0.1}),
    (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True, "momentum_form": "sutskever"}),
    (optim.Adam, {"lr": 0.01, "weight_decay": 0.1, "betas": (0.3, 0.9)}),
    (optim.Adam, {"lr": 0.01, "amsgrad": True, "maximize": True}),
    (optim.AdamW, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
], ids=_config_id_of)
def test_kernels_and_numpy_references_give_bit_identical_trajectories(cls, kwargs, monkeypatch):
    """The fused kernels (AUTOGRAD_CORE_JIT=1) and their references (=0) agree exactly in
    float64, so every trajectory test holds under either setting."""
    start, loss = _mlp()
    runs = []
    for flag in ("1", "0"):
        monkeypatch.setenv("AUTOGRAD_CORE_JIT", flag)
        params = _params(start, ac)
        opt = cls(params, **kwargs)
        for _ in range(50):
            _step(opt, params, loss, ac)
        runs.append([_np(p).copy() for p in params])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_defaults_match_torch():
    p = [ac.tensor([1.0], requires_grad=True)]
    tp = [torch.tensor([1.0], requires_grad=True)]
    for ours, theirs in [(optim.SGD, torch.optim.SGD), (optim.Adagrad, torch.optim.Adagrad),
                         (optim.RMSprop, torch.optim.RMSprop), (optim.Adam, torch.optim.Adam),
                         (optim.AdamW, torch.optim.AdamW)]:
        mine, torch_defaults = ours(p).defaults, theirs(tp).defaults
        for key, value in mine.items():
            if key != "momentum_form":
                assert torch_defaults[key] == value, (ours.__name__, key)


# -- Sutskever's momentum form ----------------------------------------------------------------

@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_sutskever_form_is_pytorch_form_with_lr_times_one_minus_mu(problem, nesterov):
    lr, mu, wd = 0.05, 0.9, 0.01
    _assert_trajectories_match(
        lambda ps: optim.SGD(ps, lr=lr, momentum=mu, weight_decay=wd, nesterov=nesterov,
                             momentum_form="sutskever"),
        lambda ps: torch.optim.SGD(ps, lr=lr * (1 - mu), momentum=mu, weight_decay=wd,
                                   nesterov=nesterov, foreach=False),
        problem)


@pytest.mark.parametrize("mode", ["jit", "nojit"])
def test_sutskever_form_hand_computed(mode, set_jit):
    set_jit(mode)
    # f(x) = x^2 (gradient 2x) from x = 1, lr = 0.1, mu = 0.5: lr * (1 - mu) = 0.05
    # v1 = -0.05 * 2 = -0.1, x1 = 0.9; v2 = 0.5 * -0.1 - 0.05 * 1.8 = -0.14, x2 = 0.76
    x = ac.tensor(1.0, dtype=ac.float64, requires_grad=True)
    opt = optim.SGD([x], lr=0.1, momentum=0.5, momentum_form="sutskever")
    seen = []
    for _ in range(2):
        opt.zero_grad()
        (x * x).backward()
        opt.step()
        seen.append((x.item(), opt.state[x]["velocity"].item()))
    np.testing.assert_allclose(seen, [(0.9, -0.1), (0.76, -0.14)], rtol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sutskever_form_closed_form_under_a_constant_gradient(nesterov):
    """f = c x, so g = c at every step and the recursion sums in closed form:
    v_t = -lr c (1 - mu^t); the step is v_t, or with Nesterov mu v_t - lr (1 - mu) c =
    -lr c (1 - mu^(t+1)); so x_t = x_0 - lr c (t - mu^k (1 - mu^t) / (1 - mu)), k = 1 or 2.
    """
    lr, mu, c, x0 = 0.1, 0.75, 2.0, 3.0
    k = 2 if nesterov else 1
    x = ac.tensor(x0, dtype=ac.float64, requires_grad=True)
    opt = optim.SGD([x], lr=lr, momentum=mu, nesterov=nesterov, momentum_form="sutskever")
    for t in range(1, 31):
        opt.zero_grad()
        (c * x).backward()
        opt.step()
        assert opt.state[x]["velocity"].item() == pytest.approx(-lr * c * (1 - mu**t),
                                                                rel=1e-13)
        expected = x0 - lr * c * (t - mu**k * (1 - mu**t) / (1 - mu))
        assert x.item() == pytest.approx(expected, rel=1e-13)


def test_sutskever_velocity_keeps_old_learning_rates():
    """The documented difference: changing lr rescales PyTorch's whole step, not Sutskever's."""
    x1 = ac.tensor(0.0, dtype=ac.float64, requires_grad=True)
    x2 = ac.tensor(0.0, dtype=ac.float64, requires_grad=True)
    sutskever = optim.SGD([x1], lr=1.0, momentum=0.5, momentum_form="sutskever")
    pytorch = optim.SGD([x2], lr=0.5, momentum=0.5)
    for lr_scale in (1.0, 0.0):  # the second step runs at lr = 0
        for opt, x in ((sutskever, x1), (pytorch, x2)):
            opt.param_groups[0]["lr"] *= lr_scale
            opt.zero_grad()
            x.backward()  # gradient 1
            opt.step()
    assert x2.item() == -0.5  # lr = 0: PyTorch's step is lr * buffer = 0
    assert x1.item() == -0.5 + 0.5 * -0.5  # Sutskever's velocity still carries -0.5 * mu


# -- SignSGD: hand-computed steps -------------------------------------------------------------

@pytest.mark.parametrize("momentum, expected", [
    (0.0, [0.5, 0.0, 0.0, 0.0, 0.0]),
    # m: 0.1, 0.14, 0.126, 0.0634, -0.04294 (g = x: 1, 0.5, 0, -0.5, -1)
    (0.9, [0.5, 0.0, -0.5, -1.0, -0.5]),
])
def test_signsgd_hand_computed(momentum, expected):
    x = ac.tensor(1.0, dtype=ac.float64, requires_grad=True)
    opt = optim.SignSGD([x], lr=0.5, momentum=momentum)
    seen = []
    for _ in range(5):
        opt.zero_grad()
        (0.5 * x * x).backward()
        opt.step()
        seen.append(x.item())
    assert seen == expected
    if momentum:
        assert opt.state[x]["momentum_buffer"].item() == pytest.approx(-0.04294, abs=1e-15)


def test_signsgd_moves_every_coordinate_by_lr_whatever_the_scale():
    x = ac.tensor([1e-8, -3e4, 0.0, 2.0], dtype=ac.float32, requires_grad=True)
    opt = optim.SignSGD([x], lr=0.25)
    x.grad = ac.tensor([1e-30, -5e6, 0.0, 7.0], dtype=ac.float32)
    opt.step()
    np.testing.assert_array_equal(_np(x), np.array([1e-8 - 0.25, -3e4 + 0.25, 0.0, 1.75],
                                                       dtype=np.float32))
    assert x.dtype == np.float32


# -- checkpoints --------------------------------------------------------------------------------

RESUMABLE = [
    (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.SGD, {"lr": 0.01, "momentum": 0.9, "momentum_form": "sutskever"}),
    (optim.SignSGD, {"lr": 0.01, "momentum": 0.9}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    (optim.RMSprop, {"lr": 0.001, "momentum": 0.5, "centered": True}),
    (optim.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    (optim.AdamW, {"lr": 0.01}),
]


@pytest.mark.parametrize("mode", ["jit", "nojit"])
@pytest.mark.parametrize("cls, kwargs", RESUMABLE, ids=[c.__name__ for c, _ in RESUMABLE])
def test_state_dict_round_trip_mid_training_is_bit_identical(cls, kwargs, mode, set_jit):
    set_jit(mode)
    start, loss = _mlp()
    params = _params(start, ac)
    opt = cls(params, **kwargs)
    for _ in range(7):
        _step(opt, params, loss, ac)
    saved = opt.state_dict()
    frozen = {key: np.array(value.numpy()) for key, value in saved["state"][0].items()}
    copies = [ac.tensor(_np(p).copy(), requires_grad=True) for p in params]
    resumed = cls(copies, lr=123.0)  # other hyperparameters: load_state_dict restores them
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == kwargs["lr"]
    for _ in range(7):
        _step(opt, params, loss, ac)
        _step(resumed, copies, loss, ac)
        for a, b in zip(params, copies):
            np.testing.assert_array_equal(_np(a), _np(b))
    # the snapshot is a copy: training on did not change it
    for key, value in frozen.items():
        np.testing.assert_array_equal(np.asarray(saved["state"][0][key].numpy()), value)


# -- parameters without gradients -------------------------------------------------------------

SKIPPING = [
    (optim.SGD, torch.optim.SGD, {"lr": 0.01, "momentum": 0.9}),
    (optim.SGD, torch.optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    (optim.Adagrad, torch.optim.Adagrad, {"lr": 0.1}),
    (optim.RMSprop, torch.optim.RMSprop, {"lr": 0.001, "momentum": 0.5, "centered": True}),
    (optim.Adam, torch.optim.Adam, {"lr": 0.01, "amsgrad": True}),
    (optim.AdamW, torch.optim.AdamW, {"lr": 0.01}),
]


@pytest.mark.parametrize("ours, theirs, kwargs", SKIPPING, ids=[c[0].__name__ for c in SKIPPING])
def test_parameters_without_grad_are_skipped(ours, theirs, kwargs):
    """A parameter whose .grad is None does not move and its state does not advance."""
    unused = ac.tensor(np.ones(3), requires_grad=True)
    opt, _, params = _assert_trajectories_match(
        lambda ps: ours([*ps, unused], **kwargs),
        lambda ps: theirs(ps, foreach=False, **kwargs),
        "mlp", steps=30, drop=lambda step: [3] if step % 3 == 1 else [])  # b2 sits out
    np.testing.assert_array_equal(_np(unused), np.ones(3))
    assert unused.grad is None
    if ours is optim.Adagrad:  # state made at construction, as in PyTorch; never advanced
        assert opt.state[unused]["step"].item() == 0
    else:
        assert unused not in opt.state
    if "step" in opt.state[params[3]]:  # sat out 10 of the 30 steps
        assert opt.state[params[3]]["step"].item() == 20


def test_step_bumps_versions_and_keeps_dtype_and_returns_the_closure_loss():
    p = ac.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    version = p._version

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ac.no_grad():  # the closure still records its graph
        loss = opt.step(closure)
    assert loss.item() == 6.0
    assert p._version == version + 1
    assert p.dtype == np.float32 and p.grad is not None
    assert all(v.dtype == np.float32 for k, v in opt.state[p].items() if k != "step")


@pytest.mark.parametrize("mode", ["jit", "nojit"])
@pytest.mark.parametrize("ours, theirs, kwargs", [
    (optim.Adam, torch.optim.Adam, {"lr": 0.01, "amsgrad": True}),
    (optim.AdamW, torch.optim.AdamW, {"lr": 0.01}),
    (optim.SGD, torch.optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    (optim.RMSprop, torch.optim.RMSprop, {"lr": 0.001, "centered": True}),
    (optim.Adagrad, torch.optim.Adagrad, {"lr": 0.1}),
], ids=["Adam", "AdamW", "SGD", "RMSprop", "Adagrad"])
def test_float32_tracks_torch(ours, theirs, kwargs, mode, set_jit):
    set_jit(mode)
    start, loss = _mlp(np.float32)
    params, tparams = _params(start, ac), _params(start, torch)
    opt, topt = ours(params, **kwargs), theirs(tparams, foreach=False, **kwargs)
    for _ in range(20):
        _step(opt, params, loss, ac)
        _step(topt, tparams, loss, torch)
    for a, b in zip(params, tparams):
        assert a.dtype == np.float32
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-4, atol=1e-5)
    assert all(value.dtype == np.float32 for s in opt.state.values() for value in s.values())


def test_param_groups_have_their_own_hyperparameters():
    def groups(ps):
        return [{"params": ps[:2], "lr": 0.05, "betas": (0.5, 0.9)}, {"params": ps[2:]}]

    _assert_trajectories_match(
        lambda ps: optim.Adam(groups(ps), lr=0.01, amsgrad=True),
        lambda ps: torch.optim.Adam(groups(ps), lr=0.01, amsgrad=True, foreach=False),
        "mlp", steps=30)


# -- errors ---------------------------------------------------------------------------------------

def _p():
    return [ac.tensor([1.0, 2.0], requires_grad=True)]


@pytest.mark.parametrize("make, match", [
    (lambda: optim.SGD(_p(), lr=-0.1), r"SGD: invalid learning rate \(lr\) -0.1: it must be >= 0"),
    (lambda: optim.SGD(_p(), momentum=-0.5), "SGD: invalid momentum -0.5"),
    (lambda: optim.SGD(_p(), weight_decay=-1), "SGD: invalid weight_decay -1"),
    (lambda: optim.SGD(_p(), nesterov=True), "Nesterov momentum requires a momentum > 0"),
    (lambda: optim.SGD(_p(), momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
    (lambda: optim.SGD(_p(), momentum_form="heavy"), "unknown momentum_form 'heavy'"),
    (lambda: optim.SGD(_p(), momentum=0.9, dampening=0.1, momentum_form="sutskever"),
     "takes no dampening"),
    (lambda: optim.SGD(_p(), momentum=1.0, momentum_form="sutskever"), "needs momentum < 1"),
    (lambda: optim.SignSGD(_p()), "didn't specify a value of required optimization parameter lr"),
    (lambda: optim.SignSGD(_p(), lr=0.1, momentum=1.0),
     r"SignSGD: invalid momentum 1.0: .*\[0, 1\)"),
    (lambda: optim.Adagrad(_p(), lr_decay=-1), "Adagrad: invalid lr_decay -1"),
    (lambda: optim.Adagrad(_p(), initial_accumulator_value=-0.1),
     "invalid initial_accumulator_value -0.1"),
    (lambda: optim.Adagrad(_p(), eps=-1e-10), "Adagrad: invalid eps"),
    (lambda: optim.RMSprop(_p(), alpha=1.5), "RMSprop: invalid alpha 1.5"),
    (lambda: optim.RMSprop(_p(), alpha=-0.1), "RMSprop: invalid alpha"),
    (lambda: optim.RMSprop(_p(), momentum=-0.1), "RMSprop: invalid momentum"),
    (lambda: optim.RMSprop(_p(), eps=-1.0), "RMSprop: invalid eps"),
    (lambda: optim.RMSprop(_p(), weight_decay=-1.0), "RMSprop: invalid weight_decay"),
    (lambda: optim.Adam(_p(), lr=-1e-3), "Adam: invalid learning rate"),
    (lambda: optim.Adam(_p(), betas=(1.0, 0.999)),
     r"index 0 \(beta1\) 1.0: it must be in \[0, 1\)"),
    (lambda: optim.Adam(_p(), betas=(0.9, -0.1)), r"index 1 \(beta2\) -0.1"),
    (lambda: optim.Adam(_p(), betas=(0.9,)), "betas must be a pair"),
    (lambda: optim.Adam(_p(), eps=-1.0), r"Adam: invalid epsilon \(eps\) -1.0"),
    (lambda: optim.Adam(_p(), weight_decay=-0.1), "Adam: invalid weight_decay"),
    (lambda: optim.AdamW(_p(), betas=(0.9, 1.0)), "AdamW: invalid beta parameter at index 1"),
    (lambda: optim.AdamW(_p(), lr=float("nan")), "AdamW: invalid learning rate"),
    (lambda: optim.Adam([{"params": _p(), "betas": (0.9, 1.5)}]), "index 1"),
    (lambda: optim.SGD([{"params": _p(), "nesterov": True}], lr=0.1, momentum=0.0),
     "Nesterov"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_invalid_hyperparameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_add_param_group_checks_the_new_group():
    opt = optim.Adam(_p())
    with pytest.raises(ValueError, match="Adam: invalid epsilon"):
        opt.add_param_group({"params": _p(), "eps": -1.0})
    assert len(opt.param_groups) == 1


def test_gradient_of_the_wrong_shape_raises():
    p = ac.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = ac.tensor([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"SGD.step: parameter 0 has shape \(2,\) but its "
                                         r"\.grad has shape \(3,\)"):
        opt.step()


def test_a_single_tensor_is_not_a_parameter_list():
    with pytest.raises(TypeError, match="single Tensor"):
        optim.Adam(ac.tensor([1.0], requires_grad=True))
