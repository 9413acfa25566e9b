"""Babysitting tools: activation statistics, gradient norms, update ratios and their plots."""

import math

import numpy as np
import pytest

import autograd_core as ac
import nn
import optim
from nn.monitor import (
    ActivationMonitor,
    UpdateRatioTracker,
    gradient_norms,
    plot_activations,
    plot_update_ratios,
    update_ratios,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def small_net():
    """Linear(3, 4) -> ReLU -> Linear(4, 2) with fixed weights."""
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    w1 = np.array([[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.75, 0.25, 1.0], [0.2, 0.3, -0.1]],
                  dtype=np.float32)
    b1 = np.array([0.1, -0.2, 0.0, -1.0], dtype=np.float32)
    w2 = np.array([[1.0, -0.5, 0.25, 2.0], [-1.0, 0.75, 0.5, 0.0]], dtype=np.float32)
    b2 = np.array([0.05, -0.05], dtype=np.float32)
    for p, v in zip(net.parameters(), (w1, b1, w2, b2)):
        p._data[...] = v
    x = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 2.0], [-1.0, 1.0, 0.0]], dtype=np.float32)
    return net, x, (w1, b1, w2, b2)


def test_statistics_equal_direct_numpy_computation():
    net, x, (w1, b1, w2, b2) = small_net()
    h1 = x @ w1.T + b1
    h2 = np.maximum(h1, 0)
    h3 = h2 @ w2.T + b2
    edges = np.linspace(-3, 3, 7)
    with ActivationMonitor(net, bins=edges) as mon:
        net(ac.tensor(x))
        net(ac.tensor(2 * x))
    assert mon.layer_names == ["0", "1", "2"]  # the leaf modules
    for name, expected in zip(("0", "1", "2"), (h1, h2, h3)):
        first = mon.records[name][0]
        assert first.call == 0 and first.shape == expected.shape
        assert first.mean == pytest.approx(float(expected.mean()), rel=1e-6)
        assert first.std == pytest.approx(float(expected.std()), rel=1e-6)
        assert first.zero_fraction == np.count_nonzero(expected == 0) / expected.size
        np.testing.assert_array_equal(first.counts, np.histogram(expected, bins=edges)[0])
        np.testing.assert_array_equal(first.edges, edges)
        assert len(mon.records[name]) == 2
    assert mon.records["1"][0].zero_fraction == 8 / 12  # ReLU zeroes 8 of its 12 outputs here
    assert mon.latest()["0"].call == 1
    assert mon.latest()["0"].mean == pytest.approx(float((2 * x @ w1.T + b1).mean()), rel=1e-6)
    assert "layer" in mon.table() and len(mon.table().splitlines()) == 4


def test_layer_selection_by_type_name_and_module():
    net, x, _ = small_net()
    assert ActivationMonitor(net, nn.Linear).layer_names == ["0", "2"]
    assert ActivationMonitor(net, ["1"]).layer_names == ["1"]
    assert ActivationMonitor(net, [net[2]]).layer_names == ["2"]
    assert ActivationMonitor(nn.Tanh()).layer_names == ["Tanh"]
    with pytest.raises(KeyError, match="no submodule named 'nope'"):
        ActivationMonitor(net, ["nope"])
    with pytest.raises(ValueError, match="no module of type"):
        ActivationMonitor(net, nn.Conv2d)
    with pytest.raises(ValueError, match="not a submodule"):
        ActivationMonitor(net, [nn.ReLU()])
    with pytest.raises(TypeError, match="must be an nn.Module"):
        ActivationMonitor("net")


def test_removed_hooks_leave_no_trace():
    net, x, _ = small_net()
    mon = ActivationMonitor(net)
    assert all(len(m._forward_hooks) == 1 for m in net.modules() if not m._modules)
    out_with = net(ac.tensor(x))._data.copy()
    mon.remove()
    assert all(not m._forward_hooks for m in net.modules())
    out_without = net(ac.tensor(x))._data
    np.testing.assert_array_equal(out_with, out_without)
    assert all(len(calls) == 1 for calls in mon.records.values())  # nothing new recorded
    with ActivationMonitor(net) as mon2:
        net(ac.tensor(x))
    assert all(not m._forward_hooks for m in net.modules())
    assert len(mon2.latest()) == 3
    mon2.clear()
    assert mon2.latest() == {}


def test_tuple_outputs_summarize_the_first_tensor():
    rnn = nn.RNN(3, 4, batch_first=True)
    with ActivationMonitor(rnn) as mon:
        out, _ = rnn(ac.randn(2, 5, 3))
    s = mon.latest()["RNN"]
    assert s.shape == (2, 5, 4)
    assert s.mean == pytest.approx(float(out._data.astype(np.float64).mean()))


def tanh_mlp(width, depth, init):
    layers = []
    for _ in range(depth):
        lin = nn.Linear(width, width)
        if init == "small":
            nn.init.normal_(lin.weight, 0.0, 0.01)
        else:
            nn.init.xavier_normal_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.Tanh()]
    return nn.Sequential(*layers)


def test_reproduces_tanh_collapse_under_small_init_and_not_under_xavier():
    ac.manual_seed(0)
    x = ac.randn(300, 200)
    stds = {}
    for init in ("small", "xavier"):
        net = tanh_mlp(200, 10, init)
        with ActivationMonitor(net, nn.Tanh) as mon:
            net(x)
        stds[init] = [s.std for s in mon.latest().values()]
        assert len(stds[init]) == 10
    small = stds["small"]
    assert all(b < 0.3 * a for a, b in zip(small, small[1:])), small  # shrinks every layer
    assert small[0] < 0.2 and small[-1] < 1e-6, small  # and ends near 0
    assert all(0.1 < s < 1.0 for s in stds["xavier"]), stds["xavier"]


def test_gradient_norms_equal_direct_computation():
    net, x, _ = small_net()
    net(ac.tensor(x)).pow(2).sum().backward()
    norms = gradient_norms(net)
    assert list(norms) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, p in net.named_parameters():
        assert norms[name] == pytest.approx(math.sqrt(float((p.grad._data ** 2).sum())))
    assert gradient_norms(dict(net.named_parameters())) == norms
    assert list(gradient_norms([net[0].weight])) == ["0"]
    net.zero_grad()
    assert gradient_norms(net) == {}
    with pytest.raises(TypeError, match="expected Tensors"):
        gradient_norms([np.zeros(3)])


def test_update_ratios_equal_direct_computation():
    net, x, _ = small_net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    tracker = UpdateRatioTracker(net)
    for _ in range(3):
        before = {n: p._data.copy() for n, p in net.named_parameters()}
        opt.zero_grad()
        net(ac.tensor(x)).pow(2).sum().backward()
        tracker.step(opt)
        for name, p in net.named_parameters():
            b = before[name].astype(np.float64)
            expected = np.linalg.norm(p._data - b) / np.linalg.norm(b)
            assert tracker.history[-1][name] == pytest.approx(expected, rel=1e-6)
    assert len(tracker.history) == 3
    assert all(len(v) == 3 for v in tracker.series().values())
    with pytest.raises(RuntimeError, match="needs a snapshot"):
        tracker.record()


def test_update_ratios_function_and_zero_weights():
    before = {"w": np.array([3.0, 4.0]), "b": np.zeros(2)}
    after = {"w": np.array([3.0, 4.5]), "b": np.array([0.1, 0.0])}
    ratios = update_ratios(before, after)
    assert ratios["w"] == pytest.approx(0.1)
    assert math.isnan(ratios["b"])  # undefined for an all-zero weight
    with pytest.raises(KeyError, match="same names"):
        update_ratios(before, {"w": after["w"]})
    with pytest.raises(ValueError, match="changed shape"):
        update_ratios({"w": np.zeros(2)}, {"w": np.zeros(3)})
    frozen = ac.zeros(2)
    with pytest.raises(ValueError, match="no parameters that require grad"):
        UpdateRatioTracker([frozen])


def test_plots_write_png_files(tmp_path):
    pytest.importorskip("matplotlib")
    net, x, _ = small_net()
    with ActivationMonitor(net) as mon:
        net(ac.tensor(x))
    for stats in (mon, mon.latest(), mon.records):
        path = plot_activations(stats, tmp_path / "sub" / "acts.png")
        assert path.read_bytes()[:8] == PNG_MAGIC
    tracker = UpdateRatioTracker(net)
    opt = optim.SGD(net.parameters(), lr=0.01)
    for _ in range(4):
        opt.zero_grad()
        net(ac.tensor(x)).sum().backward()
        tracker.step(opt)
    for history in (tracker, tracker.history):
        path = plot_update_ratios(history, tmp_path / "ratios.png")
        assert path.read_bytes()[:8] == PNG_MAGIC
    with pytest.raises(ValueError, match="no statistics"):
        plot_activations({}, tmp_path / "x.png")
    with pytest.raises(ValueError, match="history is empty"):
        plot_update_ratios([], tmp_path / "x.png")
