"""What the first-order optimizers share: hyperparameter checks and the step loop.

``_FirstOrder.step`` evaluates the closure (with gradients on), then, under ``no_grad``,
hands each parameter that has a gradient to the subclass's ``_update`` (which changes
``p._data`` and the state arrays in place) and bumps the parameter's version counter.
Parameters whose ``.grad`` is None are skipped: they get no state and do not move. A
subclass may override ``_updater`` instead of ``_update``, to read a group's
hyperparameters once per step rather than once per parameter (SGD does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import Tensor, enable_grad, no_grad

from .optimizer import Optimizer, required


class _FirstOrder(Optimizer):
    """An optimizer whose step updates each parameter from its own gradient and state."""

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self._check(defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group; its hyperparameters (own or inherited) are checked first."""
        if isinstance(param_group, dict):
            self._check({**self.defaults, **param_group})
        super().add_param_group(param_group)

    def _check(self, hp: dict[str, Any]) -> None:
        """Raise ValueError for invalid hyperparameters (subclasses extend)."""
        if hp.get("lr") is not required:
            at_least(self, "learning rate (lr)", hp["lr"], 0.0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                update = self._updater(group)
                for i, p in enumerate(group["params"]):
                    if p.grad is None:
                        continue
                    grad = p.grad._data
                    if grad.shape != p._data.shape:
                        raise ValueError(
                            f"{type(self).__name__}.step: parameter {i} has shape "
                            f"{tuple(p.shape)} but its .grad has shape {tuple(grad.shape)}; "
                            "a gradient must have its parameter's shape"
                        )
                    state = self.state.get(p)
                    if state is None:
                        state = {}
                    update(p, grad, state)
                    if state:  # stateless updates (plain SGD) leave no entry, as in PyTorch
                        self.state[p] = state
                    p._bump_version()
        return loss

    def _updater(self, group: dict[str, Any]) -> Callable[[Tensor, np.ndarray, dict], None]:
        """The update of one parameter of ``group``: ``update(p, grad, state)``."""
        return lambda p, grad, state: self._update(p, grad, state, group)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        raise NotImplementedError


def at_least(opt: Optimizer, what: str, value: Any, low: float) -> None:
    """Raise unless ``value >= low`` (nan fails too)."""
    if not value >= low:
        raise ValueError(f"{type(opt).__name__}: invalid {what} {value!r}: it must be >= {low:g}")


def in_unit_interval(opt: Optimizer, what: str, value: Any) -> None:
    """Raise unless ``0 <= value < 1`` (a decay rate or momentum coefficient)."""
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{type(opt).__name__}: invalid {what} {value!r}: it must be in [0, 1)")


def zeros(p: Tensor, fill: float = 0.0) -> Tensor:
    """A C-contiguous state tensor shaped and typed like ``p``, filled with ``fill``."""
    return Tensor._make(np.full(p._data.shape, fill, dtype=p._data.dtype))


def new_step() -> Tensor:
    """A step counter as PyTorch keeps it: a 0-d float32 tensor."""
    return Tensor._make(np.zeros((), dtype=np.float32))


def advance(step: Tensor) -> float:
    """Add one to a step counter in place; return the new count."""
    step._data += 1
    return float(step._data)


