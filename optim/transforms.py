"""Gradient transforms that work with any optimizer: annealed Gaussian gradient noise.

Neelakantan et al., "Adding Gradient Noise Improves Learning for Very Deep Networks" (2015):
before each update, add ``N(0, sigma_t^2)`` to every gradient, with a variance that decays
as training goes on, ``sigma_t^2 = eta / (1 + t)^gamma`` (``eta`` in {0.01, 0.3, 1.0},
``gamma = 0.55``). ``t`` counts optimizer steps from 0, so the first step uses ``eta``.
The noise comes from ``autograd_core``'s shared generator: ``manual_seed`` repeats it.

Two ways to use it: the function ``add_gradient_noise_`` (call it between ``backward()``
and ``step()``), or the wrapper ``GradientNoise(optimizer)``, which counts the steps itself.
PyTorch has neither; the names follow its in-place (``_``) and wrapper conventions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from autograd_core import Tensor
from autograd_core.creation import generator

from .optimizer import Optimizer

__all__ = ["GradientNoise", "add_gradient_noise_", "gradient_noise_variance"]


def gradient_noise_variance(eta: float, gamma: float, step: int) -> float:
    """The noise variance at step ``t``: ``eta / (1 + t)^gamma``."""
    _check_schedule("gradient_noise_variance", eta, gamma)
    _check_step("gradient_noise_variance", step)
    return eta / (1 + step) ** gamma


def add_gradient_noise_(
    parameters: Tensor | Iterable[Tensor], eta: float, gamma: float = 0.55, step: int = 0
) -> None:
    """Add ``N(0, eta / (1 + step)^gamma)`` noise to each parameter's ``.grad``, in place.

    Parameters without a gradient are skipped. The noise has the gradient's dtype and is
    drawn parameter by parameter, in order, from the shared generator.
    """
    _check_schedule("add_gradient_noise_", eta, gamma)
    _check_step("add_gradient_noise_", step)
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    std = math.sqrt(eta / (1 + step) ** gamma)
    for p in params:
        if p.grad is None:
            continue
        g = p.grad._data
        noise = generator().standard_normal(g.shape, dtype=g.dtype)
        noise *= std
        if g.flags.writeable:
            g += noise
            p.grad._bump_version()
        else:  # a read-only gradient (e.g. a broadcast view) gets an array of its own
            p.grad = Tensor._make(g + noise)


class GradientNoise(Optimizer):
    """Wrap an optimizer so each ``step()`` first adds annealed Gaussian noise to the gradients.

    It shares the wrapped optimizer's ``param_groups`` and ``state`` (so LR schedulers and
    checkpoints see the real ones) and keeps its own step counter ``t``, which
    ``state_dict()`` saves beside the wrapped optimizer's state under ``"gradient_noise"``.
    With a closure, noise is added after every evaluation of it (optimizers such as L-BFGS
    evaluate it several times per step), all with the same ``t``.
    """

    def __init__(self, optimizer: Optimizer, eta: float = 0.01, gamma: float = 0.55) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"GradientNoise: expected an optimizer to wrap, got "
                            f"{type(optimizer).__name__}; pass e.g. optim.SGD(params, lr=0.1)")
        _check_schedule("GradientNoise", eta, gamma)
        self.optimizer = optimizer
        self.eta = eta
        self.gamma = gamma
        self.t = 0  # steps taken so far: the next step's noise uses this t

    # -- forwarded to the wrapped optimizer ------------------------------------------------

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        return self.optimizer.param_groups

    @property
    def state(self) -> Any:
        return self.optimizer.state

    @property
    def defaults(self) -> dict[str, Any]:
        return self.optimizer.defaults

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        self.optimizer.add_param_group(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none)

    # -- the step --------------------------------------------------------------------------

    def _add_noise(self) -> None:
        params = [p for group in self.param_groups for p in group["params"]]
        add_gradient_noise_(params, self.eta, self.gamma, self.t)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Add noise with variance ``eta / (1 + t)^gamma``, step the wrapped optimizer, t += 1."""
        if closure is None:
            self._add_noise()
            loss = self.optimizer.step()
        else:
            def noisy_closure() -> Any:
                value = closure()
                self._add_noise()
                return value

            loss = self.optimizer.step(noisy_closure)
        self.t += 1
        return loss

    # -- checkpoints -----------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The wrapped optimizer's state dict plus ``"gradient_noise"``: t, eta and gamma."""
        out = self.optimizer.state_dict()
        out["gradient_noise"] = {"t": self.t, "eta": self.eta, "gamma": self.gamma}
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the wrapped optimizer and the noise schedule saved by ``state_dict``."""
        if "gradient_noise" not in state_dict:
            raise KeyError("GradientNoise.load_state_dict: no 'gradient_noise' entry; this "
                           "state dict was saved by a bare optimizer, load it into that instead")
        noise = state_dict["gradient_noise"]
        _check_schedule("GradientNoise.load_state_dict", noise["eta"], noise["gamma"])
        _check_step("GradientNoise.load_state_dict", noise["t"])
        self.optimizer.load_state_dict(
            {k: v for k, v in state_dict.items() if k != "gradient_noise"})
        self.t, self.eta, self.gamma = int(noise["t"]), noise["eta"], noise["gamma"]

    def __repr__(self) -> str:
        inner = "\n".join("    " + line for line in repr(self.optimizer).splitlines())
        return f"GradientNoise(eta={self.eta}, gamma={self.gamma}, t={self.t},\n{inner}\n)"


def _check_schedule(name: str, eta: float, gamma: float) -> None:
    if not (isinstance(eta, numbers.Real) and math.isfinite(eta) and eta >= 0):
        raise ValueError(f"{name}: invalid eta {eta!r}: the noise scale must be a finite "
                         "number >= 0 (the paper uses 0.01, 0.3 or 1.0)")
    if not (isinstance(gamma, numbers.Real) and math.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"{name}: invalid gamma {gamma!r}: the decay exponent must be a "
                         "finite number >= 0 (the paper uses 0.55)")


def _check_step(name: str, step: Any) -> None:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
        raise ValueError(f"{name}: invalid step {step!r}: it must be an integer >= 0 "
                         "(the number of optimizer steps taken so far)")
