"""`Optimizer`: the base of every optimizer, with PyTorch's ``param_groups`` and ``state``.

An optimizer takes any iterable of tensors (or of dicts, one per parameter group with its
own hyperparameters), never a Module: ``optim`` does not import ``nn``. Subclasses
implement ``step``; everything else (groups, zeroing, checkpoints) lives here.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.autograd import zero_grad_


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()  # a default that must be given (e.g. SGD's lr in old PyTorch)


class Optimizer:
    """Holds parameter groups and per-parameter state; subclasses define ``step``."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of tensors or of dicts, "
                "got a single Tensor; pass [tensor] or model.parameters()"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: expected a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        name = type(self).__name__
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Tensor")
            if p.dtype.kind != "f":
                raise TypeError(f"{name}: parameter {i} (shape {tuple(p.shape)}) is {p.dtype}; "
                                "only floating-point tensors can be optimized")
            if not p.is_leaf:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf tensor (parameter {i}, shape "
                    f"{tuple(p.shape)}, made by {p.grad_fn.name}); optimize the leaves it "
                    "was computed from, or detach() it and set requires_grad"
                )
        group = dict(param_group, params=params)
        for key, default in self.defaults.items():
            if default is required and key not in group:
                raise ValueError(f"{name}: parameter group didn't specify a value of required "
                                 f"optimization parameter {key}")
            group.setdefault(key, default)
        lr = group.get("lr")
        if isinstance(lr, (int, float)) and lr < 0:
            raise ValueError(f"{name}: invalid learning rate {lr}: it must be >= 0")
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in params) or len({id(p) for p in params}) != len(params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients (to None by default, as in PyTorch)."""
        zero_grad_((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _params_with_grad(self, group: dict[str, Any]) -> list[Tensor]:
        """The group's parameters that received a gradient (the others are skipped)."""
        return [p for p in group["params"] if p.grad is not None]

    # -- checkpoints ---------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and state, with parameters replaced by their position."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            positions = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                positions.append(index[id(p)])
            packed["params"] = positions
            groups.append(packed)
        state = {index[id(p)]: _copy_state(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by ``state_dict`` (exact copies)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the saved state has {len(groups)} "
                f"parameter groups, this optimizer {len(self.param_groups)}"
            )
        for saved, group in zip(groups, self.param_groups):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: a saved group has "
                    f"{len(saved['params'])} parameters, the optimizer's has "
                    f"{len(group['params'])}"
                )
        by_position = {}
        for saved, group in zip(groups, self.param_groups):
            for position, p in zip(saved["params"], group["params"]):
                by_position[position] = p
        self.state = defaultdict(dict)
        for position, s in state_dict["state"].items():
            self.state[by_position[int(position)]] = _copy_state(s)
        for saved, group in zip(groups, self.param_groups):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    """A deep copy in which tensors get arrays of their own."""
    out = {}
    for key, value in state.items():
        if isinstance(value, Tensor):
            out[key] = Tensor._make(value._data.copy())
        elif isinstance(value, np.ndarray):
            out[key] = value.copy()
        else:
            out[key] = copy.deepcopy(value)
    return out
