"""Cases for max, average and adaptive average pooling, 1-d and 2-d, batched or not."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

import autograd_core as ac
from autograd_core.ops import pooling as P

from ..opspec import OpCase


@st.composite
def _pool(draw, nd: int, avg: bool = False, batched: bool = True):
    """The input shape and the window arguments (padding at most half the kernel)."""
    kernel = [draw(st.integers(1, 3)) for _ in range(nd)]
    stride = draw(st.sampled_from([None, "int", "tuple"]))
    stride = {None: None, "int": draw(st.integers(1, 3)),
              "tuple": tuple(draw(st.integers(1, 3)) for _ in range(nd))}[stride]
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (1,) * nd if avg else tuple(draw(st.integers(1, 2)) for _ in range(nd))
    # a dilated window can miss the input (PyTorch then writes its gradient out of bounds):
    # with dilation, inputs at least as large as the window keep every window on the input
    sizes = tuple(max(1, d * (k - 1) + 1 - (2 * p if d == 1 else 0) + draw(st.integers(0, 4)))
                  for k, p, d in zip(kernel, padding, dilation))
    lead = (draw(st.integers(1, 2)), draw(st.integers(1, 3))) if batched else (
        draw(st.integers(1, 3)),)
    kwargs = {"kernel_size": tuple(kernel), "stride": stride, "padding": padding,
              "ceil_mode": draw(st.booleans())}
    if avg:
        kwargs["count_include_pad"] = draw(st.booleans())
        if nd == 2:
            kwargs["divisor_override"] = draw(st.sampled_from([None, None, 3]))
    else:
        kwargs["dilation"] = dilation
    return [lead + sizes], kwargs


@st.composite
def _adaptive(draw, nd: int):
    sizes = tuple(draw(st.integers(1, 7)) for _ in range(nd))
    out = tuple(draw(st.one_of(st.integers(1, 5), st.none())) for _ in range(nd))
    lead = (draw(st.integers(1, 2)), draw(st.integers(1, 3)))[: draw(st.integers(1, 2))]
    return [lead + sizes], {"output_size": out if nd == 2 else out[0] or 3}


def _distinct(rng, dtype, shape_list, kwargs):
    """Values far apart (no ties, no near-ties for finite differences), in random order."""
    (shape,) = shape_list
    n = int(np.prod(shape))
    return [(rng.permutation(n).reshape(shape) * (4.0 / max(n, 1)) - 2.0).astype(dtype)]


def _avg_adjoint(nd: int):
    """The adjoint of average pooling, reached as the gradient of avg_pool under
    create_graph (its input's values do not matter, only its shape)."""

    def ours(g, x_shape, **kw):
        x = ac.Tensor._make(np.zeros(x_shape, g.dtype), requires_grad=True)
        pool = P.avg_pool2d if nd == 2 else P.avg_pool1d
        with ac.enable_grad():  # (gradcheck evaluates its finite differences under no_grad)
            return ac.grad(pool(x, **kw), x, g, create_graph=True)[0]

    def theirs(g, x_shape, **kw):
        x = torch.zeros(x_shape, dtype=g.dtype, requires_grad=True)
        pool = F.avg_pool2d if nd == 2 else F.avg_pool1d
        return torch.autograd.grad(pool(x, **kw), x, g, create_graph=True)[0]

    return ours, theirs


@st.composite
def _adjoint_inputs(draw, nd: int):
    (x_shape,), kwargs = draw(_pool(nd, avg=True))
    x = torch.zeros(x_shape)
    out_shape = (F.avg_pool2d if nd == 2 else F.avg_pool1d)(x, **kwargs).shape
    return [tuple(out_shape)], dict(kwargs, x_shape=x_shape)


CASES = [
    OpCase("max_pool2d", (P.MaxPool2d,), P.max_pool2d, F.max_pool2d, _pool(2), make=_distinct,
           gradgradcheck=True),
    OpCase("max_pool2d unbatched", (P.MaxPool2d,), P.max_pool2d, F.max_pool2d,
           _pool(2, batched=False), make=_distinct),
    OpCase("max_pool1d", (P.MaxPool2d,), P.max_pool1d, F.max_pool1d, _pool(1), make=_distinct),
    OpCase("avg_pool2d", (P.AvgPool2d,), P.avg_pool2d, F.avg_pool2d, _pool(2, avg=True),
           gradgradcheck=True),
    OpCase("avg_pool2d unbatched", (P.AvgPool2d,), P.avg_pool2d, F.avg_pool2d,
           _pool(2, avg=True, batched=False)),
    OpCase("avg_pool1d", (P.AvgPool2d,), P.avg_pool1d, F.avg_pool1d, _pool(1, avg=True)),
    OpCase("avg_pool2d adjoint", (P.AvgPool2dAdjoint,), *_avg_adjoint(2), _adjoint_inputs(2),
           gradgradcheck=True),
    OpCase("avg_pool1d adjoint", (P.AvgPool2dAdjoint,), *_avg_adjoint(1), _adjoint_inputs(1)),
    OpCase("adaptive_avg_pool2d", (), P.adaptive_avg_pool2d, F.adaptive_avg_pool2d,
           _adaptive(2), gradgradcheck=True),
    OpCase("adaptive_avg_pool1d", (), P.adaptive_avg_pool1d, F.adaptive_avg_pool1d,
           _adaptive(1)),
]
