"""Anomaly mode: stop at the first NaN or Inf, naming the op and the user code that made it.

``with autograd_core.detect_anomaly(): loss.backward()`` checks every op's output in
forward and every gradient in backward. It records where each op was created (a stack
trace per op), which is slow: use it to find a problem, not to train.
"""

from __future__ import annotations

import contextlib
import os
import threading
import traceback
from typing import Any

import numpy as np


class _State(threading.local):
    enabled = False
    in_backward = False


_state = _State()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def anomaly_enabled() -> bool:
    return _state.enabled


class detect_anomaly(contextlib.ContextDecorator):
    """Raise at the first NaN or Inf produced in forward or backward inside this block."""

    def _recreate_cm(self) -> detect_anomaly:
        return type(self)()

    def __enter__(self) -> detect_anomaly:
        self.prev = anomaly_enabled()
        _state.enabled = True
        return self

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self.prev


def user_frame(stack: list[traceback.FrameSummary] | None) -> str:
    """The innermost frame outside autograd_core, as 'file:line in function: code'."""
    for frame in reversed(stack or []):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "<unknown location>"


def _bad(array: np.ndarray) -> str | None:
    if array.dtype.kind != "f":
        return None
    if np.isnan(array).any():
        return "NaN"
    if np.isinf(array).any():
        return "Inf"
    return None


class backward_pass(contextlib.ContextDecorator):
    """Marks the engine's backward pass: ops run there are checked as gradients, not forward."""

    def __enter__(self) -> backward_pass:
        self.prev = _state.in_backward
        _state.in_backward = True
        return self

    def __exit__(self, *exc: object) -> None:
        _state.in_backward = self.prev


def check_forward(fn: type, result: Any, ctx: Any) -> None:
    if _state.in_backward:
        return  # inside backward: the node's returned gradients are checked instead
    kind = _bad(result._data)
    if kind:
        where = user_frame(traceback.extract_stack()[:-2])
        raise FloatingPointError(
            f"anomaly: {fn.__name__} produced {kind} in forward (output shape "
            f"{tuple(result.shape)}, {result.dtype}), created at {where}"
        )


def check_backward(node: Any, grads: tuple[Any, ...]) -> None:
    for i, g in enumerate(grads):
        if g is None:
            continue
        kind = _bad(g._data)
        if kind:
            where = user_frame(getattr(node, "created_at", None))
            raise FloatingPointError(
                f"anomaly: {node.name} returned {kind} in the gradient of its input {i} "
                f"(shape {tuple(g.shape)}); the op was created at {where}"
            )
