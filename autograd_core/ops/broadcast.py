"""Broadcasting as ops: ``broadcast_to`` / ``expand`` and its adjoint ``sum_to``.

The two are each other's gradient: broadcasting copies a value to many places, so its
gradient sums those places back; summing to a shape adds places up, so its gradient copies
the sum back out. ``sum_to`` is how every binary op returns a gradient of its input's
shape (``unbroadcast``).
"""

from __future__ import annotations

import numpy as np

from ..function import Context, Function
from ..kernels import kernel
from ..tensor import Tensor
from ._util import broadcast_shapes


class SumTo(Function):
    formula = "d sum_to(x)/dx: broadcast the gradient back to x's shape"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.input_shape = x.shape
        return kernel("sum_to_shape")(x, shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return broadcast_to(grad, ctx.input_shape), None


class BroadcastTo(Function):
    formula = "d broadcast(x)/dx: sum the gradient over the broadcast dimensions"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.input_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return sum_to(grad, ctx.input_shape), None


def sum_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``x`` down to ``shape`` (which ``x``'s shape must broadcast from)."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if broadcast_shapes("sum_to", x.shape, shape) != x.shape:
        raise ValueError(f"sum_to: shape {shape} does not broadcast to {tuple(x.shape)}")
    return SumTo.apply(x, shape)


def broadcast_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """A read-only view of ``x`` stretched to ``shape``, as numpy's broadcasting rules allow."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if broadcast_shapes("broadcast_to", x.shape, shape) != shape:
        raise ValueError(
            f"broadcast_to: shape {tuple(x.shape)} cannot be broadcast to {shape}"
        )
    out = BroadcastTo.apply(x, shape)
    out._vc = x._shared_version()
    return out


def expand(x: Tensor, *sizes: int) -> Tensor:
    """PyTorch's ``expand``: like ``broadcast_to``; -1 keeps a dimension's size."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(
            f"expand: the number of sizes ({len(sizes)}) must be at least the tensor's "
            f"number of dimensions ({x.ndim}); shape {tuple(x.shape)}"
        )
    shape = tuple(
        x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes)
    )
    return broadcast_to(x, shape)


METHODS = {"broadcast_to": broadcast_to, "expand": expand, "sum_to_size": sum_to}
FUNCTIONS = {"broadcast_to": broadcast_to, "sum_to": sum_to}
