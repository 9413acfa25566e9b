"""The kernel seam: every Numba kernel against its numpy reference, the references against
PyTorch, the ``AUTOGRAD_CORE_JIT`` switch, and numba staying out of ``import autograd_core``.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import autograd_core as ac
from autograd_core import kernels as K
from autograd_core.kernels.reduce import canonical_shape

FLOATS = [np.float32, np.float64]
SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e4, -1e4, 1e-30, -1e-30, 20.0, -20.0, 0.5]

# activation -> (parameter sets, does backward take the output y instead of the input x?)
ACTIVATIONS = {
    "relu": ([()], True),
    "sigmoid": ([()], True),
    "tanh": ([()], True),
    "leaky_relu": ([(0.01,), (0.2,)], False),
    "elu": ([(1.0,), (0.5,)], False),
    "gelu": ([()], False),
    "gelu_tanh": ([()], False),
    "silu": ([()], False),
    "softplus": ([(1.0, 20.0), (2.0, 5.0)], False),
}


def _torch_activation(name, params):
    fns = {
        "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
        "leaky_relu": lambda t, s: F.leaky_relu(t, s), "elu": lambda t, a: F.elu(t, a),
        "gelu": F.gelu, "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
        "silu": F.silu, "softplus": lambda t, b, th: F.softplus(t, b, th),
    }
    return lambda t: fns[name](t, *params)


def _tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


def _same(ours, ref, dtype, what):
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert isinstance(ours, np.ndarray) and ours.shape == ref.shape, what
    assert ours.dtype == ref.dtype == dtype, f"{what}: dtype {ours.dtype} vs {ref.dtype}"
    np.testing.assert_allclose(ours, ref, equal_nan=True, err_msg=what, **_tol(dtype))


def _arrays(dtype, rng):
    """Arrays of many layouts: 0-d, size 1, empty, strided, transposed, read-only, special."""
    scale = 3.0
    base = rng.standard_normal((6, 8)) * scale
    readonly = (rng.standard_normal((4, 5)) * scale).astype(dtype)
    readonly.flags.writeable = False
    return {
        "0-d": np.asarray(rng.standard_normal() * scale, dtype=dtype),
        "size 1": np.full((1, 1), 0.7, dtype=dtype),
        "empty": np.zeros((0, 3), dtype=dtype),
        "1-d": (rng.standard_normal(37) * scale).astype(dtype),
        "3-d": (rng.standard_normal((2, 3, 5)) * scale).astype(dtype),
        "strided": base.astype(dtype)[::2, 1::3],
        "transposed": base.astype(dtype).T,
        "fortran": np.asfortranarray(base.astype(dtype)),
        "read-only": readonly,
        "broadcast": np.broadcast_to((rng.standard_normal(5) * scale).astype(dtype), (3, 5)),
        "special": np.array(SPECIAL, dtype=dtype),
        "large": (rng.uniform(-1e4, 1e4, size=(3, 7))).astype(dtype),
    }


# -- activations: Numba against numpy -----------------------------------------------------

@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", FLOATS)
def test_activation_kernels_match_reference(name, dtype):
    param_sets, uses_output = ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    for params in param_sets:
        for label, x in _arrays(dtype, rng).items():
            what = f"{name}{params} on {label} {np.dtype(dtype).name}"
            y = K.reference(f"{name}_forward")(x, *params)
            _same(K.kernel(f"{name}_forward")(x, *params), y, dtype, what + " forward")
            grad = rng.standard_normal(x.shape).astype(dtype)
            first = y if uses_output else x
            for g in (grad, np.ascontiguousarray(grad.T).T if grad.ndim == 2 else grad):
                _same(K.kernel(f"{name}_backward")(first, g, *params),
                      K.reference(f"{name}_backward")(first, g, *params), dtype,
                      what + " backward")


def test_activation_kernels_defer_other_dtypes_to_the_reference():
    x = np.array([-1.5, 0.0, 2.0], dtype=np.float16)
    out = K.kernel("sigmoid_forward")(x)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, K.reference("sigmoid_forward")(x))
    mixed = K.kernel("relu_backward")(np.ones(3, np.float32), np.ones(3, np.float64))
    assert mixed.dtype == np.float64


# -- activations: the references follow PyTorch's formulas --------------------------------

@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", FLOATS)
def test_activation_references_match_torch(name, dtype):
    param_sets, uses_output = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    x = np.concatenate([np.linspace(-30, 30, 601), [1e4, -1e4, 0.0, 1e-8, -1e-8, 2.5, 20.0]])
    x = x.astype(dtype)
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-10,
                                                                      "atol": 1e-12}
    for params in param_sets:
        t = torch.from_numpy(x.copy()).requires_grad_()
        ty = _torch_activation(name, params)(t)
        g = rng.standard_normal(x.shape).astype(dtype)
        (tgrad,) = torch.autograd.grad(ty, t, torch.from_numpy(g))
        y = K.reference(f"{name}_forward")(x, *params)
        first = y if uses_output else x
        for fn in (K.reference, K.kernel):
            what = f"{name}{params} {np.dtype(dtype).name} {fn.__name__}"
            np.testing.assert_allclose(fn(f"{name}_forward")(x, *params), ty.detach().numpy(),
                                       err_msg=what + " forward", **tol)
            np.testing.assert_allclose(fn(f"{name}_backward")(first, g, *params), tgrad.numpy(),
                                       err_msg=what + " backward", **tol)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_special_values_match_torch(name):
    """nan, +-inf, +-0 and huge values, one at a time (PyTorch's scalar code path)."""
    param_sets, uses_output = ACTIVATIONS[name]
    for params in param_sets:
        for value in SPECIAL:
            x = np.array(value)
            t = torch.tensor(value, dtype=torch.float64, requires_grad=True)
            ty = _torch_activation(name, params)(t)
            (tgrad,) = torch.autograd.grad(ty, t, torch.tensor(1.5, dtype=torch.float64))
            first = ty.detach().numpy() if uses_output else x
            for fn in (K.reference, K.kernel):
                what = f"{name}{params} at {value} ({fn.__name__})"
                np.testing.assert_allclose(fn(f"{name}_forward")(x, *params),
                                           ty.detach().numpy(), rtol=1e-12, equal_nan=True,
                                           err_msg=what)
                np.testing.assert_allclose(fn(f"{name}_backward")(first, np.array(1.5), *params),
                                           tgrad.numpy(), rtol=1e-12, equal_nan=True,
                                           err_msg=what + " backward")


# -- sum_to_shape -------------------------------------------------------------------------

SUM_TO = [
    ((4, 5), (5,)), ((4, 5), (1, 5)), ((4, 5), (4, 1)), ((4, 5), ()), ((4, 5), (1, 1)),
    ((64, 300), (300,)), ((300, 33), (300, 1)), ((2, 3, 4, 5), (3, 1, 1)),
    ((2, 3, 4, 5), (1, 3, 1, 5)), ((2, 3, 4, 5), (2, 1, 4, 1)), ((2, 3, 4, 5), (3, 4, 5)),
    ((2, 3, 4, 5), (4, 5)), ((3, 1, 4), (1, 1, 4)), ((1, 5), (5,)), ((5,), (5,)), ((), ()),
    ((7,), (1,)), ((7,), ()), ((0, 3), (3,)), ((0, 3), (1, 3)), ((3, 0), (3, 1)),
    ((3, 0), (0,)), ((2, 1, 3), (1, 1, 1)), ((6, 2, 7, 3, 2), (2, 1, 3, 1)),
]


@pytest.mark.parametrize("in_shape, shape", SUM_TO, ids=str)
@pytest.mark.parametrize("dtype", FLOATS)
def test_sum_to_shape_matches_reference(in_shape, shape, dtype):
    rng = np.random.default_rng(2)
    a = rng.standard_normal(in_shape).astype(dtype)
    layouts = {"contiguous": a, "fortran": np.asfortranarray(a)}
    if a.ndim >= 2:
        layouts["transposed"] = np.ascontiguousarray(a.swapaxes(-1, -2)).swapaxes(-1, -2)
    layouts["broadcast"] = np.broadcast_to(rng.standard_normal(shape).astype(dtype), in_shape)
    tol = {"rtol": 1e-5, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-12,
                                                                    "atol": 1e-12}
    for label, x in layouts.items():
        ours = K.kernel("sum_to_shape")(x, shape)
        ref = K.reference("sum_to_shape")(x, shape)
        assert ours.shape == ref.shape == shape and ours.dtype == ref.dtype == dtype, label
        np.testing.assert_allclose(ours, ref, err_msg=label, **tol)


def test_sum_to_shape_special_values_and_other_dtypes():
    a = np.array([[1.0, np.inf, 2.0], [np.nan, 1.0, -np.inf], [1e4, -1e4, 3.0]])
    for shape in [(3,), (3, 1), ()]:
        np.testing.assert_array_equal(K.kernel("sum_to_shape")(a, shape),
                                      K.reference("sum_to_shape")(a, shape))
    ints = np.arange(12).reshape(3, 4)
    assert K.kernel("sum_to_shape")(ints, (4,)).tolist() == [12, 15, 18, 21]
    with pytest.raises(ValueError):
        K.kernel("sum_to_shape")(np.ones((4, 5)), (3,))


def test_sum_to_shape_canonical_form():
    assert canonical_shape((8, 16), (16,)) == (8, 1, 1, 16)
    assert canonical_shape((8, 16), (8, 1)) == (1, 8, 16, 1)
    assert canonical_shape((8, 3, 4, 4), (3, 1, 1)) == (8, 3, 16, 1)
    assert canonical_shape((8, 16), ()) == (1, 1, 128, 1)
    assert canonical_shape((2, 3, 4, 5), (2, 1, 4, 1)) is None  # three kept runs: numpy
    assert canonical_shape((1, 5), (5,)) is None  # nothing to sum


# -- softmax ------------------------------------------------------------------------------

SOFTMAX = ["softmax", "log_softmax"]


@pytest.mark.parametrize("name", SOFTMAX)
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_kernels_match_reference(name, dtype):
    rng = np.random.default_rng(3)
    rows = np.array([[1.0, 2.0, 3.0], [np.nan, 1.0, 2.0], [-np.inf] * 3, [1.0, np.inf, 2.0],
                     [1e4, -1e4, 1e4 - 1], [0.0, -np.inf, 5.0]], dtype=dtype)
    arrays = {**_arrays(dtype, rng), "rows": rows}
    arrays["empty rows"] = np.zeros((3, 0), dtype=dtype)
    for label, x in arrays.items():
        for dim in range(-max(x.ndim, 1), max(x.ndim, 1)):
            what = f"{name} on {label} dim={dim} {np.dtype(dtype).name}"
            y = K.reference(f"{name}_forward")(x, dim)
            _same(K.kernel(f"{name}_forward")(x, dim), y, dtype, what)
            g = rng.standard_normal(x.shape).astype(dtype)
            _same(K.kernel(f"{name}_backward")(y, g, dim),
                  K.reference(f"{name}_backward")(y, g, dim), dtype, what + " backward")


@pytest.mark.parametrize("name", SOFTMAX)
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_references_match_torch(name, dtype):
    rng = np.random.default_rng(4)
    tfn = getattr(torch, name)
    cases = {
        "normal": rng.standard_normal((3, 4, 5)),
        "1e4": rng.uniform(-1e4, 1e4, size=(3, 4, 5)),
        "special rows": np.array([[np.nan, 1.0, 2.0], [-np.inf] * 3, [1.0, np.inf, 2.0],
                                  [0.0, -np.inf, 5.0]]),
    }
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10,
                                                                    "atol": 1e-12}
    for label, x in cases.items():
        x = x.astype(dtype)
        for dim in range(x.ndim):
            t = torch.from_numpy(x.copy()).requires_grad_()
            ty = tfn(t, dim)
            g = rng.standard_normal(x.shape).astype(dtype)
            (tgrad,) = torch.autograd.grad(ty, t, torch.from_numpy(g))
            for fn in (K.reference, K.kernel):
                what = f"{name} {label} dim={dim} {fn.__name__}"
                y = fn(f"{name}_forward")(x, dim)
                np.testing.assert_allclose(y, ty.detach().numpy(), equal_nan=True,
                                           err_msg=what, **tol)
                if label != "special rows":  # PyTorch's backward there is nan-for-nan anyway
                    np.testing.assert_allclose(fn(f"{name}_backward")(y, g, dim),
                                               tgrad.numpy(), err_msg=what + " backward", **tol)


def test_softmax_magnitude_1e4_is_stable():
    x = np.array([1e4, 1e4 - 1.0, -1e4], dtype=np.float32)
    for fn in (K.reference, K.kernel):
        y = fn("softmax_forward")(x, 0)
        assert np.all(np.isfinite(y)) and abs(float(y.sum()) - 1.0) < 1e-6
        np.testing.assert_allclose(y[:2], [1 / (1 + np.exp(-1.0)), 1 / (1 + np.e)], rtol=1e-6)
        np.testing.assert_allclose(fn("log_softmax_forward")(x, 0)[1],
                                   -1.0 - np.log1p(np.exp(-1.0)), rtol=1e-6)


def test_softmax_forwards_pick_numba_only_where_it_is_faster(monkeypatch):
    """Short slices along the last dim (a classifier's classes) or small inputs: the Numba
    loop; long slices: numpy's vectorised exp (./run bench kernels measures both)."""
    from autograd_core.ops.softmax import forward_kernel

    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "1")
    name = "log_softmax_forward"
    numba, numpy = K.kernel(name), K.reference(name)
    assert numba is not numpy
    picks = {(128, 10): numba, (1024, 16): numba, (4, 100): numba, (128, 1000): numpy,
             (64, 100): numpy, (10, 128): numpy}
    for shape, expected in picks.items():
        assert forward_kernel(name, np.zeros(shape, np.float32), 1) is expected, shape
    assert forward_kernel(name, np.zeros((10, 4), np.float32), 0) is numpy  # not the last dim
    assert forward_kernel(name, np.zeros((), np.float32), 0) is numpy
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "0")
    assert forward_kernel(name, np.zeros((128, 10), np.float32), 1) is numpy


# -- the seam -----------------------------------------------------------------------------

def test_available_lists_every_kernel():
    names = K.available()
    for act in ACTIVATIONS:
        assert f"{act}_forward" in names and f"{act}_backward" in names
    for name in ("sum_to_shape", "softmax_forward", "softmax_backward",
                 "log_softmax_forward", "log_softmax_backward"):
        assert name in names
    with pytest.raises(KeyError, match="available kernels"):
        K.kernel("no_such_kernel")


def test_jit_switch_is_read_at_call_time(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "0")
    assert not K.jit_enabled()
    for name in K.available():
        assert K.kernel(name) is K.reference(name)
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "1")
    assert K.jit_enabled()
    for name in K.available():
        assert K.kernel(name) is not K.reference(name)
        assert K.kernel(name).__name__ == K.reference(name).__name__


def test_ops_agree_with_jit_on_and_off(monkeypatch):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 6)) * 10
    results = []
    for flag in ("1", "0"):
        monkeypatch.setenv("AUTOGRAD_CORE_JIT", flag)
        t = ac.tensor(x, requires_grad=True)
        (ac.softmax(t, 0) * ac.log_softmax(t, 1)).sum().backward()
        results.append((ac.softmax(t, 1).detach().numpy(), t.grad.numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def _run(code: str, jit: str = "1") -> str:
    env = dict(os.environ, AUTOGRAD_CORE_JIT=jit)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_does_not_import_numba():
    code = ("import sys, autograd_core, autograd_core.kernels\n"
            "print('numba' in sys.modules)")
    assert _run(code) == "False"


def test_numba_is_imported_on_first_kernel_use_only_when_jit_is_on():
    code = ("import sys, autograd_core as ac\n"
            "ac.tensor([1.0, -2.0]).relu()\n"
            "print('numba' in sys.modules)")
    assert _run(code, jit="0") == "False"
    assert _run(code, jit="1") == "True"


# -- the softmax ops' arguments -----------------------------------------------------------

def test_softmax_ops_arguments_follow_pytorch():
    ints = ac.tensor([[1, 2, 3], [4, 5, 7]])
    y = ac.softmax(ints, 1)
    assert y.dtype == ac.float32  # integer input becomes float32
    expected = torch.softmax(torch.tensor([[1.0, 2, 3], [4, 5, 7]]), 1).numpy()
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(ints.float().log_softmax(axis=0).numpy(),
                               ac.log_softmax(ints, 0).numpy())
    assert ac.softmax(ints, -1, dtype=ac.float64).dtype == ac.float64
    with pytest.raises(IndexError, match="softmax"):
        ac.softmax(ints, 2)
    with pytest.raises(TypeError, match="dim must be an int"):
        ac.softmax(ints, 1.5)
    with pytest.raises(TypeError, match="float dtype"):
        ac.log_softmax(ints, 0, dtype=ac.int64)
    with pytest.raises(TypeError, match="only one"):
        ac.softmax(ints, 0, axis=1)


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4), (2, 3, 4, 2)])
def test_softmax_without_dim_uses_pytorchs_legacy_rule(shape):
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    for ours, theirs in ((ac.softmax, F.softmax), (ac.log_softmax, F.log_softmax)):
        with pytest.warns(UserWarning, match="Implicit dimension"):
            y = ours(ac.tensor(x))
        with pytest.warns(UserWarning):
            expected = theirs(torch.from_numpy(x), dim=None).numpy()
        np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6, atol=1e-7)
