"""Per-coordinate adaptive learning rates: Adagrad, RMSprop, Adam and AdamW.

The formulas and their order of operations are PyTorch's single-tensor (``foreach=False``)
ones, so float64 trajectories match ``torch.optim`` to rounding. Adam and AdamW (and
AMSGrad) run as one fused kernel per parameter (``adam_update`` in
``autograd_core/kernels/optim.py``); Adagrad and RMSprop are a few in-place numpy
operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.kernels import kernel
from autograd_core.kernels.optim import lerp_

from ._first_order_base import _FirstOrder, advance, at_least, in_unit_interval, new_step, zeros

__all__ = ["Adagrad", "RMSprop", "Adam", "AdamW"]


def _direction(p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> np.ndarray:
    """The gradient, negated under ``maximize``, plus L2 weight decay ``weight_decay * p``."""
    g = -grad if group["maximize"] else grad
    if group["weight_decay"] != 0:
        g = g + group["weight_decay"] * p._data
    return g


class Adagrad(_FirstOrder):
    """Adagrad, as ``torch.optim.Adagrad``: each coordinate's step shrinks with its history.

    ``sum += g * g``, ``p -= clr * g / (sqrt(sum) + eps)`` with ``clr = lr / (1 + (t - 1) *
    lr_decay)`` at step ``t``. State (``step``, ``sum``) is created for every parameter at
    construction, as in PyTorch. Where we differ on purpose: a parameter group's own
    ``initial_accumulator_value`` is honoured (PyTorch uses the constructor's for all groups).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "maximize": maximize}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _check(self, hp: dict[str, Any]) -> None:
        super()._check(hp)
        for key in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            at_least(self, key, hp[key], 0.0)

    @staticmethod
    def _init_state(p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = new_step()
        state["sum"] = zeros(p, group["initial_accumulator_value"])

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:  # a group added after construction
            self._init_state(p, state, group)
        step = advance(state["step"])
        g = _direction(p, grad, group)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"]._data
        total += g * g
        std = np.sqrt(total)
        std += group["eps"]
        p._data += -clr * g / std


class RMSprop(_FirstOrder):
    """RMSprop, as ``torch.optim.RMSprop``: divide by a running RMS of the gradient.

    ``square_avg = alpha * square_avg + (1 - alpha) * g * g``; ``avg = sqrt(square_avg) +
    eps`` (``centered``: the running variance ``square_avg - grad_avg**2`` instead);
    ``p -= lr * g / avg``, or with momentum ``buf = momentum * buf + g / avg``, ``p -= lr *
    buf``. ``alpha`` must lie in [0, 1] (PyTorch only checks >= 0).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check(self, hp: dict[str, Any]) -> None:
        super()._check(hp)
        for key in ("eps", "momentum", "weight_decay"):
            at_least(self, key, hp[key], 0.0)
        if not 0.0 <= hp["alpha"] <= 1.0:
            raise ValueError(f"{type(self).__name__}: invalid alpha {hp['alpha']!r}: it must "
                             "be in [0, 1] (the weight of the old squared-gradient average)")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state["step"] = new_step()
            state["square_avg"] = zeros(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros(p)
            if group["centered"]:
                state["grad_avg"] = zeros(p)
        advance(state["step"])
        alpha = group["alpha"]
        g = _direction(p, grad, group)
        square_avg = state["square_avg"]._data
        square_avg *= alpha
        square_avg += (1 - alpha) * g * g
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            lerp_(grad_avg, g, 1 - alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]._data
            buffer *= group["momentum"]
            buffer += g / avg
            p._data += -group["lr"] * buffer
        else:
            p._data += -group["lr"] * g / avg


class Adam(_FirstOrder):
    """Adam, as ``torch.optim.Adam``, with AMSGrad (``amsgrad``) and AdamW's decoupled decay.

    At step ``t``: ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g * g``,
    ``p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`` (PyTorch's bias
    correction: eps is added after correcting v). ``amsgrad`` uses the running maximum of
    ``v``. ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2), or with
    ``decoupled_weight_decay=True`` multiplies ``p`` by ``1 - lr * weight_decay`` first
    (AdamW). One fused kernel per parameter (``adam_update``).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _check(self, hp: dict[str, Any]) -> None:
        super()._check(hp)
        at_least(self, "epsilon (eps)", hp["eps"], 0.0)
        at_least(self, "weight_decay", hp["weight_decay"], 0.0)
        betas = hp["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), "
                             f"got {betas!r}")
        in_unit_interval(self, "beta parameter at index 0 (beta1)", betas[0])
        in_unit_interval(self, "beta parameter at index 1 (beta2)", betas[1])

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state["step"] = new_step()
            state["exp_avg"] = zeros(p)
            state["exp_avg_sq"] = zeros(p)
        amsgrad = bool(group["amsgrad"])
        if amsgrad and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros(p)
        step = advance(state["step"])
        beta1, beta2 = group["betas"]
        kernel("adam_update")(
            p._data, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data,
            state["max_exp_avg_sq"]._data if amsgrad else None, step, float(group["lr"]),
            float(beta1), float(beta2), float(group["eps"]), float(group["weight_decay"]),
            amsgrad, bool(group["maximize"]), bool(group["decoupled_weight_decay"]))


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam with decoupled weight decay (default 1e-2).

    ``p`` is multiplied by ``1 - lr * weight_decay`` before the Adam step, so the decay
    does not pass through the moment estimates (Loshchilov & Hutter).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
