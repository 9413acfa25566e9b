"""nn.utils against torch.nn.utils (gradient clipping, parameter vectors) and the weight
penalties against a direct computation."""

import math

import numpy as np
import pytest
import torch

import autograd_core as ac
import nn
from nn.module import Parameter

SHAPES = [(3, 4), (5,), (), (2, 2, 3)]


def twin_params(dtype, seed=0, grads=True):
    """Parameters with random gradients, ours and torch's with equal values."""
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for shape in SHAPES:
        value = np.asarray(rng.standard_normal(shape)).astype(dtype)
        p, tp = Parameter(ac.tensor(value)), torch.nn.Parameter(torch.tensor(value))
        if grads:
            g = np.asarray(rng.standard_normal(shape) * 3).astype(dtype)
            p.grad, tp.grad = ac.tensor(g), torch.tensor(g)
        ours.append(p)
        theirs.append(tp)
    return ours, theirs


def assert_grads_equal(ours, theirs, dtype):
    tol = 1e-6 if dtype == "float32" else 1e-12
    for p, tp in zip(ours, theirs):
        assert p.grad.dtype == np.dtype(dtype)
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, 0.5, math.inf, "inf", 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(dtype, norm_type, max_norm):
    ours, theirs = twin_params(dtype)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, ac.Tensor) and total.shape == ()
    assert total.dtype == np.dtype(dtype)
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-6)
    assert_grads_equal(ours, theirs, dtype)


def test_clip_grad_norm_clips_to_max_norm_and_skips_missing_grads():
    ours, theirs = twin_params("float64")
    ours[1].grad = theirs[1].grad = None
    nn.utils.clip_grad_norm_(iter(ours), 1.0)  # a generator works too
    torch.nn.utils.clip_grad_norm_(iter(theirs), 1.0)
    assert ours[1].grad is None
    remaining = [p for p in ours if p.grad is not None]
    norm = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in remaining))
    assert norm == pytest.approx(1.0, rel=1e-5)  # max_norm, up to the 1e-6 of the coefficient
    assert_grads_equal(remaining, [p for p in theirs if p.grad is not None], "float64")


def test_clip_grad_norm_single_tensor_and_no_grads():
    p = Parameter(ac.tensor([3.0, 4.0]))
    p.grad = ac.tensor([3.0, 4.0])
    total = nn.utils.clip_grad_norm_(p, 2.5)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [1.5, 2.0], rtol=1e-5)
    empty = nn.utils.clip_grad_norm_([Parameter(ac.zeros(2))], 1.0)
    assert empty.item() == 0.0 and empty.dtype == np.float32


def test_clip_grad_norm_nonfinite():
    ours, theirs = twin_params("float64")
    ours[0].grad.numpy()[0, 0] = theirs[0].grad[0, 0] = math.nan
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert math.isnan(total.item()) and math.isnan(ttotal.item())
    for p, tp in zip(ours, theirs):
        np.testing.assert_array_equal(np.isnan(p.grad.numpy()), np.isnan(tp.grad.numpy()))


def test_get_total_norm_and_clip_grads_with_norm_match_torch():
    ours, theirs = twin_params("float32", seed=1)
    total = nn.utils.get_total_norm([p.grad for p in ours], 3.0)
    ttotal = torch.nn.utils.get_total_norm([p.grad for p in theirs], 3.0)
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-6)
    nn.utils.clip_grads_with_norm_(ours, 2.0, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 2.0, ttotal)
    assert_grads_equal(ours, theirs, "float32")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("clip_value", [0.1, 1.0, 10.0])
def test_clip_grad_value_matches_torch(dtype, clip_value):
    ours, theirs = twin_params(dtype, seed=2)
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    assert_grads_equal(ours, theirs, dtype)


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = twin_params("float64", grads=False)
    vec = nn.utils.parameters_to_vector(ours)
    tvec = torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(vec.detach().numpy(), tvec.detach().numpy())
    new = np.arange(vec.numel(), dtype=np.float64)
    nn.utils.vector_to_parameters(ac.tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for p, tp in zip(ours, theirs):
        assert p.shape == tuple(tp.shape)
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy())
    np.testing.assert_array_equal(nn.utils.parameters_to_vector(ours).detach().numpy(), new)


def test_parameters_to_vector_is_differentiable():
    ours, _ = twin_params("float64", grads=False)
    vec = nn.utils.parameters_to_vector(ours)
    (vec * ac.tensor(np.arange(vec.numel(), dtype=np.float64))).sum().backward()
    start = 0
    for p in ours:
        n = p.numel()
        np.testing.assert_array_equal(p.grad.numpy().reshape(-1), np.arange(start, start + n))
        start += n


def test_vector_to_parameters_errors():
    ours, _ = twin_params("float64", grads=False)
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.utils.vector_to_parameters(np.zeros(30), ours)
    with pytest.raises(ValueError, match="vector of 30 elements"):
        nn.utils.vector_to_parameters(ac.zeros(29, dtype=ac.float64), ours)


# -- weight penalties ---------------------------------------------------------------------


class Dense(nn.Module):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.weight = Parameter(ac.tensor(rng.standard_normal((n_out, n_in))))
        self.bias = Parameter(ac.tensor(rng.standard_normal(n_out)))


class LayerNorm(nn.Module):
    """Stands for any normalization layer: recognized by "Norm" in its class name."""

    def __init__(self, n, rng):
        super().__init__()
        self.weight = Parameter(ac.tensor(rng.uniform(0.5, 2, n)))
        self.bias = Parameter(ac.tensor(rng.standard_normal(n)))


class Recurrent(nn.Module):
    def __init__(self, rng):
        super().__init__()
        self.weight_ih_l0 = Parameter(ac.tensor(rng.standard_normal((6, 3))))
        self.bias_ih_l0 = Parameter(ac.tensor(rng.standard_normal(6)))
        self.in_proj_bias = Parameter(ac.tensor(rng.standard_normal(6)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(3)
        self.fc1 = Dense(3, 4, rng)
        self.norm = LayerNorm(4, rng)
        self.body = nn.Sequential(Dense(4, 4, rng), Recurrent(rng))
        self.fc2 = self.fc1  # shared: counted once
        self.scale = Parameter(ac.tensor(rng.standard_normal(2)))  # a weight at the top


def test_penalties_cover_weights_only():
    net = Net()
    names = [name for name, _ in nn.utils.penalized_parameters(net)]
    assert names == ["scale", "fc1.weight", "body.0.weight", "body.1.weight_ih_l0"]
    weights = [net.scale, net.fc1.weight, net.body[0].weight, net.body[1].weight_ih_l0]
    l1 = nn.utils.l1_penalty(net)
    l2 = nn.utils.l2_penalty(net)
    np.testing.assert_allclose(l1.item(), sum(np.abs(w.detach().numpy()).sum()
                                              for w in weights), rtol=1e-12)
    np.testing.assert_allclose(l2.item(), sum((w.detach().numpy() ** 2).sum()
                                              for w in weights), rtol=1e-12)


def test_penalty_is_differentiable_and_leaves_biases_alone():
    net = Net()
    (0.5 * nn.utils.l2_penalty(net) + nn.utils.l1_penalty(net)).backward()
    for w in (net.scale, net.fc1.weight, net.body[0].weight, net.body[1].weight_ih_l0):
        data = w.detach().numpy()
        np.testing.assert_allclose(w.grad.numpy(), data + np.sign(data), rtol=1e-12)
    for p in (net.fc1.bias, net.norm.weight, net.norm.bias, net.body[0].bias,
              net.body[1].bias_ih_l0, net.body[1].in_proj_bias):
        assert p.grad is None


def test_penalty_of_a_module_without_weights_is_zero():
    assert nn.utils.l2_penalty(nn.Sequential()).item() == 0.0
    with pytest.raises(TypeError, match="take a Module"):
        nn.utils.l1_penalty([ac.ones(2)])
