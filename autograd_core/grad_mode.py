"""Whether ops record the graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The switch is per thread, as in PyTorch: turning recording off in one thread (say, an
evaluation loop) does not affect training in another. Each works as a context manager and
as a decorator.
"""

from __future__ import annotations

import contextlib
import threading


class _State(threading.local):
    enabled = True  # each thread starts with recording on


_state = _State()


def is_grad_enabled() -> bool:
    """True when ops on tensors that require grad record the graph (the default)."""
    return _state.enabled


def _set(enabled: bool) -> None:
    _state.enabled = enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a ``with`` block or a decorated function.

    Called plainly, ``set_grad_enabled(False)`` also switches the mode right away, as in
    PyTorch.
    """

    def __init__(self, mode: bool) -> None:
        self.prev = is_grad_enabled()
        self.mode = bool(mode)
        _set(self.mode)

    def __enter__(self) -> set_grad_enabled:
        _set(self.mode)
        return self

    def __exit__(self, *exc: object) -> None:
        _set(self.prev)


class no_grad(contextlib.ContextDecorator):
    """Ops inside do not record the graph: for evaluation and for updating parameters."""

    def _recreate_cm(self) -> no_grad:
        return type(self)()  # a fresh one per decorated call: safe under recursion and threads

    def __enter__(self) -> no_grad:
        self.prev = is_grad_enabled()
        _set(False)
        return self

    def __exit__(self, *exc: object) -> None:
        _set(self.prev)


class enable_grad(contextlib.ContextDecorator):
    """Ops inside record the graph even within an enclosing ``no_grad``."""

    def _recreate_cm(self) -> enable_grad:
        return type(self)()  # a fresh one per decorated call: safe under recursion and threads

    def __enter__(self) -> enable_grad:
        self.prev = is_grad_enabled()
        _set(True)
        return self

    def __exit__(self, *exc: object) -> None:
        _set(self.prev)
