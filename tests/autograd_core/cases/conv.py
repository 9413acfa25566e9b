"""Cases for convolution, 1-d and 2-d: stride, padding ('same' and 'valid' too), dilation,
groups, bias on and off; its transpose; and its weight gradient."""

import warnings

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from autograd_core.ops import conv as C

from ..opspec import OpCase


@st.composite
def _conv(draw, nd: int, bias: bool = True, same: bool = True):
    """Shapes (x, w[, b]) and the keyword arguments of one valid convolution."""
    groups = draw(st.integers(1, 3))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = [draw(st.integers(1, 3)) for _ in range(nd)]
    dilation = [draw(st.integers(1, 2)) for _ in range(nd)]
    padding = draw(st.sampled_from(["int", "tuple", "same", "valid"] if same else ["int"]))
    stride = [1] * nd if padding == "same" else [draw(st.integers(1, 2)) for _ in range(nd)]
    pads = {"int": [draw(st.integers(0, 2))] * nd, "tuple": [draw(st.integers(0, 2))
                                                               for _ in range(nd)],
            "same": [0] * nd, "valid": [0] * nd}[padding]
    sizes = [max(1, d * (k - 1) + 1 - 2 * p + draw(st.integers(0, 3)))
             for k, d, p in zip(kernel, dilation, pads)]
    n = draw(st.integers(1, 2))
    shapes = [(n, cg * groups, *sizes), (og * groups, cg, *kernel)]
    if bias:
        shapes.append((og * groups,))
    pad_arg = {"int": pads[0], "tuple": tuple(pads), "same": "same", "valid": "valid"}[padding]
    kwargs = {"stride": tuple(stride), "padding": pad_arg, "dilation": tuple(dilation),
              "groups": groups}
    return shapes, kwargs


def _out_sizes(sizes, kernel, kwargs):
    pads = [kwargs["padding"]] * len(sizes)
    return [(n + 2 * p - d * (k - 1) - 1) // s + 1
            for n, k, p, d, s in zip(sizes, kernel, pads, kwargs["dilation"], kwargs["stride"])]


@st.composite
def _transpose(draw, nd: int):
    """Shapes (g, w, b) and arguments of a transposed convolution (output_padding < stride):
    the adjoint of a drawn convolution, so ``g`` has that convolution's output shape."""
    shapes, kwargs = draw(_conv(nd, same=False))
    (n, c, *sizes), (o, cg, *kernel), _ = shapes
    outs = _out_sizes(sizes, kernel, kwargs)
    extra = []
    for m, k, d, s in zip(outs, kernel, kwargs["dilation"], kwargs["stride"]):
        e = draw(st.integers(0, s - 1))
        if (m - 1) * s - 2 * kwargs["padding"] + d * (k - 1) + e + 1 < 1:
            e = s - 1  # the smallest windows would leave no output at all
        extra.append(e)
    kwargs = dict(kwargs, output_padding=tuple(extra))
    return [(n, o, *outs), (o, cg, *kernel), (c,)], kwargs


@st.composite
def _weight_grad(draw, nd: int):
    """Shapes (x, grad_output) and ``weight_size`` for the weight gradient of a conv."""
    shapes, kwargs = draw(_conv(nd, bias=False, same=False))
    x_shape, w_shape = shapes
    sizes = _out_sizes(x_shape[2:], w_shape[2:], kwargs)
    return [x_shape, (x_shape[0], w_shape[0], *sizes)], dict(kwargs, weight_size=w_shape)


def _torch_weight_grad(x, g, weight_size, **kwargs):
    fn = torch.nn.grad.conv1d_weight if x.ndim == 3 else torch.nn.grad.conv2d_weight
    return fn(x, weight_size, g, **kwargs)


def _quiet(fn):
    """PyTorch warns that 'same' with an even kernel pads a copy: expected, not news."""
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using padding='same'")
            return fn(*args, **kwargs)
    return run


_TOL = {"rtol32": 1e-4, "atol32": 1e-4}

CASES = [
    OpCase("conv2d", (C.Convolution,), lambda x, w, b, **kw: C.conv2d(x, w, b, **kw),
           _quiet(F.conv2d), _conv(2), gradgradcheck=True, **_TOL),
    OpCase("conv2d no bias", (C.Convolution,), lambda x, w, **kw: C.conv2d(x, w, **kw),
           _quiet(F.conv2d), _conv(2, bias=False), **_TOL),
    OpCase("conv1d", (C.Convolution,), lambda x, w, b, **kw: C.conv1d(x, w, b, **kw),
           _quiet(F.conv1d), _conv(1), gradgradcheck=True, **_TOL),
    OpCase("conv1d no bias", (C.Convolution,), lambda x, w, **kw: C.conv1d(x, w, **kw),
           _quiet(F.conv1d), _conv(1, bias=False), **_TOL),
    OpCase("conv2d unbatched", (C.Convolution,), lambda x, w, b, **kw: C.conv2d(x[0], w, b, **kw),
           _quiet(lambda x, w, b, **kw: F.conv2d(x[0], w, b, **kw)), _conv(2), **_TOL),
    OpCase("conv_transpose2d", (C.ConvolutionTranspose,),
           lambda g, w, b, **kw: C.conv_transpose2d(g, w, b, **kw),
           lambda g, w, b, **kw: F.conv_transpose2d(g, w, b, **kw), _transpose(2),
           gradgradcheck=True, **_TOL),
    OpCase("conv_transpose1d", (C.ConvolutionTranspose,),
           lambda g, w, b, **kw: C.conv_transpose1d(g, w, b, **kw),
           lambda g, w, b, **kw: F.conv_transpose1d(g, w, b, **kw), _transpose(1), **_TOL),
    OpCase("conv2d weight gradient", (C.ConvolutionWeight,),
           lambda x, g, weight_size, **kw: C.conv_weight(x, weight_size, g, **kw),
           _torch_weight_grad, _weight_grad(2), gradgradcheck=True, **_TOL),
    OpCase("conv1d weight gradient", (C.ConvolutionWeight,),
           lambda x, g, weight_size, **kw: C.conv_weight(x, weight_size, g, **kw),
           _torch_weight_grad, _weight_grad(1), **_TOL),
]
