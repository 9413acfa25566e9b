"""RNN, LSTM, GRU and their cells against PyTorch with copied weights."""

import math
import warnings

import numpy as np
import pytest
import torch

import autograd_core as ac
import nn

from .twins import close, to_torch

LAYERS = {  # name -> (ours, theirs, extra kwargs)
    "RNN tanh": (nn.RNN, torch.nn.RNN, {}),
    "RNN relu": (nn.RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
    "LSTM": (nn.LSTM, torch.nn.LSTM, {}),
    "GRU": (nn.GRU, torch.nn.GRU, {}),
}
CELLS = {
    "RNNCell tanh": (nn.RNNCell, torch.nn.RNNCell, {}),
    "RNNCell relu": (nn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
    "LSTMCell": (nn.LSTMCell, torch.nn.LSTMCell, {}),
    "GRUCell": (nn.GRUCell, torch.nn.GRUCell, {}),
}




def pair(array):
    return ac.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def flat(result):
    """The tensors of ``(output, h_n)``, ``(output, (h_n, c_n))`` or a cell's result."""
    if isinstance(result, (tuple, list)):
        return [t for part in result for t in flat(part)]
    return [result]


def pairs(nested):
    """``flat`` for the inputs, keeping (ours, theirs) pairs together."""
    if isinstance(nested, tuple) and isinstance(nested[0], ac.Tensor):
        return [nested]
    return [p for part in nested for p in pairs(part)]


def run(ours, theirs, x, hx, dtype):
    """Run both on the same input ``x`` and initial state ``hx`` (pairs of our and torch's
    tensors); compare every result, then the gradients of a random weighting of all results
    with respect to the input, the initial state and every parameter."""
    outs = flat(ours(x[0], None if hx is None else _side(hx, 0)))
    touts = flat(theirs(x[1], None if hx is None else _side(hx, 1)))
    assert len(outs) == len(touts)
    rng = np.random.default_rng(0)
    loss, tloss = [], []
    for k, (o, t) in enumerate(zip(outs, touts)):
        close(o, t, dtype, f"result {k}")
        w = rng.standard_normal(tuple(t.shape)).astype(dtype)
        loss.append((o * ac.tensor(w)).sum())
        tloss.append((t * torch.tensor(w)).sum())
    loss, tloss = ac.stack(loss).sum(), torch.stack(tloss).sum()
    loss.backward()
    tloss.backward()
    for k, (o, t) in enumerate(pairs((x,) if hx is None else (x, hx))):
        close(o.grad, t.grad, dtype, f"gradient of input {k} (0: x, then h_0, c_0)")
    for name, p in theirs.named_parameters():
        close(getattr(ours, name).grad, p.grad, dtype, f"gradient of {name}")


def _side(hx, k):
    """Our (k=0) or torch's (k=1) initial state: a tensor, or the tuple (h_0, c_0)."""
    if isinstance(hx[0], ac.Tensor):
        return hx[k]
    return tuple(part[k] for part in hx)


def states(kind, shape, dtype, rng):
    """Random initial states: one pair for RNN/GRU, a tuple of two pairs for LSTM."""
    make = lambda: pair(rng.standard_normal(shape).astype(dtype))  # noqa: E731
    return (make(), make()) if kind.startswith("LSTM") else make()


def build(table, kind, dtype, **kwargs):
    ours_cls, theirs_cls, extra = table[kind]
    ours = ours_cls(3, 4, dtype=dtype, **extra, **kwargs)
    theirs = theirs_cls(3, 4, dtype=getattr(torch, dtype), **extra, **kwargs)
    return ours, to_torch(theirs, ours)


# -- sequence layers ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("initial", [False, True])
def test_layer_matches_torch(kind, dtype, num_layers, batch_first, initial):
    ac.manual_seed(0)
    ours, theirs = build(LAYERS, kind, dtype, num_layers=num_layers, batch_first=batch_first)
    rng = np.random.default_rng(1)
    shape = (2, 5, 3) if batch_first else (5, 2, 3)
    x = pair(rng.standard_normal(shape).astype(dtype))
    hx = states(kind, (num_layers, 2, 4), dtype, rng) if initial else None
    run(ours, theirs, x, hx, dtype)


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize("batch_first", [False, True])
def test_bidirectional_layer_matches_torch(kind, batch_first):
    ours, theirs = build(LAYERS, kind, "float64", num_layers=2, batch_first=batch_first,
                         bidirectional=True)
    rng = np.random.default_rng(2)
    x = pair(rng.standard_normal((3, 4, 3) if batch_first else (4, 3, 3)))  # N = 3, L = 4
    run(ours, theirs, x, states(kind, (4, 3, 4), "float64", rng), "float64")


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize("initial", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input_matches_torch(kind, initial, batch_first):
    ours, theirs = build(LAYERS, kind, "float64", num_layers=2, batch_first=batch_first)
    rng = np.random.default_rng(3)
    x = pair(rng.standard_normal((6, 3)))
    hx = states(kind, (2, 4), "float64", rng) if initial else None
    run(ours, theirs, x, hx, "float64")


@pytest.mark.parametrize("kind", list(LAYERS))
def test_no_bias_matches_torch(kind):
    ours, theirs = build(LAYERS, kind, "float64", num_layers=2, bias=False)
    assert not any("bias" in name for name in ours.state_dict())
    run(ours, theirs, pair(np.random.default_rng(4).standard_normal((4, 2, 3))), None, "float64")


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_dropout_between_layers(kind):
    ours, theirs = build(LAYERS, kind, "float64", num_layers=3, dropout=1.0)
    x = pair(np.random.default_rng(5).standard_normal((4, 2, 3)))
    run(ours, theirs, x, None, "float64")  # p = 1: the upper layers see zeros, as in torch
    ours, _ = build(LAYERS, kind, "float64", num_layers=2, dropout=0.5)
    data = ac.tensor(np.random.default_rng(6).standard_normal((4, 2, 3)))
    ours.eval()
    np.testing.assert_array_equal(ours(data)[0].detach().numpy(), ours(data)[0].detach().numpy())
    ours.train()
    ac.manual_seed(0)
    first = ours(data)[0].detach().numpy()
    ac.manual_seed(1)
    assert not np.allclose(first, ours(data)[0].detach().numpy())
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.GRU(3, 4, dropout=0.5)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_state_dict_keys_equal_torchs_and_torch_weights_load(kind, bidirectional):
    ours_cls, theirs_cls, _ = LAYERS[kind]
    ours = ours_cls(3, 4, num_layers=2, bidirectional=bidirectional)
    theirs = theirs_cls(3, 4, num_layers=2, bidirectional=bidirectional)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, p), tp in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert tuple(p.shape) == tuple(tp.shape), name
    ours.load_state_dict({k: ac.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(7).standard_normal((5, 2, 3)).astype(np.float32)
    out, tout = ours(ac.tensor(x))[0], theirs(torch.tensor(x))[0]
    close(out, tout, "float32")


@pytest.mark.parametrize("kind", list(LAYERS))
def test_repr_matches_torch(kind):
    ours_cls, theirs_cls, extra = LAYERS[kind]
    for kwargs in [{}, {"num_layers": 2, "bias": False, "batch_first": True,
                        "bidirectional": True}]:
        assert repr(ours_cls(3, 4, **extra, **kwargs)) == repr(theirs_cls(3, 4, **extra, **kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(ours_cls(3, 4, dropout=0.25, **extra)) == repr(
            theirs_cls(3, 4, dropout=0.25, **extra))


def test_default_init_is_uniform_within_one_over_sqrt_hidden():
    ac.manual_seed(0)
    for module in (nn.LSTM(10, 64, num_layers=2), nn.GRUCell(10, 64), nn.RNN(10, 64)):
        bound = 1 / math.sqrt(64)
        values = np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
        assert abs(values.std() - bound / math.sqrt(3)) < 0.02 * bound
    lstm = nn.LSTM(10, 64, num_layers=2)
    assert lstm.weight_ih_l0.shape == (256, 10) and lstm.weight_ih_l1.shape == (256, 64)
    assert lstm.weight_hh_l1.shape == (256, 64) and lstm.bias_hh_l1.shape == (256,)


def test_long_sequence_backprop_through_time():
    layer = nn.GRU(2, 3, dtype="float64")
    theirs = to_torch(torch.nn.GRU(2, 3, dtype=torch.float64), layer)
    x = pair(np.random.default_rng(8).standard_normal((60, 1, 2)))
    run(layer, theirs, x, None, "float64")


# -- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("initial", [False, True])
def test_cell_matches_torch(kind, dtype, batched, initial):
    ours, theirs = build(CELLS, kind, dtype)
    rng = np.random.default_rng(9)
    x = pair(rng.standard_normal((5, 3) if batched else (3,)).astype(dtype))
    hx = states(kind, (5, 4) if batched else (4,), dtype, rng) if initial else None
    run(ours, theirs, x, hx, dtype)


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_without_bias_matches_torch(kind):
    ours, theirs = build(CELLS, kind, "float64", bias=False)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight_ih", "weight_hh"]
    rng = np.random.default_rng(10)
    run(ours, theirs, pair(rng.standard_normal((2, 3))),
        states(kind, (2, 4), "float64", rng), "float64")


def test_rnn_cell_is_the_notes_recurrence():
    cell = nn.RNNCell(3, 2, bias=False, dtype="float64")
    rng = np.random.default_rng(11)
    x, h = rng.standard_normal(3), rng.standard_normal(2)
    w_xh, w_hh = cell.weight_ih.detach().numpy(), cell.weight_hh.detach().numpy()
    out = cell(ac.tensor(x), ac.tensor(h)).detach().numpy()
    np.testing.assert_allclose(out, np.tanh(w_hh @ h + w_xh @ x), rtol=1e-12)


def test_cell_state_dict_and_repr_match_torch():
    for kind, (ours_cls, theirs_cls, extra) in CELLS.items():
        for bias in (True, False):
            ours, theirs = ours_cls(3, 4, bias=bias, **extra), theirs_cls(3, 4, bias=bias, **extra)
            assert repr(ours) == repr(theirs), kind
            assert list(ours.state_dict()) == list(theirs.state_dict()), kind
    assert nn.LSTMCell(3, 4).weight_ih.shape == (16, 3)
    assert nn.GRUCell(3, 4).weight_hh.shape == (12, 4)


# -- errors ---------------------------------------------------------------------------------


def test_layer_errors_name_the_layer_the_expected_and_the_given_shape():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError,
                       match=r"LSTM: .*\(L, N, input_size\).*input_size=3.*\(5, 2, 7\)"):
        lstm(ac.randn(5, 2, 7))
    with pytest.raises(ValueError, match=r"GRU: .*\(N, L, input_size\).*\(2, 5, 2, 3\)"):
        nn.GRU(3, 4, batch_first=True)(ac.randn(2, 5, 2, 3))
    with pytest.raises(ValueError, match=r"LSTM: expected c_0 of shape \(2, 2, 4\).*\(1, 2, 4\)"):
        lstm(ac.randn(5, 2, 3), (ac.randn(2, 2, 4), ac.randn(1, 2, 4)))
    with pytest.raises(ValueError,
                       match=r"RNN: expected h_0 of shape \(1, 4\).*no batch.*\(1, 1, 4\)"):
        nn.RNN(3, 4)(ac.randn(5, 3), ac.randn(1, 1, 4))
    with pytest.raises(TypeError, match=r"LSTM: hx must be a tuple \(h_0, c_0\)"):
        lstm(ac.randn(5, 2, 3), ac.randn(2, 2, 4))
    with pytest.raises(ValueError, match=r"RNN: input dtype \(float64\) does not match .*float32"):
        nn.RNN(3, 4)(ac.randn(5, 2, 3, dtype=ac.float64))
    with pytest.raises(ValueError, match="sequence is empty"):
        nn.RNN(3, 4)(ac.randn(0, 2, 3))
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match="dropout should be a number in"):
        nn.GRU(3, 4, dropout=1.5)


def test_cell_errors_name_the_cell_the_expected_and_the_given_shape():
    with pytest.raises(ValueError, match=r"GRUCell: .*\(N, 3\).*\(3,\).*\(2, 5, 3\)"):
        nn.GRUCell(3, 4)(ac.randn(2, 5, 3))
    with pytest.raises(ValueError, match=r"RNNCell: expected hx of shape \(2, 4\).*\(3, 4\)"):
        nn.RNNCell(3, 4)(ac.randn(2, 3), ac.randn(3, 4))
    with pytest.raises(ValueError, match=r"LSTMCell: expected hx\[1\] of shape \(4,\).*\(1, 4\)"):
        nn.LSTMCell(3, 4)(ac.randn(3), (ac.randn(4), ac.randn(1, 4)))
    with pytest.raises(TypeError, match=r"LSTMCell: hx must be a tuple \(h, c\)"):
        nn.LSTMCell(3, 4)(ac.randn(2, 3), ac.randn(2, 4))
    with pytest.raises(ValueError, match="RNNCell: unknown nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")
