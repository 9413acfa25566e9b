"""Saving and loading state: ``.npz`` files read with ``allow_pickle=False``.

Nothing that loads a file runs code from it: a checkpoint is a plain zip of arrays. A load
checks everything first (missing keys, unexpected keys, shapes, dtypes that cannot be
cast) and reports every problem in one error; only then does it copy, so a failed load
leaves the model exactly as it was.
"""

from __future__ import annotations

import zipfile
from collections import OrderedDict, namedtuple
from pathlib import Path
from typing import Any

import numpy as np

from autograd_core import Tensor, no_grad

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _array(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value)


def load_into(module: Any, state_dict: dict[str, Any], strict: bool) -> IncompatibleKeys:
    """Copy ``state_dict`` into ``module``'s parameters and persistent buffers."""
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    problems = []
    for key, target in own.items():
        if key not in state_dict:
            continue
        value = _array(state_dict[key])
        if value.shape != target.shape:
            problems.append(f"{key}: shape {tuple(value.shape)} in the state dict, "
                            f"{tuple(target.shape)} in the model")
        elif not np.can_cast(value.dtype, target.dtype, casting="same_kind"):
            problems.append(f"{key}: dtype {value.dtype} can't be loaded into {target.dtype}")
    if strict and missing:
        problems.append("missing keys: " + ", ".join(missing))
    if strict and unexpected:
        problems.append("unexpected keys: " + ", ".join(unexpected))
    if problems:
        raise RuntimeError(
            f"load_state_dict for {type(module).__name__} failed; nothing was changed:\n  "
            + "\n  ".join(problems)
        )
    with no_grad():
        for key, target in own.items():
            if key in state_dict:
                np.copyto(target._data, _array(state_dict[key]), casting="same_kind")
                target._bump_version()
    return IncompatibleKeys(missing, unexpected)


def save(obj: Any, path: str | Path) -> Path:
    """Save a Module (its ``state_dict``) or a mapping name -> tensor/array to ``.npz``."""
    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    if not isinstance(state, dict):
        raise TypeError(f"save: expected a Module or a dict of tensors, got {type(obj).__name__}")
    arrays = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise TypeError(f"save: keys must be strings, got {key!r}")
        arrays[key] = _array(value)
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def load(path: str | Path) -> OrderedDict[str, Tensor]:
    """Read a ``.npz`` checkpoint into an ordered dict name -> Tensor (no code is run)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            return OrderedDict((key, Tensor._make(np.array(archive[key]))) for key in archive.files)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, KeyError) as err:
        raise ValueError(
            f"load: {path} is not a readable autograd_core checkpoint (.npz of arrays, no "
            f"pickled objects): {err}"
        ) from None
