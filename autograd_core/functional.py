"""Whole Jacobians and Hessians, built from vector-Jacobian products.

``jacobian(fn, x)`` runs one backward pass per output element; ``hessian(fn, x)`` is the
Jacobian of the gradient, taken with ``create_graph=True``. Both are for small problems:
checking second-order code, Newton steps on a few parameters, and teaching.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .autograd import grad
from .tensor import Tensor


def jacobian(fn: Callable[[Tensor], Tensor], x: Tensor, create_graph: bool = False) -> Tensor:
    """d fn(x) / d x, of shape ``fn(x).shape + x.shape``."""
    if not x.requires_grad:
        x = x.detach().requires_grad_()
    out = fn(x)
    rows = []
    for k in range(out.numel()):
        seed = np.zeros(out.shape, dtype=out.dtype)
        seed.reshape(-1)[k] = 1.0
        (g,) = grad(out, x, Tensor._make(seed), retain_graph=True, create_graph=create_graph,
                    allow_unused=True)
        rows.append(np.zeros(x.shape, dtype=x.dtype) if g is None else g._data)
    return Tensor._make(np.stack(rows).reshape(out.shape + x.shape))


def hessian(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """d^2 fn(x) / dx^2 for a scalar ``fn``, of shape ``x.shape + x.shape``."""
    if not x.requires_grad:
        x = x.detach().requires_grad_()

    def gradient(z: Tensor) -> Tensor:
        out = fn(z)
        if out.numel() != 1:
            raise ValueError(
                f"hessian: fn must return a single number, got shape {tuple(out.shape)}"
            )
        (g,) = grad(out, z, create_graph=True)
        return g

    return jacobian(gradient, x)
