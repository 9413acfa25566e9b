"""Convolution, 1-d and 2-d, as im2col and one matrix product, with PyTorch's semantics.

``conv2d(x, w)`` slides each filter of ``w`` (out_channels, in_channels/groups, kh, kw)
over ``x`` (N, C, H, W) and takes dot products (a cross-correlation: the filter is not
flipped). Unfolding every window into a column (``im2col``) turns that into one matrix
product per group. A 1-d convolution is the 2-d one with ``H = 1``.

Three Functions, each built from the other two in backward, so derivatives of any order
work (no once-differentiable kernel is needed):

* `Convolution`:           ``y = conv(x, w) + b``
* `ConvolutionTranspose`:  ``z = conv_transpose(g, w) + b``, the adjoint of ``conv(., w)``:
  the gradient of ``conv`` for ``x`` (and PyTorch's ``conv_transpose2d``)
* `ConvolutionWeight`:     ``dw = corr(x, g)``, the gradient of ``conv`` for ``w``

Where we differ from PyTorch on purpose: ``conv_transpose`` refuses
``output_padding >= stride`` (PyTorch allows it when smaller than the dilation).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..function import Context, Function
from ..kernels import kernel
from ..kernels.conv import im2col, windows
from ..tensor import Tensor
from ._util import int_tuple

Pair = tuple[int, int]


class ConvParams(NamedTuple):
    """Everything but the arrays, always for 2 spatial dims (a 1-d conv has H = 1)."""

    stride: Pair
    padding: tuple[Pair, Pair]  # ((top, bottom), (left, right)): 'same' can be uneven
    dilation: Pair
    groups: int


# -- numpy: the three products --------------------------------------------------------------

def _as4d(a: np.ndarray) -> np.ndarray:
    """(N, C, L) -> (N, C, 1, L) as a view; 4-d arrays pass through."""
    return a[:, :, None, :] if a.ndim == 3 else a


def _out_hw(hw: tuple[int, ...], kernel_hw: tuple[int, ...], p: ConvParams) -> Pair:
    return tuple(
        (n + lo + hi - d * (k - 1) - 1) // s + 1
        for n, k, s, (lo, hi), d in zip(hw, kernel_hw, p.stride, p.padding, p.dilation)
    )


def _columns(x: np.ndarray, kernel_hw: Pair, out_hw: Pair, p: ConvParams,
             batch_last: bool = False) -> np.ndarray:
    """im2col of the zero-padded 4-d ``x``, as (N, groups, C/groups*kh*kw, Ho*Wo), or
    with ``batch_last`` as (groups, C/groups*kh*kw, N*Ho*Wo)."""
    (top, bottom), (left, right) = p.padding
    if top or bottom or left or right:
        x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, c = x.shape[:2]
    size = c // p.groups * kernel_hw[0] * kernel_hw[1]
    if batch_last:
        view = windows(x, kernel_hw, p.stride, p.dilation, out_hw)
        cols = np.ascontiguousarray(view.transpose(1, 2, 3, 0, 4, 5))
        return cols.reshape(p.groups, size, n * out_hw[0] * out_hw[1])
    cols = im2col(x, kernel_hw, p.stride, p.dilation, out_hw)
    return cols.reshape(n, p.groups, size, out_hw[0] * out_hw[1])


def _grouped(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, *spatial) -> (N, groups, O/groups, prod(spatial)), a view when contiguous."""
    n, o = a.shape[:2]
    return a.reshape(n, groups, o // groups, -1)


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per image and group; one weight matrix for all images when there is one group.

    The products stay per image (batch first): that is the layout of the input and of
    the result, so no transposing copy is needed on either side.
    """
    if a.shape[-3] == 1 and b.shape[-3] == 1:
        return np.matmul(a[..., 0, :, :], b[..., 0, :, :])[..., None, :, :]
    return np.matmul(a, b)


def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                 p: ConvParams) -> np.ndarray:
    """``conv(x, w) + b`` on 3-d or 4-d arrays: ``w`` as a matrix times the columns of ``x``."""
    x4, w4 = _as4d(x), _as4d(w)
    n = x4.shape[0]
    o, _, kh, kw = w4.shape
    out_hw = _out_hw(x4.shape[2:], (kh, kw), p)
    cols = _columns(x4, (kh, kw), out_hw, p)
    out = _matmul(w4.reshape(p.groups, o // p.groups, cols.shape[2]), cols)
    out = out.reshape(n, o, *out_hw)
    if b is not None:
        out += b[:, None, None]
    return out.reshape(out.shape[:2] + out.shape[3:]) if x.ndim == 3 else out


def conv_transpose_forward(g: np.ndarray, w: np.ndarray, b: np.ndarray | None, p: ConvParams,
                           out_hw: tuple[int, ...]) -> np.ndarray:
    """The adjoint of ``conv(., w)``: spread each output back over its window (col2im).

    ``out_hw`` is the spatial shape of the result (the conv's input), which the stride
    leaves ambiguous.
    """
    g4, w4 = _as4d(g), _as4d(w)
    n = g4.shape[0]
    o, cg, kh, kw = w4.shape
    hw = (1, *out_hw) if g.ndim == 3 else tuple(out_hw)
    wmat = w4.reshape(p.groups, o // p.groups, cg * kh * kw).transpose(0, 2, 1)
    cols = _matmul(wmat, _grouped(g4, p.groups))
    cols = cols.reshape(n, cg * p.groups, kh, kw, *g4.shape[2:])
    (top, bottom), (left, right) = p.padding
    padded = (n, cg * p.groups, hw[0] + top + bottom, hw[1] + left + right)
    z = kernel("col2im")(cols, padded, p.stride, p.dilation)
    if top or bottom or left or right:
        z = np.ascontiguousarray(z[:, :, top:top + hw[0], left:left + hw[1]])
    if b is not None:
        z += b[:, None, None]
    return z.reshape(z.shape[:2] + z.shape[3:]) if g.ndim == 3 else z


def conv_weight_forward(x: np.ndarray, g: np.ndarray, p: ConvParams,
                        kernel_hw: tuple[int, ...]) -> np.ndarray:
    """The gradient of ``conv(x, w)`` for ``w``: the gradient times the columns of ``x``
    transposed, summed over the images.

    Per-image products are fast when each sums over many positions (``Ho*Wo``, LeNet's
    first layer); with few positions and many window cells one product over all images
    is faster (0.70 against 0.92 ms for LeNet's second layer), with the columns unfolded
    straight into its ``(C*kh*kw, N*Ho*Wo)`` layout.
    """
    x4, g4 = _as4d(x), _as4d(g)
    khw = (1, *kernel_hw) if x.ndim == 3 else tuple(kernel_hw)
    n, o = g4.shape[:2]
    size = x4.shape[1] // p.groups * khw[0] * khw[1]
    positions = g4.shape[2] * g4.shape[3]
    if positions >= size:
        cols = _columns(x4, khw, g4.shape[2:], p)
        dw = _matmul(_grouped(g4, p.groups), cols.swapaxes(-1, -2)).sum(0)
    else:
        cols = _columns(x4, khw, g4.shape[2:], p, batch_last=True)
        gmat = np.ascontiguousarray(g4.transpose(1, 0, 2, 3))
        gmat = gmat.reshape(p.groups, o // p.groups, n * positions)
        # (cols @ g.T).T, not g @ cols.T: BLAS is faster with the long dimension inner here
        dw = _matmul(cols, gmat.swapaxes(-1, -2)).swapaxes(-1, -2)
    return dw.reshape(o, x4.shape[1] // p.groups, *kernel_hw)


# -- the Functions --------------------------------------------------------------------------

def _bias_grad(grad: Tensor) -> Tensor:
    return grad.sum((0, *range(2, grad.ndim)))


class Convolution(Function):
    display_name = "conv"
    formula = ("y = conv(x, w) + b; dx = conv_transpose(g, w), dw = corr(x, g), "
               "db = sum of g over batch and space")

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                p: ConvParams) -> np.ndarray:
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(x if need_w else None, w if need_x else None)
        ctx.params = p
        ctx.x_hw = x.shape[2:]
        ctx.w_hw = w.shape[2:]
        return conv_forward(x, w, b, p)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        p = ctx.params
        dx = dw = db = None
        if ctx.needs_input_grad[0]:
            dx = ConvolutionTranspose.apply(grad, w, None, p, ctx.x_hw)
        if ctx.needs_input_grad[1]:
            dw = ConvolutionWeight.apply(x, grad, p, ctx.w_hw)
        if ctx.needs_input_grad[2]:
            db = _bias_grad(grad)
        return dx, dw, db, None


class ConvolutionTranspose(Function):
    display_name = "conv_transpose"
    formula = ("z = conv_transpose(g, w) + b; dg = conv(gz, w), dw = corr(gz, g), "
               "db = sum of gz over batch and space")

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                p: ConvParams, out_hw: tuple[int, ...]) -> np.ndarray:
        need_g, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(g if need_w else None, w if need_g else None)
        ctx.params = p
        ctx.w_hw = w.shape[2:]
        return conv_transpose_forward(g, w, b, p, out_hw)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        g, w = ctx.saved_tensors
        p = ctx.params
        dg = dw = db = None
        if ctx.needs_input_grad[0]:
            dg = Convolution.apply(grad, w, None, p)
        if ctx.needs_input_grad[1]:
            dw = ConvolutionWeight.apply(grad, g, p, ctx.w_hw)
        if ctx.needs_input_grad[2]:
            db = _bias_grad(grad)
        return dg, dw, db, None, None


class ConvolutionWeight(Function):
    display_name = "conv_weight"
    formula = "dw = corr(x, g); d/dx = conv_transpose(g, gw), d/dg = conv(x, gw)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, g: np.ndarray, p: ConvParams,
                kernel_hw: tuple[int, ...]) -> np.ndarray:
        need_x, need_g = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(x if need_g else None, g if need_x else None)
        ctx.params = p
        ctx.x_hw = x.shape[2:]
        return conv_weight_forward(x, g, p, kernel_hw)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, g = ctx.saved_tensors
        p = ctx.params
        dx = dg = None
        if ctx.needs_input_grad[0]:
            dx = ConvolutionTranspose.apply(g, grad, None, p, ctx.x_hw)
        if ctx.needs_input_grad[1]:
            dg = Convolution.apply(x, grad, None, p)
        return dx, dg, None, None


# -- checking arguments ---------------------------------------------------------------------

def _dims_text(nd: int) -> str:
    return "L" if nd == 1 else "H, W"


def _padding(padding: Any, nd: int, kernel_hw: tuple[int, ...], stride: tuple[int, ...],
             dilation: tuple[int, ...], op: str) -> tuple[Pair, ...]:
    """(lo, hi) per spatial dim; 'same' puts the odd cell at the end, as PyTorch does."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding != "same":
            raise ValueError(f"{op}: padding must be 'same', 'valid', an int or a tuple of "
                             f"{nd} ints, got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride}); pad explicitly instead")
        totals = [d * (k - 1) for k, d in zip(kernel_hw, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in int_tuple(padding, nd, "padding", op, 0))


def _params(nd: int, stride: tuple[int, ...], padding: tuple[Pair, ...],
            dilation: tuple[int, ...], groups: int) -> ConvParams:
    if nd == 1:
        return ConvParams((1, *stride), ((0, 0), *padding), (1, *dilation), groups)
    return ConvParams(stride, padding, dilation, groups)


def _check_tensors(op: str, x: Any, weight: Any, bias: Any, nd: int) -> None:
    for name, t in (("input", x), ("weight", weight), ("bias", bias)):
        if t is None and name == "bias":
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if t.dtype.kind != "f":
            raise TypeError(f"{op}: {name} must be float32 or float64, got {t.dtype}; "
                            "convert it with .float()")
    dts = {t.dtype for t in (x, weight, bias) if t is not None}
    if len(dts) > 1:
        shown = ", ".join(f"{n} {t.dtype}" for n, t in (("input", x), ("weight", weight),
                                                        ("bias", bias)) if t is not None)
        raise TypeError(f"{op}: input, weight and bias must have one dtype, got {shown}; "
                        "convert with .float() or .double() (a module: .float()/.double())")
    if weight.ndim != nd + 2:
        shape = "(out_channels, in_channels/groups, " + ("kL)" if nd == 1 else "kH, kW)")
        raise ValueError(f"{op}: weight must be {nd + 2}-d {shape}, got shape "
                         f"{tuple(weight.shape)}")


def check_input(name: str, x: Tensor, channels: int, nd: int) -> None:
    """Raise if ``x`` is not ``(N, channels, *spatial)`` or unbatched ``(channels, *spatial)``.

    ``name`` (an op or a layer) starts the message; shared by the functions and the layers.
    """
    dims = _dims_text(nd)
    if x.ndim not in (nd + 1, nd + 2) or x.shape[-nd - 1] != channels:
        got = f"got {tuple(x.shape)}"
        if x.ndim in (nd + 1, nd + 2):
            got += f" ({x.shape[-nd - 1]} channels instead of {channels})"
        raise ValueError(f"{name}: expected input of shape (N, {channels}, {dims}) or unbatched "
                         f"({channels}, {dims}), {got}")


def _check_kernel_fits(op: str, x: Tensor, kernel_hw: tuple[int, ...],
                       padding: tuple[Pair, ...], dilation: tuple[int, ...]) -> None:
    spatial = x.shape[-len(kernel_hw):]
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(spatial, padding))
    effective = tuple(d * (k - 1) + 1 for k, d in zip(kernel_hw, dilation))
    if any(e > n for e, n in zip(effective, padded)):
        dilated = f" (dilated to {effective})" if effective != tuple(kernel_hw) else ""
        raise ValueError(f"{op}: kernel size {tuple(kernel_hw)}{dilated} is larger than the "
                         f"padded input {padded} (input {tuple(x.shape)}); use a smaller "
                         "kernel or more padding")


def _check_groups(op: str, groups: Any, out_channels: int) -> int:
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if out_channels % groups:
        raise ValueError(f"{op}: groups={groups} must divide the weight's out_channels "
                         f"({out_channels})")
    return int(groups)


def _batched(x: Tensor, nd: int) -> tuple[Tensor, bool]:
    return (x.unsqueeze(0), True) if x.ndim == nd + 1 else (x, False)


# -- public functions -----------------------------------------------------------------------

def convolution(x: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any,
                dilation: Any, groups: int, nd: int, name: str) -> Tensor:
    """`conv1d` or `conv2d` (``nd`` spatial dims); errors start with ``name``.

    The layers call this with their own description as ``name``.
    """
    _check_tensors(name, x, weight, bias, nd)
    out_channels = weight.shape[0]
    groups = _check_groups(name, groups, out_channels)
    check_input(name, x, weight.shape[1] * groups, nd)
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{name}: bias must have shape ({out_channels},) (one per output "
                         f"channel), got {tuple(bias.shape)}")
    stride = int_tuple(stride, nd, "stride", name, 1)
    dilation = int_tuple(dilation, nd, "dilation", name, 1)
    kernel_hw = weight.shape[2:]
    pads = _padding(padding, nd, kernel_hw, stride, dilation, name)
    _check_kernel_fits(name, x, kernel_hw, pads, dilation)
    x, unbatched = _batched(x, nd)
    y = Convolution.apply(x, weight, bias, _params(nd, stride, pads, dilation, groups))
    return y.squeeze(0) if unbatched else y


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-d convolution of ``input`` (N, C_in, L) or (C_in, L) with ``weight``
    (C_out, C_in/groups, kL); ``padding`` may be an int, a 1-tuple, 'valid' or 'same'."""
    return convolution(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution (a cross-correlation, as in PyTorch) of ``input`` (N, C_in, H, W) or
    (C_in, H, W) with ``weight`` (C_out, C_in/groups, kH, kW), plus ``bias`` (C_out,).

    ``stride``, ``padding`` and ``dilation`` are ints or pairs; ``padding`` may also be
    'valid' (none) or 'same' (output as large as the input; stride 1 only).
    """
    return convolution(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                    padding: Any, output_padding: Any, groups: int, dilation: Any,
                    nd: int) -> Tensor:
    _check_tensors(op, x, weight, bias, nd)
    groups = _check_groups(op, groups, weight.shape[0])
    check_input(op, x, weight.shape[0], nd)
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},), got "
                         f"{tuple(bias.shape)}")
    stride = int_tuple(stride, nd, "stride", op, 1)
    dilation = int_tuple(dilation, nd, "dilation", op, 1)
    pads = int_tuple(padding, nd, "padding", op, 0)
    extra = int_tuple(output_padding, nd, "output_padding", op, 0)
    if any(e >= s for e, s in zip(extra, stride)):
        raise ValueError(f"{op}: output_padding {extra} must be smaller than the stride "
                         f"{stride}")
    out_hw = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + e + 1
        for n, s, p, d, k, e in zip(x.shape[-nd:], stride, pads, dilation, weight.shape[2:],
                                    extra)
    )
    if any(n < 1 for n in out_hw):
        raise ValueError(f"{op}: the output size {out_hw} is too small for input "
                         f"{tuple(x.shape)}: reduce the padding")
    x, unbatched = _batched(x, nd)
    params = _params(nd, stride, tuple((p, p) for p in pads), dilation, groups)
    y = ConvolutionTranspose.apply(x, weight, bias, params, out_hw)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """The adjoint of `conv1d` (the gradient of conv1d for its input): ``weight`` is
    (C_in, C_out/groups, kL). Arguments in PyTorch's order (groups before dilation)."""
    return _conv_transpose("conv_transpose1d", input, weight, bias, stride, padding,
                           output_padding, groups, dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """The adjoint of `conv2d` ("deconvolution"): each input cell spreads over a window.

    ``weight`` is (C_in, C_out/groups, kH, kW); the output size is
    ``(in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.
    """
    return _conv_transpose("conv_transpose2d", input, weight, bias, stride, padding,
                           output_padding, groups, dilation, 2)


def conv_weight(input: Tensor, weight_size: tuple[int, ...], grad_output: Tensor,  # noqa: A002
                stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                groups: int = 1) -> Tensor:
    """The gradient of a convolution for its weight (``torch.nn.grad.conv2d_weight``).

    1-d or 2-d from ``input``'s shape (batched); ``padding`` as for `conv2d`.
    """
    nd = input.ndim - 2
    kernel_hw = tuple(weight_size[2:])
    if nd not in (1, 2) or len(kernel_hw) != nd or grad_output.ndim != input.ndim:
        raise ValueError(f"conv_weight: input {tuple(input.shape)}, grad_output "
                         f"{tuple(grad_output.shape)} and weight_size {tuple(weight_size)} "
                         "must be batched 1-d or 2-d shapes of one convolution")
    groups = _check_groups("conv_weight", groups, weight_size[0])
    stride = int_tuple(stride, nd, "stride", "conv_weight", 1)
    dilation = int_tuple(dilation, nd, "dilation", "conv_weight", 1)
    pads = _padding(padding, nd, kernel_hw, stride, dilation, "conv_weight")
    params = _params(nd, stride, pads, dilation, groups)
    lead = (1,) * (2 - nd)  # a 1-d conv is a 2-d one of height 1
    out_hw = _out_hw(lead + input.shape[2:], lead + kernel_hw, params)[2 - nd:]
    expected = (input.shape[0], weight_size[0], *out_hw)
    if tuple(grad_output.shape) != expected or input.shape[1] != weight_size[1] * groups:
        raise ValueError(f"conv_weight: for input {tuple(input.shape)} and weight_size "
                         f"{tuple(weight_size)} (groups={groups}), grad_output must have shape "
                         f"{expected}, got {tuple(grad_output.shape)}")
    return ConvolutionWeight.apply(input, grad_output, params, kernel_hw)


METHODS: dict[str, Any] = {}
FUNCTIONS = {
    "conv1d": conv1d, "conv2d": conv2d, "conv_transpose1d": conv_transpose1d,
    "conv_transpose2d": conv_transpose2d,
}
