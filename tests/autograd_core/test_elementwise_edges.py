"""Edge cases of the elementwise functions, each checked against PyTorch: kinks, ties,
NaN and infinities, 0-d tensors, integer and bool inputs, dtypes and error messages."""

import warnings

import numpy as np
import pytest
import torch

import autograd_core as ac
from autograd_core.ops import elementwise as E

SPECIAL = [-2.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, np.nan, np.inf, -np.inf]
UNARY = ["abs", "sign", "relu", "sqrt", "log1p", "sin", "cos", "tanh", "sigmoid", "exp", "log",
         "clone"]


def _value_and_grad(lib, fn, values, dtype, *args, **kwargs):
    """``fn(x)`` and d/dx of it against a fixed gradient, as float arrays."""
    x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
    y = fn(x, *args, **kwargs)
    weights = np.linspace(1.0, 2.0, num=max(y.numel(), 1)).reshape(tuple(y.shape))
    y.backward(lib.tensor(weights, dtype=y.dtype))
    return y.detach().numpy(), x.grad.detach().numpy()


def _assert_same(ours, theirs, what, rtol=1e-6):
    rtol = max(rtol, 1e-5) if ours[0].dtype == np.float32 else rtol
    for a, b, part in zip(ours, theirs, ("value", "gradient")):
        assert a.shape == b.shape, f"{what}: {part} shape"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True,
                                   err_msg=f"{what}: {part}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_functions_on_special_values_match_torch(name, dtype):
    with np.errstate(all="ignore"):
        ours = _value_and_grad(ac, lambda t: getattr(t, name)(), SPECIAL, dtype)
    theirs = _value_and_grad(torch, lambda t: getattr(t, name)(), SPECIAL, dtype)
    _assert_same(ours, theirs, f"{name} ({dtype})")


def test_kink_conventions():
    """The documented conventions, spelled out: PyTorch's exact numbers."""
    x = [-1.0, -0.0, 0.0, 1.0, np.nan]
    # the weights of the gradient are 1, 1.25, 1.5, 1.75, 2
    assert _value_and_grad(ac, ac.abs, x, "float64")[1].tolist() == [-1.0, 0.0, 0.0, 1.75, 0.0]
    assert ac.sign(ac.tensor([np.nan, -0.0, -3.0])).tolist() == [0.0, 0.0, -1.0]
    relu_grad = _value_and_grad(ac, ac.relu, x, "float64")[1]
    assert relu_grad.tolist()[:4] == [0.0, 0.0, 0.0, 1.75]
    assert relu_grad[4] == 2.0  # a NaN output passes the gradient (threshold_backward)
    assert np.isnan(ac.relu(ac.tensor([np.nan])).item())


@pytest.mark.parametrize("bounds", [(0.0, 1.0), (None, 0.5), (0.5, None), (1.0, 0.0),
                                    (np.nan, None), (None, np.nan), (0.5, 0.5)])
def test_clamp_with_number_bounds_on_and_off_the_boundary(bounds):
    values = [-1.0, 0.0, 0.5, 1.0, 2.0, np.nan, np.inf, -np.inf]
    lo, hi = bounds
    with np.errstate(all="ignore"):
        ours = _value_and_grad(ac, ac.clamp, values, "float64", lo, hi)
    theirs = _value_and_grad(torch, torch.clamp, values, "float64", lo, hi)
    _assert_same(ours, theirs, f"clamp{bounds}")
    if bounds == (0.0, 1.0):  # the boundary passes the gradient
        assert (ours[1] != 0).tolist() == [False, True, True, True, False, False, False, False]


def test_clamp_with_tensor_bounds_gives_each_its_pytorch_gradient():
    def run(lib):
        x = lib.tensor([0.0, 1.0, 2.0, 3.0, np.nan, 1.0, 1.0, 1.5], requires_grad=True)
        lo = lib.tensor([1.0, 1.0, 1.0, 1.0, 1.0, np.nan, 1.0, 2.0], requires_grad=True)
        hi = lib.tensor([2.0, 2.0, 2.0, 0.5, 2.0, 2.0, 1.0, 1.0], requires_grad=True)
        y = lib.clamp(x, lo, hi)
        y.backward(lib.ones(8))
        return [t.detach().numpy() for t in (y, x.grad, lo.grad, hi.grad)]

    for ours, theirs in zip(run(ac), run(torch)):
        np.testing.assert_array_equal(ours, theirs)


def test_clamp_min_max_clip_aliases_and_broadcasting():
    x = ac.tensor([[-2.0, 0.25, 3.0]])
    lo = ac.tensor([[-1.0], [0.5]])
    assert ac.clamp_min(x, lo).shape == (2, 3)
    assert x.clamp_min(0.0).tolist() == [[0.0, 0.25, 3.0]]
    assert x.clamp_max(1.0).tolist() == [[-2.0, 0.25, 1.0]]
    assert ac.clip(x, -1, 1).tolist() == x.clip(-1, 1).tolist() == x.clamp(-1, 1).tolist()
    x = ac.tensor([1.0, 5.0], requires_grad=True)
    y = x.clamp(min=ac.tensor(2.0), max=3.0)  # a tensor and a number may be mixed
    assert y.tolist() == [2.0, 3.0]


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_minimum_ties_split_and_nan_passes_to_both(fn):
    def run(lib):
        a = lib.tensor([1.0, 2.0, np.nan, 3.0, np.nan, 0.0, 1.0], requires_grad=True)
        b = lib.tensor([1.0, 1.0, 1.0, np.nan, np.nan, -0.0, 4.0], requires_grad=True)
        y = getattr(lib, fn)(a, b)
        y.backward(lib.tensor([2.0] * 7))
        return [t.detach().numpy() for t in (y, a.grad, b.grad)]

    for ours, theirs in zip(run(ac), run(torch)):
        np.testing.assert_array_equal(ours, theirs)
    _, ga, gb = run(ac)
    assert ga[0] == gb[0] == 1.0  # a tie splits the gradient of 2 in half
    assert ga[2] == gb[2] == 2.0  # NaN on either side: both get all of it


def test_maximum_broadcasts_and_accepts_a_number():
    a = ac.tensor([[1.0, -1.0, 0.5]], requires_grad=True)
    b = ac.tensor([[0.0], [2.0]], requires_grad=True)
    y = ac.maximum(a, b)
    assert y.shape == (2, 3)
    y.backward(ac.ones(2, 3))
    assert a.grad.tolist() == [[1.0, 0.0, 1.0]] and b.grad.tolist() == [[1.0], [3.0]]
    assert ac.maximum(a, 0.0).tolist() == [[1.0, 0.0, 0.5]]
    assert ac.minimum(0.0, a).tolist() == [[0.0, -1.0, 0.0]]


@pytest.mark.parametrize("name", UNARY + ["clamp", "maximum"])
def test_zero_dim_tensors(name):
    def run(lib):
        x = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
        if name == "clamp":
            y = x.clamp(0.0, 0.5)
        elif name == "maximum":
            y = lib.maximum(x, lib.tensor(0.2, dtype=lib.float64))
        else:
            y = getattr(x, name)()
        y.backward(lib.tensor(3.0, dtype=lib.float64))
        return y, x.grad

    (y, g), (ty, tg) = run(ac), run(torch)
    assert y.shape == () and isinstance(y._data, np.ndarray) and g.shape == ()
    assert y.item() == pytest.approx(ty.item()) and g.item() == pytest.approx(tg.item())


@pytest.mark.parametrize("name", ["sqrt", "log1p", "sin", "cos", "tanh", "sigmoid", "exp", "log",
                                  "abs", "sign", "relu", "clone"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_integer_and_bool_inputs_give_torchs_dtype(name, dtype):
    values = [1, 0, 1] if dtype == "bool" else [-3, 0, 4]
    ours = ac.tensor(values, dtype=getattr(ac, dtype))
    theirs = torch.tensor(values, dtype=getattr(torch, dtype))
    try:
        expected = getattr(theirs, name)()
    except (RuntimeError, NotImplementedError) as e:
        with pytest.raises(type(e), match=name):
            getattr(ours, name)()
        return
    with np.errstate(all="ignore"):
        got = getattr(ours, name)()
    assert str(got.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy().astype(float), expected.numpy().astype(float),
                               rtol=1e-6, equal_nan=True)


def test_promotion_of_clamp_and_maximum():
    i = ac.tensor([1, -2, 3])
    assert i.clamp(0, 2).dtype == ac.int64 and i.clamp(0, 2).tolist() == [1, 0, 2]
    assert i.clamp(0.5).dtype == ac.float32
    assert i.clamp(min=ac.tensor(0.5)).dtype == ac.float32
    f = ac.ones(3)
    assert f.clamp(min=ac.zeros(2, 3, dtype=ac.float64)).dtype == ac.float64
    assert f.clamp(min=ac.tensor(0.0, dtype=ac.float64)).dtype == ac.float32  # 0-d: no widening
    assert ac.maximum(i, ac.ones(3)).dtype == ac.float32
    flags = ac.tensor([True, False])
    assert ac.maximum(flags, ~flags).tolist() == [True, True]
    assert flags.clamp(0, 1).dtype == ac.int64


def test_sigmoid_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = ac.tensor([-1000.0, -88.0, 0.0, 88.0, 1000.0], requires_grad=True).sigmoid()
    expected = torch.tensor([-1000.0, -88.0, 0.0, 88.0, 1000.0]).sigmoid().numpy()
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-6)


def test_clone_has_its_own_memory_and_passes_gradients():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name == "CloneBackward" and not np.shares_memory(c._data, x._data)
    c.mul_(3)
    assert x.tolist() == [1.0, 2.0]
    c.backward(ac.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]
    assert ac.clone(ac.tensor([1, 2])).dtype == ac.int64


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "abs", "sqrt", "sin", "clamp"])
def test_second_derivatives_match_torch(name):
    def run(lib):
        x = lib.tensor([-1.3, 0.4, 0.9, 2.2], dtype=lib.float64, requires_grad=True)
        if name == "sqrt":
            x2 = x * x
        else:
            x2 = x
        y = x2.clamp(-1.0, 1.0) if name == "clamp" else getattr(x2, name)()
        v = lib.tensor([1.0, -2.0, 0.5, 3.0], dtype=lib.float64)
        (g,) = (ac.grad if lib is ac else torch.autograd.grad)(y * y, x, v, create_graph=True)
        (gg,) = (ac.grad if lib is ac else torch.autograd.grad)(g, x, v)
        return g.detach().numpy(), gg.detach().numpy()

    _assert_same(run(ac), run(torch), f"{name} second order", rtol=1e-10)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu"])
def test_first_order_backward_runs_the_array_kernel_and_create_graph_does_not(name,
                                                                           monkeypatch):
    calls = []
    kernel = getattr(E, f"_{name}_backward")

    def spy(y, grad):
        calls.append((type(y), type(grad)))
        return kernel(y, grad)

    monkeypatch.setattr(E, f"_{name}_backward", spy)
    x = ac.tensor([-0.5, 0.5], dtype=ac.float64, requires_grad=True)
    getattr(x, name)().backward(ac.ones(2, dtype=ac.float64))
    assert calls == [(np.ndarray, np.ndarray)]
    (g,) = ac.grad(getattr(x, name)(), x, ac.ones(2, dtype=ac.float64), create_graph=True)
    assert len(calls) == 1  # Tensor ops instead, so the gradient can be differentiated
    if name != "relu":  # relu's gradient is piecewise constant: no graph to build
        assert g.grad_fn is not None


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu"])
def test_array_kernels_keep_dtype_and_0d_arrays(name):
    forward, backward = getattr(E, f"_{name}_forward"), getattr(E, f"_{name}_backward")
    for dtype in (np.float32, np.float64):
        x = np.array(0.25, dtype=dtype)
        y = forward(x)
        g = backward(y, np.array(2.0, dtype=dtype))
        assert isinstance(y, np.ndarray) and y.dtype == dtype and y.shape == ()
        assert isinstance(g, np.ndarray) and g.dtype == dtype and g.shape == ()


def test_error_messages():
    with pytest.raises(RuntimeError, match="clamp: at least one of 'min' or 'max'"):
        ac.ones(2).clamp()
    with pytest.raises(TypeError, match="maximum: at least one argument must be a Tensor"):
        ac.maximum(1.0, 2.0)
    with pytest.raises(ValueError, match=r"maximum: shapes \(3,\) and \(2,\) cannot be broadcast"):
        ac.maximum(ac.ones(3), ac.ones(2))
    with pytest.raises(ValueError, match=r"clamp: shapes \(3,\) and \(2,\) cannot be broadcast"):
        ac.ones(3).clamp(min=ac.zeros(2))
    with pytest.raises(NotImplementedError, match="abs: not supported for bool"):
        abs(ac.tensor([True]))
    with pytest.raises(RuntimeError, match="relu: boolean inputs are not supported"):
        ac.tensor([True]).relu()
    with pytest.raises(TypeError, match="sqrt: expected a Tensor or a number, got str"):
        ac.sqrt("4")


def test_python_numbers_and_arrays_are_accepted_as_inputs():
    assert ac.sqrt(4.0).item() == 2.0 and ac.sqrt(4.0).dtype == ac.float32
    assert ac.abs([-1, 2]).tolist() == [1, 2]
    assert ac.relu(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
