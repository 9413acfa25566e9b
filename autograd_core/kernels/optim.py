"""Fused optimizer updates: one pass over a parameter per step, beside numpy references.

Each kernel updates ``param`` and its state arrays in place and returns None. The numpy
reference is the contract: it mirrors the operation order of PyTorch's single-tensor
(``foreach=False``) implementation, so float64 trajectories agree with ``torch.optim`` to
rounding. The Numba loop does the same arithmetic element by element in one pass, where
PyTorch (and the reference) make about ten passes over memory, each with a temporary.

- ``sgd_update``: SGD with weight decay, PyTorch's momentum (``buf = mu * buf + (1 -
  dampening) * g``, ``buf = g`` on the first step) and Nesterov; ``momentum=0`` needs no buffer.
- ``sgd_sutskever_update``: Sutskever's momentum form, ``v = mu * v - lr * (1 - mu) * g``,
  ``p = p + v`` (Nesterov: ``p = p + mu * v - lr * (1 - mu) * g``).
- ``adam_update``: Adam, AdamW (``decoupled_weight_decay``) and AMSGrad (``amsgrad``) with
  PyTorch's bias correction: ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.

Scalars that depend only on the step (bias corrections, ``1 - lr * weight_decay``) are
computed once in Python, the same way for both versions, and reach the loop as a small
array of the parameter's dtype (``hp``). So a float32 parameter is updated in float32
arithmetic, as PyTorch does and as numpy does for the reference (a Python float meeting a
float32 array is cast to float32 first): the loop rounds exactly where the reference does,
and runs about a third faster than with float64 intermediates. Arrays the loop cannot
update in place (not C-contiguous, read-only, mixed dtypes) go to the reference.

The loops divide with ``np.divide`` and take roots with ``np.sqrt`` rather than ``/`` and
``math.sqrt``: under Numba's default (Python) error model ``/`` checks every divisor for
zero, which raises ZeroDivisionError where PyTorch gives inf or nan (Adam with ``eps=0``
and a zero gradient) and keeps the loop from vectorizing (about 4x slower).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from ._spec import FLOATS, KernelSpec

# -- numpy references (PyTorch's single-tensor order of operations) -------------------------


def _quiet(reference: Callable) -> Callable:
    """inf and nan are answers here, as in PyTorch (and in the Numba loops): no warnings."""

    @functools.wraps(reference)
    def run(*args: object) -> None:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return reference(*args)

    return run


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start`` moved ``weight`` of the way to ``end``, in place, as torch's ``lerp_``
    computes it (ATen's two branches: from ``start`` for small weights, else from ``end``)."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


@_quiet
def sgd_update(param: np.ndarray, grad: np.ndarray, momentum_buffer: np.ndarray | None,
               first: bool, lr: float, momentum: float, dampening: float,
               weight_decay: float, nesterov: bool, maximize: bool) -> None:
    """One SGD step on ``param`` in place; ``first`` starts the momentum buffer at ``g``."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    if momentum != 0:
        if first:
            momentum_buffer[...] = g
        else:
            momentum_buffer *= momentum
            momentum_buffer += (1 - dampening) * g
        g = g + momentum * momentum_buffer if nesterov else momentum_buffer
    param += -lr * g


@_quiet
def sgd_sutskever_update(param: np.ndarray, grad: np.ndarray, velocity: np.ndarray,
                         lr: float, momentum: float, weight_decay: float, nesterov: bool,
                         maximize: bool) -> None:
    """One step of Sutskever's momentum, in place: ``v = mu v - lr (1 - mu) g``, ``p += v``."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    scale = lr * (1 - momentum)
    velocity *= momentum
    velocity -= scale * g
    if nesterov:
        param += momentum * velocity - scale * g
    else:
        param += velocity


@_quiet
def adam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
                exp_avg_sq: np.ndarray, max_exp_avg_sq: np.ndarray | None, step: float,
                lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
                amsgrad: bool, maximize: bool, decoupled_weight_decay: bool) -> None:
    """One Adam / AdamW / AMSGrad step on ``param`` in place; ``step`` counts from 1."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * g * g
    step_size, bias_correction2_sqrt = _adam_scalars(step, lr, beta1, beta2)
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = max_exp_avg_sq
    else:
        second = exp_avg_sq
    denom = np.sqrt(second) / bias_correction2_sqrt + eps
    param += -step_size * exp_avg / denom


def _adam_scalars(step: float, lr: float, beta1: float, beta2: float) -> tuple[float, float]:
    """``lr / (1 - beta1^t)`` and ``sqrt(1 - beta2^t)``, computed as torch does (Python floats)."""
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    return lr / bias_correction1, bias_correction2**0.5


# -- Numba loops over flat C-contiguous arrays ----------------------------------------------
# ``hp`` holds the scalars in the arrays' dtype; no float literal meets an element (a
# float64 literal would promote float32 arithmetic to float64). Whether a term applies
# (momentum, weight decay) comes as a flag decided on the Python float, as the reference
# decides it: a tiny weight decay that rounds to 0 in float32 must still multiply p.

def _sgd_loop(param, grad, buf, hp, use_momentum, use_decay, nesterov, maximize, first):
    neg_lr, momentum, one_minus_dampening, weight_decay = hp[0], hp[1], hp[2], hp[3]
    for i in range(param.size):
        g = grad[i]
        if maximize:
            g = -g
        if use_decay:
            g = g + weight_decay * param[i]
        if use_momentum:
            if first:
                buf[i] = g
            else:
                buf[i] = buf[i] * momentum + one_minus_dampening * g
            if nesterov:
                g = g + momentum * buf[i]
            else:
                g = buf[i]
        param[i] = param[i] + neg_lr * g


def _sgd_sutskever_loop(param, grad, velocity, hp, use_decay, nesterov, maximize):
    momentum, scale, weight_decay = hp[0], hp[1], hp[2]
    for i in range(param.size):
        g = grad[i]
        if maximize:
            g = -g
        if use_decay:
            g = g + weight_decay * param[i]
        velocity[i] = velocity[i] * momentum - scale * g
        if nesterov:
            param[i] = param[i] + (momentum * velocity[i] - scale * g)
        else:
            param[i] = param[i] + velocity[i]


def _adam_loop(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, hp, small_weight, amsgrad,
               maximize, decoupled, l2):
    decay, weight_decay, weight1, one_minus_weight1 = hp[0], hp[1], hp[2], hp[3]
    beta2, one_minus_beta2, neg_step_size, bias_correction2_sqrt, eps = (
        hp[4], hp[5], hp[6], hp[7], hp[8])
    for i in range(param.size):
        g = grad[i]
        if maximize:
            g = -g
        p = param[i]
        if decoupled:
            p = p * decay
        elif l2:
            g = g + weight_decay * p
        m = exp_avg[i]
        if small_weight:
            m = m + weight1 * (g - m)
        else:
            m = g - (g - m) * one_minus_weight1
        exp_avg[i] = m
        v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g
        exp_avg_sq[i] = v
        if amsgrad:
            if v > max_exp_avg_sq[i] or v != v:  # torch.maximum: nan wins
                max_exp_avg_sq[i] = v
            v = max_exp_avg_sq[i]
        denom = np.divide(np.sqrt(v), bias_correction2_sqrt) + eps
        param[i] = p + np.divide(neg_step_size * m, denom)


# -- wrappers: the references' signatures over the loops ------------------------------------

def _fits(param: np.ndarray, grad: np.ndarray, *states: np.ndarray) -> bool:
    """Whether the loop can update these arrays in place (else the reference does)."""
    dtype, shape = param.dtype, param.shape
    if dtype not in FLOATS or grad.dtype != dtype or grad.shape != shape:
        return False
    flags = param.flags
    if not (flags.c_contiguous and flags.writeable):
        return False
    for a in states:  # (a loop, not all(...): this runs per parameter per step)
        flags = a.flags
        if a.dtype != dtype or a.shape != shape or not (flags.c_contiguous and flags.writeable):
            return False
    return True


_NO_BUFFER = {np.dtype(t): np.empty(0, t) for t in (np.float32, np.float64)}  # momentum off


def _flat(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).reshape(-1)


def _wrap_sgd(compiled: Callable, reference: Callable) -> Callable:
    hps: dict[tuple, np.ndarray] = {}  # the last few hyperparameter arrays, reused

    def run(param, grad, momentum_buffer, first, lr, momentum, dampening, weight_decay,
            nesterov, maximize):
        states = (momentum_buffer,) if momentum != 0 else ()
        if not _fits(param, grad, *states):
            return reference(param, grad, momentum_buffer, first, lr, momentum, dampening,
                             weight_decay, nesterov, maximize)
        buf = momentum_buffer.reshape(-1) if momentum != 0 else _NO_BUFFER[param.dtype]
        key = (param.dtype, lr, momentum, dampening, weight_decay)
        hp = hps.get(key)
        if hp is None:
            if len(hps) > 16:  # a schedule changes lr every step: keep only recent ones
                hps.clear()
            hp = hps[key] = np.array([-lr, momentum, 1 - dampening, weight_decay], param.dtype)
        compiled(param.reshape(-1), _flat(grad), buf, hp, momentum != 0, weight_decay != 0,
                 bool(nesterov), bool(maximize), bool(first))
        return None

    return functools.update_wrapper(run, reference)


def _wrap_sgd_sutskever(compiled: Callable, reference: Callable) -> Callable:
    def run(param, grad, velocity, lr, momentum, weight_decay, nesterov, maximize):
        if not _fits(param, grad, velocity):
            return reference(param, grad, velocity, lr, momentum, weight_decay, nesterov,
                             maximize)
        hp = np.array([momentum, lr * (1 - momentum), weight_decay], param.dtype)
        compiled(param.reshape(-1), _flat(grad), velocity.reshape(-1), hp, weight_decay != 0,
                 bool(nesterov), bool(maximize))
        return None

    return functools.update_wrapper(run, reference)


def _wrap_adam(compiled: Callable, reference: Callable) -> Callable:
    def run(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1, beta2, eps,
            weight_decay, amsgrad, maximize, decoupled_weight_decay):
        states = (exp_avg, exp_avg_sq, *((max_exp_avg_sq,) if amsgrad else ()))
        if not _fits(param, grad, *states):
            return reference(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr,
                             beta1, beta2, eps, weight_decay, amsgrad, maximize,
                             decoupled_weight_decay)
        step_size, bias_correction2_sqrt = _adam_scalars(step, lr, beta1, beta2)
        weight1 = 1 - beta1
        hp = np.array([1 - lr * weight_decay, weight_decay, weight1, 1 - weight1, beta2,
                       1 - beta2, -step_size, bias_correction2_sqrt, eps], param.dtype)
        maxed = max_exp_avg_sq.reshape(-1) if amsgrad else np.empty(0, param.dtype)
        decoupled = bool(decoupled_weight_decay)
        compiled(param.reshape(-1), _flat(grad), exp_avg.reshape(-1), exp_avg_sq.reshape(-1),
                 maxed, hp, abs(weight1) < 0.5, bool(amsgrad), bool(maximize),
                 decoupled and weight_decay != 0, not decoupled and weight_decay != 0)
        return None

    return functools.update_wrapper(run, reference)


KERNELS: dict[str, KernelSpec] = {
    "sgd_update": KernelSpec(sgd_update, _sgd_loop, "o1 i1 o1 i1 b b b b b", _wrap_sgd),
    "sgd_sutskever_update": KernelSpec(sgd_sutskever_update, _sgd_sutskever_loop,
                                       "o1 i1 o1 i1 b b b", _wrap_sgd_sutskever),
    "adam_update": KernelSpec(adam_update, _adam_loop, "o1 i1 o1 o1 o1 i1 b b b b b",
                              _wrap_adam),
}
