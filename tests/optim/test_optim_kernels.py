"""The fused optimizer kernels: each Numba loop against its numpy reference (every flag,
several layouts, float32 and float64, special values), the references against
torch.optim's single-tensor updates, and the ``AUTOGRAD_CORE_JIT`` switch."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
import torch

from autograd_core import kernels as K
from autograd_core.kernels import optim as KO

NAMES = ["sgd_update", "sgd_sutskever_update", "adam_update"]
FLOATS = [np.float32, np.float64]


@pytest.fixture
def jit_on(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "1")


def _tol(dtype):
    # the same operations in the same order and dtype: in fact bit-identical (checked below)
    return {"rtol": 1e-12, "atol": 1e-15} if dtype == np.float64 else {"rtol": 1e-6,
                                                                       "atol": 1e-7}


# -- how each kernel is called: state arrays, and the flag combinations to cover --------------

def _sgd_calls():
    for momentum, dampening, weight_decay, nesterov, maximize in itertools.product(
            [0.0, 0.9], [0.0, 0.3], [0.0, 0.1], [False, True], [False, True]):
        if nesterov and (momentum == 0 or dampening != 0):
            continue
        if momentum == 0 and dampening != 0:
            continue
        yield (1, lambda state, step, m=momentum, d=dampening, w=weight_decay, n=nesterov,
               x=maximize: (state[0] if m else None, step == 1, 0.05, m, d, w, n, x))


def _sutskever_calls():
    for weight_decay, nesterov, maximize in itertools.product([0.0, 0.1], [False, True],
                                                              [False, True]):
        yield (1, lambda state, step, w=weight_decay, n=nesterov, x=maximize:
               (state[0], 0.05, 0.9, w, n, x))


def _adam_calls():
    for betas, weight_decay, amsgrad, maximize, decoupled in itertools.product(
            [(0.9, 0.999), (0.3, 0.5)], [0.0, 0.1], [False, True], [False, True],
            [False, True]):
        yield (3, lambda state, step, b=betas, w=weight_decay, a=amsgrad, x=maximize,
               d=decoupled: (state[0], state[1], state[2] if a else None, float(step), 0.01,
                             b[0], b[1], 1e-8, w, a, x, d))


CALLS = {"sgd_update": list(_sgd_calls()),
         "sgd_sutskever_update": list(_sutskever_calls()),
         "adam_update": list(_adam_calls())}
CASES = [(name, i) for name in NAMES for i in range(len(CALLS[name]))]


def _layouts(dtype, rng):
    """(param, grad) pairs: 0-d, 1-d, 2-d, empty, a strided param view, odd gradients."""
    wide = rng.standard_normal((4, 10)).astype(dtype)
    return {
        "0-d": (np.asarray(rng.standard_normal(), dtype), np.asarray(0.3, dtype)),
        "1-d": (rng.standard_normal(37).astype(dtype), rng.standard_normal(37).astype(dtype)),
        "2-d": (rng.standard_normal((5, 6)).astype(dtype),
                rng.standard_normal((5, 6)).astype(dtype)),
        "empty": (np.zeros((0, 3), dtype), np.zeros((0, 3), dtype)),
        "strided param": (wide[:, ::2], rng.standard_normal((4, 5)).astype(dtype)),
        "fortran param": (np.asfortranarray(rng.standard_normal((3, 4)).astype(dtype)),
                          rng.standard_normal((3, 4)).astype(dtype)),
        "transposed grad": (rng.standard_normal((6, 2)).astype(dtype),
                            rng.standard_normal((2, 6)).astype(dtype).T),
        "broadcast grad": (rng.standard_normal((3, 4)).astype(dtype),
                           np.broadcast_to(rng.standard_normal(4).astype(dtype), (3, 4))),
    }


def _state_like(param, n):
    """State arrays laid out like the parameter (so a Fortran param gets Fortran state)."""
    return [np.zeros_like(param) for _ in range(n)]


def _run(fn, call, param, grads):
    n_states, arguments = call
    state = _state_like(param, n_states)
    for step, grad in enumerate(grads, start=1):
        fn(param, grad, *arguments(state, step))
    return param, state


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name, index", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_kernel_matches_reference(name, index, dtype, jit_on):
    rng = np.random.default_rng(index)
    call = CALLS[name][index]
    numba_fn, reference = K.kernel(name), K.reference(name)
    assert numba_fn is not reference
    for layout, (param, grad) in _layouts(dtype, rng).items():
        # five steps with different gradients, so the state carries over
        grads = [grad * scale for scale in (1.0, -0.5, 2.0, 0.25, -1.5)]
        ours_param = param.copy() if layout != "strided param" else param
        ref_param = param.copy()
        ours, ours_state = _run(numba_fn, call, ours_param, grads)
        ref, ref_state = _run(reference, call, ref_param, grads)
        what = f"{name} {layout} {dtype.__name__}"
        assert ours.dtype == dtype, what
        np.testing.assert_allclose(ours, ref, err_msg=what, **_tol(dtype))
        for i, (a, b) in enumerate(zip(ours_state, ref_state)):
            np.testing.assert_allclose(a, b, err_msg=f"{what}: state {i}", **_tol(dtype))


def test_a_strided_parameter_is_updated_through_its_view(jit_on):
    base = np.arange(12.0).reshape(3, 4)
    view = base[:, ::2]
    K.kernel("sgd_update")(view, np.ones((3, 2)), None, True, 0.5, 0.0, 0.0, 0.0, False, False)
    np.testing.assert_array_equal(base[:, ::2], np.arange(12.0).reshape(3, 4)[:, ::2] - 0.5)
    np.testing.assert_array_equal(base[:, 1::2], np.arange(12.0).reshape(3, 4)[:, 1::2])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", NAMES)
def test_kernel_is_bit_identical_to_the_reference(name, dtype, jit_on):
    """Same operations, same order, same dtype (float32 scalars for float32 arrays, as
    numpy casts them for the reference), no fused multiply-add: not one bit differs."""
    rng = np.random.default_rng(7)
    for call in CALLS[name]:
        param = rng.standard_normal(257).astype(dtype)
        grads = [rng.standard_normal(257).astype(dtype) for _ in range(6)]
        ours, ours_state = _run(K.kernel(name), call, param.copy(), grads)
        ref, ref_state = _run(K.reference(name), call, param.copy(), grads)
        np.testing.assert_array_equal(ours, ref)
        for a, b in zip(ours_state, ref_state):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_special_values_match(amsgrad, dtype, jit_on):
    """nan and inf gradients propagate alike; eps = 0 with a zero gradient gives nan
    (0 / 0, as in PyTorch), not a ZeroDivisionError."""
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e30, -1e-30, 3.0], dtype)
    for eps in (1e-8, 0.0):
        results = []
        for fn in (K.kernel("adam_update"), K.reference("adam_update")):
            param = np.ones(8, dtype)
            state = [np.zeros(8, dtype) for _ in range(3)]
            for step, grad in enumerate([special, np.zeros(8, dtype), special[::-1].copy()], 1):
                fn(param, grad, state[0], state[1], state[2] if amsgrad else None,
                   float(step), 0.1, 0.9, 0.999, eps, 0.0, amsgrad, False, False)
            results.append([param, *state])
        for a, b in zip(*results):
            np.testing.assert_allclose(a, b, equal_nan=True, **_tol(dtype))
    assert np.isnan(results[0][0][3])  # eps = 0: the zero-gradient coordinate became 0/0


@pytest.mark.parametrize("dtype", FLOATS)
def test_mixed_dtypes_go_to_the_reference(dtype, jit_on):
    other = np.float64 if dtype == np.float32 else np.float32
    param = np.ones(5, dtype)
    ref = param.copy()
    K.kernel("sgd_update")(param, np.full(5, 0.5, other), None, True, 0.1, 0.0, 0.0, 0.0,
                           False, False)
    K.reference("sgd_update")(ref, np.full(5, 0.5, other), None, True, 0.1, 0.0, 0.0, 0.0,
                              False, False)
    assert param.dtype == dtype
    np.testing.assert_array_equal(param, ref)


# -- the references against torch.optim (single-tensor updates) ------------------------------

def _torch_steps(cls, kwargs, param, grads):
    p = torch.tensor(param.copy(), requires_grad=True)
    opt = cls([p], foreach=False, **kwargs)
    for grad in grads:
        p.grad = torch.tensor(grad)
        opt.step()
    return p.detach().numpy(), opt.state[p]


TORCH_TWINS = [
    ("sgd_update", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.3,
                                     "weight_decay": 0.1, "maximize": True}, "momentum_buffer"),
    ("sgd_update", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True,
                                     "weight_decay": 0.1}, "momentum_buffer"),
    ("adam_update", torch.optim.Adam, {"lr": 0.01, "betas": (0.3, 0.5), "weight_decay": 0.1,
                                       "amsgrad": True}, "max_exp_avg_sq"),
    ("adam_update", torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1, "maximize": True},
     "exp_avg_sq"),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name, cls, kwargs, key", TORCH_TWINS,
                         ids=[f"{c.__name__}{i}" for i, (_, c, _, _) in enumerate(TORCH_TWINS)])
def test_reference_matches_torch_single_tensor_update(name, cls, kwargs, key, dtype):
    rng = np.random.default_rng(3)
    param = rng.standard_normal((4, 5)).astype(dtype)
    grads = [rng.standard_normal((4, 5)).astype(dtype) for _ in range(8)]
    expected, torch_state = _torch_steps(cls, kwargs, param, grads)
    ours = param.copy()
    state = [np.zeros_like(param) for _ in range(3)]
    for step, grad in enumerate(grads, start=1):
        if name == "sgd_update":
            K.reference(name)(ours, grad, state[0], step == 1, kwargs["lr"], kwargs["momentum"],
                              kwargs.get("dampening", 0.0), kwargs["weight_decay"],
                              kwargs.get("nesterov", False), kwargs.get("maximize", False))
        else:
            beta1, beta2 = kwargs.get("betas", (0.9, 0.999))
            K.reference(name)(ours, grad, state[0], state[1], state[2], float(step),
                              kwargs["lr"], beta1, beta2, 1e-8, kwargs["weight_decay"],
                              kwargs.get("amsgrad", False), kwargs.get("maximize", False),
                              cls is torch.optim.AdamW)
    tol = {"rtol": 1e-13, "atol": 1e-15} if dtype == np.float64 else {"rtol": 1e-5,
                                                                       "atol": 1e-6}
    np.testing.assert_allclose(ours, expected, **tol)
    held = {"momentum_buffer": 0, "exp_avg_sq": 1, "max_exp_avg_sq": 2}[key]
    np.testing.assert_allclose(state[held], torch_state[key].numpy(), **tol)


def test_sutskever_reference_equals_pytorch_form_with_scaled_lr():
    rng = np.random.default_rng(5)
    param = rng.standard_normal(30)
    grads = [rng.standard_normal(30) for _ in range(10)]
    for nesterov in (False, True):
        expected, _ = _torch_steps(torch.optim.SGD, {"lr": 0.1 * (1 - 0.8), "momentum": 0.8,
                                                     "nesterov": nesterov}, param, grads)
        ours, velocity = param.copy(), np.zeros(30)
        for grad in grads:
            K.reference("sgd_sutskever_update")(ours, grad, velocity, 0.1, 0.8, 0.0, nesterov,
                                                False)
        np.testing.assert_allclose(ours, expected, rtol=1e-13, atol=1e-15)


# -- the switch and the import rule ------------------------------------------------------------

def test_jit_off_hands_out_the_references(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "0")
    for name in NAMES:
        assert K.kernel(name) is KO.KERNELS[name].reference
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "1")
    for name in NAMES:
        assert K.kernel(name) is not KO.KERNELS[name].reference
        assert K.kernel(name).__name__ == name  # the wrapper keeps the reference's name


def test_importing_optim_does_not_import_numba():
    code = "import sys, optim; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
