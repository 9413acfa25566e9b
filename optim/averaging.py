"""Parameter averaging: evaluate with an average of the weights seen during training.

Two averages over any list of tensors (``model.parameters()`` works: it is an iterable of
tensors; ``optim`` never imports ``nn``):

- ``ExponentialMovingAverage`` (Polyak averaging with exponential weights, as in the notes:
  ``x_test = 0.995 * x_test + 0.005 * x`` after every optimizer step);
- ``AveragedParameters`` (alias ``SWA``): the uniform mean of the snapshots taken with
  ``update()``, as in stochastic weight averaging and ``torch.optim.swa_utils.AveragedModel``.

Both keep their own copies of the averaged values. ``with avg.average_parameters():`` swaps
them into the parameters (for evaluation) and puts the trained values back afterwards, even
if the block raises; ``copy_to`` writes them for good (e.g. before saving the final model).
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd_core import Tensor

__all__ = ["ExponentialMovingAverage", "AveragedParameters", "SWA"]


class _ParameterAverage:
    """Shared machinery: averaged copies of some parameters, swapped in or copied out."""

    def __init__(self, parameters: Iterable[Tensor]) -> None:
        self.parameters = _tensor_list(type(self).__name__, parameters)
        if not self.parameters:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        self.averaged = [Tensor._make(p._data.copy()) for p in self.parameters]

    def _params(self, parameters: Iterable[Tensor] | None, method: str) -> list[Tensor]:
        """The given parameters (default: the tracked ones), checked against the average."""
        if parameters is None:
            return self.parameters
        name = f"{type(self).__name__}.{method}"
        params = _tensor_list(name, parameters)
        if len(params) != len(self.averaged):
            raise ValueError(f"{name}: got {len(params)} parameters, the average tracks "
                             f"{len(self.averaged)}")
        for i, (p, a) in enumerate(zip(params, self.averaged)):
            if p.shape != a.shape:
                raise ValueError(f"{name}: parameter {i} has shape {tuple(p.shape)}, its "
                                 f"average {tuple(a.shape)}; pass the same parameters in the "
                                 "same order as at construction")
        return params

    def _check_ready(self, method: str) -> None:
        """Subclasses raise here when there is no average yet."""

    def copy_to(self, parameters: Iterable[Tensor] | None = None) -> None:
        """Overwrite the parameters (default: the tracked ones) with the averaged values."""
        self._check_ready("copy_to")
        for p, a in zip(self._params(parameters, "copy_to"), self.averaged):
            _write(p, a._data)

    @contextlib.contextmanager
    def average_parameters(self, parameters: Iterable[Tensor] | None = None) -> Iterator[None]:
        """Inside the block the parameters hold the average; afterwards, exactly what they
        held before (restored even if the block raises)."""
        self._check_ready("average_parameters")
        params = self._params(parameters, "average_parameters")
        trained = [p._data.copy() for p in params]
        try:
            self.copy_to(params)
            yield
        finally:
            for p, values in zip(params, trained):
                _write(p, values)

    swapped = average_parameters  # ``with ema.swapped():`` reads well too

    def state_dict(self) -> dict[str, Any]:
        """The update counter, the settings and copies of the averaged values."""
        out = self._settings()
        out["averaged"] = [Tensor._make(a._data.copy()) for a in self.averaged]
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict`` saved (the values are copied, shapes must match)."""
        name = f"{type(self).__name__}.load_state_dict"
        saved = state_dict["averaged"]
        if len(saved) != len(self.averaged):
            raise ValueError(f"{name}: the saved state averages {len(saved)} parameters, "
                             f"this one {len(self.averaged)}")
        arrays = [np.asarray(s._data if isinstance(s, Tensor) else s) for s in saved]
        for i, (values, a) in enumerate(zip(arrays, self.averaged)):
            if values.shape != a.shape:
                raise ValueError(f"{name}: saved average {i} has shape {values.shape}, "
                                 f"the parameter {tuple(a.shape)}")
        self._load_settings(state_dict)  # validates first: a bad state dict changes nothing
        for values, a in zip(arrays, self.averaged):
            np.copyto(a._data, values)

    def _settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def _load_settings(self, state_dict: dict[str, Any]) -> None:
        raise NotImplementedError


class ExponentialMovingAverage(_ParameterAverage):
    """Exponential moving average of parameters: ``avg = decay * avg + (1 - decay) * p``.

    The average starts as a copy of the parameters at construction; call ``update()`` after
    every ``optimizer.step()``. The formula is written operation for operation as in
    ``torch.optim.swa_utils.get_ema_avg_fn``, so float64 results match PyTorch's exactly.
    """

    def __init__(self, parameters: Iterable[Tensor], decay: float = 0.995) -> None:
        _check_decay("ExponentialMovingAverage", decay)
        super().__init__(parameters)
        self.decay = decay
        self.num_updates = 0

    def update(self, parameters: Iterable[Tensor] | None = None) -> None:
        """Fold the parameters' current values into the average."""
        decay = self.decay
        for p, a in zip(self._params(parameters, "update"), self.averaged):
            np.copyto(a._data, decay * a._data + (1 - decay) * p._data)
        self.num_updates += 1

    def _settings(self) -> dict[str, Any]:
        return {"decay": self.decay, "num_updates": self.num_updates}

    def _load_settings(self, state_dict: dict[str, Any]) -> None:
        _check_decay("ExponentialMovingAverage.load_state_dict", state_dict["decay"])
        self.decay = state_dict["decay"]
        self.num_updates = int(state_dict["num_updates"])

    def __repr__(self) -> str:
        return (f"ExponentialMovingAverage(decay={self.decay}, num_updates={self.num_updates}, "
                f"parameters={len(self.averaged)})")


class AveragedParameters(_ParameterAverage):
    """The uniform mean of the snapshots taken by ``update()`` (stochastic weight averaging).

    As in ``torch.optim.swa_utils.AveragedModel``: the first ``update()`` copies the
    parameters; the k-th (k > 1) does ``avg = avg + (p - avg) / k``, a running mean, so after
    k updates the average is ``(p_1 + ... + p_k) / k`` up to rounding (float64 results match
    PyTorch's exactly). Unlike ``AveragedModel`` it averages a list of tensors rather than
    deep-copying a Module, and it refuses to swap in an average before the first snapshot.
    """

    def __init__(self, parameters: Iterable[Tensor]) -> None:
        super().__init__(parameters)
        self.n_averaged = 0

    def update(self, parameters: Iterable[Tensor] | None = None) -> None:
        """Add a snapshot of the parameters' current values to the mean."""
        n = self.n_averaged
        for p, a in zip(self._params(parameters, "update"), self.averaged):
            if n == 0:
                np.copyto(a._data, p._data)
            else:
                np.copyto(a._data, a._data + (p._data - a._data) / (n + 1))
        self.n_averaged += 1

    def _check_ready(self, method: str) -> None:
        if self.n_averaged == 0:
            raise RuntimeError(f"AveragedParameters.{method}: no snapshot has been averaged "
                               "yet; call update() after an optimizer step first")

    def _settings(self) -> dict[str, Any]:
        return {"n_averaged": self.n_averaged}

    def _load_settings(self, state_dict: dict[str, Any]) -> None:
        n = state_dict["n_averaged"]
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"AveragedParameters.load_state_dict: invalid n_averaged {n!r}")
        self.n_averaged = int(n)

    def __repr__(self) -> str:
        return f"AveragedParameters(n_averaged={self.n_averaged}, parameters={len(self.averaged)})"


SWA = AveragedParameters


def _write(p: Tensor, values: np.ndarray) -> None:
    """Overwrite a parameter's values in place (views and optimizer state stay attached)."""
    np.copyto(p._data, values)
    p._bump_version()


def _tensor_list(name: str, parameters: Any) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Tensor; "
                            "pass a list of tensors or model.parameters()")
        if p.dtype.kind != "f":
            raise TypeError(f"{name}: parameter {i} (shape {tuple(p.shape)}) is {p.dtype}; "
                            "only floating-point tensors can be averaged")
    return params


def _check_decay(name: str, decay: Any) -> None:
    if not (isinstance(decay, numbers.Real) and 0.0 <= decay <= 1.0):
        raise ValueError(f"{name}: invalid decay {decay!r}: it must be in [0, 1] "
                         "(the notes use 0.995)")
