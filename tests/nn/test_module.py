"""The module system: registration, iteration, modes, hooks, conversion, repr, containers."""

from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ac
import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(ac.randn(3, 2))
        self.bias = nn.Parameter(ac.zeros(2))
        self.register_buffer("running", ac.zeros(2))
        self.register_buffer("scratch", ac.zeros(1), persistent=False)
        self.scale = 2.0  # a plain attribute

    def forward(self, x):
        return (x @ self.weight + self.bias) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.layers = nn.ModuleList([Block(), Block()])
        self.shared = self.first  # the same module twice: its parameters appear once

    def forward(self, x):
        return self.first(x)


def test_registration_and_named_iteration():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["first.weight", "first.bias", "layers.0.weight", "layers.0.bias",
                     "layers.1.weight", "layers.1.bias"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_buffers()] == [
        "first.running", "first.scratch", "layers.0.running", "layers.0.scratch",
        "layers.1.running", "layers.1.scratch"]
    assert [n for n, _ in net.named_modules()] == ["", "first", "layers", "layers.0", "layers.1"]
    assert len(list(net.children())) == 2
    assert list(net.state_dict()) == [
        "first.weight", "first.bias", "first.running", "layers.0.weight", "layers.0.bias",
        "layers.0.running", "layers.1.weight", "layers.1.bias", "layers.1.running"]


def test_assigning_a_plain_tensor_to_a_parameter_name_is_an_error():
    b = Block()
    with pytest.raises(TypeError, match="parameter 'weight'.*Parameter or None"):
        b.weight = ac.zeros(3, 2)
    b.weight = None
    assert "weight" not in dict(b.named_parameters())


def test_module_needs_init_first():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ac.zeros(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_train_eval_and_zero_grad():
    net = Net()
    assert net.training and net.first.training
    net.eval()
    assert not net.training and not net.layers[1].training
    net.train()
    assert net.layers[0].training
    out = net(ac.randn(4, 3)).sum()
    out.backward()
    assert net.first.weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert not net.first.weight.grad.numpy().any()
    net.zero_grad()
    assert net.first.weight.grad is None


def test_hooks_can_replace_inputs_and_outputs_and_be_removed():
    block = Block()
    seen = []
    pre = block.register_forward_pre_hook(lambda m, inputs: (inputs[0] * 0.0,))
    post = block.register_forward_hook(lambda m, inputs, out: seen.append(out.shape) or out + 1.0)
    out = block(ac.ones(4, 3))
    np.testing.assert_allclose(out.detach().numpy(), 1.0)  # zeroed input, then +1
    assert seen == [(4, 2)]
    pre.remove()
    post.remove()
    assert block(ac.zeros(4, 3)).detach().numpy().max() == 0.0


def test_apply_double_and_float():
    net = Net()
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited[-1] == "Net" and visited.count("Block") == 3
    net.double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.first.running.dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_repr_reads_like_pytorch():
    seq = nn.Sequential(nn.Identity(), nn.Flatten())
    assert repr(seq) == ("Sequential(\n  (0): Identity()\n  (1): Flatten(start_dim=1, "
                         "end_dim=-1)\n)")


def test_containers():
    seq = nn.Sequential(OrderedDict(a=Block(), b=nn.Identity()))
    assert isinstance(seq[0], Block) and isinstance(seq["b"] if False else seq[1], nn.Identity)
    assert len(seq[:1]) == 1 and [n for n, _ in seq.named_children()] == ["a", "b"]
    with pytest.raises(IndexError, match="out of range"):
        seq[5]
    assert seq(ac.ones(2, 3)).shape == (2, 2)
    ml = nn.ModuleList([Block()])
    ml.append(Block())
    assert len(ml) == 2 and len(list(ml.parameters())) == 4
    md = nn.ModuleDict({"x": Block()})
    md["y"] = nn.Identity()
    assert list(md) == ["x", "y"] and "x" in md


def test_parameter_shares_memory():
    t = ac.zeros(3)
    p = nn.Parameter(t)
    with ac.no_grad():
        p.add_(1.0)
    assert t.numpy().tolist() == [1.0, 1.0, 1.0]
    assert "Parameter containing" in repr(p)
