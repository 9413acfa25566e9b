"""Linear, Bilinear and Embedding against PyTorch with copied weights."""

import math

import numpy as np
import pytest
import torch

import autograd_core as ac
import nn
from autograd_core.ops import linear as L
from nn import functional as F

from .twins import close, to_torch


def pair(array, requires_grad=True):
    return (ac.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


# -- Linear -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lead", [(), (5,), (2, 3), (2, 1, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(dtype, lead, bias):
    ac.manual_seed(0)
    ours = nn.Linear(4, 3, bias=bias, dtype=dtype)
    theirs = to_torch(torch.nn.Linear(4, 3, bias=bias, dtype=getattr(torch, dtype)), ours)
    x, tx = pair(np.random.default_rng(1).standard_normal(lead + (4,)).astype(dtype))
    y, ty = ours(x), theirs(tx)
    close(y, ty, dtype, "output")
    w = np.random.default_rng(2).standard_normal(ty.shape).astype(dtype)
    (y * ac.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    close(x.grad, tx.grad, dtype, "input grad")
    for name, p in theirs.named_parameters():
        close(getattr(ours, name).grad, p.grad, dtype, f"{name} grad")


def test_linear_is_one_node_with_the_leaves_as_inputs():
    layer = nn.Linear(3, 2)
    x = ac.randn(4, 3, requires_grad=True)
    y = layer(x)
    assert y.grad_fn.fn is L.Linear
    assert {type(n).__name__ for n in y.grad_fn.next_nodes} == {"AccumulateGrad"}
    assert L.Linear.display_name == "linear" and "W" in L.Linear.formula


def test_linear_second_order_matches_torch():
    rng = np.random.default_rng(0)
    x, tx = pair(rng.standard_normal((3, 4)))
    w, tw = pair(rng.standard_normal((2, 4)))
    b, tb = pair(rng.standard_normal(2))
    (gw,) = ac.grad((F.linear(x, w, b).tanh() ** 2).sum(), [w], create_graph=True)
    (tgw,) = torch.autograd.grad((torch.nn.functional.linear(tx, tw, tb).tanh() ** 2).sum(),
                                 [tw], create_graph=True)
    (gw ** 2).sum().backward()
    (tgw ** 2).sum().backward()
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        close(ours.grad, theirs.grad, "float64")


def test_linear_numpy_and_tensor_backward_agree():
    rng = np.random.default_rng(3)
    x = ac.tensor(rng.standard_normal((2, 3, 5)), requires_grad=True)
    w = ac.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    b = ac.tensor(rng.standard_normal(4), requires_grad=True)
    y = F.linear(x, w, b)
    g = ac.tensor(rng.standard_normal(y.shape))
    fast = ac.grad(y, [x, w, b], g, retain_graph=True)
    graph = ac.grad(y, [x, w, b], g, create_graph=True)
    for a, c in zip(fast, graph):
        np.testing.assert_allclose(a.numpy(), c.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_linear_promotes_mixed_dtypes_like_matmul():
    x = ac.randn(2, 3)
    w = ac.randn(4, 3, dtype=ac.float64, requires_grad=True)
    y = F.linear(x, w)
    assert y.dtype == np.float64
    y.sum().backward()
    assert w.grad.dtype == np.float64


def test_linear_default_init_is_torchs_uniform():
    ac.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound
    weight = layer.weight.detach().numpy()
    assert np.abs(weight).max() > 0.99 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(weight.mean()) < 0.01 * bound
    ac.manual_seed(0)
    again = nn.Linear(400, 300)
    np.testing.assert_array_equal(again.weight.detach().numpy(), weight)


def test_linear_repr_and_state_dict_match_torch():
    for args in [(3, 4), (3, 4, False)]:
        assert repr(nn.Linear(*args)) == repr(torch.nn.Linear(*args))
        assert list(nn.Linear(*args).state_dict()) == list(torch.nn.Linear(*args).state_dict())


def test_linear_wrong_last_dimension_names_layer_and_shapes():
    with pytest.raises(ValueError) as info:
        nn.Linear(4, 2)(ac.randn(2, 3))
    message = str(info.value)
    assert "Linear" in message and "(*, in_features) = (*, 4)" in message and "(2, 3)" in message
    assert "float32" in message
    with pytest.raises(ValueError, match=r"linear: .*\(\*, 4\).*\(\)"):
        F.linear(ac.tensor(1.0), ac.randn(2, 4))
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.linear(ac.randn(2, 3), ac.randn(3))
    with pytest.raises(ValueError, match=r"bias must have shape \(out_features,\) = \(2,\)"):
        F.linear(ac.randn(2, 3), ac.randn(2, 3), ac.randn(3))
    with pytest.raises(TypeError, match="bool"):
        F.linear(ac.tensor([[True, False]]), ac.randn(2, 2))


# -- Bilinear -----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lead", [(), (5,), (2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(dtype, lead, bias):
    ours = nn.Bilinear(3, 4, 2, bias=bias, dtype=dtype)
    theirs = to_torch(torch.nn.Bilinear(3, 4, 2, bias=bias, dtype=getattr(torch, dtype)), ours)
    rng = np.random.default_rng(0)
    x1, tx1 = pair(rng.standard_normal(lead + (3,)).astype(dtype))
    x2, tx2 = pair(rng.standard_normal(lead + (4,)).astype(dtype))
    y, ty = ours(x1, x2), theirs(tx1, tx2)
    close(y, ty, dtype, "output")
    (y ** 2).sum().backward()
    (ty ** 2).sum().backward()
    close(x1.grad, tx1.grad, dtype, "input1 grad")
    close(x2.grad, tx2.grad, dtype, "input2 grad")
    for name, p in theirs.named_parameters():
        close(getattr(ours, name).grad, p.grad, dtype, f"{name} grad")


def test_bilinear_init_repr_and_errors():
    ac.manual_seed(1)
    layer = nn.Bilinear(25, 4, 8)
    for p in layer.parameters():
        assert np.abs(p.detach().numpy()).max() <= 1 / 5
    assert repr(layer) == repr(torch.nn.Bilinear(25, 4, 8))
    assert list(layer.state_dict()) == list(torch.nn.Bilinear(25, 4, 8).state_dict())
    with pytest.raises(ValueError, match=r"Bilinear: .*\(\*, 25\).*\(\*, 4\).*\(2, 25\).*\(3, 4\)"):
        layer(ac.randn(2, 25), ac.randn(3, 4))


# -- Embedding ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx", [None, 0, 3, -1])
def test_embedding_matches_torch(dtype, padding_idx):
    ours = nn.Embedding(6, 3, padding_idx=padding_idx, dtype=dtype)
    theirs = torch.nn.Embedding(6, 3, padding_idx=padding_idx, dtype=getattr(torch, dtype))
    to_torch(theirs, ours)
    assert ours.padding_idx == theirs.padding_idx
    indices = np.array([[0, 2, 2, 5], [3, 3, 3, 1], [5, 0, 4, 2]])  # repeats accumulate
    y, ty = ours(ac.tensor(indices)), theirs(torch.tensor(indices))
    close(y, ty, dtype, "output")
    w = np.random.default_rng(0).standard_normal(y.shape).astype(dtype)
    (y * ac.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    close(ours.weight.grad, theirs.weight.grad, dtype, "weight grad")
    if padding_idx is not None:
        assert not np.any(ours.weight.grad.numpy()[padding_idx])


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient_at_any_order():
    ac.manual_seed(0)
    table = nn.Embedding(5, 4, padding_idx=2)
    assert not np.any(table.weight.detach().numpy()[2])
    indices = ac.tensor([2, 0, 2, 4])
    y = table(indices)
    (g,) = ac.grad((y ** 2).sum(), [table.weight], create_graph=True)
    assert not np.any(g.detach().numpy()[2])
    fast = ac.grad((table(indices) ** 2).sum(), [table.weight])[0]
    np.testing.assert_allclose(fast.numpy(), g.detach().numpy())
    (g ** 2).sum().backward()  # second order: d/dW of sum(4 W[idx]^2 over used rows)
    tw = torch.tensor(table.weight.detach().numpy(), requires_grad=True)
    (tg,) = torch.autograd.grad((torch.nn.functional.embedding(
        torch.tensor([2, 0, 2, 4]), tw, padding_idx=2) ** 2).sum(), [tw], create_graph=True)
    (tg ** 2).sum().backward()
    close(table.weight.grad, tw.grad, "float32")


def test_embedding_default_init_is_standard_normal():
    ac.manual_seed(0)
    values = nn.Embedding(1000, 50).weight.detach().numpy()
    assert values.dtype == np.float32
    assert abs(values.mean()) < 0.01 and abs(values.std() - 1) < 0.01


def test_embedding_from_pretrained_repr_and_state_dict():
    weights = ac.randn(4, 3)
    frozen = nn.Embedding.from_pretrained(weights)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen.weight.detach().numpy(), weights.numpy())
    assert nn.Embedding.from_pretrained(weights, freeze=False).weight.requires_grad
    for args, kwargs in [((10, 3), {}), ((10, 3), {"padding_idx": -2})]:
        assert repr(nn.Embedding(*args, **kwargs)) == repr(torch.nn.Embedding(*args, **kwargs))
    assert list(nn.Embedding(3, 2).state_dict()) == ["weight"]


def test_embedding_errors_name_the_problem():
    table = nn.Embedding(5, 2)
    with pytest.raises(TypeError, match="int64.*int32.*long"):
        table(ac.tensor([1, 2], dtype=ac.int32))
    with pytest.raises(TypeError, match="int64.*float32"):
        table(ac.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="int64.*list"):
        table([1, 2])
    with pytest.raises(IndexError, match=r"index 5 is out of range .* 5 rows.*\[0, 4\]"):
        table(ac.tensor([[0, 5]]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        F.embedding(ac.tensor([-1]), table.weight)
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.embedding(ac.tensor([0]), ac.randn(3))


def test_embedding_of_a_0d_index_and_version_check():
    table = nn.Embedding(4, 3)
    index = ac.tensor(2)
    y = table(index)
    assert y.shape == (3,)
    index._data[...] = 1  # an in-place change to the saved indices is caught
    index._bump_version()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()
