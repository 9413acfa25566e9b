"""The kernel seam: one dispatch point between ops and their Numba or numpy kernels.

Every kernel has a numpy reference (the contract: readable, and what tests compare
against) and a loop that Numba compiles beside it, with the same signature once wrapped.
Ops ask for a kernel by name and call what they get::

    from ..kernels import kernel
    y = kernel("sigmoid_forward")(x)

``kernel(name)`` returns the Numba version, compiled on first use (for float32 and
float64, ``cache=True``, so later processes load it from ``__pycache__``), or the numpy
reference when the environment variable ``AUTOGRAD_CORE_JIT`` is ``0``. The variable is
read at every call, so tests can switch it. Numba is imported here, on the first
compilation, never by ``import autograd_core``.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from typing import Any

from . import activations, batchnorm, conv, optim, pooling, reduce, softmax
from ._spec import KernelSpec

_SPECS: dict[str, KernelSpec] = {
    **activations.KERNELS, **batchnorm.KERNELS, **conv.KERNELS, **optim.KERNELS,
    **pooling.KERNELS, **reduce.KERNELS, **softmax.KERNELS,
}
_built: dict[str, Callable] = {}  # kernel name -> wrapped Numba version
_loops: dict[tuple[Callable, str], Any] = {}  # a loop shared by two kernels compiles once
_lock = threading.Lock()


# ``os.environ.get`` costs about a microsecond (it encodes the key and decodes the value),
# and kernels are looked up on every op call; reading the encoded mapping that backs
# ``os.environ`` directly costs a twentieth of that and sees every change made through it.
_ENVIRON = getattr(os.environ, "_data", None)
_JIT_KEY = os.environ.encodekey("AUTOGRAD_CORE_JIT") if _ENVIRON is not None else None
_OFF = os.environ.encodevalue("0") if _ENVIRON is not None else None


def jit_enabled() -> bool:
    """True unless ``AUTOGRAD_CORE_JIT=0``: whether `kernel` hands out Numba versions."""
    if _ENVIRON is None:
        return os.environ.get("AUTOGRAD_CORE_JIT", "1").strip() != "0"
    raw = _ENVIRON.get(_JIT_KEY)
    return raw is None or raw.strip() != _OFF


def available() -> list[str]:
    """The names of all kernels, sorted."""
    return sorted(_SPECS)


def reference(name: str) -> Callable:
    """The numpy reference of kernel ``name``."""
    return _spec(name).reference


def kernel(name: str) -> Callable:
    """Kernel ``name``: the Numba version, or the numpy reference when JIT is off."""
    if not jit_enabled():
        return _spec(name).reference
    fn = _built.get(name)
    if fn is None:
        with _lock:
            fn = _built.get(name)
            if fn is None:
                fn = _built[name] = _build(_spec(name))
    return fn


def _spec(name: str) -> KernelSpec:
    try:
        return _SPECS[name]
    except KeyError:
        raise KeyError(
            f"no kernel named {name!r}; available kernels: {', '.join(available())}"
        ) from None


def _build(spec: KernelSpec) -> Callable:
    key = (spec.loop, spec.args)
    compiled = _loops.get(key)
    if compiled is None:
        numba = importlib.import_module("numba")  # first use: the only place numba is imported
        options = {"cache": True}
        if spec.fastmath:
            options["fastmath"] = set(spec.fastmath)
        compiled = numba.njit(_signatures(numba.types, spec.args), **options)(spec.loop)
        _loops[key] = compiled
    return spec.wrap(compiled, spec.reference)


def _signatures(types: Any, args: str) -> list[Any]:
    """Numba signatures (float32 and float64) from codes like ``"i1 i1 o1 f"``.

    Inputs are typed read-only, which also accepts writable arrays: one signature serves
    both (and read-only views such as broadcasts need no copy).
    """
    sigs = []
    for dtype in (types.float32, types.float64):
        parts = []
        for code in args.split():
            kind, ndim = code[0], int(code[1:] or 0)
            if kind == "i":
                parts.append(types.Array(dtype, ndim, "C", readonly=True))
            elif kind == "o":
                parts.append(types.Array(dtype, ndim, "C"))
            elif kind == "f":
                parts.append(types.float64)
            elif kind == "b":
                parts.append(types.boolean)
            else:
                raise ValueError(f"unknown kernel argument code {code!r} in {args!r}")
        sigs.append(types.void(*parts))
    return sigs


__all__ = ["available", "jit_enabled", "kernel", "reference"]
