"""Indexing: ``x[key]``, ``x[key] = value``, ``index_select``, ``gather``, ``masked_fill``.

Three Functions do all the work:

* `Index` reads ``x[key]``. Its gradient puts the output's gradient back where it was read.
* `IndexScatter` is that adjoint: zeros of the input's shape with the gradient added at the
  indexed places (``np.add.at``), so an index used twice (``x[[0, 0, 1]]``) gets the sum of
  both gradients. The two are each other's backward, which makes second order free.
* `SetIndex` is ``x[key] = value`` as an op of (old x, value): the gradient of old x is zero
  where it was overwritten, the gradient of value is read from those places.

Keys follow PyTorch, which applies a key in two stages: integers, slices, ``None`` and
``...`` first (a view, sharing memory and the version counter), then the integer and bool
arrays (a copy), with numpy's rule for where the indexed dimensions go. Integers count as
part of the first stage, which is where PyTorch differs from numpy: for ``x`` of shape
(2, 3, 4), ``x[0, :, [0, 1]]`` has shape (3, 2) in PyTorch (and here), (2, 3) in numpy; a
0-d integer tensor counts as an integer. A bool mask stands for the integer arrays of its
``nonzero()``. A list is one array index (``x[[0, 1]]``), never a tuple of indices:
PyTorch's older reading of a list of lists as a tuple is deprecated, and numpy dropped it.

Writing into a tensor while recording changes every tensor that shares its memory, but
autograd-core does not re-derive a view's history from its base (PyTorch does). So a write
that would leave a live view or base with values its recorded history does not explain is
refused with an error instead of giving a silently wrong gradient (see
`check_inplace_aliases`).
"""

from __future__ import annotations

import functools
import operator
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor, _check_dim
from ._util import broadcast_shapes, unbroadcast


class Key(NamedTuple):
    """A parsed index: ``basic`` (ints, slices, None, ...) is applied first and gives a view;
    ``advanced`` (integer arrays and slices) is then applied to that view, or is None."""

    basic: tuple
    advanced: tuple | None


def take(array: np.ndarray, key: Key) -> np.ndarray:
    """numpy reference: ``array[key]`` in PyTorch's two stages."""
    view = array[key.basic]
    return view if key.advanced is None else view[key.advanced]


def put(array: np.ndarray, key: Key, value: Any) -> None:
    """numpy reference: ``array[key] = value`` (in place)."""
    region = array[key.basic]
    if key.advanced is None:
        region[...] = value
    else:
        region[key.advanced] = value


class Index(Function):
    display_name = "index"
    formula = "d x[key]/dx: the gradient put back at the indexed places (repeats add up)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, key: Key) -> np.ndarray:
        ctx.key = key
        ctx.input_shape = x.shape
        return take(x, key)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        return IndexScatter.apply(grad, ctx.key, ctx.input_shape), None


class IndexScatter(Function):
    """Zeros of ``shape`` with ``g`` added at ``key``: the adjoint of `Index`."""

    display_name = "index_scatter"
    formula = "d scatter(g)/dg = the gradient read back at the indexed places"

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, key: Key, shape: tuple[int, ...]) -> np.ndarray:
        ctx.key = key
        out = np.zeros(shape, dtype=g.dtype)
        region = out[key.basic]
        if key.advanced is None:
            region[...] = g
        else:
            np.add.at(region, key.advanced, g)  # a repeated index accumulates
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        return Index.apply(grad, ctx.key), None, None


class SetIndex(Function):
    """``x`` with ``x[key] = value``, as a new array (PyTorch's ``CopySlices``)."""

    display_name = "setitem"
    formula = ("d (x[key] = v)/dx = 1 off key, 0 on key; "
               "d/dv = the gradient at key, summed over broadcasting")

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, value: Any, key: Key) -> np.ndarray:
        ctx.key = key
        ctx.value_shape = value.shape if isinstance(value, np.ndarray) else None
        out = x.copy()
        put(out, key, value)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        dx = SetIndex.apply(grad, 0.0, ctx.key) if ctx.needs_input_grad[0] else None
        dv = None
        if ctx.needs_input_grad[1]:
            dv = unbroadcast(Index.apply(grad, ctx.key), ctx.value_shape)
        return dx, dv, None


# -- parsing keys ---------------------------------------------------------------------------


def _index_array(item: Any, op: str) -> np.ndarray | bool | int:
    """An index given as a Tensor, array or sequence, as an int64 or bool array."""
    if isinstance(item, Tensor):
        array = item._data
    elif isinstance(item, np.ndarray):
        array = item
    else:
        array = np.asarray([np.asarray(i) if isinstance(i, Tensor) else i for i in item])
        if array.size == 0:
            array = array.astype(dtypes.int64)  # [] is an empty integer index, not floats
    if array.dtype == dtypes.bool_:
        return bool(array) if array.ndim == 0 else array
    if array.dtype.kind not in "iu":
        raise IndexError(
            f"{op}: tensors used as indices must be long, int, byte or bool tensors, got "
            f"{array.dtype} (shape {array.shape}). Convert it with .long(), or compare to get "
            "a bool mask."
        )
    if array.ndim == 0:
        return int(array)  # PyTorch treats a 0-d integer index as an integer
    return array.astype(dtypes.int64, copy=False)


def _item(item: Any, op: str) -> Any:
    """One entry of a key: int, slice, None, Ellipsis, bool, or an int/bool array."""
    if item is None or item is Ellipsis:
        return item
    if isinstance(item, (bool, np.bool_)):
        return bool(item)
    if isinstance(item, (int, np.integer)):
        return int(item)
    if isinstance(item, slice):
        step = 1 if item.step is None else operator.index(item.step)
        if step <= 0:
            raise ValueError(
                f"{op}: step must be greater than zero (got {step}); PyTorch has no negative "
                "steps: use flip(dims) to reverse"
            )
        return item
    if isinstance(item, (Tensor, np.ndarray, list, tuple)):
        return _index_array(item, op)
    raise IndexError(
        f"{op}: only integers, slices (`:`), ellipsis (`...`), None and integer or bool "
        f"tensors are valid indices (got {type(item).__name__})"
    )


def _out_of_bounds(op: str, index: int, dim: int, size: int) -> IndexError:
    return IndexError(f"{op}: index {index} is out of bounds for dimension {dim} with size {size}")


def _check_bounds(array: np.ndarray, dim: int, size: int, op: str,
                  negative: bool = True) -> None:
    """Indices must lie in [-size, size), or [0, size) without ``negative``."""
    if array.size:
        bad = (array < (-size if negative else 0)) | (array >= size)
        if bad.any():
            raise _out_of_bounds(op, int(array[bad].flat[0]), dim, size)


def _consumed(item: Any) -> int:
    """How many dimensions of the tensor an entry of the key indexes."""
    if item is None or item is Ellipsis or isinstance(item, bool):
        return 0
    return item.ndim if isinstance(item, np.ndarray) and item.dtype == dtypes.bool_ else 1


def parse_key(key: Any, shape: tuple[int, ...], op: str = "index") -> Key:
    """Check ``key`` against ``shape`` and split it into PyTorch's two stages (`Key`)."""
    items = [_item(i, op) for i in (key if isinstance(key, tuple) else (key,))]
    if sum(i is Ellipsis for i in items) > 1:
        raise IndexError(f"{op}: an index can only have a single ellipsis ('...')")
    ndim = len(shape)
    used = sum(_consumed(i) for i in items)
    if used > ndim:
        if ndim == 0:
            raise IndexError(f"{op}: invalid index of a 0-dim tensor. Use `tensor.item()` to "
                             "convert a 0-dim tensor to a number")
        raise IndexError(f"{op}: too many indices for tensor of dimension {ndim} "
                         f"(shape {tuple(shape)})")
    has_arrays = any(isinstance(i, (np.ndarray, bool)) for i in items)
    basic: list[Any] = []
    advanced: list[Any] = []
    dim = 0
    for item in items:
        if item is Ellipsis:  # spelled out: an ellipsis over no dims separates no arrays
            basic.append(Ellipsis)
            advanced.extend([slice(None)] * (ndim - used))
            dim += ndim - used
        elif item is None:
            basic.append(None)
            advanced.append(slice(None))
        elif isinstance(item, bool):  # x[True] adds a dimension and selects it (or nothing)
            basic.append(None)
            advanced.append(np.zeros(int(item), dtype=dtypes.int64))
        elif isinstance(item, int):
            if not -shape[dim] <= item < shape[dim]:
                raise _out_of_bounds(op, item, dim, shape[dim])
            basic.append(item)
            dim += 1
        elif isinstance(item, slice):
            basic.append(item)
            advanced.append(slice(None))
            dim += 1
        elif item.dtype == dtypes.bool_:
            k = item.ndim
            if item.shape != tuple(shape[dim:dim + k]):
                raise IndexError(
                    f"{op}: the shape of the mask {list(item.shape)} at index {dim} does not "
                    f"match the shape of the indexed tensor {list(shape)} at index {dim}"
                )
            basic.extend([slice(None)] * k)
            advanced.extend(np.nonzero(item))
            dim += k
        else:
            _check_bounds(item, dim, shape[dim], op)
            basic.append(slice(None))
            advanced.append(item)
            dim += 1
    if Ellipsis not in basic:
        basic.append(Ellipsis)  # so that integers alone still give a 0-d view, not a scalar
    return Key(tuple(basic), tuple(advanced) if has_arrays else None)


# -- views and the aliasing check ----------------------------------------------------------

# id(version counter) -> the live tensors that share it through views: {id(t): t}
_ALIASES: dict[int, weakref.WeakValueDictionary] = {}
_PURGE_AT = [1024]


def share_memory(view: Tensor, base: Tensor) -> Tensor:
    """Mark ``view`` as a view of ``base``: one version counter, known to the aliasing check."""
    vc = base._shared_version()
    view._vc = vc
    group = _ALIASES.get(id(vc))
    if group is None:
        if len(_ALIASES) >= _PURGE_AT[0]:
            for k in [k for k, g in _ALIASES.items() if not len(g)]:
                del _ALIASES[k]
            _PURGE_AT[0] = 2 * len(_ALIASES) + 1024
        group = _ALIASES[id(vc)] = weakref.WeakValueDictionary()
    group[id(base)] = base
    group[id(view)] = view
    return view


def _overlaps(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        return bool(np.shares_memory(a, b, max_work=10_000))
    except np.exceptions.TooHardError:
        return True


def check_inplace_aliases(x: Tensor, region: np.ndarray, op: str) -> None:
    """Refuse a recorded in-place write into ``region`` (part of ``x``'s memory) if another
    live tensor sees that memory: its recorded history would not account for the write."""
    group = _ALIASES.get(id(x._vc)) if x._vc is not None else None
    if not group:
        return
    for other in list(group.values()):
        if other is not x and other._vc is x._vc and _overlaps(other._data, region):
            raise RuntimeError(
                f"{op}: writing in place into this tensor (shape {tuple(x.shape)}) while "
                f"recording would also change another live tensor that shares its memory (a "
                f"view of it or the tensor it is a view of, shape {tuple(other.shape)}, kept "
                "by you or saved by an op for backward), and autograd-core does not update "
                "that tensor's history, so its gradient would be wrong. Index the base in one "
                "step (x[0, 1] = v rather than x[0][1] = v), write before taking views, or "
                "clone() the view first."
            )


# -- public functions -----------------------------------------------------------------------


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]`` with PyTorch's rules; basic indexing gives a view (shared version counter)."""
    parsed = parse_key(key, x.shape)
    out = Index.apply(x, parsed)
    return share_memory(out, x) if parsed.advanced is None else out


def _setitem_value(x: Tensor, key: Key, value: Any) -> Any:
    """``value`` cast to x's dtype and shaped to broadcast to ``x[key]`` (or a Python number)."""
    from .elementwise import cast

    if isinstance(value, (bool, int, float, np.generic)):
        return value.item() if isinstance(value, np.generic) else value
    if not isinstance(value, Tensor):
        value = Tensor._make(np.asarray(value, dtype=x.dtype))
    target = take(np.broadcast_to(np.zeros((), dtype=np.int8), x.shape), key).shape
    while value.ndim > len(target) and value.shape[0] == 1:
        value = Index.apply(value, Key((0, Ellipsis), None))  # drop leading 1s, as numpy does
    try:
        fits = np.broadcast_shapes(value.shape, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"setitem: shape mismatch: value tensor of shape {tuple(value.shape)} cannot be "
            f"broadcast to indexing result of shape {target}"
        )
    return cast(value, x.dtype)


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value`` in place, recorded as a `SetIndex` op when a gradient is needed."""
    parsed = parse_key(key, x.shape, "setitem")
    value = _setitem_value(x, parsed, value)
    value_grad = isinstance(value, Tensor) and value.requires_grad
    recording = is_grad_enabled() and (x.requires_grad or value_grad)
    if recording and x.requires_grad and x.is_leaf:
        raise RuntimeError(
            f"setitem: a leaf tensor that requires grad (shape {tuple(x.shape)}) can't be "
            "changed in place while recording: its gradient is defined at its current "
            "values. Write under `with autograd_core.no_grad():` (to initialise it, say), or "
            "into a copy: y = x.clone(); y[...] = v."
        )
    if not x._data.flags.writeable:
        raise RuntimeError(
            f"setitem: this tensor (shape {tuple(x.shape)}) is read-only: it was made by "
            "expand/broadcast_to, so several of its elements share one memory location. "
            "clone() it first."
        )
    data = value._data if isinstance(value, Tensor) else value
    if recording:
        check_inplace_aliases(x, x._data[parsed.basic], "setitem")
        # the old x as an op input: SetIndex does not save it, so no copy of its values
        old = Tensor._make(x._data, requires_grad=x.requires_grad, grad_fn=x.grad_fn)
        out = SetIndex.apply(old, value, parsed)
        put(x._data, parsed, data)
        out.grad_fn.output_data = x._data
        x.grad_fn = out.grad_fn
        x._requires_grad = True
    else:
        put(x._data, parsed, data)
    x._bump_version()


def expects_tensor(fn: Callable) -> Callable:
    """For the function forms (``autograd_core.reshape(x, ...)``): x must be a Tensor."""

    @functools.wraps(fn)
    def checked(x: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(x, Tensor):
            raise TypeError(f"{fn.__name__}: expected a Tensor, got {type(x).__name__}; wrap "
                            "it with autograd_core.tensor(...)")
        return fn(x, *args, **kwargs)

    return checked


def _dim_arg(dim: int | None, axis: int | None, op: str, default: int | None = None) -> Any:
    """PyTorch's ``dim`` or numpy's ``axis`` (not both)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or axis, not both")
        return axis
    return default if dim is None else dim


def _int_index(index: Any, op: str) -> np.ndarray:
    array = index._data if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: expected an int32 or int64 index, got {array.dtype} (shape {array.shape}); "
            "convert it with .long()"
        )
    return array.astype(dtypes.int64, copy=False)


def index_select(x: Tensor, dim: int | None = None, index: Any = None, *,
                 axis: int | None = None) -> Tensor:
    """The entries of ``x`` at positions ``index`` (a vector) along ``dim``; a copy."""
    dim = _dim_arg(dim, axis, "index_select")
    idx = _int_index(index, "index_select()")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): index is supposed to be a vector, got shape "
                         f"{idx.shape}")
    dim = _check_dim(dim, x.ndim, "index_select()")
    size = x.shape[dim] if x.ndim else 1
    _check_bounds(idx, dim, size, "index_select()", negative=False)
    if x.ndim == 0:  # PyTorch: a 0-d tensor indexed by one position stays 0-d
        if idx.size != 1:
            raise IndexError("index_select(): a 0-d tensor takes an index of one element")
        return Index.apply(x, Key((None, Ellipsis), (idx.reshape(()),)))
    advanced = (slice(None),) * dim + (idx.reshape(-1),)
    return Index.apply(x, Key((Ellipsis,), advanced))


def gather(x: Tensor, dim: int | None = None, index: Any = None, *,
           axis: int | None = None) -> Tensor:
    """``out[i][j] = x[index[i][j]][j]`` for dim=0 (and so on): values picked along ``dim``.

    ``index`` has x's number of dimensions and is no larger than x except along ``dim``;
    the output has index's shape. Its gradient adds up at repeated positions.
    """
    dim = _dim_arg(dim, axis, "gather")
    idx = _int_index(index, "gather()")
    dim = _check_dim(dim, x.ndim, "gather()")
    if x.ndim == 0:  # PyTorch allows a 0-d input with a 0-d or 1-d index of zeros
        _check_bounds(idx, 0, 1, "gather()", negative=False)
        return Index.apply(x, Key((None, Ellipsis), (idx,)))
    if idx.ndim != x.ndim:
        raise RuntimeError(
            f"gather(): index tensor must have the same number of dimensions as input "
            f"tensor: index shape {idx.shape}, input shape {tuple(x.shape)}"
        )
    for d in range(x.ndim):
        if d != dim and idx.shape[d] > x.shape[d]:
            raise RuntimeError(
                f"gather(): size does not match at dimension {d}: expected index "
                f"{list(idx.shape)} to be no larger than self {list(x.shape)} apart from "
                f"dimension {dim}"
            )
    _check_bounds(idx, dim, x.shape[dim], "gather()", negative=False)
    advanced = tuple(
        idx if d == dim else np.arange(n).reshape([-1 if i == d else 1 for i in range(x.ndim)])
        for d, n in enumerate(idx.shape)
    )
    return Index.apply(x, Key((Ellipsis,), advanced))


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` where the bool ``mask`` (broadcast to x's shape) is True.

    ``value`` is a number or a 0-d tensor (which gets a gradient: the sum over the mask).
    """
    from .elementwise import cast, where

    mask_data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask_data.dtype != dtypes.bool_:
        raise RuntimeError(
            f"masked_fill: only bool masks are supported, got a mask of dtype "
            f"{mask_data.dtype}; compare to make one (x > 0)"
        )
    if broadcast_shapes("masked_fill", x.shape, mask_data.shape) != tuple(x.shape):
        raise RuntimeError(
            f"masked_fill: the mask of shape {mask_data.shape} must broadcast to the tensor's "
            f"shape {tuple(x.shape)}"
        )
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(
            f"masked_fill: only a 0-dimensional value tensor is supported, got shape "
            f"{tuple(value.shape)}"
        )
    out = where(Tensor._make(mask_data), value, x)
    return cast(out, x.dtype)


METHODS = {
    "__getitem__": getitem, "__setitem__": setitem, "index_select": index_select,
    "gather": gather, "masked_fill": masked_fill,
}
FUNCTIONS = {name: expects_tensor(fn) for name, fn in
             {"index_select": index_select, "gather": gather, "masked_fill": masked_fill}.items()}
