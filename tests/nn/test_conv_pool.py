"""Conv1d, Conv2d and the pooling layers against PyTorch with copied weights: outputs and
gradients for the input, weight and bias; initialization, state_dict, repr and errors."""

import math

import numpy as np
import pytest
import torch

import autograd_core as ac
import nn
from nn import functional as F

from .twins import close, to_torch

# PyTorch warns that 'same' with an even kernel pads a copy of the input: expected here.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")




def run_both(ours, theirs, shape, dtype, seed=1):
    """Forward and backward (a random weighting of the output) through both layers."""
    rng = np.random.default_rng(seed)
    array = rng.standard_normal(shape).astype(dtype)
    x = ac.tensor(array, requires_grad=True)
    tx = torch.tensor(array, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    close(y, ty, dtype, "output")
    w = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    (y * ac.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    close(x.grad, tx.grad, dtype, "input grad")
    for name, p in theirs.named_parameters():
        close(getattr(ours, name).grad, p.grad, dtype, f"{name} grad")


# -- Conv1d / Conv2d ------------------------------------------------------------------------

CONV2D = [  # (in, out, kernel) and keyword arguments, input shape
    ((3, 4, 3), {}, (2, 3, 8, 9)),
    ((3, 4, (2, 3)), {"stride": 2, "padding": 1}, (2, 3, 9, 8)),
    ((4, 6, 3), {"stride": (2, 1), "padding": (0, 2), "dilation": (2, 1), "groups": 2},
     (1, 4, 11, 7)),
    ((6, 6, 3), {"groups": 6, "bias": False}, (2, 6, 5, 5)),  # depthwise
    ((2, 3, 4), {"padding": "same", "dilation": 2}, (2, 2, 9, 10)),  # uneven 'same'
    ((2, 3, 3), {"padding": "valid"}, (2, 2, 5, 6)),
    ((2, 5, 1), {"stride": 2}, (3, 2, 6, 7)),  # 1x1
    ((3, 2, 3), {"padding": 1, "padding_mode": "reflect"}, (2, 3, 6, 6)),
    ((3, 2, 3), {"padding": (1, 2), "padding_mode": "replicate"}, (2, 3, 6, 6)),
    ((3, 2, 3), {"padding": 1, "padding_mode": "circular", "stride": 2}, (2, 3, 7, 6)),
    ((3, 4, 3), {"padding": 1}, (3, 8, 9)),  # unbatched
]

CONV1D = [
    ((3, 4, 3), {}, (2, 3, 10)),
    ((4, 6, 2), {"stride": 3, "padding": 2, "dilation": 2, "groups": 2}, (2, 4, 13)),
    ((2, 3, 4), {"padding": "same", "bias": False}, (3, 2, 7)),
    ((2, 3, 3), {"padding": 1, "padding_mode": "circular"}, (2, 2, 6)),
    ((2, 3, 3), {"padding": 2}, (2, 8)),  # unbatched
]


def _layers(cls, args, kwargs, dtype):
    ac.manual_seed(0)
    ours = getattr(nn, cls)(*args, **kwargs, dtype=dtype)
    theirs = getattr(torch.nn, cls)(*args, **kwargs, dtype=getattr(torch, dtype))
    return ours, to_torch(theirs, ours)


@pytest.mark.parametrize("args, kwargs, shape", CONV2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_matches_torch(args, kwargs, shape, dtype):
    run_both(*_layers("Conv2d", args, kwargs, dtype), shape, dtype)


@pytest.mark.parametrize("args, kwargs, shape", CONV1D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv1d_matches_torch(args, kwargs, shape, dtype):
    run_both(*_layers("Conv1d", args, kwargs, dtype), shape, dtype)


@pytest.mark.parametrize("cls, args, kwargs", [("Conv2d", a, k) for a, k, _ in CONV2D]
                         + [("Conv1d", a, k) for a, k, _ in CONV1D], ids=str)
def test_conv_repr_and_state_dict_match_torch(cls, args, kwargs):
    ours, theirs = _layers(cls, args, kwargs, "float32")
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(v.shape) for v in ours.state_dict().values()] == [
        tuple(v.shape) for v in theirs.state_dict().values()]


def test_conv_default_init_is_pytorchs():
    ac.manual_seed(3)
    layer = nn.Conv2d(8, 32, 5, groups=2)
    fan_in = 4 * 5 * 5
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives exactly this bound
    w = layer.weight.detach().numpy()
    b = layer.bias.detach().numpy()
    assert w.dtype == np.float32 and w.shape == (32, 4, 5, 5)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # uniform: std = bound/sqrt(3)
    assert abs(w.mean()) < 0.05 * bound
    ac.manual_seed(3)
    again = nn.Conv2d(8, 32, 5, groups=2)
    np.testing.assert_array_equal(again.weight.detach().numpy(), w)
    assert nn.Conv1d(2, 3, 3, dtype=ac.float64).weight.dtype == np.float64


def test_lenet_stack_matches_torch():
    """conv 1->6 5x5, relu, maxpool 2, conv 6->16 5x5, relu, maxpool 2, in both libraries."""
    ac.manual_seed(4)
    ours = [nn.Conv2d(1, 6, 5), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.MaxPool2d(2)]
    theirs = [to_torch(torch.nn.Conv2d(1, 6, 5), ours[0]), torch.nn.MaxPool2d(2),
              to_torch(torch.nn.Conv2d(6, 16, 5), ours[2]), torch.nn.MaxPool2d(2)]

    def net(layers, relu):
        def forward(x):
            x = layers[1](relu(layers[0](x)))
            return layers[3](relu(layers[2](x)))
        return forward

    ours_net = net(ours, lambda t: t.relu())
    theirs_net = net(theirs, torch.relu)
    rng = np.random.default_rng(5)
    array = rng.standard_normal((8, 1, 28, 28)).astype(np.float32)
    x, tx = ac.tensor(array), torch.tensor(array)
    y, ty = ours_net(x), theirs_net(tx)
    close(y, ty, "float32", "output")
    y.sum().backward()
    ty.sum().backward()
    for i in (0, 2):
        for name, p in theirs[i].named_parameters():
            close(getattr(ours[i], name).grad, p.grad, "float32", f"{i}.{name} grad")


# -- pooling layers -------------------------------------------------------------------------

POOL2D = [
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1}, (2, 2, 9, 7)),
    ("MaxPool2d", ((2, 3),), {"stride": 1}, (3, 5, 6)),  # unbatched, overlapping
    ("MaxPool2d", (3,), {"stride": 2, "dilation": (1, 2), "ceil_mode": True}, (2, 2, 8, 9)),
    ("AvgPool2d", (2,), {"padding": 1, "ceil_mode": True}, (2, 2, 5, 6)),
    ("AvgPool2d", (2,), {}, (2, 3, 8, 8)),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False},
     (2, 2, 9, 7)),
    ("AvgPool2d", ((3, 2),), {"stride": (1, 2), "padding": (1, 0), "divisor_override": 5},
     (1, 2, 6, 7)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 7, 5)),
    ("AdaptiveAvgPool2d", ((3, 4),), {}, (2, 3, 7, 9)),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (3, 7, 6)),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1}, (2, 3, 10)),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 10)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
]


@pytest.mark.parametrize("cls, args, kwargs, shape", POOL2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pooling_layers_match_torch(cls, args, kwargs, shape, dtype):
    ours = getattr(nn, cls)(*args, **kwargs)
    theirs = getattr(torch.nn, cls)(*args, **kwargs)
    run_both(ours, theirs, shape, dtype)
    assert list(ours.state_dict()) == []


@pytest.mark.parametrize("cls, args", [
    ("MaxPool2d", (3, 2, 1, 2, False, True)), ("MaxPool1d", (2,)), ("AvgPool2d", (3, 2, 1)),
    ("AdaptiveAvgPool2d", (3,)), ("AvgPool1d", (2,)), ("AdaptiveAvgPool1d", (5,)),
])
def test_pooling_repr_matches_torch(cls, args):
    assert repr(getattr(nn, cls)(*args)) == repr(getattr(torch.nn, cls)(*args))


def test_max_pool_gradient_goes_to_the_first_maximum():
    x = ac.tensor([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.numpy()[0, 0].tolist() == [[0, 1, 1, 0], [0, 0, 0, 0]]
    t = torch.tensor([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 0.0]]]], requires_grad=True)
    torch.nn.functional.max_pool2d(t, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_in_place_ops_on_a_max_pool_output_are_allowed():
    """max pooling saves its input for backward, not its output (as PyTorch does)."""
    array = np.random.default_rng(8).standard_normal((1, 2, 4, 4))
    x, tx = ac.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    y, ty = F.max_pool2d(x, 2), torch.nn.functional.max_pool2d(tx, 2)
    y.mul_(3.0)
    ty.mul_(3.0)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_max_pool_return_indices_match_torch():
    rng = np.random.default_rng(7)
    array = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    y, index = nn.MaxPool2d(3, 2, 1, return_indices=True)(ac.tensor(array))
    ty, tindex = torch.nn.MaxPool2d(3, 2, 1, return_indices=True)(torch.tensor(array))
    close(y, ty, "float32")
    assert index.dtype == np.int64
    np.testing.assert_array_equal(index.numpy(), tindex.numpy())
    y, index = F.max_pool1d(ac.tensor(array[0]), 3, return_indices=True)
    ty, tindex = torch.nn.functional.max_pool1d(torch.tensor(array[0]), 3, return_indices=True)
    np.testing.assert_array_equal(index.numpy(), tindex.numpy())


def test_each_layer_is_one_node_of_the_graph():
    x = ac.randn(2, 3, 12, 12)
    conv = nn.Conv2d(3, 4, 3)
    y = nn.AvgPool2d(2)(nn.MaxPool2d(2)(conv(x)))
    names = []
    node = y.grad_fn
    while node is not None and hasattr(node, "fn"):
        names.append(node.name)
        node = node.next_nodes[0]
    assert names == ["AvgPool2dBackward", "MaxPool2dBackward", "ConvolutionBackward"]
    assert [n is not None for n in conv(x).grad_fn.next_nodes] == [False, True, True, False]


def test_functional_names_are_exported():
    for name in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
                 "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
                 "adaptive_avg_pool2d"):
        assert callable(getattr(F, name)), name
    for name in ("Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
                 "AdaptiveAvgPool1d", "AdaptiveAvgPool2d"):
        assert issubclass(getattr(nn, name), nn.Module), name


# -- errors ---------------------------------------------------------------------------------

def test_wrong_input_names_the_layer_and_the_expected_shape():
    layer = nn.Conv2d(3, 6, 5)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 6, kernel_size=\(5, 5\).*expected input "
                       r"of shape \(N, 3, H, W\).*got \(2, 4, 28, 28\).*4 channels"):
        layer(ac.randn(2, 4, 28, 28))
    with pytest.raises(ValueError, match=r"Conv2d\(3, 6.*\(N, 3, H, W\).*got \(28, 28\)"):
        layer(ac.randn(28, 28))
    with pytest.raises(ValueError, match=r"Conv1d\(2, 4.*\(N, 2, L\).*got \(1, 2, 5, 5\)"):
        nn.Conv1d(2, 4, 3)(ac.randn(1, 2, 5, 5))
    with pytest.raises(ValueError, match=r"Conv1d\(2, 4.*\(N, 2, L\).*got \(1, 2, 5, 5\)"):
        nn.Conv1d(2, 4, 3, padding=1, padding_mode="reflect")(ac.randn(1, 2, 5, 5))
    with pytest.raises(ValueError, match=r"conv2d: expected input of shape \(N, 4, H, W\)"):
        F.conv2d(ac.randn(1, 3, 5, 5), ac.randn(2, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=2.*\(N, C, H, W\).*got "
                       r"\(5,\)"):
        nn.MaxPool2d(2)(ac.randn(5))
    with pytest.raises(ValueError, match=r"AdaptiveAvgPool1d\(output_size=3\).*\(N, C, L\)"):
        nn.AdaptiveAvgPool1d(3)(ac.randn(2, 3, 4, 4))


def test_groups_must_divide_the_channels():
    with pytest.raises(ValueError, match="groups=2 must be positive and divide both "
                       r"in_channels \(3\)"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match=r"groups=2 must divide the weight's out_channels "
                       r"\(3\)"):
        F.conv2d(ac.randn(1, 4, 5, 5), ac.randn(3, 2, 3, 3), groups=2)


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"conv2d: kernel size \(5, 5\) is larger than the "
                       r"padded input \(4, 4\)"):
        F.conv2d(ac.randn(1, 1, 4, 4), ac.randn(1, 1, 5, 5))
    with pytest.raises(ValueError, match=r"dilated to \(5,\)"):
        F.conv1d(ac.randn(1, 1, 4), ac.randn(1, 1, 3), dilation=2)
    with pytest.raises(ValueError, match=r"Conv2d\(1, 2, kernel_size=\(3, 3\).*larger than"):
        nn.Conv2d(1, 2, 3, padding=0)(ac.randn(1, 1, 2, 9))
    with pytest.raises(ValueError, match=r"max_pool2d: kernel size \(3, 3\) is larger"):
        F.max_pool2d(ac.randn(1, 1, 2, 2), 3)


def test_other_argument_errors():
    x = ac.randn(1, 2, 6, 6)
    with pytest.raises(TypeError, match="one dtype.*input float64, weight float32"):
        F.conv2d(x.double(), ac.randn(2, 2, 3, 3))
    with pytest.raises(TypeError, match="float32 or float64, got int64"):
        F.conv2d(ac.tensor(np.ones((1, 2, 4, 4), dtype=np.int64)), ac.randn(2, 2, 3, 3))
    with pytest.raises(ValueError, match="not supported for strided"):
        F.conv2d(x, ac.randn(2, 2, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="not supported for strided"):
        nn.Conv2d(2, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        F.conv2d(x, ac.randn(2, 2, 3, 3), ac.randn(3))
    with pytest.raises(ValueError, match="weight must be 4-d"):
        F.conv2d(x, ac.randn(2, 2, 3))
    with pytest.raises(ValueError, match="stride must be at least 1"):
        F.conv2d(x, ac.randn(2, 2, 3, 3), stride=0)
    with pytest.raises(TypeError, match="padding must be an int or a tuple of 2 ints"):
        F.conv2d(x, ac.randn(2, 2, 3, 3), padding=(1, 1, 1))
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(2, 2, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match=r"padding \(2, 2\) must be at most half the kernel"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(TypeError, match="avg_pool2d: input must be float32 or float64"):
        F.avg_pool2d(ac.tensor(np.ones((1, 1, 4, 4), dtype=np.int64)), 2)
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(x, ac.randn(2, 2, 3, 3), stride=2, output_padding=2)


def test_integer_max_pool_keeps_its_dtype():
    x = np.arange(32).reshape(1, 2, 4, 4)
    y = F.max_pool2d(ac.tensor(x), 2, padding=1)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), torch.nn.functional.max_pool2d(
        torch.tensor(x), 2, padding=1).numpy())
