"""LBFGS against torch.optim.LBFGS (iterate for iterate), BFGS and Newton on known minima."""

import numpy as np
import pytest
import torch

import autograd_core as ac
import optim
from optim.line_search import add_scaled, cubic_interpolate, dot

TOL = 1e-10
LINE_SEARCHES = [None, "strong_wolfe"]
LBFGS_OPTIONS = [
    {},
    {"history_size": 3, "max_iter": 7},
    {"lr": 0.5, "max_iter": 5},
    {"max_eval": 6, "tolerance_change": 1e-5},
    {"max_iter": 1},
]


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def taco(x):
    """The notes' ill-conditioned "taco shell": 0.5 * (x0^2 + 100 * x1^2)."""
    return 0.5 * (x[0] * x[0] + 100.0 * x[1] * x[1])


def logistic_data():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    labels = np.where(features @ np.array([1.5, -2.0, 0.5]) + 0.3
                      + rng.normal(size=40) > 0, 1.0, -1.0)
    return features, labels


def logistic_loss(lib):
    """mean(log(1 + exp(-y (X w + b)))) written once for both libraries."""
    features, labels = logistic_data()
    X = lib.tensor(features, dtype=lib.float64)
    y = lib.tensor(labels, dtype=lib.float64)
    return lambda w, b: lib.log1p(lib.exp(-y * (X @ w + b))).mean()


def mlp_loss(lib):
    """A 2-5-1 tanh network's mean squared error on a fixed regression set."""
    rng = np.random.default_rng(7)
    features = rng.normal(size=(24, 2))
    targets = np.sin(2 * features[:, :1]) + features[:, 1:] ** 2
    X = lib.tensor(features, dtype=lib.float64)
    Y = lib.tensor(targets, dtype=lib.float64)
    return lambda w1, b1, w2, b2: ((lib.tanh(X @ w1 + b1) @ w2 + b2 - Y) ** 2).mean()


def mlp_start():
    rng = np.random.default_rng(8)
    return [rng.normal(size=(2, 5)) * 0.5, np.zeros(5), rng.normal(size=(5, 1)) * 0.5,
            np.zeros(1)]


PROBLEMS = {
    "rosenbrock": (lambda lib: lambda x: rosenbrock(x), [np.array([-1.5, 2.0])]),
    "taco": (lambda lib: lambda x: taco(x), [np.array([3.0, 1.0])]),
    "logistic": (logistic_loss, [np.array([0.1, 0.2, -0.3]), np.array([0.05])]),
    "mlp": (mlp_loss, mlp_start()),
}
LONG_RUN_PROBLEMS = ["rosenbrock", "taco", "logistic"]  # 12 steps to 1e-10 (the MLP: see below)


def pair(problem, make_opt_t, make_opt_a):
    """The same problem and start in torch and here, with a closure for each."""
    make_loss, starts = PROBLEMS[problem]
    tp = [torch.tensor(s, requires_grad=True) for s in starts]
    ap = [ac.tensor(s, dtype=ac.float64, requires_grad=True) for s in starts]
    tloss, aloss = make_loss(torch), make_loss(ac)
    topt, aopt = make_opt_t(tp), make_opt_a(ap)

    def tclosure():
        topt.zero_grad()
        loss = tloss(*tp)
        loss.backward()
        return loss

    def aclosure():
        aopt.zero_grad()
        loss = aloss(*ap)
        loss.backward()
        return loss

    return (tp, topt, tclosure), (ap, aopt, aclosure)


def assert_same_state(tstate, astate):
    assert sorted(tstate) == sorted(astate)
    for key in ("func_evals", "n_iter"):
        assert tstate[key] == astate[key], key
    for key in ("t", "H_diag", "prev_loss"):
        assert abs(float(tstate[key]) - float(astate[key])) <= TOL * max(1, abs(tstate[key]))
    for key in ("d", "prev_flat_grad"):
        np.testing.assert_allclose(astate[key]._data, tstate[key].numpy(), rtol=0, atol=TOL)
    for key in ("old_dirs", "old_stps"):
        assert len(tstate[key]) == len(astate[key])
        for t, a in zip(tstate[key], astate[key]):
            np.testing.assert_allclose(a._data, t.numpy(), rtol=0, atol=TOL)
    # ro = 1 / (y . s) blows up as y . s -> 0 near the minimum: compare y . s itself.
    np.testing.assert_allclose([1 / float(v) for v in astate["ro"]],
                               [1 / float(v) for v in tstate["ro"]], rtol=0, atol=TOL)


@pytest.mark.parametrize("problem", LONG_RUN_PROBLEMS)
@pytest.mark.parametrize("options", LBFGS_OPTIONS, ids=str)
@pytest.mark.parametrize("line_search_fn", LINE_SEARCHES)
def test_lbfgs_iterates_equal_torch(problem, options, line_search_fn):
    kwargs = dict(options, line_search_fn=line_search_fn)
    (tp, topt, tclosure), (ap, aopt, aclosure) = pair(
        problem, lambda ps: torch.optim.LBFGS(ps, **kwargs), lambda ps: optim.LBFGS(ps, **kwargs))
    for step in range(12):
        tloss, aloss = topt.step(tclosure), aopt.step(aclosure)
        assert abs(float(tloss.detach()) - float(aloss)) <= TOL * max(1.0, abs(float(aloss)))
        for t, a in zip(tp, ap):
            np.testing.assert_allclose(a._data, t.detach().numpy(), rtol=0, atol=TOL,
                                       err_msg=f"step {step}")
        tstate, astate = topt.state[tp[0]], aopt.state[ap[0]]
        assert (tstate["func_evals"], tstate["n_iter"]) == (astate["func_evals"],
                                                            astate["n_iter"])
    assert_same_state(topt.state[tp[0]], aopt.state[ap[0]])


@pytest.mark.parametrize("line_search_fn", LINE_SEARCHES)
def test_lbfgs_on_rosenbrock_is_bit_identical_to_torch(line_search_fn):
    """Not just close: the same float64 numbers (torch's fused multiply-adds are mirrored)."""
    (tp, topt, tclosure), (ap, aopt, aclosure) = pair(
        "rosenbrock", lambda ps: torch.optim.LBFGS(ps, line_search_fn=line_search_fn),
        lambda ps: optim.LBFGS(ps, line_search_fn=line_search_fn))
    for _ in range(20):
        topt.step(tclosure)
        aopt.step(aclosure)
        np.testing.assert_array_equal(ap[0]._data, tp[0].detach().numpy())
    np.testing.assert_allclose(ap[0]._data, [1.0, 1.0], atol=1e-5)


@pytest.mark.parametrize("line_search_fn", LINE_SEARCHES)
def test_lbfgs_on_a_small_mlp_follows_torch(line_search_fn):
    """The network's own ops (tanh, matmul, mean) round differently from torch's by an ulp,
    and L-BFGS on a non-convex loss amplifies that over many iterations: compare the
    first three steps (60 iterations), to 1e-9."""
    kwargs = {"line_search_fn": line_search_fn, "lr": 0.5 if line_search_fn is None else 1}
    (tp, topt, tclosure), (ap, aopt, aclosure) = pair(
        "mlp", lambda ps: torch.optim.LBFGS(ps, **kwargs), lambda ps: optim.LBFGS(ps, **kwargs))
    for step in range(3):
        tloss, aloss = topt.step(tclosure), aopt.step(aclosure)
        assert float(tloss.detach()) == pytest.approx(float(aloss), rel=1e-12)
        for t, a in zip(tp, ap):
            np.testing.assert_allclose(a._data, t.detach().numpy(), rtol=0, atol=1e-9,
                                       err_msg=f"step {step}")


def test_lbfgs_parameter_without_gradient_stays_put_as_in_torch():
    """A parameter the loss ignores has a zero gradient in the flat vector (torch's rule)."""
    tx = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    tz = torch.tensor([7.0], dtype=torch.float64, requires_grad=True)
    ax = ac.tensor([-1.5, 2.0], dtype=ac.float64, requires_grad=True)
    az = ac.tensor([7.0], dtype=ac.float64, requires_grad=True)
    topt = torch.optim.LBFGS([tz, tx], line_search_fn="strong_wolfe")
    aopt = optim.LBFGS([az, ax], line_search_fn="strong_wolfe")

    def tclosure():
        topt.zero_grad()
        loss = rosenbrock(tx)
        loss.backward()
        return loss

    def aclosure():
        aopt.zero_grad()
        loss = rosenbrock(ax)
        loss.backward()
        return loss

    for _ in range(5):
        topt.step(tclosure)
        aopt.step(aclosure)
        np.testing.assert_allclose(ax._data, tx.detach().numpy(), rtol=0, atol=TOL)
    assert az._data.tolist() == [7.0] and az.grad is None


def test_lbfgs_returns_at_once_at_a_minimum():
    x = ac.tensor([1.0, 1.0], dtype=ac.float64, requires_grad=True)
    opt = optim.LBFGS([x])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert len(calls) == 1 and opt.state[x]["n_iter"] == 0 and x._data.tolist() == [1.0, 1.0]


def test_lbfgs_float32_follows_torch_closely():
    tx = torch.tensor([-1.5, 2.0], dtype=torch.float32, requires_grad=True)
    ax = ac.tensor([-1.5, 2.0], dtype=ac.float32, requires_grad=True)
    topt = torch.optim.LBFGS([tx], line_search_fn="strong_wolfe", max_iter=5)
    aopt = optim.LBFGS([ax], line_search_fn="strong_wolfe", max_iter=5)
    for opt, x in ((topt, tx), (aopt, ax)):
        def closure(opt=opt, x=x):
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss
        for _ in range(3):
            opt.step(closure)
    assert ax.dtype == np.float32
    np.testing.assert_allclose(ax._data, tx.detach().numpy(), atol=1e-4)


# -- BFGS ------------------------------------------------------------------------------


def minimize(opt_class, start, steps, **kwargs):
    x = ac.tensor(start, dtype=ac.float64, requires_grad=True)
    opt = opt_class([x], **kwargs)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    return x, opt


@pytest.mark.parametrize("start", [[-1.5, 2.0], [-1.2, 1.0], [2.0, -1.0]])
def test_bfgs_reaches_the_rosenbrock_minimum(start):
    x, opt = minimize(optim.BFGS, start, 3, max_iter=100, tolerance_grad=1e-12,
                      tolerance_change=1e-20)
    np.testing.assert_allclose(x._data, [1.0, 1.0], rtol=0, atol=1e-8)
    h = opt.state[x]["H"]._data  # the inverse-Hessian model: symmetric positive definite
    np.testing.assert_allclose(h, h.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(h) > 0)


def test_bfgs_update_is_the_rank_two_formula_and_meets_the_secant_condition():
    rng = np.random.default_rng(1)
    n = 5
    x = ac.tensor(np.zeros(n), dtype=ac.float64, requires_grad=True)
    opt = optim.BFGS([x])
    a = rng.normal(size=(n, n))
    h = a @ a.T + n * np.eye(n)
    g_prev, g, d = rng.normal(size=n), rng.normal(size=n), -rng.normal(size=n)
    t = 0.7
    s, y = d * t, g - g_prev
    if y @ s < 0:
        y = -y
        g = g_prev + y
    opt._h = h.copy()
    direction = opt._direction({}, g, d, t, g_prev)
    rho = 1 / (y @ s)
    eye = np.eye(n)
    expected = (eye - rho * np.outer(s, y)) @ h @ (eye - rho * np.outer(y, s))
    expected += rho * np.outer(s, s)
    np.testing.assert_allclose(opt._h, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(opt._h @ y, s, rtol=1e-12)  # secant condition
    np.testing.assert_allclose(direction, -expected @ g, rtol=1e-12)


def test_bfgs_scales_the_identity_before_its_first_update():
    x = ac.tensor(np.zeros(2), dtype=ac.float64, requires_grad=True)
    opt = optim.BFGS([x])
    opt._h = None
    g_prev, g, d = np.array([1.0, 2.0]), np.array([0.5, 0.5]), np.array([-1.0, -2.0])
    opt._direction({}, g, d, 0.5, g_prev)
    s, y = d * 0.5, g - g_prev
    rho, h0 = 1 / (y @ s), (y @ s) / (y @ y) * np.eye(2)
    eye = np.eye(2)
    expected = (eye - rho * np.outer(s, y)) @ h0 @ (eye - rho * np.outer(y, s))
    np.testing.assert_allclose(opt._h, expected + rho * np.outer(s, s), rtol=1e-12)


# -- Newton ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", [[-1.5, 2.0], [-1.2, 1.0]])
def test_newton_reaches_the_rosenbrock_minimum(start):
    x = ac.tensor(start, dtype=ac.float64, requires_grad=True)
    opt = optim.Newton([x])
    for _ in range(10):
        opt.step(lambda: rosenbrock(x))
    np.testing.assert_allclose(x._data, [1.0, 1.0], rtol=0, atol=1e-8)


def quadratic_problem(damping=0.0):
    """0.5 z^T A z - b^T z over z = (u, v), two parameters of different shapes."""
    rng = np.random.default_rng(3)
    m = rng.normal(size=(5, 5))
    A, b = m @ m.T + np.eye(5), rng.normal(size=5)
    u = ac.tensor(rng.normal(size=(3,)), dtype=ac.float64, requires_grad=True)
    v = ac.tensor(rng.normal(size=(1, 2)), dtype=ac.float64, requires_grad=True)
    At, bt = ac.tensor(A, dtype=ac.float64), ac.tensor(b, dtype=ac.float64)

    def closure():
        z = ac.cat([u, v.reshape(-1)])
        return 0.5 * (z * (At @ z)).sum() - (bt * z).sum()

    return A, b, u, v, closure


def test_newton_solves_a_convex_quadratic_in_one_step():
    A, b, u, v, closure = quadratic_problem()
    opt = optim.Newton([u, v])
    opt.step(closure)
    z = np.concatenate([u._data, v._data.reshape(-1)])
    np.testing.assert_allclose(z, np.linalg.solve(A, b), rtol=0, atol=1e-12)
    assert v.shape == (1, 2)


def test_newton_damping_and_lr():
    A, b, u, v, closure = quadratic_problem()
    z0 = np.concatenate([u._data, v._data.reshape(-1)])
    optim.Newton([u, v], lr=0.5, damping=2.0).step(closure)
    z = np.concatenate([u._data, v._data.reshape(-1)])
    expected = z0 - 0.5 * np.linalg.solve(A + 2.0 * np.eye(5), A @ z0 - b)
    np.testing.assert_allclose(z, expected, rtol=0, atol=1e-12)


def test_newton_leaves_parameters_the_loss_ignores():
    x = ac.tensor([-1.2, 1.0], dtype=ac.float64, requires_grad=True)
    unused = ac.tensor([3.0], dtype=ac.float64, requires_grad=True)
    opt = optim.Newton([unused, x])
    loss = opt.step(lambda: rosenbrock(x))
    assert float(loss) == pytest.approx(24.2)
    assert unused._data.tolist() == [3.0] and x._data.tolist() != [-1.2, 1.0]


def test_newton_handles_a_parameter_entering_linearly():
    """d loss / d w is constant in x: its Hessian rows are zero apart from the cross terms."""
    x = ac.tensor([2.0], dtype=ac.float64, requires_grad=True)
    w = ac.tensor([1.0], dtype=ac.float64, requires_grad=True)
    opt = optim.Newton([x, w])  # loss = x^2 + 3 w: the Hessian [[2, 0], [0, 0]] is singular
    with pytest.raises(np.linalg.LinAlgError, match="damping"):
        opt.step(lambda: (x * x).sum() + 3.0 * w.sum())
    optim.Newton([x, w], damping=1.0).step(lambda: (x * x).sum() + 3.0 * w.sum())
    np.testing.assert_allclose([x.item(), w.item()], [2.0 - 4.0 / 3.0, 1.0 - 3.0])


# -- checkpoints -----------------------------------------------------------------------


def rosenbrock_run(x, opt, steps, newton=False):
    """Take steps; the parameters after each."""
    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    out = []
    for _ in range(steps):
        opt.step((lambda: rosenbrock(x)) if newton else closure)
        out.append(x._data.copy())
    return out


@pytest.mark.parametrize("opt_class, kwargs", [
    (optim.LBFGS, {"max_iter": 3}),
    (optim.LBFGS, {"max_iter": 3, "line_search_fn": "strong_wolfe", "history_size": 2}),
    (optim.BFGS, {"max_iter": 3}),
    (optim.BFGS, {"max_iter": 2, "line_search_fn": None, "lr": 0.1}),
    (optim.Newton, {"lr": 0.5}),
])
def test_state_dict_round_trip_resumes_bit_identically(opt_class, kwargs):
    newton = opt_class is optim.Newton
    x = ac.tensor([-1.5, 2.0], dtype=ac.float64, requires_grad=True)
    opt = opt_class([x], **kwargs)
    rosenbrock_run(x, opt, 3, newton)
    saved, saved_x = opt.state_dict(), x._data.copy()
    expected = rosenbrock_run(x, opt, 4, newton)

    y = ac.tensor(saved_x, dtype=ac.float64, requires_grad=True)
    resumed = opt_class([y], **kwargs)
    resumed.load_state_dict(saved)
    got = rosenbrock_run(y, resumed, 4, newton)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(g, e)
    if not newton:  # the saved copy was not changed by the steps taken after saving
        assert saved["state"][0]["n_iter"] < opt.state[x]["n_iter"]


def test_lbfgs_state_keys_match_torch():
    (tp, topt, tclosure), (ap, aopt, aclosure) = pair(
        "rosenbrock", lambda ps: torch.optim.LBFGS(ps), lambda ps: optim.LBFGS(ps))
    topt.step(tclosure)
    aopt.step(aclosure)
    assert sorted(aopt.state_dict()["state"][0]) == sorted(topt.state_dict()["state"][0])


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("opt_class", [optim.LBFGS, optim.BFGS, optim.Newton])
def test_step_without_closure_is_a_clear_error(opt_class):
    x = ac.tensor([1.0, 2.0], dtype=ac.float64, requires_grad=True)
    with pytest.raises(TypeError, match=r"step needs a closure"):
        opt_class([x]).step()


@pytest.mark.parametrize("opt_class", [optim.LBFGS, optim.BFGS, optim.Newton])
def test_non_scalar_loss_is_a_clear_error(opt_class):
    x = ac.tensor([1.0, 2.0], dtype=ac.float64, requires_grad=True)
    opt = opt_class([x])

    def closure():
        loss = x * x
        if opt_class is not optim.Newton:
            loss.sum().backward()
        return loss

    with pytest.raises(ValueError, match=r"scalar loss.*shape \(2,\)"):
        opt.step(closure)


def test_newton_closure_that_calls_backward_is_a_clear_error():
    x = ac.tensor([1.0, 2.0], dtype=ac.float64, requires_grad=True)

    def closure():
        loss = (x * x * x).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="don't call loss.backward"):
        optim.Newton([x]).step(closure)


def test_newton_loss_without_graph_is_a_clear_error():
    x = ac.tensor([1.0, 2.0], dtype=ac.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="no graph"):
        optim.Newton([x]).step(lambda: ac.tensor(3.0))
    other = ac.tensor([1.0], dtype=ac.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="does not depend on any"):
        optim.Newton([x]).step(lambda: (other * other).sum())


@pytest.mark.parametrize("make, match", [
    (lambda x: optim.LBFGS([x], lr=-1.0), "learning rate"),
    (lambda x: optim.LBFGS([x], line_search_fn="backtracking"), "strong_wolfe"),
    (lambda x: optim.LBFGS([x], history_size=0), "history_size"),
    (lambda x: optim.LBFGS([x], max_iter=0), "max_iter"),
    (lambda x: optim.LBFGS([x], tolerance_grad=-1.0), "tolerance"),
    (lambda x: optim.BFGS([x], line_search_fn="armijo"), "strong_wolfe"),
    (lambda x: optim.BFGS([x], lr=-0.1), "learning rate"),
    (lambda x: optim.Newton([x], damping=-1.0), "damping"),
    (lambda x: optim.Newton([x], lr=-1.0), "learning rate"),
    (lambda x: optim.LBFGS([{"params": [x]}, {"params": [ac.zeros(2)]}]), "parameter groups"),
    (lambda x: optim.Newton([{"params": [x]}, {"params": [ac.zeros(2)]}]), "parameter groups"),
])
def test_invalid_arguments(make, match):
    x = ac.tensor([1.0, 2.0], dtype=ac.float64, requires_grad=True)
    with pytest.raises(ValueError, match=match):
        make(x)


# -- the numerics shared with torch ----------------------------------------------------


def test_add_scaled_is_a_fused_multiply_add_like_torch():
    rng = np.random.default_rng(4)
    y = rng.normal(size=500) * 10.0 ** rng.integers(-20, 20, size=500)
    x = rng.normal(size=500) * 10.0 ** rng.integers(-20, 20, size=500)
    alpha = -0.3712345678901
    y[:100] = -alpha * x[:100] * (1 + 1e-13)  # heavy cancellation
    expected = torch.tensor(y).add_(torch.tensor(x), alpha=alpha).numpy()
    np.testing.assert_array_equal(add_scaled(y, alpha, x), expected)
    assert add_scaled(np.float32([1.0]), 0.5, np.float32([2.0])).dtype == np.float32


def test_dot_equals_torch_for_two_entries():
    rng = np.random.default_rng(5)
    for _ in range(200):
        a, b = rng.normal(size=2), rng.normal(size=2)
        assert dot(a, b) == float(torch.tensor(a).dot(torch.tensor(b)))


def test_cubic_interpolate_finds_a_cubic_minimum():
    # f(x) = (x - 1)^3 - 3 (x - 1): slopes 3 (x - 1)^2 - 3, local minimum at x = 2.
    def f(x):
        return (x - 1) ** 3 - 3 * (x - 1)

    def g(x):
        return 3 * (x - 1) ** 2 - 3

    assert cubic_interpolate(1.5, f(1.5), g(1.5), 3.0, f(3.0), g(3.0)) == pytest.approx(2.0)
    assert cubic_interpolate(3.0, f(3.0), g(3.0), 1.5, f(1.5), g(1.5)) == pytest.approx(2.0)
    assert cubic_interpolate(1.5, f(1.5), g(1.5), 3.0, f(3.0), g(3.0),
                             bounds=(2.5, 2.8)) == 2.5
