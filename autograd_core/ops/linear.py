"""The layer ops: ``linear`` (``y = x W^T + b``) and ``embedding`` (rows of a table).

`Linear` is one fused node instead of three (matmul, transpose, add): forward is one
matrix product plus the bias, and backward is, with ``x`` flattened to ``(rows, in)``,

    dx = g @ W        dW = g^T @ x        db = sum of g over rows.

`Embedding` picks rows of a weight table by integer index; its gradient adds each
output row's gradient into the row it was read from (repeated indices add up), except
the ``padding_idx`` row, which gets none (PyTorch's convention).

Both backwards run on plain numpy arrays in an ordinary backward pass (fast) and with
Tensor ops under ``create_graph=True`` (so second derivatives work).

As with ``matmul`` here (and unlike PyTorch, which raises), operands of different dtypes
are promoted to a common dtype: float32 input with float64 weight gives float64.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from .elementwise import cast
from .indexing import IndexScatter, Key
from .linalg import matmul, matrix_transpose
from .movement import reshape
from .reduction import sum as _sum


class Linear(Function):
    display_name = "linear"
    formula = "y = x W^T + b: dy/dx = g W, dy/dW = g^T x, dy/db = sum(g)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray,
                bias: np.ndarray | None) -> np.ndarray:
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(x if need_w else None, weight if need_x else None)
        ctx.x_shape = x.shape
        if x.ndim == 2:  # (batch, in): the usual case
            out = x @ weight.T
        else:  # one matrix product for any batch shape
            out = x.reshape(math.prod(x.shape[:-1]), x.shape[-1]) @ weight.T
            out = out.reshape(x.shape[:-1] + (weight.shape[0],))
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        x_shape = ctx.x_shape
        rows, in_f, out_f = math.prod(x_shape[:-1]), x_shape[-1], grad.shape[-1]
        dx = dw = db = None
        if not is_grad_enabled():  # plain first order: numpy arrays
            g = grad._data.reshape(rows, out_f)
            if need_x:
                dx = Tensor._make((g @ weight._data).reshape(x_shape))
            if need_w:
                dw = Tensor._make(g.T @ x._data.reshape(rows, in_f))
            if need_b:
                db = Tensor._make(g.sum(axis=0))
            return dx, dw, db
        g = reshape(grad, (rows, out_f))
        if need_x:
            dx = reshape(matmul(g, weight), x_shape)
        if need_w:
            dw = matmul(matrix_transpose(g), reshape(x, (rows, in_f)))
        if need_b:
            db = _sum(g, 0)
        return dx, dw, db


class Embedding(Function):
    display_name = "embedding"
    formula = ("d weight[idx]/d weight: row r gets the sum of the gradients of the outputs "
               "that read it (none for padding_idx)")

    @staticmethod
    def forward(ctx: Context, indices: np.ndarray, weight: np.ndarray,
                padding_idx: int | None) -> np.ndarray:
        ctx.save_for_backward(indices)  # version-checked: editing the indices in place raises
        ctx.weight_shape = weight.shape
        ctx.padding_idx = padding_idx
        return np.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[None, Tensor, None]:
        indices = ctx.saved_tensors[0]._data
        shape, pad = ctx.weight_shape, ctx.padding_idx
        if not is_grad_enabled():
            dw = np.zeros(shape, dtype=grad.dtype)
            np.add.at(dw, indices.reshape(-1), grad._data.reshape(-1, shape[1]))
            if pad is not None:
                dw[pad] = 0.0
            return None, Tensor._make(dw), None
        dw = IndexScatter.apply(grad, Key((Ellipsis,), (indices,)), shape)
        if pad is not None:
            keep = np.ones((shape[0], 1), dtype=grad.dtype)
            keep[pad] = 0.0
            dw = dw * Tensor._make(keep)
        return None, dw, None


# -- public functions ---------------------------------------------------------------------


def _as_tensor(x: Any, op: str, what: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, list, tuple, int, float)):
        return Tensor(x)
    raise TypeError(f"{op}: {what} must be a Tensor, got {type(x).__name__}")


def check_features(op: str, x: Tensor, in_features: int) -> None:
    """Raise unless ``x`` has shape ``(*, in_features)``; the message names ``op``."""
    if x.ndim == 0 or x.shape[-1] != in_features:
        raise ValueError(
            f"{op}: expected input of shape (*, in_features) = (*, {in_features}), got shape "
            f"{tuple(x.shape)} ({x.dtype}); the last dimension must hold the {in_features} "
            "features"
        )


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:  # noqa: A002 - PyTorch's name
    """``input @ weight.T + bias`` as one op: input ``(*, in)``, weight ``(out, in)``,
    bias ``(out,)`` or None; the result has shape ``(*, out)``."""
    if _well_formed(input, weight, bias):  # the common case, checked in a few comparisons
        return Linear.apply(input, weight, bias)
    x = _as_tensor(input, "linear", "input")
    w = _as_tensor(weight, "linear", "weight")
    b = None if bias is None else _as_tensor(bias, "linear", "bias")
    if w.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape "
                         f"{tuple(w.shape)}")
    check_features("linear", x, w.shape[1])
    if b is not None and tuple(b.shape) != (w.shape[0],):
        raise ValueError(f"linear: bias must have shape (out_features,) = ({w.shape[0]},), got "
                         f"shape {tuple(b.shape)}")
    operands = [x, w] if b is None else [x, w, b]
    if any(t.dtype == dtypes.bool_ for t in operands):
        raise TypeError(f"linear: bool tensors are not supported (dtypes "
                        f"{', '.join(str(t.dtype) for t in operands)}); convert with .float()")
    target = dtypes.result_type(*operands)
    if target.kind != "f":
        target = dtypes.float32  # integer data against integer weights: compute in float32
    x, w = cast(x, target), cast(w, target)
    b = None if b is None else cast(b, target)
    return Linear.apply(x, w, b)


def _well_formed(x: Any, w: Any, b: Any) -> bool:
    """Float Tensors of one dtype with the shapes ``linear`` needs: nothing to convert."""
    if not (isinstance(x, Tensor) and isinstance(w, Tensor)):
        return False
    xd, wd = x._data, w._data
    if xd.dtype != wd.dtype or xd.dtype.kind != "f" or wd.ndim != 2 or xd.ndim == 0 or (
            xd.shape[-1] != wd.shape[1]):
        return False
    return b is None or (isinstance(b, Tensor) and b._data.dtype == wd.dtype
                         and b._data.shape == (wd.shape[0],))


def embedding(input: Any, weight: Any, padding_idx: int | None = None) -> Tensor:  # noqa: A002
    """Rows of ``weight`` ``(num_embeddings, dim)`` picked by the int64 ``input`` (any
    shape): the result has shape ``input.shape + (dim,)``. The ``padding_idx`` row gets no
    gradient (its value is whatever the table holds)."""
    if not isinstance(input, Tensor) or input.dtype != dtypes.int64:
        given = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(
            f"embedding: input must be an int64 Tensor of indices, got {given}; convert it "
            "with .long() (or autograd_core.tensor(data, dtype=autograd_core.int64))"
        )
    w = _as_tensor(weight, "embedding", "weight")
    if w.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {tuple(w.shape)}")
    if w.dtype.kind != "f":
        raise TypeError(f"embedding: weight must be a float tensor, got {w.dtype}")
    num = w.shape[0]
    idx = input._data
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(
            f"embedding: index {bad} is out of range for a weight of {num} rows (shape "
            f"{tuple(w.shape)}); indices must lie in [0, {num - 1}]"
        )
    return Embedding.apply(input, w, normalize_padding_idx("embedding", padding_idx, num))


def normalize_padding_idx(op: str, padding_idx: int | None, num: int) -> int | None:
    """``padding_idx`` in ``[0, num)``, negative values counted from the end, as PyTorch."""
    if padding_idx is None:
        return None
    if not -num <= padding_idx < num:
        raise ValueError(f"{op}: padding_idx must be within num_embeddings: got {padding_idx} "
                         f"for {num} embeddings (valid: {-num} to {num - 1})")
    return int(padding_idx) % num


METHODS: dict[str, Any] = {}
FUNCTIONS: dict[str, Any] = {"linear": linear}
