"""Gradient clipping, parameters as one vector, and weight penalties.

``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``, ``clip_grads_with_norm_``,
``parameters_to_vector`` and ``vector_to_parameters`` follow ``torch.nn.utils``.
``l1_penalty`` and ``l2_penalty`` (no PyTorch twin) give the regularization term
``R(W)`` of a model as a differentiable Tensor to add to the loss::

    loss = criterion(model(x), y) + 1e-4 * nn.utils.l2_penalty(model)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd_core import Tensor, no_grad
from autograd_core.ops.movement import cat

from .module import Module, Parameter

__all__ = [
    "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
    "parameters_to_vector", "vector_to_parameters", "l1_penalty", "l2_penalty",
    "penalized_parameters",
]


def _tensors(parameters: Tensor | Iterable[Tensor], op: str) -> list[Tensor]:
    """A single Tensor or an iterable of them (a generator is consumed once), as a list."""
    if isinstance(parameters, Tensor):
        return [parameters]
    if isinstance(parameters, Module):
        raise TypeError(f"{op}: pass model.parameters(), not the model itself")
    tensors = list(parameters)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__} at position {i}")
    return tensors


def _vector_norm(a: np.ndarray, p: float) -> np.ndarray:
    """PyTorch's ``vector_norm`` of all of ``a``: max |a| for inf, the count of non-zeros
    for p = 0, ``sum(|a|**p)**(1/p)`` otherwise."""
    flat = np.abs(a.reshape(-1))
    if p == math.inf:
        return flat.max(initial=0)
    if p == -math.inf:
        return flat.min(initial=math.inf).astype(a.dtype)
    if p == 0:
        return np.asarray(np.count_nonzero(flat), dtype=a.dtype)
    if p == 1:
        return flat.sum()
    if p == 2:
        return np.sqrt(np.dot(flat, flat))
    return np.sum(flat ** p) ** (1.0 / p)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float | str = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type`` norm of all ``tensors`` together, as if concatenated into one
    vector (computed as the norm of their norms, as PyTorch does); a 0-d Tensor."""
    tensors = _tensors(tensors, "get_total_norm")
    p = float(norm_type)
    if not tensors:
        return Tensor(0.0)
    norms = [_vector_norm(t._data, p) for t in tensors]
    dtype = np.result_type(*[n.dtype for n in norms])
    total = np.asarray(_vector_norm(np.array(norms, dtype=dtype), p), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so "
            "it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(total)


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scale every ``.grad`` by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    grads = [p.grad for p in _tensors(parameters, "clip_grads_with_norm_")
             if p.grad is not None]
    if not grads:
        return
    norm = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coef = np.minimum(float(max_norm) / (norm + 1e-6), 1.0)
    with no_grad():
        for g in grads:
            g.mul_(Tensor._make(np.asarray(coef, dtype=g.dtype)))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float | str = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Rescale the gradients so that their total norm is at most ``max_norm``; in place.

    The total norm is taken over all gradients together (as if concatenated); every
    gradient is multiplied by ``min(1, max_norm / (total_norm + 1e-6))``, PyTorch's clip
    coefficient. Returns the total norm before clipping, a 0-d Tensor. A non-finite total
    norm raises if ``error_if_nonfinite``. ``foreach`` is accepted and ignored.
    """
    params = _tensors(parameters, "clip_grad_norm_")
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient to ``[-clip_value, clip_value]``, in place."""
    value = float(clip_value)
    with no_grad():
        for p in _tensors(parameters, "clip_grad_value_"):
            if p.grad is not None:
                p.grad.clamp_(-value, value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one vector (differentiable)."""
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy slices of the vector ``vec`` into the parameters' data, in order (the inverse of
    ``parameters_to_vector``). As in PyTorch, each parameter then views ``vec``'s memory.

    Unlike PyTorch, each parameter's version counter is bumped, so a graph that saved the
    old values raises at backward instead of silently using the new ones."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got "
                        f"{type(vec).__name__}")
    params = _tensors(parameters, "vector_to_parameters")
    needed = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != needed:
        raise ValueError(
            f"vector_to_parameters: vec must be a vector of {needed} elements (the "
            f"parameters' total size), got shape {tuple(vec.shape)}"
        )
    data = vec._data
    start = 0
    for p in params:
        n = p.numel()
        p.data = data[start:start + n].reshape(p.shape)
        p._bump_version()
        start += n


# -- weight penalties ---------------------------------------------------------------------


def _is_normalization(module: Module) -> bool:
    return "Norm" in type(module).__name__


def _is_bias(name: str) -> bool:
    return name.endswith("bias") or name.startswith("bias_")


def penalized_parameters(module: Module) -> Iterator[tuple[str, Parameter]]:
    """The ``(name, parameter)`` pairs that weight penalties cover: every parameter except

    - biases: a parameter whose own name ends in ``bias`` (``bias``, ``in_proj_bias``) or
      starts with ``bias_`` (the recurrent layers' ``bias_ih_l0``, ``bias_hh_l0``);
    - the parameters of normalization layers, recognized by ``"Norm"`` in the class name
      (``BatchNorm1d``, ``LayerNorm``, ``GroupNorm``, ``InstanceNorm2d``, ``RMSNorm``).

    A parameter shared between modules appears once.
    """
    if not isinstance(module, Module):
        raise TypeError(f"weight penalties take a Module, got {type(module).__name__}")
    seen: set[int] = set()
    for prefix, sub in module.named_modules():
        if _is_normalization(sub):
            continue
        for name, p in sub.named_parameters(prefix=prefix, recurse=False):
            if id(p) in seen or _is_bias(name.rsplit(".", 1)[-1]):
                continue
            seen.add(id(p))
            yield name, p


def _penalty(module: Module, term: Any) -> Tensor:
    terms = [term(p).sum() for _, p in penalized_parameters(module)]
    if not terms:
        return Tensor(0.0)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def l1_penalty(module: Module) -> Tensor:
    """``sum |w|`` over the module's weights (not biases, not normalization parameters;
    see `penalized_parameters`): a 0-d Tensor to add to the loss, for sparse weights."""
    return _penalty(module, lambda p: p.abs())


def l2_penalty(module: Module) -> Tensor:
    """``sum w**2`` over the module's weights (not biases, not normalization parameters;
    see `penalized_parameters`): a 0-d Tensor to add to the loss (weight decay). It is the
    plain sum of squares, without a factor 1/2: its gradient is ``2 w``."""
    return _penalty(module, lambda p: p * p)
