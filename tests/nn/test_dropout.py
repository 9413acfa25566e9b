"""Dropout, Dropout2d, DropConnect and StochasticDepth.

Masks are random, so the statistical tests use a fixed seed and a tolerance of five
binomial standard errors: an element kept with probability ``q = 1 - p`` and scaled by
``1 / q`` has mean 1 and variance ``p / q``, so the mean of ``n`` of them has standard
error ``sqrt(p / (q n))``; a dropped fraction has standard error ``sqrt(p q / n)``.
Deterministic behaviour (evaluation mode, the linear part of DropConnect) is compared
with PyTorch.
"""

import math
import warnings

import numpy as np
import pytest
import torch

import autograd_core as ac
import nn
from autograd_core.creation import generator
from nn import functional as F

SIGMAS = 5.0


def _mean_tolerance(p, n):
    return SIGMAS * math.sqrt(p / ((1 - p) * n))


def _fraction_tolerance(p, n):
    return SIGMAS * math.sqrt(p * (1 - p) / n)


# -- Dropout ---------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [ac.float32, ac.float64])
def test_dropout_preserves_the_mean_and_drops_a_fraction_p(p, dtype):
    n = 200_000
    ac.manual_seed(0)
    out = F.dropout(ac.ones(n, dtype=dtype), p, training=True).numpy()
    assert out.dtype == np.dtype(dtype)
    assert abs(out.mean() - 1.0) < _mean_tolerance(p, n)
    assert abs((out == 0).mean() - p) < _fraction_tolerance(p, n)
    kept = out[out != 0]
    np.testing.assert_array_equal(kept, np.full(kept.shape, 1 / (1 - p), dtype=dtype))


def test_dropout_gradient_is_the_scaled_mask():
    ac.manual_seed(1)
    x = ac.randn(50, 40, requires_grad=True)
    y = nn.Dropout(0.3)(x)
    mask = y.detach().numpy() / x.detach().numpy()  # 0 or 1 / 0.7
    g = np.random.default_rng(0).normal(size=x.shape).astype(np.float32)
    y.backward(ac.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), g * mask, rtol=1e-6)
    assert np.all(np.isclose(mask, 0.0) | np.isclose(mask, 1 / 0.7))


def test_dropout_is_the_identity_in_eval_mode_and_for_p_zero():
    x = ac.randn(4, 5)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x
    assert F.dropout(x, 0.0, training=True) is x
    tx = torch.tensor(x.numpy())
    np.testing.assert_array_equal(layer(x).numpy(), torch.nn.Dropout(0.5).eval()(tx).numpy())


def test_dropout_with_p_one_zeroes_everything():
    x = ac.randn(3, 4, requires_grad=True)
    y = F.dropout(x, 1.0)
    np.testing.assert_array_equal(y.detach().numpy(), np.zeros((3, 4), np.float32))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((3, 4), np.float32))


def test_dropout_masks_repeat_with_manual_seed():
    x = ac.ones(1000)
    ac.manual_seed(42)
    a = F.dropout(x, 0.5).numpy()
    b = F.dropout(x, 0.5).numpy()
    ac.manual_seed(42)
    c = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)  # a fresh mask on each call


def test_dropout_mask_is_one_uniform_per_element_below_the_keep_probability():
    ac.manual_seed(7)
    out = F.dropout(ac.ones(6, 7), 0.25).numpy()
    ac.manual_seed(7)
    keep = generator().random((6, 7)) < 0.75
    np.testing.assert_array_equal(out, np.where(keep, np.float32(1 / 0.75), 0).astype("f4"))


def test_inplace_dropout_writes_into_the_input_and_keeps_gradients():
    ac.manual_seed(3)
    x = ac.ones(10, 10)
    y = nn.Dropout(0.5, inplace=True)(x)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}
    leaf = ac.randn(5, 5, requires_grad=True)
    with pytest.raises(RuntimeError):
        F.dropout(leaf, 0.5, inplace=True)  # a leaf that requires grad, as in PyTorch
    h = leaf * 1.0
    out = F.dropout(h, 0.5, inplace=True)
    out.sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), out.detach().numpy() / leaf.detach().numpy(),
                               rtol=1e-5)


@pytest.mark.parametrize("p", [-0.1, 1.5, True, "0.5"])
def test_dropout_rejects_bad_probabilities(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(ac.ones(3), p)


def test_dropout_repr_matches_torch():
    assert repr(nn.Dropout()) == repr(torch.nn.Dropout())
    assert repr(nn.Dropout2d(0.2, inplace=True)) == repr(torch.nn.Dropout2d(0.2, inplace=True))
    assert list(nn.Dropout().state_dict()) == []


def test_dropout_second_order_passes_the_mask_through():
    ac.manual_seed(5)
    x = ac.randn(20, dtype=ac.float64, requires_grad=True)
    y = F.dropout(x, 0.4)
    (g,) = ac.grad((y ** 2).sum(), [x], create_graph=True)
    (gg,) = ac.grad(g.sum(), [x])
    mask = np.where(y.detach().numpy() != 0, 1 / 0.6, 0.0)
    np.testing.assert_allclose(gg.numpy(), 2 * mask ** 2, rtol=1e-12)


# -- Dropout2d -------------------------------------------------------------------------------

def test_dropout2d_drops_whole_channels_and_preserves_the_mean():
    p, n, c = 0.3, 400, 100
    ac.manual_seed(0)
    out = nn.Dropout2d(p)(ac.ones(n, c, 3, 4)).numpy()
    per_channel = out.reshape(n, c, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # each map: all kept or dropped
    channel_values = per_channel[:, :, 0]
    assert abs((channel_values == 0).mean() - p) < _fraction_tolerance(p, n * c)
    assert abs(channel_values.mean() - 1.0) < _mean_tolerance(p, n * c)
    assert set(np.unique(out)) <= {0.0, np.float32(1 / (1 - p))}


def test_dropout2d_eval_identity_gradient_and_seed():
    x = ac.randn(2, 3, 4, 4, requires_grad=True)
    assert nn.Dropout2d(0.5).eval()(x) is x
    ac.manual_seed(9)
    y = F.dropout2d(x, 0.5)
    y.sum().backward()
    ac.manual_seed(9)
    keep = generator().random((2, 3, 1, 1)) < 0.5
    expected = np.broadcast_to(np.where(keep, 2.0, 0.0), x.shape)
    np.testing.assert_array_equal(x.grad.numpy(), expected.astype(np.float32))


def test_dropout2d_warns_like_torch_for_3d_input_and_rejects_1d():
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        out = F.dropout2d(ac.ones(4, 5, 6), 0.5)
    flat = out.numpy()
    assert np.all(flat.min(-1) == flat.max(-1))  # (N, C, L): whole rows of L
    with pytest.raises(ValueError, match=r"dropout2d: .* \(N, C, \*\)"):
        F.dropout2d(ac.ones(5), 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout2d(ac.ones(2, 3, 4, 4), 0.5)  # 4-D: no warning


# -- DropConnect -----------------------------------------------------------------------------

def _torch_linear(layer, dtype):
    t = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    t = t.double() if dtype == np.float64 else t
    t.weight.data = torch.tensor(layer.weight.detach().numpy().copy())
    if layer.bias is not None:
        t.bias.data = torch.tensor(layer.bias.detach().numpy().copy())
    return t


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_dropconnect_in_eval_is_torch_linear(dtype, bias, shape):
    ac.manual_seed(0)
    layer = nn.DropConnect(4, 3, p=0.5, bias=bias)
    if dtype == np.float64:
        layer.double()
    layer.eval()
    theirs = _torch_linear(layer, dtype)
    x = np.random.default_rng(1).normal(size=shape).astype(dtype)
    xo, xt = ac.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = layer(xo), theirs(xt)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 0}
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), **tol)
    g = np.random.default_rng(2).normal(size=yo.shape).astype(dtype)
    yo.backward(ac.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), **tol)
    np.testing.assert_allclose(layer.weight.grad.numpy(), theirs.weight.grad.numpy(), **tol)
    if bias:
        np.testing.assert_allclose(layer.bias.grad.numpy(), theirs.bias.grad.numpy(), **tol)


def test_dropconnect_training_masks_weights_with_a_replayable_mask():
    ac.manual_seed(0)
    layer = nn.DropConnect(6, 4, p=0.25)
    w, b = layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy()
    x = ac.randn(3, 6, dtype=ac.float32)
    ac.manual_seed(11)
    y = layer(x)
    ac.manual_seed(11)
    mask = (generator().random(w.shape) < 0.75).astype(np.float32) / np.float32(0.75)
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() @ (w * mask).T + b, rtol=1e-5,
                               atol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(),
                               mask * x.numpy().sum(0)[None, :], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.numpy(), np.full(4, 3.0), rtol=1e-6)
    ac.manual_seed(11)
    np.testing.assert_array_equal(layer(x).detach().numpy(), y.detach().numpy())


def test_dropconnect_preserves_the_expected_output():
    p, draws = 0.4, 400
    ac.manual_seed(1)
    layer = nn.DropConnect(50, 10, p=p).double()
    x = ac.randn(1, 50, dtype=ac.float64)
    outs = np.stack([layer(x).detach().numpy()[0] for _ in range(draws)])
    expected = layer.eval()(x).detach().numpy()[0]
    # each output is sum_i x_i w_ji m_ji / q: its variance is sum_i (x_i w_ji)^2 p / q
    contributions = (x.numpy()[0][None, :] * layer.weight.detach().numpy()) ** 2
    se = np.sqrt(contributions.sum(1) * p / (1 - p) / draws)
    assert np.all(np.abs(outs.mean(0) - expected) < SIGMAS * se)


def test_dropconnect_default_init_is_pytorch_linears():
    ac.manual_seed(2)
    layer = nn.DropConnect(16, 300)
    bound = 1 / math.sqrt(16)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(in), 1/sqrt(in))
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.shape == (300, 16) and b.shape == (300,)
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound  # U(-a, a) has std a / sqrt(3)
    assert np.abs(b).max() > 0.9 * bound
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert repr(layer) == "DropConnect(in_features=16, out_features=300, bias=True, p=0.5)"
    assert nn.DropConnect(3, 2, bias=False).bias is None


def test_dropconnect_errors_name_the_layer():
    layer = nn.DropConnect(4, 2, p=0.5)
    with pytest.raises(ValueError, match=r"DropConnect\(4, 2\): expected an input of shape "
                                         r"\(\*, 4\), got \(3, 5\)"):
        layer(ac.randn(3, 5))
    with pytest.raises(TypeError, match=r"DropConnect\(4, 2\).*float64.*float32"):
        layer(ac.randn(3, 4, dtype=ac.float64))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.DropConnect(4, 2, p=1.2)


# -- StochasticDepth -------------------------------------------------------------------------

def test_stochastic_depth_row_mode_drops_whole_samples_and_preserves_the_mean():
    p, n = 0.2, 20_000
    ac.manual_seed(0)
    out = nn.StochasticDepth(p, "row")(ac.ones(n, 3, 2)).numpy().reshape(n, -1)
    assert np.all(out.min(1) == out.max(1))
    rows = out[:, 0]
    assert abs((rows == 0).mean() - p) < _fraction_tolerance(p, n)
    assert abs(rows.mean() - 1.0) < _mean_tolerance(p, n)
    assert set(np.unique(rows)) <= {0.0, np.float32(1 / (1 - p))}


def test_stochastic_depth_batch_mode_keeps_or_drops_everything():
    p, trials = 0.3, 4000
    ac.manual_seed(1)
    x = ac.ones(4, 3)
    kept = []
    for _ in range(trials):
        out = F.stochastic_depth(x, p, "batch").numpy()
        assert out.min() == out.max()
        kept.append(out[0, 0] != 0)
    assert abs((1 - np.mean(kept)) - p) < _fraction_tolerance(p, trials)


def test_stochastic_depth_eval_seed_gradient_and_residual_use():
    x = ac.randn(6, 4, requires_grad=True)
    layer = nn.StochasticDepth(0.5, "row")
    assert layer.eval()(x) is x
    assert F.stochastic_depth(x, 0.0, "row") is x
    layer.train()
    ac.manual_seed(4)
    y = x + layer(x * 2.0)  # the residual form
    y.sum().backward()
    ac.manual_seed(4)
    noise = (generator().random((6, 1)) < 0.5).astype(np.float32) / np.float32(0.5)
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(1 + 2 * noise, (6, 4)))
    assert repr(layer) == "StochasticDepth(p=0.5, mode=row)"
    one = F.stochastic_depth(ac.ones(3), 1.0, "row").numpy()
    np.testing.assert_array_equal(one, np.zeros(3, np.float32))


def test_stochastic_depth_errors():
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1"):
        nn.StochasticDepth(1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row'"):
        nn.StochasticDepth(0.5, "column")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row'"):
        F.stochastic_depth(ac.ones(2), 0.5, "all")
