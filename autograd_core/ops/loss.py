"""Fused losses: cross-entropy on class indices, NLL, and binary cross-entropy.

Each is one Function with a closed-form backward instead of a chain of small ops:

- ``CrossEntropy``: log-softmax and negative log-likelihood in one pass, with class
  weights, ``ignore_index`` and label smoothing. With smoothing ``e`` over ``C`` classes and
  class weights ``w`` (all 1 without weights), the loss of one sample with target ``t`` is
  ``-(1-e) w[t] log p[t] - e/C sum_c w[c] log p[c]`` and its gradient with respect to the
  logits is ``a p - b`` with ``a = (1-e) w[t] + e/C sum(w)`` and
  ``b = (1-e) w[t] onehot(t) + e/C w``: plain ``softmax - onehot`` when ``e = 0``, ``w = 1``.
- ``NLL``: picks ``-w[t] x[t]``; its gradient is a constant (``-w[t]`` at the target).
- ``BinaryCrossEntropy`` on probabilities, with PyTorch's clamp of each log at -100.
- ``BinaryCrossEntropyWithLogits``: ``(1-y) x + (1 + (pw-1) y) softplus(-x)``, stable for
  any ``x`` (softplus through ``logaddexp``).

The mean over class-index targets is PyTorch's weighted mean: the sum of the losses divided
by the sum of the target weights ``w[t]`` over the targets that are not ignored (the number
of such targets without weights); if every target is ignored it is 0/0 = nan, as in
PyTorch. Class weights and ``pos_weight`` are constants: as in PyTorch, passing ones that
require grad raises.

The cross-entropy and NLL backwards compute with numpy on a plain first-order pass and with
Tensor ops when a graph of the gradient is being built (``create_graph=True``), so second
order works; the binary losses' backwards are Tensor ops always (they are elementwise).
The public functions here validate their arguments; ``nn.functional`` builds the PyTorch
API (probability targets, the other losses, legacy arguments) on top of them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._util import broadcast_shapes, unbroadcast
from .softmax import forward_kernel

REDUCTIONS = ("mean", "sum", "none")
_BCE_EPSILON = float(np.float32(1e-12))  # PyTorch's clamp of x (1 - x): 1e-12 as a float32


# -- class-index targets: which entry each target picks, and with what weight --------------


def _picks(x: np.ndarray, target: np.ndarray, weight: np.ndarray | None,
           ignore_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``x`` (N, C, d...) and ``target`` (N, d...): the position of each target's entry
    in ``x`` flattened (C-contiguous; ignored targets point at class 0), the mask of
    targets that count, and each target's weight ``w[t]`` (0 where ignored), in x's dtype.

    Target ``k`` of the flattened (N, D) targets, ``k = n D + d``, picks ``x[n, t, d]`` at
    ``n C D + t D + d = k + (k // D) (C - 1) D + t D``.
    """
    valid = target != ignore_index
    safe = target if valid.all() else np.where(valid, target, 0)
    c = x.shape[1]
    inner = math.prod(x.shape[2:])  # D: the size of the dims after C (1 for (N, C))
    k = np.arange(safe.size)
    if inner == 1:
        index = k * c + safe.reshape(-1)
    else:
        index = k + (k // inner) * ((c - 1) * inner) + safe.reshape(-1) * inner
    if weight is None:
        w_t = valid.astype(x.dtype)
    else:
        w_t = np.where(valid, weight[safe], 0).astype(x.dtype, copy=False)
    return index, valid, w_t


def _class_axis(weight: np.ndarray, ndim: int) -> np.ndarray:
    """Class weights (C,) shaped (1, C, 1, ...) to broadcast against an (N, C, d...) input."""
    return weight.reshape((1, -1) + (1,) * (ndim - 2))


def _reduce(per: np.ndarray, reduction: str, denominator: float) -> np.ndarray:
    if reduction == "none":
        return per
    total = per.sum()
    if reduction == "sum":
        return np.asarray(total)
    if denominator >= 1:  # (nothing to warn about: no 0/0, no overflow)
        return np.asarray(total / per.dtype.type(denominator))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray(total / per.dtype.type(denominator))


def _scale(ctx: Context, grad: Tensor) -> tuple[np.ndarray, Tensor]:
    """What the incoming gradient multiplies: per target, 1/denominator for the mean (0 where
    ignored), and the gradient shaped to broadcast against the (N, C, d...) input."""
    valid = ctx.valid
    if ctx.reduction == "mean":
        with np.errstate(divide="ignore"):
            inverse = np.float64(1.0) / ctx.denominator  # inf if every target is ignored
        scale = np.where(valid, inverse, 0).astype(ctx.dtype)
    else:
        scale = valid.astype(ctx.dtype)
    g = grad.unsqueeze(1) if ctx.reduction == "none" else grad
    return scale, g


class CrossEntropy(Function):
    """log-softmax over dim 1, then the (smoothed, weighted) negative log-likelihood."""

    display_name = "cross_entropy"
    formula = ("d CE/dx = a * softmax(x) - b; without weights or smoothing: "
               "softmax(x) - onehot(target)")

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, target: np.ndarray, weight: np.ndarray | None,
                ignore_index: int, smoothing: float, reduction: str) -> np.ndarray:
        logp = forward_kernel("log_softmax_forward", x, 1)(x, 1)
        if weight is None and not smoothing and x.ndim == 2 and reduction != "none" and (
                not (target == ignore_index).any()):
            return _plain_forward(ctx, x, target, logp, reduction)
        ctx.plain = False
        index, valid, w_t = _picks(x, target, weight, ignore_index)
        with np.errstate(invalid="ignore"):
            per = np.where(valid, -w_t * logp.reshape(-1)[index].reshape(valid.shape), 0)
            if smoothing:
                c = x.shape[1]
                weighted = logp if weight is None else logp * _class_axis(weight, x.ndim)
                smooth = np.where(valid, -weighted.sum(1), 0)
                per = (1 - smoothing) * per + (smoothing / c) * smooth
        per = per.astype(x.dtype, copy=False)
        denominator = float(w_t.sum(dtype=np.float64))
        ctx.save_for_backward(x, logp)
        ctx.index, ctx.valid, ctx.w_t, ctx.weight = index, valid, w_t, weight
        ctx.smoothing, ctx.reduction, ctx.denominator, ctx.dtype = (
            smoothing, reduction, denominator, x.dtype)
        return _reduce(per, reduction, denominator)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None, None, None]:
        x, logp = ctx.saved_tensors
        if ctx.plain and not is_grad_enabled():
            out = np.exp(logp._data)
            out.reshape(-1)[ctx.index] -= 1
            out *= grad._data * ctx.dtype.type(ctx.scale)
            return Tensor._make(out), None, None, None, None, None
        if ctx.plain:  # the general path's view of the plain case: every target counts once
            n = x.shape[0]
            ctx.valid, ctx.w_t = np.ones(n, bool), np.ones(n, ctx.dtype)
        scale, g = _scale(ctx, grad)
        e, c, w = ctx.smoothing, x.shape[1], ctx.weight
        total_w = float(c) if w is None else float(w.sum(dtype=np.float64))
        a = ((1 - e) * ctx.w_t + (e / c * total_w) * ctx.valid).astype(ctx.dtype) * scale
        at_target = (1 - e) * ctx.w_t * scale  # b at each target's class
        spread = None  # b's smoothing part: e/C * w[c] for every class
        if e:
            w_c = np.ones(c, ctx.dtype) if w is None else w
            spread = (e / c) * _class_axis(w_c, x.ndim) * scale[:, None]
        if is_grad_enabled():  # create_graph: the gradient as a graph of x and grad
            b = np.zeros(x.shape, ctx.dtype) if spread is None else np.array(
                np.broadcast_to(spread, x.shape), dtype=ctx.dtype)
            b.reshape(-1)[ctx.index] += at_target.reshape(-1)
            unit = x.softmax(1) * Tensor._make(a[:, None]) - Tensor._make(b)
            return unit * g, None, None, None, None, None
        out = np.exp(logp._data)
        out *= a[:, None]
        out.reshape(-1)[ctx.index] -= at_target.reshape(-1)
        if spread is not None:
            out -= spread
        out *= g._data
        return Tensor._make(out.astype(ctx.dtype, copy=False)), None, None, None, None, None


def _plain_forward(ctx: Context, x: np.ndarray, target: np.ndarray, logp: np.ndarray,
                   reduction: str) -> np.ndarray:
    """Cross-entropy of (N, C) scores in the usual case: no class weights, no smoothing,
    every target counted. Saves what both backwards read (the general one builds the
    gradient's graph under ``create_graph``)."""
    n, c = x.shape
    index = np.arange(n) * c + target
    ctx.save_for_backward(x, logp)
    ctx.plain, ctx.index, ctx.weight, ctx.smoothing = True, index, None, 0.0
    ctx.reduction, ctx.denominator, ctx.dtype = reduction, float(n), x.dtype
    ctx.scale = 1.0 / n if reduction == "mean" else 1.0
    return _reduce(-logp.reshape(-1)[index], reduction, float(n))


class NLL(Function):
    """``-w[t] x[t]`` per target: the negative log-likelihood of log-probabilities ``x``."""

    display_name = "nll_loss"
    formula = "d NLL/dx = -w[target] at the target class, 0 elsewhere"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, target: np.ndarray, weight: np.ndarray | None,
                ignore_index: int, reduction: str) -> np.ndarray:
        index, valid, w_t = _picks(x, target, weight, ignore_index)
        with np.errstate(invalid="ignore"):
            picked = np.ascontiguousarray(x).reshape(-1)[index].reshape(valid.shape)
            per = np.where(valid, -w_t * picked, 0)
        per = per.astype(x.dtype, copy=False)
        denominator = float(w_t.sum(dtype=np.float64))
        ctx.index, ctx.valid, ctx.w_t, ctx.shape = index, valid, w_t, x.shape
        ctx.reduction, ctx.denominator, ctx.dtype = reduction, denominator, x.dtype
        return _reduce(per, reduction, denominator)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        scale, g = _scale(ctx, grad)
        coef = np.zeros(ctx.shape, ctx.dtype)
        coef.reshape(-1)[ctx.index] = (-ctx.w_t * scale).reshape(-1)
        if is_grad_enabled():
            return Tensor._make(coef) * g, None, None, None, None
        return Tensor._make(coef * g._data), None, None, None, None


class BinaryCrossEntropy(Function):
    """``-w (y log x + (1-y) log(1-x))`` elementwise, each log clamped at -100."""

    display_name = "binary_cross_entropy"
    formula = ("d BCE/dx = w (x - y) / max(x (1 - x), 1e-12), "
               "d BCE/dy = w (log(1 - x) - log(x))")

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray,
                weight: np.ndarray | None) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        loss = (y - 1) * log_1mx - y * log_x
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight)
        return np.asarray(loss, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        x, y, weight = ctx.saved_tensors
        if weight is not None:
            grad = grad * weight
        dx = dy = None
        if ctx.needs_input_grad[0]:
            dx = grad * (x - y) / (x * (1 - x)).clamp_min(_BCE_EPSILON)
        if ctx.needs_input_grad[1]:
            dy = grad * ((1 - x).log() - x.log())
        return dx, dy, None


class BinaryCrossEntropyWithLogits(Function):
    """``w ((1-y) x + (1 + (pw-1) y) softplus(-x))`` elementwise: BCE of ``sigmoid(x)``."""

    display_name = "binary_cross_entropy_with_logits"
    formula = ("d/dx = w ((1 - y) - l sigmoid(-x)), d/dy = w (-x + (pw - 1) softplus(-x)), "
               "l = 1 + (pw - 1) y")

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray, weight: np.ndarray | None,
                pos_weight: np.ndarray | None) -> np.ndarray:
        softplus = np.logaddexp(0, -x)  # log(1 + exp(-x)), without overflow
        if pos_weight is None:
            loss = (1 - y) * x + softplus
        else:
            loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight, pos_weight)
        return np.asarray(loss, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        x, y, weight, pos_weight = ctx.saved_tensors
        if weight is not None:
            grad = grad * weight
        dx = dy = None
        if ctx.needs_input_grad[0]:
            if pos_weight is None:
                dx = grad * ((1 - y) - (-x).sigmoid())
            else:
                dx = grad * ((1 - y) - ((pos_weight - 1) * y + 1) * (-x).sigmoid())
        if ctx.needs_input_grad[1]:
            if pos_weight is None:
                dy = grad * -x
            else:  # softplus(-x) is this loss at y = 1: a graph, so second order works
                one = Tensor._make(np.ones((), x.dtype))
                softplus = BinaryCrossEntropyWithLogits.apply(x, one, None, None)
                dy = grad * ((pos_weight - 1) * softplus - x)
            dy = unbroadcast(dy, y.shape)
        return dx, dy, None, None


# -- argument checks ----------------------------------------------------------------------


def check_reduction(op: str, reduction: Any, allowed: tuple[str, ...] = REDUCTIONS) -> str:
    if reduction not in allowed:
        shown = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction; use one of "
                         f"{shown}")
    return reduction


def as_tensor(x: Any, op: str, what: str) -> Tensor:
    """A Tensor from a Tensor, a numpy array or a (nested) list."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, list, tuple, int, float)):
        return Tensor(x)
    raise TypeError(f"{op}: {what} must be a Tensor, got {type(x).__name__}")


def float_input(x: Any, op: str) -> Tensor:
    x = as_tensor(x, op, "input")
    if x.dtype.kind != "f":
        raise TypeError(
            f"{op}: input must be a float tensor (scores or probabilities), got {x.dtype} of "
            f"shape {tuple(x.shape)}; convert it with input.float()"
        )
    return x


def constant(x: Any, op: str, what: str, dtype: np.dtype) -> np.ndarray | None:
    """A weight the loss does not differentiate (class weights, pos_weight), as an array."""
    if x is None:
        return None
    x = as_tensor(x, op, what)
    if x._requires_grad and is_grad_enabled():
        raise RuntimeError(
            f"{op}: the loss is not differentiable with respect to {what} (as in PyTorch), "
            f"but the {what} tensor requires grad; pass {what}.detach()"
        )
    return np.asarray(x._data, dtype=dtype)


def class_targets(op: str, x: Tensor, target: Any, ignore_index: int) -> np.ndarray:
    """Check class-index ``target`` against input ``x`` (C,) or (N, C, d...) and return it."""
    target = as_tensor(target, op, "target")
    t = target._data
    if t.dtype.kind not in "iu":
        fix = ("long()" if t.dtype.kind == "b" or t.shape == _target_shape(x.shape)
               else "argmax(1) if it holds one-hot rows")
        raise TypeError(
            f"{op}: class-index targets must be integers (int64), got {t.dtype} of shape "
            f"{tuple(t.shape)} with input of shape {tuple(x.shape)} ({x.dtype}); use "
            f"target.{fix}"
        )
    expected = _target_shape(x.shape)
    if t.shape != expected:
        layout = "(C,)" if x.ndim == 1 else "(N, C)" if x.ndim == 2 else "(N, C, d1, ...)"
        raise ValueError(
            f"{op}: input of shape {tuple(x.shape)} {layout} needs class-index targets of "
            f"shape {expected}, got target of shape {tuple(t.shape)} ({t.dtype})"
        )
    c = x.shape[0] if x.ndim == 1 else x.shape[1]
    if t.size and 0 <= t.min() and t.max() < c:  # every target a class (the usual case)
        return t
    counted = t[t != ignore_index]
    bad = counted[(counted < 0) | (counted >= c)]
    if bad.size:
        raise IndexError(
            f"{op}: target {int(bad[0])} is out of bounds: input of shape {tuple(x.shape)} "
            f"has {c} classes, so class indices must be in [0, {c - 1}] (or equal "
            f"ignore_index={ignore_index})"
        )
    return t


def _target_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    return () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])


def _class_weight(op: str, weight: Any, x: Tensor) -> np.ndarray | None:
    w = constant(weight, op, "weight", x.dtype)
    c = x.shape[0] if x.ndim == 1 else x.shape[1]
    if w is not None and w.shape != (c,):
        raise ValueError(
            f"{op}: weight must hold one value per class, shape ({c},) for input of shape "
            f"{tuple(x.shape)}, got shape {w.shape}"
        )
    return w


def _class_input(op: str, x: Any) -> Tensor:
    x = float_input(x, op)
    if x.ndim == 0:
        raise ValueError(f"{op}: input must be (C,) or (N, C, d1, ...) class scores, got a "
                         "0-d tensor")
    return x


def _apply_batched(fn: type[Function], x: Tensor, t: np.ndarray, *args: Any) -> Tensor:
    """Run ``fn`` on an (N, C, ...) input; an unbatched (C,) input runs as a batch of one."""
    if x.ndim > 1:
        return fn.apply(x, t, *args)
    out = fn.apply(x.reshape(1, x.shape[0]), t.reshape(1), *args)
    return out.reshape(()) if out.ndim else out


# -- the public functions -----------------------------------------------------------------


def cross_entropy_indices(input: Any, target: Any, weight: Any = None,  # noqa: A002
                          ignore_index: int = -100, label_smoothing: float = 0.0,
                          reduction: str = "mean") -> Tensor:
    """Cross-entropy of class scores ``input`` (C,) or (N, C, d1, ...) with class-index
    ``target`` () or (N, d1, ...): ``-log softmax(input)[target]``, one fused Function."""
    op = "cross_entropy"
    check_reduction(op, reduction)
    x = _class_input(op, input)
    t = class_targets(op, x, target, ignore_index)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    w = _class_weight(op, weight, x)
    return _apply_batched(CrossEntropy, x, t, w, int(ignore_index), float(label_smoothing),
                          reduction)


def nll_loss(input: Any, target: Any, weight: Any = None,  # noqa: A002
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (C,) or (N, C, d1, ...) at
    class-index ``target`` () or (N, d1, ...), with class weights and ``ignore_index``."""
    op = "nll_loss"
    check_reduction(op, reduction)
    x = _class_input(op, input)
    t = class_targets(op, x, target, ignore_index)
    w = _class_weight(op, weight, x)
    return _apply_batched(NLL, x, t, w, int(ignore_index), reduction)


def _binary_operands(op: str, input: Any, target: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    x = float_input(input, op)
    y = as_tensor(target, op, "target")
    if y.dtype.kind != "f":
        raise TypeError(
            f"{op}: target must be a float tensor of 0/1 labels or probabilities, got "
            f"{y.dtype} of shape {tuple(y.shape)}; use target.float() (or .to(input.dtype))"
        )
    if y.shape != x.shape:
        raise ValueError(
            f"{op}: target of shape {tuple(y.shape)} must have the input's shape "
            f"{tuple(x.shape)}; reshape the target (e.g. target.reshape(input.shape))"
        )
    dtype = dtypes.result_type(x, y)
    return x.to(dtype) if x.dtype != dtype else x, y.to(dtype) if y.dtype != dtype else y


def _elementwise_weight(op: str, what: str, weight: Any, x: Tensor) -> np.ndarray | None:
    w = constant(weight, op, what, x.dtype)
    if w is not None and broadcast_shapes(op, w.shape, x.shape) != x.shape:
        raise ValueError(
            f"{op}: {what} of shape {w.shape} must broadcast to the input's shape "
            f"{tuple(x.shape)} without enlarging it"
        )
    return w


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """BCE of probabilities ``input`` in [0, 1] against ``target`` of the same shape."""
    op = "binary_cross_entropy"
    check_reduction(op, reduction)
    x, y = _binary_operands(op, input, target)
    data = x._data
    if data.size and not ((data >= 0) & (data <= 1)).all():
        raise RuntimeError(
            f"{op}: all elements of input should be between 0 and 1 (probabilities); for "
            "raw scores (logits) use binary_cross_entropy_with_logits"
        )
    w = _elementwise_weight(op, "weight", weight, x)
    return _reduce_tensor(BinaryCrossEntropy.apply(x, y, w), reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any,  # noqa: A002
                                     weight: Any = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """BCE of ``sigmoid(input)`` against ``target``, computed stably from the logits;
    ``pos_weight`` (broadcast over the last dim, usually one per class) weighs positives."""
    op = "binary_cross_entropy_with_logits"
    check_reduction(op, reduction)
    x, y = _binary_operands(op, input, target)
    w = _elementwise_weight(op, "weight", weight, x)
    pw = _elementwise_weight(op, "pos_weight", pos_weight, x)
    return _reduce_tensor(BinaryCrossEntropyWithLogits.apply(x, y, w, pw), reduction)


METHODS: dict[str, Any] = {}
FUNCTIONS: dict[str, Any] = {}
