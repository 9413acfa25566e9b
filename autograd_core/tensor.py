"""`Tensor`: an n-d numpy array that remembers how it was computed.

A Tensor holds its values in ``_data`` (a numpy array), whether it ``requires_grad``, its
accumulated ``grad`` (a Tensor, or None), and ``grad_fn``: the backward-graph node of the
op that produced it (None for a leaf). The ops themselves live in ``autograd_core.ops``,
which attaches them as methods and operators; this file holds what every tensor is.

Views (``reshape``, ``transpose``, basic indexing, ...) share their base's numpy memory and
its version counter, so an in-place change through any of them is seen when backward
checks the tensors an op saved.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import dtypes

_new = object.__new__


class VersionCounter:
    """How many in-place changes a tensor's memory has seen; shared by a base and its views."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class RemovableHandle:
    """Returned by ``register_hook``: ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks = weakref.ref(hooks) if hasattr(hooks, "__weakref__") else (lambda: hooks)
        self._hook = hook

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None and self._hook in hooks:
            hooks.remove(self._hook)


class AccumulateGrad:
    """The backward-graph node of a leaf tensor that requires grad: gradients land here.

    As in PyTorch, the node holds its leaf and the leaf only a weak reference to the node,
    so a graph keeps its leaves alive without a reference cycle.
    """

    __slots__ = ("variable", "__weakref__")
    next_nodes: tuple[Any, ...] = ()
    _inputs: tuple[Any, ...] = ()
    _hooks = None
    name = "AccumulateGrad"

    def __init__(self, tensor: Tensor) -> None:
        self.variable = tensor

    @property
    def output_data(self) -> np.ndarray:
        """The leaf's values: what a gradient arriving here must match (as for a Context)."""
        return self.variable._data

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class Tensor:
    """An n-d array with reverse-mode autograd. Make one with ``autograd_core.tensor(...)``."""

    __slots__ = (
        "_data", "_requires_grad", "grad", "grad_fn", "_vc", "_accumulator", "_hooks",
        "_retains_grad", "name", "__weakref__",
    )
    __array_priority__ = 1000  # numpy defers to our reflected operators

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        array = _to_array(data, dtype)
        self._data = array
        self.grad = None
        self.grad_fn = None
        self._vc = None
        self._accumulator = None
        self._hooks = None
        self._retains_grad = False
        self.name = ""
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def _make(array: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Tensor:
        """Wrap an array without copying or checks (the ops' hot path)."""
        t = _new(Tensor)
        t._data = array
        t._requires_grad = requires_grad
        t.grad = None
        t.grad_fn = grad_fn
        t._vc = None
        t._accumulator = None
        t._hooks = None
        t._retains_grad = False
        t.name = ""
        return t

    # -- basic properties ---------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape, or the length of one dimension (negative dims count from the end)."""
        if dim is None:
            return self._data.shape
        return self._data.shape[_check_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        return int(self._data.size)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that recorded a graph."""
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and not dtypes.is_floating(self._data.dtype):
            raise RuntimeError(
                f"requires_grad: only floating-point tensors can require gradients, this one "
                f"is {self._data.dtype} with shape {self.shape}. Convert it first: "
                f"t.float().requires_grad_() or tensor(..., dtype=float32, requires_grad=True)."
            )
        if not value and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad: you can only change requires_grad of leaf tensors; use "
                "detach() to get a tensor without history."
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def _version(self) -> int:
        return self._vc.value if self._vc is not None else 0

    def _shared_version(self) -> VersionCounter:
        if self._vc is None:
            self._vc = VersionCounter()
        return self._vc

    def _bump_version(self) -> None:
        """Count one in-place change (one call: optimizers run this per parameter per step)."""
        counter = self._vc
        if counter is None:
            counter = self._vc = VersionCounter()
        counter.value += 1

    # -- conversion ---------------------------------------------------------------------

    def numpy(self) -> np.ndarray:
        """The values as a numpy array (shared memory, as in PyTorch)."""
        if self._requires_grad:
            raise RuntimeError(
                "numpy(): can't call numpy() on a tensor that requires grad; use "
                "t.detach().numpy() instead."
            )
        return self._data

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise ValueError(
                f"item(): only a tensor with one element can be converted to a Python number; "
                f"this one has shape {self.shape}"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"bool(): the truth value of a tensor with {self._data.size} elements is "
                "ambiguous; use .any() or .all()"
            )
        return bool(self._data.reshape(()).item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only a one-element integer tensor can be used as an index")
        return int(self._data.reshape(()).item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """numpy's protocol: ``np.asarray(t)`` shares memory, ``np.array(t)`` copies (as
        with a torch tensor), and ``copy=False`` refuses a conversion that needs a copy."""
        array = self._data
        if dtype is not None and np.dtype(dtype) != array.dtype:
            if copy is False:
                raise ValueError(
                    f"Tensor.__array__: a {array.dtype} tensor of shape {tuple(array.shape)} "
                    f"can't become {np.dtype(dtype)} without a copy (copy=False was asked); "
                    "pass copy=None or convert with .astype() first"
                )
            return array.astype(dtype)  # a new array already
        return array.copy() if copy else array

    def __repr__(self) -> str:
        body = np.array2string(
            self._data, separator=", ", precision=4, prefix="tensor(", threshold=1000
        )
        extras = []
        if self._data.dtype != dtypes.float32 and self._data.dtype != dtypes.int64 or (
            self._data.size == 0
        ):
            extras.append(f"dtype={_dtype_name(self._data.dtype)}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # -- autograd -----------------------------------------------------------------------

    def _grad_node(self) -> Any:
        """The backward-graph node gradients for this tensor go to."""
        if self.grad_fn is not None:
            return self.grad_fn
        node = self._accumulator() if self._accumulator is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)  # the graph owns the node, not the leaf
        return node

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d self / d leaf into ``leaf.grad`` for every leaf that requires grad.

        ``gradient`` is required unless self has one element: it is the vector in the
        vector-Jacobian product. The graph's saved values are freed afterwards unless
        ``retain_graph`` (default: ``create_graph``).
        """
        gradients = None if gradient is None else [gradient]  # (a list may be one gradient)
        _autograd.backward(self, gradients, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """The same values (shared memory), cut from the graph."""
        t = Tensor._make(self._data)
        t._vc = self._shared_version()
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place: it becomes a leaf."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor too (leaves always get one)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad(): can't retain_grad on a tensor that has "
                               "requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def store(grad: Tensor) -> None:
            t = ref()
            if t is not None:
                t.grad = grad if t.grad is None else t.grad + grad

        store.retains_grad = True
        self.grad_fn.register_hook(store)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor
        replaces the gradient. Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("register_hook(): can't register a hook on a tensor that "
                               "doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.register_hook(hook)
            return RemovableHandle(self.grad_fn._hooks, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    @property
    def data(self) -> Tensor:
        """The values as a tensor cut from the graph (shared memory), as in PyTorch."""
        return self.detach()

    @data.setter
    def data(self, value: Any) -> None:
        array = value._data if isinstance(value, Tensor) else _to_array(value, None)
        self._data = array

    # -- dtype conversion (differentiable between float dtypes) ---------------------------

    def to(self, dtype: Any) -> Tensor:
        from .ops.elementwise import cast

        return cast(self, dtypes.to_dtype(dtype))

    astype = to
    type = to

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)


def _dtype_name(dtype: np.dtype) -> str:
    return "bool" if dtype == dtypes.bool_ else str(dtype)


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """Convert user data to an array of a supported dtype (float32 unless told otherwise)."""
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        dt = dtypes.to_dtype(dtype)
        return np.array(data, dtype=dt)
    array = np.array(data)
    if array.dtype.kind == "f":
        if isinstance(data, np.ndarray) and array.dtype == dtypes.float64:
            return array  # a float64 numpy array keeps its dtype, as torch.from_numpy does
        return array.astype(dtypes.float32)
    if array.dtype.kind in "iu":
        return array.astype(dtypes.int64) if array.dtype != dtypes.int32 else array
    if array.dtype == dtypes.bool_:
        return array
    raise TypeError(
        f"tensor(): can't make a tensor from {type(data).__name__} with numpy dtype "
        f"{array.dtype}; give numbers, nested lists of numbers, or a numeric array"
    )


def _check_dim(dim: int, ndim: int, op: str) -> int:
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not lo <= dim <= hi:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{lo}, {hi}], "
            f"but got {dim})"
        )
    return dim % max(ndim, 1)


from . import autograd as _autograd  # noqa: E402 - autograd needs Tensor defined first
