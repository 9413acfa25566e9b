"""Normalization layers against PyTorch: BatchNorm1d/2d, InstanceNorm2d, LayerNorm, GroupNorm.

Outputs and gradients (input, weight, bias) in float32 and float64, training and
evaluation mode, several shapes; running statistics over ten training steps; the
batch-of-one error; second order; and the fused batch-norm kernels against their numpy
references (and those against PyTorch).
"""

import re

import numpy as np
import pytest
import torch

import autograd_core as ac
import nn
from autograd_core import kernels as K
from autograd_core.kernels import batchnorm as KB
from autograd_core.ops import normalization as ops
from nn import functional as F

DTYPES = [np.float32, np.float64]
TOL = {np.float32: {"rtol": 1e-4, "atol": 2e-5}, np.float64: {"rtol": 1e-10, "atol": 1e-10}}


def _close(ours, theirs, dtype, what):
    a = ours.detach().numpy() if isinstance(ours, ac.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != PyTorch's {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != PyTorch's {b.dtype}"
    np.testing.assert_allclose(a, b, err_msg=what, **TOL[dtype])


def _pair(ours, theirs, dtype, rng):
    """Put both layers in ``dtype`` and give them the same random affine parameters."""
    if dtype == np.float64:
        ours.double()
        theirs.double()
    for name in ("weight", "bias"):
        p = getattr(ours, name)
        if p is not None:
            values = rng.uniform(0.5, 1.5, p.shape) if name == "weight" else rng.normal(
                size=p.shape)
            p.data = ac.tensor(values.astype(dtype))
            getattr(theirs, name).data = torch.tensor(p.detach().numpy().copy())
    return ours, theirs


def _check_layer(ours, theirs, shape, dtype, seed=0, offset=0.0):
    """One forward and backward through both layers: outputs and every gradient agree."""
    rng = np.random.default_rng(seed)
    ours, theirs = _pair(ours, theirs, dtype, rng)
    x = (rng.normal(size=shape) * 2.0 + offset).astype(dtype)
    g = rng.normal(size=shape).astype(dtype)
    xo = ac.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    _close(yo, yt, dtype, "output")
    yo.backward(ac.tensor(g))
    yt.backward(torch.tensor(g))
    _close(xo.grad, xt.grad, dtype, "input gradient")
    for name in ("weight", "bias"):
        p = getattr(ours, name)
        if p is not None:
            _close(p.grad, getattr(theirs, name).grad, dtype, f"{name} gradient")
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        b = getattr(ours, name, None)
        if b is not None:
            _close(b, getattr(theirs, name), dtype, name)


# -- parity of each layer, training and evaluation -----------------------------------------

BATCHNORM_CASES = [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3)),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (2, 5)),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 7)),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (1, 3, 2)),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 6)),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (1, 2, 3, 1)),
]
BN_OPTIONS = [
    {},
    {"affine": False},
    {"momentum": None, "eps": 1e-3},
    {"track_running_stats": False},
    {"bias": False},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", BN_OPTIONS, ids=str)
@pytest.mark.parametrize(("ours", "theirs", "shape"), BATCHNORM_CASES,
                         ids=[f"{o.__name__}{s}" for o, _, s in BATCHNORM_CASES])
def test_batchnorm_matches_torch_in_training_and_eval(ours, theirs, shape, options, dtype):
    layers = ours(shape[1], **options), theirs(shape[1], **options)
    _check_layer(*layers, shape, dtype, seed=1, offset=0.5)  # training: batch statistics
    for layer in layers:
        layer.eval()
    _check_layer(*layers, shape, dtype, seed=2)  # eval: running statistics (or batch ones)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("normalized", "shape"), [
    (5, (3, 5)), (4, (2, 3, 4)), ((3, 4), (2, 3, 4)), ((2, 3, 4), (2, 3, 4)), (6, (6,)),
])
@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False},
                                     {"eps": 1e-2}], ids=str)
def test_layernorm_matches_torch(normalized, shape, options, dtype):
    layers = nn.LayerNorm(normalized, **options), torch.nn.LayerNorm(normalized, **options)
    _check_layer(*layers, shape, dtype, offset=3.0)
    for layer in layers:
        layer.eval()
    _check_layer(*layers, shape, dtype, seed=4)  # no batch statistics: eval is the same


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("groups", "channels", "shape"), [
    (2, 4, (3, 4, 5)), (1, 6, (2, 6, 3, 3)), (6, 6, (2, 6, 4)), (3, 6, (2, 6, 2, 3)),
    (2, 4, (5, 4)),
])
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"eps": 1e-2}], ids=str)
def test_groupnorm_matches_torch(groups, channels, shape, options, dtype):
    layers = nn.GroupNorm(groups, channels, **options), torch.nn.GroupNorm(groups, channels,
                                                                           **options)
    _check_layer(*layers, shape, dtype, offset=-2.0)
    for layer in layers:
        layer.eval()
    _check_layer(*layers, shape, dtype, seed=5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 3, 2, 2), (3, 4, 5)])
@pytest.mark.parametrize("options", [
    {}, {"affine": True}, {"track_running_stats": True},
    {"affine": True, "track_running_stats": True, "momentum": 0.3}, {"eps": 1e-2},
], ids=str)
def test_instancenorm2d_matches_torch(shape, options, dtype):
    channels = shape[-3]
    layers = nn.InstanceNorm2d(channels, **options), torch.nn.InstanceNorm2d(channels, **options)
    _check_layer(*layers, shape, dtype, offset=1.0)
    for layer in layers:
        layer.eval()
    _check_layer(*layers, shape, dtype, seed=6)


# -- running statistics --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize(("ours", "theirs", "shape"), [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 4)),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (3, 4, 5)),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (2, 4, 3, 3)),
    (nn.InstanceNorm2d, torch.nn.InstanceNorm2d, (3, 4, 3, 2)),
])
def test_running_statistics_follow_torch_for_ten_steps(ours, theirs, shape, momentum, dtype):
    options = {"momentum": momentum}
    if ours is nn.InstanceNorm2d:
        options.update(affine=True, track_running_stats=True)
    o, t = _pair(ours(shape[1], **options), theirs(shape[1], **options), dtype,
                 np.random.default_rng(7))
    rng = np.random.default_rng(8)
    for step in range(10):
        x = (rng.normal(size=shape) * (1 + step) + step - 3.0).astype(dtype)
        o(ac.tensor(x))
        t(torch.tensor(x))
        _close(o.running_mean, t.running_mean, dtype, f"running_mean after step {step + 1}")
        _close(o.running_var, t.running_var, dtype, f"running_var after step {step + 1}")
    assert o.num_batches_tracked.item() == t.num_batches_tracked.item()
    assert o.num_batches_tracked.dtype == np.int64
    o.eval()
    t.eval()
    x = rng.normal(size=shape).astype(dtype)
    _close(o(ac.tensor(x)), t(torch.tensor(x)), dtype, "eval output with the running stats")


def test_running_variance_is_unbiased_and_momentum_none_is_the_cumulative_average():
    layer = nn.BatchNorm1d(2, momentum=None)
    batches = [np.random.default_rng(i).normal(i, 1 + i, size=(5, 2)) for i in range(4)]
    for b in batches:
        layer(ac.tensor(b, dtype=ac.float32))
    # factor 1/k at step k: the first batch replaces the initial values, then an average
    expected_mean = np.mean([b.mean(0) for b in batches], axis=0)
    np.testing.assert_allclose(layer.running_mean.numpy(), expected_mean, rtol=1e-5)
    expected_var = np.mean([b.var(0, ddof=1) for b in batches], axis=0)
    np.testing.assert_allclose(layer.running_var.numpy(), expected_var, rtol=1e-5)
    assert layer.num_batches_tracked.item() == 4


def test_functional_batch_norm_updates_given_running_stats_in_place():
    rm, rv = ac.zeros(3), ac.ones(3)
    before = rm._version
    x = ac.randn(4, 3, 2)
    F.batch_norm(x, rm, rv, training=True, momentum=0.25)
    trm, trv = torch.zeros(3), torch.ones(3)
    torch.nn.functional.batch_norm(torch.tensor(x.numpy()), trm, trv, training=True,
                                   momentum=0.25)
    _close(rm, trm, np.float32, "running_mean")
    _close(rv, trv, np.float32, "running_var")
    assert rm._version > before


def test_eval_mode_does_not_touch_the_running_statistics():
    layer = nn.BatchNorm2d(3).eval()
    layer(ac.randn(2, 3, 4, 4))
    np.testing.assert_array_equal(layer.running_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(layer.running_var.numpy(), np.ones(3))
    assert layer.num_batches_tracked.item() == 0


# -- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("layer", "shape"), [
    (nn.BatchNorm1d(3), (1, 3)),
    (nn.BatchNorm1d(3), (1, 3, 1)),
    (nn.BatchNorm2d(3), (1, 3, 1, 1)),
])
def test_a_batch_of_one_value_per_channel_raises_when_training(layer, shape):
    message = (f"{type(layer).__name__}(3): Expected more than 1 value per channel when "
               f"training, got input size {shape}")
    with pytest.raises(ValueError, match=re.escape(message)):
        layer(ac.randn(*shape))
    assert layer.num_batches_tracked.item() == 0  # nothing changed
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(ac.randn(*shape), None, None, training=True)
    layer.eval()
    assert layer(ac.randn(*shape)).shape == shape  # running statistics: fine in eval


def test_instance_norm_needs_more_than_one_position_when_training():
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        nn.InstanceNorm2d(3)(ac.randn(2, 3, 1, 1))


@pytest.mark.parametrize(("layer", "shape", "match"), [
    (nn.BatchNorm1d(3), (4, 3, 2, 2), r"BatchNorm1d\(3\): expected 2D or 3D input \(got 4D"),
    (nn.BatchNorm2d(3), (4, 3), r"BatchNorm2d\(3\): expected 4D input \(got 2D"),
    (nn.BatchNorm1d(3), (4, 5), r"BatchNorm1d\(3\): expected 3 channels in dim 1.*\(4, 5\)"),
    (nn.InstanceNorm2d(3), (4, 3), r"InstanceNorm2d\(3\): expected 3D or 4D input"),
    (nn.InstanceNorm2d(3, affine=True), (2, 4, 3, 3), r"match num_features \(3\), but got: 4"),
    (nn.LayerNorm(4), (2, 3, 5), r"LayerNorm\(\(4,\)\): expected an input of shape \[\*, 4\]"),
    (nn.GroupNorm(2, 4), (2, 6, 3), r"GroupNorm\(2, 4\): expected an input of shape \(N, 4, "),
])
def test_bad_shapes_raise_errors_naming_the_layer(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer(ac.randn(*shape))


@pytest.mark.parametrize("layer", [nn.BatchNorm1d(3), nn.LayerNorm(3), nn.GroupNorm(1, 3),
                                   nn.InstanceNorm2d(3, affine=True)])
def test_dtype_mismatch_raises_an_error_naming_the_layer(layer):
    x = ac.randn(2, 3, 3, 3, dtype=ac.float64) if isinstance(layer, nn.InstanceNorm2d) else (
        ac.randn(2, 3, 3, dtype=ac.float64))
    if isinstance(layer, nn.BatchNorm1d):
        x = x.reshape(6, 3)
    with pytest.raises(TypeError, match=rf"{type(layer).__name__}.*float64.*float32"):
        layer(x)
    with pytest.raises(TypeError, match="float32 or float64"):
        layer(ac.ones(2, 3, 3, 3, dtype=ac.int64))


def test_constructor_and_functional_errors():
    with pytest.raises(ValueError, match=r"num_channels \(3\) must be divisible by num_groups "
                                         r"\(2\)"):
        nn.GroupNorm(2, 3)
    with pytest.raises(ValueError, match="num_features must be a positive int"):
        nn.BatchNorm1d(0)
    with pytest.raises(RuntimeError, match="running_mean and running_var must be defined in "
                                           "evaluation mode"):
        F.batch_norm(ac.randn(4, 3), None, None, training=False)
    with pytest.raises(ValueError, match=r"running_mean should have shape \(3,\)"):
        F.batch_norm(ac.randn(4, 3), ac.zeros(4), ac.ones(4), training=True)
    with pytest.raises(ValueError, match="C divisible by num_groups"):
        F.group_norm(ac.randn(2, 3, 4), 2)
    with pytest.raises(ValueError, match=r"normalized_shape=\[5\]"):
        F.layer_norm(ac.randn(2, 4), (5,))


# -- structure: state_dict, repr, conversion -----------------------------------------------

@pytest.mark.parametrize(("ours", "theirs"), [
    (lambda m: nn.BatchNorm1d(3, **m), lambda m: torch.nn.BatchNorm1d(3, **m)),
    (lambda m: nn.BatchNorm2d(3, **m), lambda m: torch.nn.BatchNorm2d(3, **m)),
    (lambda m: nn.InstanceNorm2d(3, **m), lambda m: torch.nn.InstanceNorm2d(3, **m)),
])
@pytest.mark.parametrize("options", [
    {}, {"affine": False}, {"affine": True}, {"track_running_stats": False},
    {"track_running_stats": True}, {"momentum": None, "eps": 1e-3}, {"bias": False},
], ids=str)
def test_norm_base_state_dict_and_repr_match_torch(ours, theirs, options):
    o, t = ours(options), theirs(options)
    assert list(o.state_dict()) == list(t.state_dict())
    assert repr(o) == repr(t)
    for key, value in t.state_dict().items():
        assert o.state_dict()[key].dtype == np.dtype(str(value.dtype).replace("torch.", ""))
        np.testing.assert_array_equal(o.state_dict()[key].numpy(), value.numpy())


@pytest.mark.parametrize(("ours", "theirs"), [
    (nn.LayerNorm(4), torch.nn.LayerNorm(4)),
    (nn.LayerNorm((2, 3), eps=1e-3, bias=False), torch.nn.LayerNorm((2, 3), eps=1e-3,
                                                                   bias=False)),
    (nn.LayerNorm(4, elementwise_affine=False), torch.nn.LayerNorm(4, elementwise_affine=False)),
    (nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)),
    (nn.GroupNorm(1, 3, affine=False), torch.nn.GroupNorm(1, 3, affine=False)),
])
def test_layer_and_group_norm_state_dict_and_repr_match_torch(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


def test_state_dict_round_trips_running_statistics():
    a = nn.BatchNorm1d(3)
    for _ in range(3):
        a(ac.randn(5, 3))
    b = nn.BatchNorm1d(3)
    b.load_state_dict(a.state_dict())
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key].numpy(), value.numpy())


# -- second order and the functional forms --------------------------------------------------

def _double(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return ac.tensor(rng.normal(size=shape), dtype=ac.float64, requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    lambda x, w, b: F.instance_norm(x.reshape(2, 3, 2), weight=w, bias=b),
    lambda x, w, b: F.group_norm(x.reshape(2, 3, 2), 3, w, b),
    lambda x, w, b: F.layer_norm(x.reshape(2, 2, 3), (3,), w, b),
    lambda x, w, b: F.batch_norm(x, ac.zeros(3, dtype=ac.float64), ac.ones(3, dtype=ac.float64),
                                 w, b, training=False),
], ids=["batch_norm", "instance_norm", "group_norm", "layer_norm", "batch_norm eval"])
def test_first_and_second_derivatives_by_finite_differences(fn):
    inputs = [_double(4, 3), _double(3, seed=1), _double(3, seed=2)]
    assert ac.gradcheck(fn, inputs)
    assert ac.gradgradcheck(fn, inputs)


def test_second_derivative_matches_torch():
    x = np.random.default_rng(3).normal(size=(5, 3, 2))
    xo = ac.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    (go,) = ac.grad((F.batch_norm(xo, None, None, training=True) ** 3).sum(), [xo],
                    create_graph=True)
    (gt,) = torch.autograd.grad((torch.nn.functional.batch_norm(
        xt, None, None, training=True) ** 3).sum(), [xt], create_graph=True)
    (ggo,) = ac.grad((go * go).sum(), [xo])
    (ggt,) = torch.autograd.grad((gt * gt).sum(), [xt])
    _close(go, gt, np.float64, "first derivative")
    _close(ggo, ggt, np.float64, "second derivative")


def test_functional_instance_norm_matches_torch_with_running_stats():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(3, 2, 4, 4))
    rm, rv = ac.tensor(np.full(2, 0.5)), ac.tensor(np.full(2, 2.0))
    trm, trv = torch.full((2,), 0.5, dtype=torch.float64), torch.full((2,), 2.0,
                                                                        dtype=torch.float64)
    out = F.instance_norm(ac.tensor(x), rm, rv, momentum=0.2)
    tout = torch.nn.functional.instance_norm(torch.tensor(x), trm, trv, momentum=0.2)
    _close(out, tout, np.float64, "output")
    _close(rm, trm, np.float64, "running_mean")
    _close(rv, trv, np.float64, "running_var")


def test_batch_norm_grad_fn_is_the_fused_function():
    x = ac.randn(4, 3, requires_grad=True)
    y = F.batch_norm(x, None, None, training=True)
    assert y.grad_fn.fn is ops.BatchNorm
    assert ops.BatchNorm.display_name == "batch_norm" and ops.BatchNorm.formula


def test_batchnorm_runs_with_the_jit_off(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "0")
    layers = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    _check_layer(*layers, (2, 3, 4, 4), np.float32, seed=10)


def test_batchnorm_in_a_model_trains_and_switches_modes():
    model = nn.Sequential(nn.BatchNorm1d(4), nn.LayerNorm(4))
    x = ac.randn(8, 4)
    model(x).sum().backward()
    assert model[0].weight.grad is not None and model[1].bias.grad is not None
    model.eval()
    assert not model[0].training and model[0].num_batches_tracked.item() == 1


# -- the fused kernels -----------------------------------------------------------------------

def _kernel_inputs(dtype, rng):
    base = rng.normal(size=(6, 4, 5)) * 3 + 2
    return {
        "(N, C)": (rng.normal(size=(7, 3)) * 2).astype(dtype),
        "(N, C, L)": base.astype(dtype),
        "(N, C, H, W)": rng.normal(size=(3, 2, 4, 5)).astype(dtype),
        "transposed": np.swapaxes(base.astype(dtype), 0, 2),
        "strided": base.astype(dtype)[::2, :, 1::2],
        "large offset": (rng.normal(size=(64, 3, 9)) + 1e3).astype(dtype),
    }


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_kernels_match_their_numpy_references(dtype, affine):
    rng = np.random.default_rng(11)
    tol = {"rtol": 2e-5, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-12,
                                                                      "atol": 1e-12}
    for label, x in _kernel_inputs(dtype, rng).items():
        c = x.shape[1]
        w = rng.uniform(0.5, 1.5, c).astype(dtype) if affine else None
        b = rng.normal(size=c).astype(dtype) if affine else None
        fwd = K.kernel("batch_norm_forward")(x, w, b, 1e-5)
        ref = K.reference("batch_norm_forward")(x, w, b, 1e-5)
        for got, want, what in zip(fwd, ref, ("y", "mean", "var")):
            assert got.dtype == want.dtype == dtype and got.shape == want.shape
            np.testing.assert_allclose(got, want, err_msg=f"{label} forward {what}", **tol)
        invstd = (1 / np.sqrt(ref[2].astype(np.float64) + 1e-5)).astype(dtype)
        g = rng.normal(size=x.shape).astype(dtype)
        bwd = K.kernel("batch_norm_backward")(x, g, ref[1], invstd, w)
        bref = K.reference("batch_norm_backward")(x, g, ref[1], invstd, w)
        for got, want, what in zip(bwd, bref, ("grad_x", "grad_weight", "grad_bias")):
            assert got.dtype == want.dtype == dtype and got.shape == want.shape
            np.testing.assert_allclose(got, want, err_msg=f"{label} backward {what}", **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_references_match_torch(dtype):
    rng = np.random.default_rng(12)
    x = (rng.normal(size=(5, 3, 4)) * 2 + 1).astype(dtype)
    w, b = rng.uniform(0.5, 1.5, 3).astype(dtype), rng.normal(size=3).astype(dtype)
    g = rng.normal(size=x.shape).astype(dtype)
    y, mean, var = KB.batch_norm_forward(x, w, b, 1e-5)
    invstd = (1 / np.sqrt(var.astype(np.float64) + 1e-5)).astype(dtype)
    gx, gw, gb = KB.batch_norm_backward(x, g, mean, invstd, w)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.batch_norm(tx, None, None, tw, tb, training=True)
    ty.backward(torch.tensor(g))
    for ours, theirs, what in [(y, ty, "y"), (gx, tx.grad, "grad_x"), (gw, tw.grad, "grad_w"),
                               (gb, tb.grad, "grad_b")]:
        _close(ours, theirs, dtype, what)
    _close(mean, x.mean(axis=(0, 2)), dtype, "mean")
    _close(var, x.astype(np.float64).var(axis=(0, 2)).astype(dtype), dtype, "var")


def test_batch_norm_kernels_defer_other_dtypes_to_the_reference():
    x = np.random.default_rng(13).normal(size=(4, 2)).astype(np.float16)
    y, mean, var = K.kernel("batch_norm_forward")(x, None, None, 1e-5)
    assert y.dtype == mean.dtype == var.dtype == np.float16
    np.testing.assert_array_equal(y, KB.batch_norm_forward(x, None, None, 1e-5)[0])
