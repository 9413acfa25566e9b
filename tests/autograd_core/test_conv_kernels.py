"""Convolution and pooling kernels: each Numba kernel against its numpy reference, the
references against PyTorch (``unfold``/``fold``, pooling and its tie rules), and the ops
with ``AUTOGRAD_CORE_JIT`` on and off."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import autograd_core as ac
from autograd_core import kernels as K
from autograd_core.kernels import conv as KC
from autograd_core.kernels import pooling as KP
from autograd_core.ops import conv as C
from autograd_core.ops import pooling as P

FLOATS = [np.float32, np.float64]
NAMES = ["col2im", "max_pool2d_backward"]


def _tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12,
                                                                    "atol": 1e-12}


# -- im2col / col2im ------------------------------------------------------------------------

# (N, C, H, W) padded input, kernel, stride, dilation
WINDOWS = [
    ((2, 3, 7, 8), (3, 3), (1, 1), (1, 1)),
    ((1, 2, 9, 9), (2, 3), (2, 3), (1, 1)),
    ((2, 1, 10, 7), (3, 2), (1, 2), (2, 3)),
    ((3, 4, 5, 5), (5, 5), (1, 1), (1, 1)),
    ((1, 1, 1, 12), (1, 4), (1, 3), (1, 2)),
    ((2, 2, 6, 6), (1, 1), (2, 2), (1, 1)),
    ((0, 2, 6, 6), (3, 3), (1, 1), (1, 1)),
]


def _out_hw(shape, kernel, stride, dilation):
    return tuple((n - d * (k - 1) - 1) // s + 1
                 for n, k, s, d in zip(shape[2:], kernel, stride, dilation))


@pytest.mark.parametrize("shape, kernel, stride, dilation", WINDOWS, ids=str)
@pytest.mark.parametrize("dtype", FLOATS)
def test_im2col_and_col2im_match_torch_unfold_and_fold(shape, kernel, stride, dilation, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    out_hw = _out_hw(shape, kernel, stride, dilation)
    n, c = shape[:2]
    cols = KC.im2col(x, kernel, stride, dilation, out_hw)
    assert cols.shape == (n, c, *kernel, *out_hw) and cols.flags.c_contiguous
    size = c * kernel[0] * kernel[1]
    as_torch = cols.reshape(n, size, out_hw[0] * out_hw[1])
    if n:
        expected = F.unfold(torch.from_numpy(x), kernel, dilation=dilation, stride=stride)
        np.testing.assert_array_equal(as_torch, expected.numpy())
    g = rng.standard_normal(cols.shape).astype(dtype)
    folded = torch.from_numpy(g.reshape(n, size, out_hw[0] * out_hw[1]))
    expected = F.fold(folded, shape[2:], kernel, dilation=dilation, stride=stride).numpy()
    for fn in (K.reference("col2im"), K.kernel("col2im")):
        out = fn(g, shape, stride, dilation)
        assert out.shape == shape and out.dtype == dtype
        np.testing.assert_allclose(out, expected, **_tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_col2im_kernel_takes_any_layout_and_defers_other_dtypes(dtype):
    rng = np.random.default_rng(1)
    shape, kernel, stride, dilation = (2, 3, 8, 9), (3, 2), (2, 1), (1, 2)
    out_hw = _out_hw(shape, kernel, stride, dilation)
    base = rng.standard_normal((2, 3, *kernel, out_hw[1], out_hw[0])).astype(dtype)
    strided = base.swapaxes(-1, -2)  # not C-contiguous
    np.testing.assert_allclose(K.kernel("col2im")(strided, shape, stride, dilation),
                               K.reference("col2im")(strided, shape, stride, dilation),
                               **_tol(dtype))
    half = strided.astype(np.float16)
    out = K.kernel("col2im")(half, shape, stride, dilation)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, K.reference("col2im")(half, shape, stride, dilation))


# -- max pooling ----------------------------------------------------------------------------

W = KP.Window
POOLS = [  # input shape, window (kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 8, 8), W((2, 2), (2, 2), (0, 0))),
    ((1, 2, 7, 9), W((3, 3), (2, 2), (1, 1))),
    ((2, 1, 6, 5), W((3, 2), (1, 1), (1, 1))),  # overlapping windows: gradients add up
    ((1, 1, 5, 11), W((1, 4), (1, 3), (0, 2))),
    ((1, 2, 4, 4), W((4, 4), (1, 1), (2, 2))),
    ((2, 2, 7, 8), W((3, 2), (2, 2), (1, 1), (2, 3))),  # dilated
    ((1, 2, 7, 6), W((3, 2), (2, 2), (0, 1), (1, 1), True)),  # ceil_mode: partial windows
    ((1, 1, 9, 9), W((2, 3), (3, 2), (1, 1), (2, 2), True)),
]


def _special(shape, dtype, rng):
    """Values with ties, NaNs and -inf, besides ordinary ones."""
    x = rng.integers(-2, 3, size=shape).astype(dtype)  # small integers: many ties
    flat = x.reshape(-1)
    flat[rng.choice(flat.size, size=max(1, flat.size // 10), replace=False)] = np.nan
    flat[rng.choice(flat.size, size=max(1, flat.size // 10), replace=False)] = -np.inf
    return x


def _torch_pool(x, window):
    t = torch.from_numpy(x.copy()).requires_grad_()
    y, index = F.max_pool2d(t, window.kernel, window.stride, window.padding, window.dilation,
                            window.ceil_mode, return_indices=True)
    return t, y, index


@pytest.mark.parametrize("shape, window", POOLS, ids=str)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("values", ["normal", "ties, nan, -inf", "all -inf"])
def test_max_pool_kernels_follow_torch_tie_rules(shape, window, dtype, values):
    rng = np.random.default_rng(2)
    x = {"normal": lambda: rng.standard_normal(shape).astype(dtype),
         "ties, nan, -inf": lambda: _special(shape, dtype, rng),
         "all -inf": lambda: np.full(shape, -np.inf, dtype)}[values]()
    t, ty, tindex = _torch_pool(x, window)
    np.testing.assert_array_equal(KP.max_pool2d_forward(x, window), ty.detach().numpy())
    np.testing.assert_array_equal(KP.max_pool2d_indices(x, window), tindex.numpy())
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    (expected,) = torch.autograd.grad(ty, t, torch.from_numpy(g))
    for fn in (K.reference("max_pool2d_backward"), K.kernel("max_pool2d_backward")):
        out = fn(x, ty.detach().numpy(), g, window)
        assert out.dtype == dtype
        np.testing.assert_allclose(out, expected.numpy(), err_msg=fn.__module__, **_tol(dtype))


def test_max_pool_gradient_goes_to_the_first_maximum_or_the_last_nan():
    x = np.array([[[[1.0, np.nan, 2.0, np.nan], [3.0, 3.0, 3.0, 3.0]]]])
    g = np.ones((1, 1, 1, 1))
    for fn in (K.reference("max_pool2d_backward"), K.kernel("max_pool2d_backward")):
        window = W((2, 4), (2, 4), (0, 0))
        y = KP.max_pool2d_forward(x, window)
        assert fn(x, y, g, window)[0, 0].tolist() == [[0, 0, 0, 1], [0, 0, 0, 0]]
        window = W((2, 2), (2, 2), (0, 0))
        ties = np.full((1, 1, 2, 2), 2.0)
        y = KP.max_pool2d_forward(ties, window)
        assert fn(ties, y, g, window)[0, 0].tolist() == [[1, 0], [0, 0]]


def test_max_pool_windows_missing_the_input_get_no_gradient():
    """Dilation can put a window's cells all in the padding (or past it): its maximum is
    -inf and depends on no input, so no gradient goes anywhere (PyTorch's own backward
    writes it outside the plane)."""
    x = np.random.default_rng(9).standard_normal((1, 2, 3, 1))
    window = W((1, 2), (1, 1), (0, 1), (1, 2))  # each window: columns -1 and 1, W = 1
    y = KP.max_pool2d_forward(x, window)
    assert y.shape == (1, 2, 3, 1) and np.all(y == -np.inf)
    _, ty, tindex = _torch_pool(x, window)
    np.testing.assert_array_equal(KP.max_pool2d_indices(x, window), tindex.numpy())
    assert KP.empty_windows(x.shape, window).all()
    g = np.ones(y.shape)
    for fn in (K.reference("max_pool2d_backward"), K.kernel("max_pool2d_backward")):
        assert not fn(x, y, g, window).any()
    t = ac.tensor(x, requires_grad=True)
    (gx,) = ac.grad(P.max_pool2d(t, (1, 2), 1, (0, 1), (1, 2)).sum(), t, create_graph=True)
    assert not gx.detach().numpy().any()


def test_max_pool_forward_keeps_integer_dtypes():
    x = np.arange(32, dtype=np.int64).reshape(1, 2, 4, 4)
    out = KP.max_pool2d_forward(x, W((2, 2), (2, 2), (1, 1)))
    expected = F.max_pool2d(torch.from_numpy(x), 2, 2, 1).numpy()
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, expected)


def test_max_pool_kernel_takes_any_layout():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 8)).swapaxes(-1, -2)
    g = rng.standard_normal((2, 3, 4, 4)).swapaxes(-1, -2)
    window = W((2, 2), (2, 2), (0, 0))
    y = KP.max_pool2d_forward(x, window).swapaxes(-1, -2).copy().swapaxes(-1, -2)
    np.testing.assert_allclose(K.kernel("max_pool2d_backward")(x, y, g, window),
                               K.reference("max_pool2d_backward")(x, y, g, window))


# -- average pooling references -------------------------------------------------------------

@pytest.mark.parametrize("shape, window", [(s, w) for s, w in POOLS if w.dilation == (1, 1)]
                         + [((1, 2, 5, 5), W((2, 2), (2, 2), (1, 1), (1, 1), True)),
                            ((1, 1, 6, 7), W((3, 3), (2, 2), (1, 0), (1, 1), True))], ids=str)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 3])
def test_avg_pool_references_match_torch(shape, window, count_include_pad, divisor_override):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    t = torch.from_numpy(x.copy()).requires_grad_()
    ty = F.avg_pool2d(t, window.kernel, window.stride, window.padding, window.ceil_mode,
                      count_include_pad, divisor_override)
    divisor = KP.avg_pool2d_divisor(shape, window, count_include_pad, divisor_override)
    y = KP.avg_pool2d_forward(x, window, divisor)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(y.shape)
    (expected,) = torch.autograd.grad(ty, t, torch.from_numpy(g))
    np.testing.assert_allclose(KP.avg_pool2d_backward(g, shape, window, divisor),
                               expected.numpy(), rtol=1e-12, atol=1e-12)


# -- the seam and the ops, JIT on and off ---------------------------------------------------

def test_jit_switch_selects_the_reference(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "0")
    for name in NAMES:
        assert K.kernel(name) is K.reference(name)
    monkeypatch.setenv("AUTOGRAD_CORE_JIT", "1")
    for name in NAMES:
        assert K.kernel(name) is not K.reference(name)
        assert K.kernel(name).__name__ == K.reference(name).__name__


def _lenet_grads(x, params):
    """A small conv net's output and gradients, through every op of this family."""
    w1, b1, w2, w3 = params
    h = P.max_pool2d(C.conv2d(x, w1, b1, padding=1).relu(), 3, 2, 1)
    h = C.conv2d(h, w2, stride=2, groups=2, dilation=(1, 2), padding="valid")
    h = P.avg_pool2d(h, 2, 1, 1, count_include_pad=False)
    h = C.conv_transpose2d(h, w3, stride=2, output_padding=1)
    y = P.adaptive_avg_pool2d(h, (3, 2))
    loss = (y * y).sum()
    grads = ac.grad(loss, [x, *params])
    return [y.detach().numpy()] + [g.numpy() for g in grads]


@pytest.mark.parametrize("dtype", FLOATS)
def test_ops_agree_with_jit_on_and_off(monkeypatch, dtype):
    rng = np.random.default_rng(5)
    shapes = [(4, 3, 3, 3), (4,), (6, 2, 2, 2), (6, 2, 3, 3)]
    x = ac.tensor(rng.standard_normal((2, 3, 12, 11)).astype(dtype), requires_grad=True)
    params = [ac.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
              for s in shapes]
    results = {}
    for flag in ("1", "0"):
        monkeypatch.setenv("AUTOGRAD_CORE_JIT", flag)
        results[flag] = _lenet_grads(x, params)
    for a, b in zip(results["1"], results["0"]):
        np.testing.assert_allclose(a, b, **_tol(dtype))


def test_second_order_through_conv_and_pooling_matches_torch():
    """A gradient penalty: d/dw of |d loss/dx|^2 through conv, max and average pooling."""
    rng = np.random.default_rng(6)
    x0 = rng.standard_normal((2, 2, 7, 7))
    w0 = rng.standard_normal((3, 2, 3, 3))

    def penalty(grad, conv, max_pool, avg_pool, x, w):
        y = avg_pool(max_pool(conv(x, w, padding=1).tanh(), 2, 1), 2)
        (gx,) = grad(y.sum(), x, create_graph=True)
        return (gx * gx).sum()

    tx = torch.tensor(x0, requires_grad=True)
    tw = torch.tensor(w0, requires_grad=True)
    penalty(torch.autograd.grad, F.conv2d, F.max_pool2d, F.avg_pool2d, tx, tw).backward()
    x = ac.tensor(x0, requires_grad=True)
    w = ac.tensor(w0, requires_grad=True)
    penalty(ac.grad, C.conv2d, P.max_pool2d, P.avg_pool2d, x, w).backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_no_function_of_the_family_is_once_differentiable():
    for fn in (C.Convolution, C.ConvolutionTranspose, C.ConvolutionWeight, P.MaxPool2d,
               P.AvgPool2d, P.AvgPool2dAdjoint):
        assert not getattr(fn.backward, "once_differentiable", False), fn.__name__
