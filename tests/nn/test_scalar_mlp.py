"""The scalar MLP and the demo that trains it."""

import random

import pytest
import torch

from autograd_core import Value
from autograd_core.__main__ import main, scalar_moons_demo
from nn.scalar import MLP, Layer, Neuron


def test_parameter_counts_match_the_architecture():
    assert len(Neuron(3).parameters()) == 4
    assert len(Layer(3, 5).parameters()) == 20
    assert len(MLP(2, [16, 16, 1]).parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def test_mlp_forward_and_gradients_match_torch():
    model = MLP(3, [4, 2], rng=random.Random(0))
    x = [0.5, -1.0, 2.0]
    out = model(x)
    loss = out[0] * out[1] + out[1]
    loss.backward()

    def torch_layer(layer):
        w = torch.tensor([[p.data for p in n.w] for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        return w, b

    (w1, b1), (w2, b2) = (torch_layer(layer) for layer in model.layers)
    h = torch.relu(w1 @ torch.tensor(x, dtype=torch.float64) + b1)
    t = w2 @ h + b2
    tloss = t[0] * t[1] + t[1]
    tloss.backward()
    assert loss.data == pytest.approx(tloss.item(), rel=1e-12)
    grads = [[p.grad for p in n.w] for n in model.layers[0].neurons]
    assert torch.allclose(torch.tensor(grads, dtype=torch.float64), w1.grad, rtol=1e-12)
    assert [n.b.grad for n in model.layers[1].neurons] == pytest.approx(b2.grad.tolist())


def test_wrong_input_length_is_a_clear_error():
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])


def test_neurons_accept_values_and_numbers():
    n = Neuron(2, nonlin=False, rng=random.Random(1))
    assert n([1.0, 2.0]).data == n([Value(1.0), Value(2.0)]).data


def test_demo_reaches_97_percent_training_accuracy(capsys):
    assert scalar_moons_demo() >= 0.97
    printed = capsys.readouterr().out
    assert "step  99" in printed and "accuracy" in printed


def test_demo_command_line_writes_the_neuron_pictures(capsys, tmp_path):
    assert main(["demo", "--scalar", "--steps", "3", "--out", str(tmp_path)]) == 0
    assert "step   2" in capsys.readouterr().out
    assert (tmp_path / "neuron.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert (tmp_path / "neuron.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    frames = sorted((tmp_path / "neuron_steps").glob("step_*.png"))
    assert [f.name for f in frames] == [f"step_{i:02d}.png" for i in range(10)]
