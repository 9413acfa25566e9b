"""Matrix products: ``matmul`` / ``@`` with numpy's rules, and PyTorch's thin wrappers
``mm``, ``bmm``, ``dot``, ``mv`` and ``outer``.

``matmul`` follows numpy (and PyTorch): a 1-D first operand is a row vector and a 1-D
second operand a column vector, the added dimension dropped from the result (so vector @
vector is 0-d); dimensions before the last two are batch dimensions and broadcast. The
backward of ``C = A @ B`` is ``dA = G @ B^T`` and ``dB = A^T @ G``, summed over the batch
dimensions broadcasting stretched.

Unlike PyTorch, which raises for operands of different dtypes, operands are promoted to a
common dtype (float32 @ float64 gives float64), by the same rule as ``+``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..tensor import Tensor
from ._util import as_operand, unbroadcast
from .arithmetic import mul
from .elementwise import cast
from .reduction import Sum, unreduce


class MatrixTranspose(Function):
    """Swap the last two dimensions (PyTorch's ``x.mT``); matmul's backward uses it."""

    display_name = "mT"
    formula = "d x.mT/dx: swap the gradient's last two dimensions back"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.swapaxes(x, -1, -2)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return matrix_transpose(grad)


def matrix_transpose(x: Tensor) -> Tensor:
    """A view of ``x`` (at least 2-D) with its last two dimensions swapped."""
    if x.ndim < 2:
        raise ValueError(f"mT: needs a tensor of at least 2 dimensions, got shape {x.shape}")
    out = MatrixTranspose.apply(x)
    out._vc = x._shared_version()
    return out


class MatMul(Function):
    display_name = "@"
    formula = "d(A@B)/dA = G @ B^T, d(A@B)/dB = A^T @ G"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.asarray(np.matmul(a, b))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        # Put back the dimensions that 1-D operands dropped: A is (..., n, k), B (..., k, m).
        rows = a if a.ndim > 1 else unreduce(a, (0,), False, (1, a.shape[0]))
        cols = b if b.ndim > 1 else unreduce(b, (1,), False, (b.shape[0], 1))
        batch = np.broadcast_shapes(rows.shape[:-2], cols.shape[:-2])
        full = batch + (rows.shape[-2], cols.shape[-1])
        dropped = ((len(full) - 2,) if a.ndim == 1 else ()) + (
            (len(full) - 1,) if b.ndim == 1 else ())
        g = unreduce(grad, dropped, False, full)
        da = db = None
        if ctx.needs_input_grad[0]:
            da = unbroadcast(MatMul.apply(g, matrix_transpose(cols)), a.shape)
        if ctx.needs_input_grad[1]:
            db = MatMul.apply(matrix_transpose(rows), g)
            if b.ndim == 1:
                db = Sum.apply(db, (db.ndim - 1,), False)  # drop the size-1 column
            db = unbroadcast(db, b.shape)
        return da, db


def _operands(op: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors, as given (bool is refused): the shape checks see and name
    the caller's dtypes, and `_product` promotes them afterwards."""
    a, b = (x if isinstance(x, Tensor) else Tensor(as_operand(x, op)) for x in (a, b))
    if a.dtype == dtypes.bool_ or b.dtype == dtypes.bool_:
        raise TypeError(
            f"{op}: bool tensors cannot be multiplied as matrices (got {a.dtype} and "
            f"{b.dtype}); convert them first with .float() or .long()"
        )
    return a, b


def _product(a: Tensor, b: Tensor) -> Tensor:
    """The checked operands' matrix product, in their common dtype (PyTorch's promotion)."""
    target = dtypes.result_type(a, b)
    return MatMul.apply(cast(a, target), cast(b, target))


def _check_matmul(op: str, a: Tensor, b: Tensor) -> None:
    """numpy's matmul shape rules, with errors that name both shapes and the mismatch."""
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"{op}: both operands need at least 1 dimension, got shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}; to multiply by a scalar use *"
        )
    k_a = a.shape[-1]
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        which = "second-to-last" if b.ndim > 1 else "only"
        raise ValueError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} ({a.dtype} and {b.dtype}) "
            f"cannot be multiplied: the last dimension of the first ({k_a}) must equal the "
            f"{which} dimension of the second ({k_b})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} ({a.dtype} and {b.dtype}) "
            f"cannot be multiplied: their batch dimensions {tuple(a.shape[:-2])} and "
            f"{tuple(b.shape[:-2])} do not broadcast (aligned from the right, each pair must "
            "be equal or one of them 1)"
        ) from None


def matmul(a: Any, b: Any) -> Tensor:
    """The matrix product ``a @ b`` with numpy's rules for 1-D and batched operands."""
    a, b = _operands("matmul", a, b)
    _check_matmul("matmul", a, b)
    return _product(a, b)


def _require_ndim(op: str, a: Tensor, b: Tensor, want: tuple[int, int], hint: str) -> None:
    if (a.ndim, b.ndim) != want:
        raise ValueError(
            f"{op}: expected {want[0]}-D and {want[1]}-D tensors, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}; {hint}"
        )


def mm(a: Any, b: Any) -> Tensor:
    """Matrix times matrix: ``(n, k) @ (k, m) -> (n, m)``, no broadcasting."""
    a, b = _operands("mm", a, b)
    _require_ndim("mm", a, b, (2, 2), "use matmul for vectors or batches")
    _check_matmul("mm", a, b)
    return _product(a, b)


def bmm(a: Any, b: Any) -> Tensor:
    """Batch of matrix products: ``(B, n, k) @ (B, k, m) -> (B, n, m)``, no broadcasting."""
    a, b = _operands("bmm", a, b)
    _require_ndim("bmm", a, b, (3, 3), "use matmul to broadcast batch dimensions")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"bmm: the batch sizes differ: shapes {tuple(a.shape)} and {tuple(b.shape)} "
            f"({a.shape[0]} != {b.shape[0]}); use matmul to broadcast a batch of 1"
        )
    _check_matmul("bmm", a, b)
    return _product(a, b)


def dot(a: Any, b: Any) -> Tensor:
    """Inner product of two 1-D tensors of the same length (a 0-d tensor)."""
    a, b = _operands("dot", a, b)
    _require_ndim("dot", a, b, (1, 1), "use matmul or (a * b).sum(dim) for other shapes")
    _check_matmul("dot", a, b)
    return _product(a, b)


def mv(a: Any, b: Any) -> Tensor:
    """Matrix times vector: ``(n, k) @ (k,) -> (n,)``."""
    a, b = _operands("mv", a, b)
    _require_ndim("mv", a, b, (2, 1), "use matmul for other shapes")
    _check_matmul("mv", a, b)
    return _product(a, b)


def outer(a: Any, b: Any) -> Tensor:
    """Outer product of two 1-D tensors: ``out[i, j] = a[i] * b[j]``."""
    a, b = (x if isinstance(x, Tensor) else Tensor(as_operand(x, "outer")) for x in (a, b))
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(
            f"outer: expected two 1-D tensors, got shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}; flatten them first"
        )
    column = unreduce(a, (1,), False, (a.shape[0], 1))
    return mul(column, b)


METHODS = {
    "matmul": matmul, "__matmul__": matmul, "__rmatmul__": lambda a, b: matmul(b, a),
    "mm": mm, "bmm": bmm, "dot": dot, "mv": mv, "outer": outer,
}
FUNCTIONS = {"matmul": matmul, "mm": mm, "bmm": bmm, "dot": dot, "mv": mv, "outer": outer}
