"""Loss functions with PyTorch's names, arguments, defaults and reductions.

``reduction`` is ``'mean'`` (the default), ``'sum'`` or ``'none'`` (one loss per element or
sample); the legacy ``size_average``/``reduce`` arguments still work, with PyTorch's
deprecation warning. Cross-entropy on class indices, NLL and the two binary cross-entropies
are fused ops of ``autograd_core.ops.loss`` (one graph node, closed-form backward); the
others are composed from Tensor ops, so every order of derivative works.

``soft_iou_loss`` has no PyTorch twin: see its docstring for the formula.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.ops import loss as _fused
from autograd_core.ops.elementwise import where
from autograd_core.ops.softmax import log_softmax

__all__ = [
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "multi_margin_loss",
    "kl_div", "soft_iou_loss",
]

_check_reduction = _fused.check_reduction


def legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """PyTorch's mapping of the deprecated ``size_average``/``reduce`` to ``reduction``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    return reduction


def _resolve(op: str, size_average: Any, reduce: Any, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return legacy_reduction(size_average, reduce)
    return _check_reduction(op, reduction)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


# -- regression losses --------------------------------------------------------------------


def _difference(op: str, input: Any, target: Any) -> Tensor:  # noqa: A002
    """``input - target``, warning (as PyTorch does) when broadcasting changes a shape."""
    x = _fused.float_input(input, op)
    t = _fused.as_tensor(target, op, "target")
    if t.shape != x.shape:
        warnings.warn(
            f"{op}: using a target size ({tuple(t.shape)}) that is different to the input "
            f"size ({tuple(x.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=3)
    return x - t


def _weighted(op: str, loss: Tensor, weight: Any, input: Tensor,  # noqa: A002
              reduction: str, mean_by_weight: bool) -> Tensor:
    """PyTorch's elementwise ``weight`` (same size as input) for mse, l1 and huber: mse and
    l1 divide the weighted sum by ``sum(weight)`` for the mean, huber takes a plain mean."""
    if weight is None:
        return _reduce(loss, reduction)
    w = _fused.as_tensor(weight, op, "weight")
    if w.shape != tuple(np.shape(input)):
        raise ValueError(f"{op}: weights and input must have the same size: weight "
                         f"{tuple(w.shape)}, input {tuple(np.shape(input))}")
    loss = loss * w
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Squared error ``(input - target)**2``, reduced."""
    op = "mse_loss"
    reduction = _resolve(op, size_average, reduce, reduction)
    d = _difference(op, input, target)
    return _weighted(op, d * d, weight, input, reduction, mean_by_weight=True)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Absolute error ``|input - target|``, reduced (gradient 0 where they are equal)."""
    op = "l1_loss"
    reduction = _resolve(op, size_average, reduce, reduction)
    d = _difference(op, input, target)
    return _weighted(op, d.abs(), weight, input, reduction, mean_by_weight=True)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``, ``d = input -
    target``: quadratic near 0, linear (slope ``delta``) beyond."""
    op = "huber_loss"
    _check_reduction(op, reduction)
    if not delta > 0:
        raise ValueError(f"{op}: delta must be positive, got {delta}")
    d = _difference(op, input, target)
    size = d.abs()
    loss = where(size < delta, 0.5 * d * d, delta * (size - 0.5 * delta))
    return _weighted(op, loss, weight, input, reduction, mean_by_weight=False)


def smooth_l1_loss(input: Tensor, target: Tensor,  # noqa: A002
                   size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``: Huber divided by
    beta; ``beta=0`` is the L1 loss."""
    op = "smooth_l1_loss"
    reduction = _resolve(op, size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"{op}: beta must be >= 0, got {beta}")
    d = _difference(op, input, target)
    size = d.abs()
    if beta == 0:
        return _reduce(size, reduction)
    return _reduce(where(size < beta, (0.5 / beta) * d * d, size - 0.5 * beta), reduction)


# -- classification losses ----------------------------------------------------------------


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of class scores (logits) ``input``: ``-log softmax(input)[target]``.

    ``input`` is (C,), (N, C) or (N, C, d1, d2, ...). ``target`` is either class indices
    (integers; shape (), (N,) or (N, d1, ...)), or class probabilities (floats, the input's
    shape). ``weight`` (C,) weighs each class; with class indices, ``'mean'`` divides by the
    sum of the targets' weights, skipping targets equal to ``ignore_index``. With
    ``label_smoothing`` ``e``, the target becomes ``(1-e) onehot + e/C``. Class indices run
    as one fused op.
    """
    op = "cross_entropy"
    reduction = _resolve(op, size_average, reduce, reduction)
    x = _fused.float_input(input, op)
    t = _fused.as_tensor(target, op, "target")
    if t.shape == x.shape and x.ndim and t.dtype.kind == "f":
        return _cross_entropy_probabilities(x, t, weight, ignore_index, reduction,
                                            label_smoothing)
    if t.dtype.kind not in "iu" or t.shape == x.shape:
        indices = (x.shape[0],) + x.shape[2:] if x.ndim > 1 else ()
        kind = ("class probabilities must be float" if t.shape == x.shape else
                "class indices must be integers")
        raise TypeError(
            f"{op}: target of shape {tuple(t.shape)} ({t.dtype}) is neither class indices "
            f"(integers of shape {indices}) nor class probabilities (floats of the input's "
            f"shape {tuple(x.shape)}, {x.dtype}): {kind}; use target.long() for indices or "
            "target.float() for probabilities"
        )
    return _fused.cross_entropy_indices(x, t, weight, ignore_index, label_smoothing, reduction)


def _cross_entropy_probabilities(x: Tensor, t: Tensor, weight: Any, ignore_index: int,
                                 reduction: str, label_smoothing: float) -> Tensor:
    """PyTorch's rule: ``-sum_c w[c] t[c] log p[c]`` per sample; ``'mean'`` divides by the
    number of samples (N times d1...), not by the weights."""
    op = "cross_entropy"
    if ignore_index >= 0:
        raise ValueError(f"{op}: ignore_index={ignore_index} is not supported with class "
                         "probabilities (float targets); leave it at -100")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    class_dim = 0 if x.ndim == 1 else 1
    classes = x.shape[class_dim]
    if label_smoothing:
        t = t * (1 - label_smoothing) + label_smoothing / classes
    terms = log_softmax(x, class_dim) * t
    if weight is not None:
        w = _fused.as_tensor(weight, op, "weight")
        if w.shape != (classes,):
            raise ValueError(f"{op}: weight must hold one value per class, shape ({classes},) "
                             f"for input of shape {tuple(x.shape)}, got {tuple(w.shape)}")
        terms = terms * w.reshape((classes,) + (1,) * (x.ndim - 1 - class_dim))
    if reduction == "none":
        return -terms.sum(class_dim)
    total = -terms.sum()
    return total / float(x.numel() // classes) if reduction == "mean" else total


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: ``-weight[t] input[t]`` for log-probabilities ``input`` (C,)
    or (N, C, d1, ...) and class indices ``target`` () or (N, d1, ...). ``'mean'`` divides
    by the sum of the targets' weights, skipping ``ignore_index``. One fused op."""
    reduction = _resolve("nll_loss", size_average, reduce, reduction)
    return _fused.nll_loss(input, target, weight, ignore_index, reduction)


def binary_cross_entropy(input: Tensor, target: Tensor,  # noqa: A002
                         weight: Tensor | None = None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``-weight (t log(p) + (1-t) log(1-p))`` for probabilities ``p`` in [0, 1], each log
    clamped at -100 as in PyTorch (so p = 0 or 1 gives a finite loss). One fused op."""
    reduction = _resolve("binary_cross_entropy", size_average, reduce, reduction)
    return _fused.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed from the logits without
    overflow; ``pos_weight`` multiplies the positive term (broadcast over the last dim: one
    value per class). One fused op."""
    op = "binary_cross_entropy_with_logits"
    reduction = _resolve(op, size_average, reduce, reduction)
    return _fused.binary_cross_entropy_with_logits(input, target, weight, reduction,
                                                   pos_weight)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1,  # noqa: A002
                      margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None,
                      reduction: str = "mean") -> Tensor:
    """The multiclass SVM (hinge) loss: for each sample with class ``y``,
    ``sum over j != y of weight[y] * max(0, margin - x[y] + x[j])**p / C``, p = 1 or 2.

    ``input`` is (N, C) or (C,); ``target`` holds class indices, (N,) (or () / (1,) for a
    single sample). The gradient is 0 where a hinge is exactly at its kink, as in PyTorch.
    """
    op = "multi_margin_loss"
    reduction = _resolve(op, size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError(f"{op}: only p == 1 and p == 2 supported, got p={p}")
    x = _fused.float_input(input, op)
    if x.ndim not in (1, 2) or x.numel() == 0:
        raise ValueError(f"{op}: input must be (N, C) scores or (C,) for one sample, got "
                         f"shape {tuple(x.shape)}")
    t = _fused.as_tensor(target, op, "target")
    classes = x.shape[-1]
    rows = x.reshape(-1, classes)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold class indices (int64), got {t.dtype} of "
                        f"shape {tuple(t.shape)}; use target.long()")
    if t.numel() != rows.shape[0] or (x.ndim == 2 and t.shape != (rows.shape[0],)):
        raise ValueError(f"{op}: input of shape {tuple(x.shape)} needs a target of shape "
                         f"({rows.shape[0]},), got {tuple(t.shape)}")
    labels = t._data.reshape(-1, 1)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)][0]
        raise IndexError(f"{op}: target {int(bad)} is out of bounds for {classes} classes "
                         f"(input of shape {tuple(x.shape)}): use indices in "
                         f"[0, {classes - 1}]")
    hinge = (rows - rows.gather(1, labels) + margin).relu()
    if p == 2:
        hinge = hinge * hinge
    w = _fused.constant(weight, op, "weight", x.dtype)
    if w is not None:
        if w.shape != (classes,):
            raise ValueError(f"{op}: weight must be 1-D with one value per class, shape "
                             f"({classes},), got {w.shape}")
        hinge = hinge * Tensor(w[labels])
    own_class = np.arange(classes) == labels  # the j == y terms do not count
    per = hinge.masked_fill(own_class, 0.0).sum(1) / float(classes)
    return _reduce(per.reshape(t.shape), reduction)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence ``target * (log(target) - input)`` for log-probabilities ``input``
    (``0`` where target is 0); with ``log_target`` the target is given as log-probabilities:
    ``exp(target) * (target - input)``.

    ``reduction='batchmean'`` (sum / batch size) is the true KL divergence of each sample,
    averaged; ``'mean'`` divides by the number of elements and warns, as in PyTorch.
    """
    op = "kl_div"
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    else:
        _check_reduction(op, reduction, ("mean", "batchmean", "sum", "none"))
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the "
                "KL div math definition.'mean' will be changed to behave the same as "
                "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    x = _fused.float_input(input, op)
    t = _fused.as_tensor(target, op, "target")
    if log_target:
        loss = t.exp() * (t - x)
    else:  # xlogy(t, t): 0 where t == 0 (the nan of 0 * log 0 is not selected)
        loss = where(t == 0, 0.0, t * t.log()) - t * x
    if reduction == "batchmean":
        total = loss.sum()
        return total / float(x.shape[0]) if x.ndim else total
    return _reduce(loss, reduction)


# -- segmentation -------------------------------------------------------------------------


def soft_iou_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
                  eps: float = 0.0) -> Tensor:
    """Soft intersection-over-union loss for masks: no PyTorch twin.

    ``input`` holds predicted probabilities and ``target`` the true mask (0/1 or soft), both
    (N, ...) with the batch first. Per sample, summing over every other dim::

        I = sum(p * t)               (soft intersection)
        U = sum(p + t - p * t)       (soft union)
        loss = 1 - (I + eps) / (U + eps)

    then ``'mean'`` over the batch (or ``'sum'``, or ``'none'``: shape (N,)). Its gradient is
    ``d loss / d p = ((I + eps) (1 - t) - (U + eps) t) / (U + eps)**2``. With ``eps=0`` (the
    default, the exact formula) a sample whose mask and prediction are both all zero gives
    0/0 = nan: pass a small ``eps`` (1e-6) if that can happen.
    """
    op = "soft_iou_loss"
    _check_reduction(op, reduction)
    p = _fused.float_input(input, op)
    t = _fused.as_tensor(target, op, "target")
    if p.ndim < 2 or t.shape != p.shape:
        raise ValueError(f"{op}: input and target must both be (N, ...) masks of one shape "
                         f"with a batch dim first, got input {tuple(p.shape)} and target "
                         f"{tuple(t.shape)}")
    if t.dtype.kind != "f":
        t = t.to(p.dtype)
    dims = tuple(range(1, p.ndim))
    overlap = p * t
    intersection = overlap.sum(dims)
    union = (p + t - overlap).sum(dims)
    per = 1.0 - (intersection + eps) / (union + eps)
    return _reduce(per, reduction)
