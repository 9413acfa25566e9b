"""Parameter averaging (EMA / Polyak, SWA) against closed forms and torch.optim.swa_utils."""

import numpy as np
import pytest
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_avg_fn

import autograd_core as ac
from optim import SWA, AveragedParameters, ExponentialMovingAverage

SHAPES = [(3, 4), (4,), ()]


def sequence(steps, seed=0, dtype=np.float64):
    """``steps`` snapshots of three parameters: a known sequence of parameter values."""
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]


def make_params(values):
    return [ac.tensor(v, dtype=v.dtype, requires_grad=True) for v in values]


def assign(params, values):
    for p, v in zip(params, values):
        p._data[...] = v
        p._bump_version()


def torch_model(values):
    """A torch Module whose parameters() are the given arrays (for AveragedModel)."""
    return torch.nn.ParameterList([torch.nn.Parameter(torch.tensor(v)) for v in values])


def torch_assign(model, values):
    with torch.no_grad():
        for p, v in zip(model.parameters(), values):
            p.copy_(torch.tensor(v))


# -- exponential moving average ------------------------------------------------------------


@pytest.mark.parametrize("decay", [0.995, 0.9, 0.0, 1.0])
def test_ema_matches_the_closed_form(decay):
    xs = sequence(30)
    params = make_params(xs[0])
    ema = ExponentialMovingAverage(params, decay=decay)  # starts at x_0
    for values in xs[1:]:
        assign(params, values)
        ema.update()
    k = len(xs) - 1
    for j, avg in enumerate(ema.averaged):
        # avg_k = d^k x_0 + sum_{i=1..k} (1 - d) d^(k - i) x_i
        expected = decay**k * xs[0][j] + sum(
            (1 - decay) * decay ** (k - i) * xs[i][j] for i in range(1, k + 1))
        np.testing.assert_allclose(avg._data, expected, rtol=1e-12, atol=1e-14)
    assert ema.num_updates == k


def test_ema_follows_the_notes_formula_step_by_step():
    x = ac.tensor([2.0], dtype=ac.float64, requires_grad=True)
    ema = ExponentialMovingAverage([x])
    x_test = 2.0
    for value in [1.0, -3.0, 0.5, 4.0]:
        x._data[...] = value
        ema.update()
        x_test = 0.995 * x_test + 0.005 * value
        # 1 - 0.995 is 0.005 only up to rounding, hence approx
        assert ema.averaged[0].item() == pytest.approx(x_test, rel=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ema_matches_torch_averaged_model_with_ema_avg_fn(dtype):
    xs = sequence(40, seed=1, dtype=dtype)
    params = make_params(xs[0])
    ema = ExponentialMovingAverage(params, decay=0.995)
    model = torch_model(xs[0])
    averaged = AveragedModel(model, avg_fn=get_ema_avg_fn(0.995))
    averaged.update_parameters(model)  # torch's first update copies: our construction
    for values in xs[1:]:
        assign(params, values)
        ema.update()
        torch_assign(model, values)
        averaged.update_parameters(model)
        for ours, theirs in zip(ema.averaged, averaged.module.parameters()):
            # the same operations in the same order: bit-identical, in float32 too
            np.testing.assert_array_equal(ours._data, theirs.detach().numpy())


# -- uniform averaging (SWA) -------------------------------------------------------------------


def test_swa_average_is_the_mean_of_the_snapshots():
    xs = sequence(25, seed=2)
    params = make_params(xs[0])
    swa = AveragedParameters(params)
    assert swa.n_averaged == 0
    for k, values in enumerate(xs, start=1):
        assign(params, values)
        swa.update()
        assert swa.n_averaged == k
        for j, avg in enumerate(swa.averaged):
            mean = sum(x[j] for x in xs[:k]) / k
            np.testing.assert_allclose(avg._data, mean, rtol=1e-12, atol=1e-14)
    assert SWA is AveragedParameters


def test_swa_first_update_copies_and_construction_adds_no_snapshot():
    xs = sequence(2, seed=3)
    params = make_params(xs[0])
    swa = SWA(params)
    assign(params, xs[1])
    swa.update()  # the average is x_1 alone, not (x_0 + x_1) / 2
    for avg, x in zip(swa.averaged, xs[1]):
        np.testing.assert_array_equal(avg._data, x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_swa_matches_torch_averaged_model(dtype):
    xs = sequence(40, seed=4, dtype=dtype)
    params = make_params(xs[0])
    swa = SWA(params)
    model = torch_model(xs[0])
    averaged = AveragedModel(model)
    for values in xs:
        assign(params, values)
        swa.update()
        torch_assign(model, values)
        averaged.update_parameters(model)
        assert swa.n_averaged == int(averaged.n_averaged)
        for ours, theirs in zip(swa.averaged, averaged.module.parameters()):
            np.testing.assert_array_equal(ours._data, theirs.detach().numpy())


# -- swapping, copying, checkpoints (both kinds) --------------------------------------------


def trained_average(kind, steps=6, seed=5):
    xs = sequence(steps, seed=seed)
    params = make_params(xs[0])
    avg = ExponentialMovingAverage(params, decay=0.9) if kind == "ema" else SWA(params)
    for values in xs[1:]:
        assign(params, values)
        avg.update()
    return params, avg


@pytest.mark.parametrize("kind", ["ema", "swa"])
@pytest.mark.parametrize("method", ["average_parameters", "swapped"])
def test_swap_in_and_restore_exactly(kind, method):
    params, avg = trained_average(kind)
    arrays = [p._data for p in params]
    trained = [p._data.copy() for p in params]
    averaged = [a._data.copy() for a in avg.averaged]
    versions = [p._version for p in params]
    with getattr(avg, method)():
        for p, a in zip(params, averaged):
            np.testing.assert_array_equal(p._data, a)
    for p, array, before, v in zip(params, arrays, trained, versions):
        assert p._data is array  # written in place: views and optimizer state stay attached
        np.testing.assert_array_equal(p._data, before)
        assert p._version > v  # in-place writes are seen by autograd's version check
    for a, before in zip(avg.averaged, averaged):
        np.testing.assert_array_equal(a._data, before)  # evaluating does not move the average


@pytest.mark.parametrize("kind", ["ema", "swa"])
def test_restore_happens_even_if_the_block_raises(kind):
    params, avg = trained_average(kind)
    trained = [p._data.copy() for p in params]
    with pytest.raises(ZeroDivisionError), avg.average_parameters():
        assert not np.array_equal(params[0]._data, trained[0])
        _ = 1 / 0
    for p, before in zip(params, trained):
        np.testing.assert_array_equal(p._data, before)


@pytest.mark.parametrize("kind", ["ema", "swa"])
def test_copy_to_writes_the_average_into_any_matching_parameter_list(kind):
    params, avg = trained_average(kind)
    other = make_params([np.zeros(s) for s in SHAPES])
    avg.copy_to(other)
    for o, a in zip(other, avg.averaged):
        np.testing.assert_array_equal(o._data, a._data)
    avg.copy_to()
    for p, a in zip(params, avg.averaged):
        np.testing.assert_array_equal(p._data, a._data)
    with avg.average_parameters(other):  # swapping another list restores that list
        pass


@pytest.mark.parametrize("kind", ["ema", "swa"])
def test_state_dict_round_trip_resumes_bit_identically(kind):
    params, avg = trained_average(kind, steps=5)
    saved = avg.state_dict()
    saved_params = [p._data.copy() for p in params]
    more = sequence(5, seed=6)
    for values in more:
        assign(params, values)
        avg.update()
    assert not np.array_equal(saved["averaged"][0]._data, avg.averaged[0]._data)  # a copy

    fresh = make_params(saved_params)
    resumed = ExponentialMovingAverage(fresh) if kind == "ema" else SWA(fresh)
    resumed.load_state_dict(saved)
    for values in more:
        assign(fresh, values)
        resumed.update()
    for a, b in zip(avg.averaged, resumed.averaged):
        np.testing.assert_array_equal(a._data, b._data)
    assert resumed.state_dict().keys() == saved.keys()
    if kind == "ema":
        assert (resumed.decay, resumed.num_updates) == (0.9, 9)
    else:
        assert resumed.n_averaged == 9


def test_works_with_module_parameters_and_in_a_noisy_training_loop():
    """A Module's parameters() is just an iterable of tensors. With noisy gradient descent
    on 0.5 * |x|^2 (200 independent runs as rows of x), the averaged iterates sit much
    closer to the minimum than the last ones (about 10x in mean squared distance)."""
    import nn

    layer = nn.Linear(3, 2)
    ema = ExponentialMovingAverage(layer.parameters(), decay=0.9)
    assert len(ema.averaged) == 2

    rng = np.random.default_rng(0)
    x = ac.ones(200, 2, dtype=ac.float64, requires_grad=True)
    ema, swa = ExponentialMovingAverage([x], decay=0.99), SWA([x])
    for step in range(600):
        x.grad = None
        (0.5 * (x * x).sum()).backward()
        x._data -= 0.1 * (x.grad._data + rng.standard_normal((200, 2)))
        ema.update()
        if step >= 300:
            swa.update()

    def mean_square(a):
        return float(np.mean(np.sum(a**2, axis=1)))

    last = mean_square(x._data)
    assert mean_square(ema.averaged[0]._data) < last / 4
    assert mean_square(swa.averaged[0]._data) < last / 4


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: ExponentialMovingAverage([ac.zeros(2)], decay=1.5), ValueError,
         r"invalid decay 1.5: it must be in \[0, 1\]"),
        (lambda: ExponentialMovingAverage([], decay=0.9), ValueError, "empty parameter list"),
        (lambda: SWA([np.zeros(2)]), TypeError, "parameter 0 is a ndarray, not a Tensor"),
        (lambda: SWA([ac.zeros(2, dtype=ac.int64)]), TypeError, "only floating-point"),
        (lambda: SWA([ac.zeros(2)]).copy_to(), RuntimeError, "no snapshot has been averaged"),
        (lambda: SWA([ac.zeros(2)]).average_parameters().__enter__(), RuntimeError,
         "call update"),
        (lambda: ExponentialMovingAverage([ac.zeros(2)]).copy_to([ac.zeros(3)]), ValueError,
         r"parameter 0 has shape \(3,\), its average \(2,\)"),
        (lambda: ExponentialMovingAverage([ac.zeros(2)]).update([ac.zeros(2), ac.zeros(1)]),
         ValueError, "got 2 parameters, the average tracks 1"),
        (lambda: SWA([ac.zeros(2)]).load_state_dict({"n_averaged": 1, "averaged": []}),
         ValueError, "the saved state averages 0 parameters, this one 1"),
        (lambda: SWA([ac.zeros(2)]).load_state_dict(
            {"n_averaged": 1, "averaged": [ac.zeros(4)]}), ValueError,
         r"saved average 0 has shape \(4,\), the parameter \(2,\)"),
    ],
)
def test_errors_are_clear(call, error, match):
    with pytest.raises(error, match=match):
        call()
