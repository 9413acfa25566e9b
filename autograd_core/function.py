"""`Function`: the one way an op is defined, built-in or user-written.

A Function is a pair of static methods::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):              # numpy arrays in, a numpy array out
            y = np.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):          # Tensors in, Tensors out: one per forward input
            (y,) = ctx.saved_tensors
            return grad * y

``Exp.apply(t)`` runs forward on ``t``'s array and, when ``t`` requires grad and recording
is on, records a `Context`, the node of the backward graph. Because backward is written with
Tensor ops, running it with recording on (``create_graph=True``) builds the graph of the
gradient itself: higher derivatives come for free.

Arrays passed to ``save_for_backward`` come back from ``saved_tensors`` as Tensors: the
input Tensor it was (with its graph, so second derivatives flow through it), the output, or
a constant. Saved inputs are checked at backward time against in-place changes.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from .anomaly import _state as _anomaly_state
from .anomaly import check_forward
from .grad_mode import _state as _grad_state
from .grad_mode import is_grad_enabled, no_grad
from .tensor import AccumulateGrad, Tensor  # noqa: F401 - AccumulateGrad re-exported

_REGISTRY: dict[str, type[Function]] = {}
_new = object.__new__


class Context:
    """One recorded op application: a node of the backward graph (PyTorch's ``grad_fn``).

    ``next_nodes`` holds, per forward input, the node its gradient goes to (the producing
    Context, or the `AccumulateGrad` of a leaf), or None where no gradient is needed.
    Functions may store extra attributes on it (``ctx.dim = dim``).
    """

    # Defaults live on the class, so recording an op sets only what differs (a hot path).
    next_nodes: tuple[Any, ...] = ()
    _inputs: tuple[Any, ...] = ()  # next_nodes without the Nones: the engine's node protocol
    _to_save: tuple[Any, ...] = ()
    _saved: tuple[Any, ...] = ()
    _saved_versions: tuple[int, ...] = ()
    _freed = False
    _hooks: list[Callable] | None = None
    output_data: np.ndarray | None = None
    input_arrays: list[Any] = []
    _output_version: Any = None  # the output's version counter, when the output is saved
    created_at: list[traceback.FrameSummary] | None = None

    def __init__(self, fn: type[Function], needs_input_grad: tuple[bool, ...]) -> None:
        self.fn = fn
        self.needs_input_grad = needs_input_grad

    # -- what forward and backward use --------------------------------------------------

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (inputs, the output, or any other array) for backward."""
        self._to_save = values

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The saved values as Tensors; raises if they were freed or changed in place."""
        if self._freed:
            raise RuntimeError(
                f"{self.name}: trying to backward through the graph a second time, but its "
                "saved values were freed after the first backward. Pass retain_graph=True to "
                "the first backward() (or autograd_core.grad) to keep them."
            )
        out = []
        for value, version in zip(self._saved, self._saved_versions):
            if isinstance(value, Tensor):  # a saved input: unchanged since it was saved?
                counter = value._vc  # (None: never changed in place, so still version 0)
                if counter is not None and counter.value != version:
                    raise RuntimeError(
                        f"{self.name}: one of the tensors it saved for backward (shape "
                        f"{tuple(value.shape)}, {value.dtype}) was modified by an in-place "
                        f"operation (version {version} when saved, {counter.value} now). Use "
                        "an out-of-place op (x = x + y, not x += y) or clone() it first."
                    )
            elif value is _OUTPUT:
                if self._output_version.value:
                    raise RuntimeError(
                        f"{self.name}: its output (shape {self.output_data.shape}, "
                        f"{self.output_data.dtype}), which it saved for backward, was modified "
                        "by an in-place operation. Use an out-of-place op (y = y + 1, not "
                        "y += 1) or clone() it first."
                    )
                value = Tensor._make(self.output_data, requires_grad=True, grad_fn=self)
            out.append(value)
        return tuple(out)

    # -- what the engine, drawing and stepping read -------------------------------------

    @property
    def name(self) -> str:
        """Display name, PyTorch style: ``MulBackward``."""
        return self.fn.__name__ + "Backward"

    def register_hook(self, hook: Callable) -> None:
        """Call ``hook(grad)`` on the gradient arriving at this node's output."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)

    def release(self) -> None:
        """Free what was saved for backward (after a backward without retain_graph)."""
        if self._saved:
            self._saved = ()
            self._freed = True

    def __repr__(self) -> str:
        return f"<{self.name}>"


class _Scratch:
    """What forward gets as ``ctx`` when nothing is recorded: it may store, nothing reads."""

    def save_for_backward(self, *values: Any) -> None:
        pass


_NOTHING_NEEDED = [(False,) * n for n in range(8)]  # needs_input_grad when nothing records


class _OutputMarker:
    def __repr__(self) -> str:
        return "<saved output>"


_OUTPUT = _OutputMarker()


class Function:
    """Base class of every op. Subclass with static ``forward`` and ``backward``.

    Class attributes: ``display_name`` (shown in drawings, default: the class name),
    ``formula`` (the local-derivative rule as text, for learners), and ``ufunc``: for an op
    whose forward is exactly one numpy ufunc of its arguments (``+``, ``*``, ...), that
    ufunc, so that a call recording nothing (inside ``no_grad``, or in an ordinary backward
    pass) runs it without building a context.
    """

    display_name: str = ""
    formula: str = ""
    once_differentiable: bool = False
    ufunc: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("display_name"):
            cls.display_name = cls.__name__
        _REGISTRY[f"{cls.__module__}.{cls.__qualname__}"] = cls

    @staticmethod
    def forward(ctx: Context, *args: Any) -> np.ndarray:
        raise NotImplementedError("a Function needs a static forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: Context, *grads: Any) -> Any:
        raise NotImplementedError("a Function needs a static backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run forward on the arrays of ``args`` and record the op when a grad is needed."""
        if _grad_state.enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    return _record(cls, args)
        arrays = []  # (a loop: cheaper than a comprehension for a few items on Python 3.11)
        for a in args:
            arrays.append(a._data if isinstance(a, Tensor) else a)
        if cls.ufunc is not None:  # nothing to record: just compute
            out = cls.ufunc(*arrays)
        else:
            ctx = _new(_Scratch)
            n = len(arrays)
            ctx.needs_input_grad = _NOTHING_NEEDED[n] if n < 8 else (False,) * n
            out = cls.forward(ctx, *arrays)
        result = Tensor._make(out if type(out) is np.ndarray else _as_array(out, cls))
        if _anomaly_state.enabled:
            check_forward(cls, result, None)
        return result


def _record(fn: type[Function], args: tuple) -> Tensor:
    """Run ``fn.forward`` and record its node: the Function.apply path that builds graph."""
    arrays = []  # what forward gets
    needs = []  # which inputs need a gradient
    nodes = []  # where each input's gradient goes (None: nowhere)
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._data)
            if a._requires_grad:
                needs.append(True)
                node = a.grad_fn
                if node is None:  # a leaf: its AccumulateGrad, if it still has one
                    ref = a._accumulator
                    node = (ref() if ref is not None else None) or a._grad_node()
                nodes.append(node)
                continue
        else:
            arrays.append(a)
        needs.append(False)
        nodes.append(None)
    ctx = _new(Context)  # (no __init__: this is the hot path; defaults live on the class)
    ctx.fn = fn
    ctx.needs_input_grad = needs = tuple(needs)
    raw = fn.forward(ctx, *arrays)
    out = raw if type(raw) is np.ndarray else _as_array(raw, fn)  # ufuncs give 0-d scalars
    ctx.next_nodes = next_nodes = tuple(nodes)
    ctx._inputs = next_nodes if False not in needs else tuple(
        [n for n in nodes if n is not None])
    ctx.output_data = out
    ctx.input_arrays = arrays  # what drawings show for inputs that are not graph nodes
    result = Tensor._make(out, True, ctx)
    if ctx._to_save:
        saved, versions, saves_output = _resolve_saved(ctx._to_save, args, arrays, raw, out)
        ctx._saved, ctx._saved_versions = saved, versions
        ctx._to_save = ()
        if saves_output:
            ctx._output_version = result._shared_version()  # watched like saved inputs
    if _anomaly_state.enabled:
        ctx.created_at = traceback.extract_stack()[:-2]
        check_forward(fn, result, ctx)
    return result


def _resolve_saved(values: tuple, args: tuple, arrays: list, raw: Any,
                   out: np.ndarray) -> tuple[tuple, tuple, bool]:
    """Map each saved array back to what it is: an input Tensor, the output, or a constant.

    Returns the saved values, the versions to check them against, and whether the output
    is among them.
    """
    saved = []
    versions = []
    saves_output = False
    for value in values:
        if value is None:
            saved.append(None)
            versions.append(0)
            continue
        i = 0
        for array in arrays:
            if value is array:
                a = args[i]
                if isinstance(a, Tensor):
                    saved.append(a)
                    versions.append(a._vc.value if a._vc is not None else 0)
                    break
            i += 1
        else:
            if value is out or value is raw:
                saved.append(_OUTPUT)
                saves_output = True
            else:
                saved.append(_as_saved(value))
            versions.append(0)
    return tuple(saved), tuple(versions), saves_output


def _as_array(out: Any, fn: type[Function]) -> np.ndarray:
    if isinstance(out, np.ndarray):
        return out
    if isinstance(out, (np.generic, int, float, bool)):
        return np.asarray(out)
    raise TypeError(
        f"{fn.__name__}.forward must return a numpy array, got {type(out).__name__}"
    )


def _as_saved(value: Any) -> Any:
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor._make(np.asarray(value))
    return value


def once_differentiable(backward: Callable) -> Callable:
    """Decorate a ``backward`` that is not itself differentiable (a fused kernel, say).

    Its gradients are computed without recording; if a second-order pass later tries to
    differentiate through them, it raises an error naming the Function.
    """

    @functools.wraps(backward)
    def wrapper(ctx: Context, *grads: Any) -> Any:
        create_graph = is_grad_enabled()
        with no_grad():
            result = backward(ctx, *grads)
        if not create_graph:
            return result
        name = ctx.fn.__name__
        single = not isinstance(result, tuple)
        results = (result,) if single else result
        wrapped = tuple(
            None if g is None else _DelayedError.apply(g.detach().requires_grad_(), name)
            for g in results
        )
        return wrapped[0] if single else wrapped

    wrapper.once_differentiable = True
    return wrapper


class _DelayedError(Function):
    """Passes a value through; differentiating it raises (see `once_differentiable`)."""

    display_name = "OnceDifferentiable"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, name: str) -> np.ndarray:
        ctx.op_name = name
        return x

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        raise RuntimeError(
            f"{ctx.op_name} is once-differentiable: its backward is a fused kernel that "
            "records no graph, so it cannot be differentiated again (second order). "
            "Use the composite ops instead where you need higher derivatives."
        )


def functions() -> list[type[Function]]:
    """Every built-in Function (those defined inside autograd_core), sorted by name."""
    return sorted(
        (f for key, f in _REGISTRY.items() if key.startswith("autograd_core.")
         and not f.__name__.startswith("_")),
        key=lambda f: f.__name__,
    )
