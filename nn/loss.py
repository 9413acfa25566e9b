"""Loss modules: ``nn.CrossEntropyLoss()(scores, target)`` and friends, as in PyTorch.

Each module holds its settings (``reduction``, ``ignore_index``, ``delta``, ...) and calls
the function of the same loss in ``nn.functional``. Class weights and ``pos_weight`` are
buffers, so ``state_dict()`` has PyTorch's keys (``weight``, ``pos_weight``) and
``double()`` converts them. The printed form lists the arguments that differ from their
defaults (PyTorch prints none).
"""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor

from . import functional as F
from .functional.loss import legacy_reduction
from .module import Module

__all__ = [
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss",
    "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss", "KLDivLoss", "SoftIoULoss",
]


def _buffer(value: Any, owner: str, name: str) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    try:
        return Tensor(value)
    except TypeError:
        raise TypeError(f"{owner}: {name} must be a Tensor or None, got "
                        f"{type(value).__name__}") from None


class _Loss(Module):
    """Holds ``reduction`` (from the legacy ``size_average``/``reduce`` if those are given)."""

    _defaults: dict[str, Any] = {"reduction": "mean"}

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = legacy_reduction(size_average, reduce)
        self.reduction = reduction

    def extra_repr(self) -> str:
        changed = [(k, getattr(self, k)) for k, v in self._defaults.items()
                   if getattr(self, k) != v]
        return ", ".join(f"{k}={v!r}" for k, v in changed)


class _WeightedLoss(_Loss):
    """A loss with optional per-class ``weight``, kept as a buffer."""

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight, type(self).__name__, "weight"))


class MSELoss(_Loss):
    """Mean squared error: ``mean((input - target)**2)``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: ``mean(|input - target|)``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic for errors below ``delta``, linear (slope ``delta``) above."""

    _defaults = {"reduction": "mean", "delta": 1.0}

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Huber loss divided by ``beta``: ``0.5 d**2 / beta`` below ``beta``, ``|d| - beta/2``
    above; ``beta=0`` is L1."""

    _defaults = {"reduction": "mean", "beta": 1.0}

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of class scores; targets are class indices or probabilities
    (see ``nn.functional.cross_entropy``)."""

    _defaults = {"reduction": "mean", "ignore_index": -100, "label_smoothing": 0.0}

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (after ``log_softmax``)."""

    _defaults = {"reduction": "mean", "ignore_index": -100}

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1]."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits."""

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight, "BCEWithLogitsLoss", "weight"))
        self.register_buffer("pos_weight",
                             _buffer(pos_weight, "BCEWithLogitsLoss", "pos_weight"))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class MultiMarginLoss(_WeightedLoss):
    """The multiclass SVM hinge loss (``p`` = 1 or 2, ``margin``, per-class ``weight``)."""

    _defaults = {"reduction": "mean", "p": 1, "margin": 1.0}

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 supported, got p={p}")
        if weight is not None and getattr(weight, "ndim", 1) != 1:
            raise ValueError("MultiMarginLoss: expected weight to be None or a 1-D tensor, "
                             f"got shape {tuple(weight.shape)}")
        super().__init__(weight, size_average, reduce, reduction)
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL divergence of log-probabilities ``input`` from ``target``; use
    ``reduction='batchmean'`` for the true KL divergence averaged over the batch."""

    _defaults = {"reduction": "mean", "log_target": False}

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class SoftIoULoss(_Loss):
    """``1 - sum(p t) / sum(p + t - p t)`` per sample of (N, ...) masks, averaged over the
    batch: see ``nn.functional.soft_iou_loss``. No PyTorch twin."""

    _defaults = {"reduction": "mean", "eps": 0.0}

    def __init__(self, reduction: str = "mean", eps: float = 0.0) -> None:
        super().__init__(reduction=reduction)
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.soft_iou_loss(input, target, reduction=self.reduction, eps=self.eps)
