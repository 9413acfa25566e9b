"""Activation layers and functions against PyTorch: values, input and parameter gradients,
float32 and float64, kinks, NaN, in place; reprs and state_dict keys; the layers without
a PyTorch twin (Swish, Maxout, ReGLU, GEGLU, SwiGLU) against torch compositions and
gradcheck."""

import math

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import autograd_core as ac
import nn
import nn.functional as F

TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
SHAPES = [(), (7,), (4, 3), (2, 3, 4, 5)]
KINKS = [0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.1, 0.5, -0.5, 2.0]


def _input(shape, dtype, seed=0, scale=3.0):
    """Normal values times ``scale``, about a third of them exactly on common kinks."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    on_kink = rng.random(shape) < 0.3
    x = np.where(on_kink, rng.choice(KINKS, size=shape), x)
    return np.asarray(x, dtype=dtype)


def _pair(array, requires_grad=True):
    ours = ac.tensor(array.copy(), requires_grad=requires_grad)
    theirs = torch.tensor(array.copy(), requires_grad=requires_grad)
    return ours, theirs


def _close(ours, theirs, dtype, what):
    a = ours.detach().numpy() if isinstance(ours, ac.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != {b.dtype}"
    np.testing.assert_allclose(a, b, equal_nan=True, err_msg=what, **TOL[dtype])


def _copy_parameters(ours, theirs):
    """Copy our parameters into the torch twin, by state_dict key."""
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            p.copy_(torch.tensor(dict(ours.named_parameters())[name].detach().numpy()))


def _compare(ours, theirs, x_np, dtype, inplace=False):
    """Forward and backward of two modules on the same input, parameters included."""
    x, tx = _pair(x_np)
    xin, txin = (x * 1.0, tx * 1.0) if inplace else (x, tx)  # a leaf may not change in place
    y, ty = ours(xin), theirs(txin)
    _close(y, ty, dtype, f"{ours!r}: value")
    weights = np.random.default_rng(1).standard_normal(ty.shape).astype(dtype)
    y.backward(ac.tensor(weights))
    ty.backward(torch.tensor(weights))
    _close(x.grad, tx.grad, dtype, f"{ours!r}: input gradient")
    for name, p in theirs.named_parameters():
        _close(dict(ours.named_parameters())[name].grad, p.grad, dtype,
               f"{ours!r}: gradient of {name}")


# -- the twins of PyTorch's modules ---------------------------------------------------------

TWINS = [
    (lambda: nn.Sigmoid(), lambda: tnn.Sigmoid()),
    (lambda: nn.Tanh(), lambda: tnn.Tanh()),
    (lambda: nn.ReLU(), lambda: tnn.ReLU()),
    (lambda: nn.LeakyReLU(), lambda: tnn.LeakyReLU()),
    (lambda: nn.LeakyReLU(0.2), lambda: tnn.LeakyReLU(0.2)),
    (lambda: nn.LeakyReLU(-0.3), lambda: tnn.LeakyReLU(-0.3)),
    (lambda: nn.PReLU(), lambda: tnn.PReLU()),
    (lambda: nn.PReLU(init=-0.1), lambda: tnn.PReLU(init=-0.1)),
    (lambda: nn.ELU(), lambda: tnn.ELU()),
    (lambda: nn.ELU(0.5), lambda: tnn.ELU(0.5)),
    (lambda: nn.CELU(), lambda: tnn.CELU()),
    (lambda: nn.CELU(2.0), lambda: tnn.CELU(2.0)),
    (lambda: nn.SELU(), lambda: tnn.SELU()),
    (lambda: nn.GELU(), lambda: tnn.GELU()),
    (lambda: nn.GELU("tanh"), lambda: tnn.GELU("tanh")),
    (lambda: nn.Softplus(), lambda: tnn.Softplus()),
    (lambda: nn.Softplus(2.0, 1.0), lambda: tnn.Softplus(2.0, 1.0)),
    (lambda: nn.SiLU(), lambda: tnn.SiLU()),
    (lambda: nn.Hardswish(), lambda: tnn.Hardswish()),
    (lambda: nn.Hardtanh(), lambda: tnn.Hardtanh()),
    (lambda: nn.Hardtanh(-0.5, 2.0), lambda: tnn.Hardtanh(-0.5, 2.0)),
    (lambda: nn.ReLU6(), lambda: tnn.ReLU6()),
    (lambda: nn.Threshold(0.1, 20.0), lambda: tnn.Threshold(0.1, 20.0)),
    (lambda: nn.Threshold(-1.0, -3.0), lambda: tnn.Threshold(-1.0, -3.0)),
    (lambda: nn.Softmax(dim=-1), lambda: tnn.Softmax(dim=-1)),
    (lambda: nn.LogSoftmax(dim=0), lambda: tnn.LogSoftmax(dim=0)),
]


def _ids(pairs):
    return [repr(make()) for make, _ in pairs]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("ours, theirs", TWINS, ids=_ids(TWINS))
def test_module_matches_torch(ours, theirs, shape, dtype):
    ours, theirs = ours(), theirs()
    if dtype == np.float64:
        ours.double()
        theirs.double()
    _copy_parameters(ours, theirs)
    if isinstance(ours, (nn.Softmax, nn.LogSoftmax)) and shape == ():
        shape = (3,)
    _compare(ours, theirs, _input(shape, dtype), dtype)
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, _input(shape, dtype, seed=2), dtype)  # no train/eval difference


INPLACE = [
    (lambda: nn.ReLU(True), lambda: tnn.ReLU(True)),
    (lambda: nn.LeakyReLU(0.2, True), lambda: tnn.LeakyReLU(0.2, True)),
    (lambda: nn.ELU(0.5, True), lambda: tnn.ELU(0.5, True)),
    (lambda: nn.CELU(2.0, True), lambda: tnn.CELU(2.0, True)),
    (lambda: nn.SELU(True), lambda: tnn.SELU(True)),
    (lambda: nn.SiLU(True), lambda: tnn.SiLU(True)),
    (lambda: nn.Hardswish(True), lambda: tnn.Hardswish(True)),
    (lambda: nn.Hardtanh(-0.5, 2.0, True), lambda: tnn.Hardtanh(-0.5, 2.0, True)),
    (lambda: nn.ReLU6(True), lambda: tnn.ReLU6(True)),
    (lambda: nn.Threshold(0.1, 20.0, True), lambda: tnn.Threshold(0.1, 20.0, True)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ours, theirs", INPLACE, ids=_ids(INPLACE))
def test_inplace_module_matches_torch_and_changes_its_input(ours, theirs, dtype):
    ours, theirs = ours(), theirs()
    _compare(ours, theirs, _input((3, 4, 5), dtype), dtype, inplace=True)
    x = ac.tensor(_input((3, 4), dtype))
    y = ours(x)
    assert y is x
    _close(x, theirs(torch.tensor(_input((3, 4), dtype))), dtype, f"{ours!r} in place")


def test_inplace_on_a_leaf_that_requires_grad_raises():
    x = ac.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        nn.ELU(inplace=True)(x)
    with ac.no_grad():
        nn.ELU(inplace=True)(x)  # allowed: nothing is recorded


def test_inplace_with_a_negative_slope_works_unlike_torch():
    x_np = _input((4, 5), np.float64)
    x = ac.tensor(x_np, requires_grad=True)
    F.leaky_relu(x * 1.0, -0.5, inplace=True).sum().backward()
    tx = torch.tensor(x_np, requires_grad=True)
    TF.leaky_relu(tx, -0.5).sum().backward()
    _close(x.grad, tx.grad, np.float64, "in-place leaky_relu, negative slope")


def test_relu_inplace_then_another_inplace_change_keeps_the_gradient_right():
    # relu_ keeps its input (not its output) for backward: later in-place changes cannot
    # corrupt its gradient (PyTorch raises here instead; we compare with out of place)
    x_np = _input((6,), np.float64)
    x = ac.tensor(x_np, requires_grad=True)
    y = x * 1.0
    F.relu(y, inplace=True)
    y.add_(-10.0)
    y.sum().backward()
    tx = torch.tensor(x_np, requires_grad=True)
    (torch.relu(tx * 1.0) - 10.0).sum().backward()
    _close(x.grad, tx.grad, np.float64, "relu_ then add_")


@pytest.mark.parametrize("ours, theirs", TWINS + INPLACE + [
    (lambda: nn.PReLU(3), lambda: tnn.PReLU(3)),
    (lambda: nn.GLU(), lambda: tnn.GLU()),
    (lambda: nn.GLU(1), lambda: tnn.GLU(1)),
    (lambda: nn.Softmax(), lambda: tnn.Softmax()),
    (lambda: nn.Hardsigmoid(), lambda: tnn.Hardsigmoid()),
    (lambda: nn.Hardsigmoid(True), lambda: tnn.Hardsigmoid(True)),
    (lambda: nn.Hardswish(True), lambda: tnn.Hardswish(True)),
    (lambda: nn.Softplus(2, 10), lambda: tnn.Softplus(2, 10)),
    (lambda: nn.Threshold(1, 2), lambda: tnn.Threshold(1, 2)),
    (lambda: nn.ELU(alpha=2), lambda: tnn.ELU(alpha=2)),
])
def test_repr_and_state_dict_keys_match_torch(ours, theirs):
    ours, theirs = ours(), theirs()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_reprs_in_a_container():
    model = nn.Sequential(nn.GELU("tanh"), nn.LeakyReLU(0.2, inplace=True))
    twin = tnn.Sequential(tnn.GELU("tanh"), tnn.LeakyReLU(0.2, inplace=True))
    assert repr(model) == repr(twin)


# -- hardsigmoid: PyTorch multiplies by the float32 constant 1/6 even in float64 ------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("inplace", [False, True])
def test_hardsigmoid_matches_torch(dtype, inplace):
    x_np = _input((3, 4, 5), dtype)
    x, tx = _pair(x_np)
    y = nn.Hardsigmoid(inplace)(x * 1.0)
    ty = tnn.Hardsigmoid(inplace)(tx * 1.0)
    _close(y, ty, dtype, "hardsigmoid value")
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-7)
    assert set(np.unique(x.grad.numpy())) <= {0.0, dtype(1 / 6)}  # exact 1/6 in float64


# -- PReLU ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 5), (2, 3, 4, 4)], ids=str)
def test_prelu_per_channel_matches_torch(shape, dtype):
    ours, theirs = nn.PReLU(3), tnn.PReLU(3)
    with ac.no_grad():
        ours.weight.copy_(ac.tensor([0.1, -0.2, 0.7]))
    if dtype == np.float64:
        ours.double()
        theirs.double()
    _copy_parameters(ours, theirs)
    _compare(ours, theirs, _input(shape, dtype), dtype)


def test_prelu_shared_weight_on_every_rank_and_its_init():
    layer = nn.PReLU()
    np.testing.assert_array_equal(layer.weight.detach().numpy(), np.float32([0.25]))
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    for shape in [(), (5,), (2, 3, 4)]:
        assert layer(ac.randn(*shape)).shape == shape
    np.testing.assert_array_equal(nn.PReLU(4, init=0.5).weight.detach().numpy(), [0.5] * 4)


def test_prelu_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"prelu: weight has 3 values .* 4 channel"):
        nn.PReLU(3)(ac.randn(2, 4))
    with pytest.raises(ValueError, match="1 channel"):
        nn.PReLU(3)(ac.randn(3))
    with pytest.raises(TypeError, match="float64 but weight is float32"):
        nn.PReLU()(ac.randn(2, 3).double())
    with pytest.raises(ValueError, match="num_parameters"):
        nn.PReLU(0)
    with pytest.raises(ValueError, match="scalar or 1-D"):
        F.prelu(ac.randn(2, 3), ac.ones(3, 1))


# -- Swish: no PyTorch twin -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_parameters, shape", [(1, ()), (1, (4, 3)), (3, (2, 3, 4))])
def test_swish_matches_the_closed_form(num_parameters, shape, dtype):
    layer = nn.Swish(num_parameters)
    np.testing.assert_array_equal(layer.beta.detach().numpy(), [1.0] * num_parameters)
    if dtype == np.float64:
        layer.double()
    beta_np = np.linspace(0.5, 2.0, num_parameters).astype(dtype)
    with ac.no_grad():
        layer.beta.copy_(ac.tensor(beta_np))
    x, tx = _pair(_input(shape, dtype))
    tbeta = torch.tensor(beta_np, requires_grad=True)
    b = tbeta.reshape((-1,) + (1,) * (len(shape) - 2)) if num_parameters > 1 else tbeta[0]
    y, ty = layer(x), tx * torch.sigmoid(b * tx)
    _close(y, ty, dtype, "swish value")
    y.sum().backward()
    ty.sum().backward()
    _close(x.grad, tx.grad, dtype, "swish input gradient")
    _close(layer.beta.grad, tbeta.grad, dtype, "swish beta gradient")


def test_swish_with_beta_one_is_silu_and_passes_gradcheck():
    x = ac.tensor(_input((3, 4), np.float64), requires_grad=True)
    np.testing.assert_allclose(F.swish(x).detach().numpy(), F.silu(x).detach().numpy(),
                               rtol=1e-15)
    beta = ac.tensor([0.7, 1.3, -0.4], dtype=ac.float64, requires_grad=True)
    x = ac.tensor(_input((2, 3, 2), np.float64, seed=5), requires_grad=True)
    assert ac.gradcheck(F.swish, [x, beta])
    assert ac.gradgradcheck(F.swish, [x, beta])
    layer = nn.Swish(3)
    assert repr(layer) == "Swish(num_parameters=3)"
    assert list(layer.state_dict()) == ["beta"]


# -- GLU ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dim, shape", [(-1, (6,)), (-1, (3, 4)), (1, (2, 6, 3)), (0, (4, 2))])
def test_glu_matches_torch(dim, shape, dtype):
    _compare(nn.GLU(dim), tnn.GLU(dim), _input(shape, dtype), dtype)


def test_glu_accepts_axis():
    x_np = _input((2, 4, 3), np.float64)
    np.testing.assert_array_equal(F.glu(ac.tensor(x_np), axis=1).numpy(),
                                  F.glu(ac.tensor(x_np), 1).numpy())


def test_glu_errors_as_torch():
    with pytest.raises(RuntimeError, match="dimension 1 is size 5"):
        F.glu(ac.randn(2, 5))
    with pytest.raises(RuntimeError, match="scalars"):
        F.glu(ac.tensor(1.0))
    with pytest.raises(TypeError, match="glu: expected a float tensor"):
        F.glu(ac.tensor([1, 2]))


# -- Maxout and the gated linear units: their own projections -------------------------------


def _affine(x, weight, bias):
    return TF.linear(x, weight, bias)


def _torch_params(layer, names, dtype):
    return {n: torch.tensor(getattr(layer, n).detach().numpy(), requires_grad=True)
            for n in names if getattr(layer, n) is not None}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 5)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_maxout_matches_a_torch_composition(shape, bias, dtype):
    ac.manual_seed(0)
    layer = nn.Maxout(5, 3, pieces=4, bias=bias)
    if dtype == np.float64:
        layer.double()
    p = _torch_params(layer, ["weight", "bias"], dtype)
    x, tx = _pair(_input(shape, dtype))
    y = layer(x)
    z = _affine(tx, p["weight"], p.get("bias"))
    ty = z.reshape(z.shape[:-1] + (3, 4)).max(-1).values
    _close(y, ty, dtype, "maxout value")
    weights = np.random.default_rng(3).standard_normal(ty.shape).astype(dtype)
    y.backward(ac.tensor(weights))
    ty.backward(torch.tensor(weights))
    _close(x.grad, tx.grad, dtype, "maxout input gradient")
    for name, tp in p.items():
        _close(getattr(layer, name).grad, tp.grad, dtype, f"maxout gradient of {name}")


def test_maxout_ties_send_the_gradient_to_the_first_piece_as_torch_max():
    layer = nn.Maxout(2, 1, pieces=3).double()
    with ac.no_grad():
        layer.weight.copy_(ac.ones(3, 2))
        layer.bias.zero_()
    layer(ac.tensor([1.0, 2.0], dtype=ac.float64)).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy(), [[1, 2], [0, 0], [0, 0]])
    np.testing.assert_array_equal(layer.bias.grad.numpy(), [1, 0, 0])


GATED = [
    (nn.ReGLU, torch.relu),
    (nn.GEGLU, TF.gelu),
    (nn.SwiGLU, TF.silu),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 5)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("layer_type, act", GATED, ids=lambda v: getattr(v, "__name__", ""))
def test_gated_linear_units_match_a_torch_composition(layer_type, act, shape, bias, dtype):
    ac.manual_seed(1)
    layer = layer_type(5, 3, bias=bias)
    if dtype == np.float64:
        layer.double()
    names = ["weight", "bias", "gate_weight", "gate_bias"]
    p = _torch_params(layer, names, dtype)
    x, tx = _pair(_input(shape, dtype))
    y = layer(x)
    ty = act(_affine(tx, p["gate_weight"], p.get("gate_bias"))) * _affine(
        tx, p["weight"], p.get("bias"))
    _close(y, ty, dtype, f"{layer_type.__name__} value")
    weights = np.random.default_rng(3).standard_normal(ty.shape).astype(dtype)
    y.backward(ac.tensor(weights))
    ty.backward(torch.tensor(weights))
    _close(x.grad, tx.grad, dtype, f"{layer_type.__name__} input gradient")
    for name, tp in p.items():
        _close(getattr(layer, name).grad, tp.grad, dtype,
               f"{layer_type.__name__} gradient of {name}")


@pytest.mark.parametrize("layer_type", [nn.ReGLU, nn.GEGLU, nn.SwiGLU])
def test_gated_linear_units_pass_gradcheck_in_every_parameter(layer_type):
    ac.manual_seed(2)
    layer = layer_type(3, 2).double()
    x = ac.tensor(_input((4, 3), np.float64, scale=1.0) + 0.05, requires_grad=True)
    params = [layer.weight, layer.gate_weight, layer.bias, layer.gate_bias]
    fn = getattr(F, layer_type.__name__.lower())
    assert ac.gradcheck(fn, [x] + params)
    if layer_type is not nn.ReGLU:
        assert ac.gradgradcheck(fn, [x] + params)


def test_projection_layers_keys_reprs_and_init():
    ac.manual_seed(0)
    layer = nn.SwiGLU(16, 8)
    assert list(layer.state_dict()) == ["weight", "bias", "gate_weight", "gate_bias"]
    assert repr(layer) == "SwiGLU(in_features=16, out_features=8, bias=True)"
    assert list(nn.GEGLU(4, 2, bias=False).state_dict()) == ["weight", "gate_weight"]
    maxout = nn.Maxout(16, 8, pieces=3)
    assert repr(maxout) == "Maxout(in_features=16, out_features=8, pieces=3, bias=True)"
    assert tuple(maxout.weight.shape) == (24, 16) and tuple(maxout.bias.shape) == (24,)
    assert list(nn.Maxout(4, 2, 2, bias=False).state_dict()) == ["weight"]
    # nn.Linear's init: weight and bias uniform in +-1/sqrt(in_features)
    bound = 1 / math.sqrt(16)
    for name, p in list(layer.named_parameters()) + list(maxout.named_parameters()):
        values = np.abs(p.detach().numpy())
        assert p.dtype == np.float32 and p.requires_grad
        assert values.max() <= bound, name
        if name.endswith("weight"):  # 128 or more draws: they fill the range
            assert values.max() > 0.9 * bound and 0.4 * bound < values.mean() < 0.6 * bound
    ac.manual_seed(0)
    again = nn.SwiGLU(16, 8)
    np.testing.assert_array_equal(again.gate_weight.detach().numpy(),
                                  layer.gate_weight.detach().numpy())


def test_projection_layers_reject_bad_input():
    with pytest.raises(ValueError, match=r"swiglu: expected input of shape \(\*, 5\).*\(2, 4\)"):
        nn.SwiGLU(5, 3)(ac.randn(2, 4))
    with pytest.raises(ValueError, match=r"maxout: expected input of shape \(\*, 5\)"):
        nn.Maxout(5, 3, 2)(ac.tensor(1.0))
    with pytest.raises(TypeError, match="float64 but weight is float32"):
        nn.ReGLU(5, 3)(ac.randn(2, 5).double())
    with pytest.raises(TypeError, match="maxout: expected a float tensor"):
        nn.Maxout(2, 3, 2)(ac.tensor([1, 2]))
    with pytest.raises(ValueError, match="pieces must be a positive int"):
        nn.Maxout(2, 3, 0)
    with pytest.raises(ValueError, match="not a multiple of pieces=4"):
        F.maxout(ac.randn(2), ac.randn(6, 2), pieces=4)


# -- functional forms: names, kinks, second order, NaN, dtypes, errors ----------------------

FUNCTIONAL = [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.5}),
    ("celu", {"alpha": 2.0}), ("selu", {}), ("gelu", {}), ("gelu", {"approximate": "tanh"}),
    ("softplus", {"beta": 2.0, "threshold": 2.0}), ("silu", {}), ("hardswish", {}),
    ("hardtanh", {"min_val": -1.0, "max_val": 3.0}), ("relu6", {}),
    ("threshold", {"threshold": 1.0, "value": -2.0}), ("sigmoid", {}), ("tanh", {}),
    ("glu", {}),
]
POINTS = np.array([-30.0, -4.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0])


@pytest.mark.parametrize("jit", ["1", "0"])
@pytest.mark.parametrize("name, kwargs", FUNCTIONAL, ids=lambda v: str(v))
def test_second_derivatives_match_torch_on_the_kinks(name, kwargs, jit, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", jit)
    ours, theirs = getattr(F, name), getattr(TF, name)
    x, tx = _pair(POINTS)
    (g,) = ac.grad(ours(x, **kwargs).sum(), [x], create_graph=True)
    (tg,) = torch.autograd.grad(theirs(tx, **kwargs).sum(), [tx], create_graph=True)
    _close(g, tg, np.float64, f"{name}: first derivative")
    # PyTorch gives a gradient a graph even where it does not depend on x; we do not
    second = ac.grad(g.sum(), [x])[0].numpy() if g.requires_grad else np.zeros(POINTS.shape)
    tsecond = torch.autograd.grad(tg.sum(), [tx], allow_unused=True)[0] if tg.requires_grad \
        else None
    tsecond = np.zeros(POINTS.shape) if tsecond is None else tsecond.numpy()
    np.testing.assert_allclose(second, tsecond, rtol=1e-10, atol=1e-12, err_msg=name)


NAN_GRADIENTS = [
    ("leaky_relu", {"negative_slope": 0.2}), ("elu", {}), ("celu", {"alpha": 2.0}),
    ("selu", {}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}),
    ("softplus", {}), ("hardtanh", {}), ("relu6", {}), ("hardsigmoid", {}),
    ("hardswish", {}), ("threshold", {"threshold": 0.5, "value": 2.0}), ("relu", {}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", NAN_GRADIENTS, ids=lambda v: str(v))
def test_nan_inputs_follow_torchs_vectorised_kernels(name, kwargs, dtype):
    # on 64 elements PyTorch runs its vectorised kernels; its scalar code for short tails
    # sometimes disagrees (elu, hardtanh, hardswish): we follow the vectorised one always
    for n in (64, 1):
        x_np = np.full(n, np.nan, dtype=dtype)
        x, _ = _pair(x_np)
        _, tx = _pair(np.full(64, np.nan, dtype=dtype))
        getattr(F, name)(x, **kwargs).sum().backward()
        getattr(TF, name)(tx, **kwargs).sum().backward()
        _close(x.grad, tx.grad[:n], dtype, f"{name}: gradient at NaN (length {n})")


def test_functional_names_exist_with_torch_defaults():
    import inspect

    for name in ["relu", "leaky_relu", "elu", "celu", "selu", "gelu", "softplus", "silu",
                 "hardswish", "hardsigmoid", "hardtanh", "relu6", "threshold", "glu",
                 "softmax", "log_softmax", "sigmoid", "tanh", "prelu"]:
        assert callable(getattr(F, name)), name
    assert inspect.signature(F.leaky_relu).parameters["negative_slope"].default == 0.01
    assert inspect.signature(F.softplus).parameters["threshold"].default == 20.0
    assert inspect.signature(F.gelu).parameters["approximate"].default == "none"
    assert inspect.signature(F.glu).parameters["dim"].default == -1
    hardtanh = inspect.signature(F.hardtanh).parameters
    assert (hardtanh["min_val"].default, hardtanh["max_val"].default) == (-1.0, 1.0)


@pytest.mark.parametrize("name, args", [("hardtanh", ()), ("relu6", ()),
                                        ("threshold", (1.0, 5.0)), ("relu", ())])
def test_integer_inputs_keep_their_dtype_where_torch_does(name, args):
    x = np.array([-2, 0, 3, 7], dtype=np.int64)
    y = getattr(F, name)(ac.tensor(x), *args)
    ty = getattr(TF, name)(torch.tensor(x), *args)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), ty.numpy())


def test_errors_name_the_op_and_the_fix():
    with pytest.raises(TypeError, match=r"gelu: expected a float tensor.*int64.*float\(\)"):
        F.gelu(ac.tensor([1, 2]))
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        F.gelu(ac.randn(2), approximate="erf")
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="celu: alpha cannot be 0"):
        F.celu(ac.randn(2), 0.0)
    with pytest.raises(ValueError, match="min_val .* cannot be greater than max_val"):
        F.hardtanh(ac.randn(2), 1.0, -1.0)
    with pytest.raises(ValueError, match="Hardtanh: max_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        F.leaky_relu(ac.randn(2), "0.1")


def test_softmax_module_without_dim_warns_and_uses_torchs_legacy_dim():
    x_np = _input((3, 4), np.float32)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = nn.Softmax()(ac.tensor(x_np))
    with pytest.warns(UserWarning):
        ty = tnn.Softmax()(torch.tensor(x_np))
    _close(y, ty, np.float32, "Softmax(dim=None)")


@pytest.mark.parametrize("name, kwargs", [("leaky_relu", {}), ("gelu", {}), ("silu", {}),
                                          ("elu", {}), ("softplus", {})])
def test_numba_and_numpy_paths_agree(name, kwargs, monkeypatch):
    x_np = _input((50, 7), np.float32)
    results = []
    for jit in ("1", "0"):
        monkeypatch.setenv("AUTOGRAD_CORE_JIT", jit)
        x = ac.tensor(x_np.T, requires_grad=True)  # non-contiguous
        getattr(F, name)(x, **kwargs).backward(ac.ones(7, 50))
        results.append((getattr(F, name)(x, **kwargs).detach().numpy(), x.grad.numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
