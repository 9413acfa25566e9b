"""Stochastic gradient descent: plain, with momentum (two forms), Nesterov, and SignSGD."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.kernels import kernel

from ._first_order_base import _FirstOrder, at_least, in_unit_interval, zeros
from .optimizer import required

__all__ = ["SGD", "SignSGD"]

MOMENTUM_FORMS = ("pytorch", "sutskever")


class SGD(_FirstOrder):
    r"""Stochastic gradient descent with optional momentum, as ``torch.optim.SGD``.

    With ``g = grad + weight_decay * p`` (negated first when ``maximize``), PyTorch's form
    (the default, ``momentum_form="pytorch"``) keeps a buffer ``b``::

        b = g                                   (first step)
        b = momentum * b + (1 - dampening) * g  (later steps)
        p = p - lr * b             (Nesterov: p - lr * (g + momentum * b))

    ``momentum_form="sutskever"`` is the notes' other form (Sutskever et al., 2013): a
    velocity ``v`` that starts at 0 and averages the steps themselves::

        v = momentum * v - lr * (1 - momentum) * g
        p = p + v                  (Nesterov: p + momentum * v - lr * (1 - momentum) * g)

    How they relate: PyTorch's buffer adds gradients with weights ``1, mu, mu^2, ...``,
    which sum to ``1 / (1 - mu)``; in a steady gradient its step tends to ``lr * g / (1 -
    mu)``, so its effective learning rate is ``1 / (1 - mu)`` times ``lr`` (10x at ``mu =
    0.9``). Sutskever's velocity is an average of ``-lr * g``, whose step tends to ``lr *
    g``. With a constant learning rate the two trajectories are identical when PyTorch's
    ``lr`` is Sutskever's times ``(1 - mu)``: ``v = -lr * (1 - mu) * b`` at every step
    (Nesterov included). They differ when ``lr`` changes during training: PyTorch rescales
    the whole buffer at once, Sutskever's velocity keeps past steps at the rates they were
    taken with. Sutskever's form takes no ``dampening`` (its ``1 - mu`` already is one) and
    needs ``momentum < 1``; its state is ``"velocity"`` instead of ``"momentum_buffer"``.

    Momentum updates run as one fused kernel per parameter (``sgd_update``,
    ``sgd_sutskever_update`` in ``autograd_core/kernels/optim.py``).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, momentum_form: str = "pytorch") -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "momentum_form": momentum_form}
        super().__init__(params, defaults)

    def _check(self, hp: dict[str, Any]) -> None:
        super()._check(hp)
        name = type(self).__name__
        at_least(self, "momentum", hp["momentum"], 0.0)
        at_least(self, "weight_decay", hp["weight_decay"], 0.0)
        if hp["momentum_form"] not in MOMENTUM_FORMS:
            raise ValueError(f"{name}: unknown momentum_form {hp['momentum_form']!r}; "
                             f"use one of {', '.join(map(repr, MOMENTUM_FORMS))}")
        if hp["nesterov"] and (hp["momentum"] <= 0 or hp["dampening"] != 0):
            raise ValueError(
                f"{name}: Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={hp['momentum']!r}, dampening={hp['dampening']!r}"
            )
        if hp["momentum_form"] == "sutskever":
            if hp["dampening"] != 0:
                raise ValueError(
                    f"{name}: momentum_form='sutskever' takes no dampening (got "
                    f"{hp['dampening']!r}): its velocity is already scaled by (1 - momentum)"
                )
            if not hp["momentum"] < 1:
                raise ValueError(f"{name}: momentum_form='sutskever' needs momentum < 1, "
                                 f"got {hp['momentum']!r}")

    def _updater(self, group: dict[str, Any]) -> Callable[[Tensor, np.ndarray, dict], None]:
        """One fused kernel call per parameter, with the group's hyperparameters read once."""
        lr, momentum = float(group["lr"]), float(group["momentum"])
        dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
        nesterov, maximize = bool(group["nesterov"]), bool(group["maximize"])
        if momentum != 0 and group["momentum_form"] == "sutskever":
            sutskever = kernel("sgd_sutskever_update")

            def update_velocity(p: Tensor, grad: np.ndarray, state: dict[str, Any]) -> None:
                if "velocity" not in state:
                    state["velocity"] = zeros(p)
                sutskever(p._data, grad, state["velocity"]._data, lr, momentum, weight_decay,
                          nesterov, maximize)

            return update_velocity
        sgd = kernel("sgd_update")
        if momentum == 0:
            return lambda p, grad, state: sgd(p._data, grad, None, False, lr, 0.0, dampening,
                                              weight_decay, nesterov, maximize)

        def update_buffer(p: Tensor, grad: np.ndarray, state: dict[str, Any]) -> None:
            first = "momentum_buffer" not in state
            if first:  # PyTorch starts the buffer at the first gradient
                state["momentum_buffer"] = zeros(p)
            sgd(p._data, grad, state["momentum_buffer"]._data, first, lr, momentum, dampening,
                weight_decay, nesterov, maximize)

        return update_buffer


class SignSGD(_FirstOrder):
    """SignSGD: one-bit gradients, ``p = p - lr * sign(g)`` (the notes' signSGD).

    With ``momentum`` (Signum, Bernstein et al., 2018) the sign is taken of a moving
    average ``m = momentum * m + (1 - momentum) * g`` that starts at 0. Every coordinate
    moves by exactly ``lr`` (or 0 where the gradient is 0), whatever the gradient's scale.
    PyTorch has no SignSGD.
    """

    def __init__(self, params: Iterable[Any], lr: float = required,
                 momentum: float = 0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum})

    def _check(self, hp: dict[str, Any]) -> None:
        super()._check(hp)
        in_unit_interval(self, "momentum", hp["momentum"])

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        direction = grad
        if momentum != 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = zeros(p)
            buffer = state["momentum_buffer"]._data
            buffer *= momentum
            buffer += (1 - momentum) * grad
            direction = buffer
        p._data -= group["lr"] * np.sign(direction)
