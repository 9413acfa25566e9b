"""Movement ops: change a tensor's shape or arrangement, never its values.

Each is linear, and its gradient undoes the movement: ``reshape`` reshapes the gradient
back, ``permute`` permutes it back with the inverse order, ``flip`` and ``roll`` flip and
roll it back, ``repeat`` sums the copies, ``cat`` slices out each input's part, ``pad``
crops what it added (and pads back what it cropped). Ops that compose from others do
(``stack`` is unsqueeze + cat; ``split``, ``chunk``, ``narrow``, ``select`` and ``unbind``
are indexing), so every gradient is itself made of differentiable ops.

Results that numpy gives as views of the input (``reshape`` when the memory allows it,
``permute``/``transpose``/``T``, ``squeeze``/``unsqueeze``, ``split`` and friends) share the
input's memory and version counter, as in PyTorch, so an in-place change through either is
seen by both. ``view`` is ``reshape`` here: where PyTorch's ``view`` would refuse a
non-contiguous tensor, this one copies (and the copy has its own version counter).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from ..tensor import Tensor, _check_dim
from .broadcast import sum_to
from .indexing import Index, Key, _dim_arg, expects_tensor, index_select, share_memory


class Reshape(Function):
    display_name = "reshape"
    formula = "d reshape(x)/dx: reshape the gradient back to x's shape"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.input_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        return Reshape.apply(grad, ctx.input_shape), None


class Permute(Function):
    display_name = "permute"
    formula = "d permute(x, dims)/dx: permute the gradient back with the inverse order"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        return Permute.apply(grad, tuple(int(d) for d in np.argsort(ctx.dims))), None


class Repeat(Function):
    display_name = "repeat"
    formula = "d repeat(x)/dx: the sum of the gradient over all the copies"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
        ctx.input_shape = x.shape
        ctx.sizes = sizes
        return np.tile(x, sizes)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        sizes = ctx.sizes
        padded = (1,) * (len(sizes) - len(ctx.input_shape)) + ctx.input_shape
        # split each output dim (r * n) into (r, n), then add the r copies up
        split = tuple(v for r, n in zip(sizes, padded) for v in (r, n))
        summed = sum_to(Reshape.apply(grad, split), tuple(v for n in padded for v in (1, n)))
        return Reshape.apply(summed, ctx.input_shape), None


class Cat(Function):
    display_name = "cat"
    formula = "d cat(xs, dim)/dx_i: the slice of the gradient where x_i was placed"

    @staticmethod
    def forward(ctx: Context, dim: int, *xs: np.ndarray) -> np.ndarray:
        ctx.dim = dim
        ctx.shapes = [x.shape for x in xs]
        return np.concatenate([x for x in xs if not _skipped(x.shape, xs)], axis=dim)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        grads: list[Tensor | None] = [None]
        start = 0
        for shape, need in zip(ctx.shapes, ctx.needs_input_grad[1:]):
            if _skipped(shape, ctx.shapes):
                grads.append(Tensor._make(np.zeros(shape, dtype=grad.dtype)) if need else None)
                continue
            stop = start + shape[ctx.dim]
            part = (slice(None),) * ctx.dim + (slice(start, stop),)
            grads.append(Index.apply(grad, Key(part + (Ellipsis,), None)) if need else None)
            start = stop
        return tuple(grads)


def _skipped(shape: tuple[int, ...], others: Sequence[Any]) -> bool:
    """PyTorch's legacy rule: cat skips 1-d empty tensors (shape (0,)) among others."""
    return shape == (0,) and any(getattr(o, "shape", o) != (0,) for o in others)


class Pad(Function):
    """Constant padding; a negative amount crops instead."""

    display_name = "pad"
    formula = "d pad(x, p)/dx = pad(gradient, -p): crop what was added, zero-fill what was cut"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, pads: tuple[tuple[int, int], ...],
                value: Any) -> np.ndarray:
        ctx.pads = pads
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pads, x.shape))
        widths = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
        return np.pad(x[crop], widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        return Pad.apply(grad, tuple((-lo, -hi) for lo, hi in ctx.pads), 0), None, None


class Flip(Function):
    display_name = "flip"
    formula = "d flip(x, dims)/dx: flip the gradient back"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return np.flip(x, dims).copy()  # PyTorch's flip returns new memory, not a view

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        return Flip.apply(grad, ctx.dims), None


class Roll(Function):
    display_name = "roll"
    formula = "d roll(x, s)/dx = roll(gradient, -s)"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shifts: tuple[int, ...],
                dims: tuple[int, ...] | None) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts if dims is not None else shifts[0], axis=dims)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        return Roll.apply(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None


class Contiguous(Function):
    display_name = "contiguous"
    formula = "d contiguous(x)/dx = 1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad


# -- argument handling ------------------------------------------------------------------------


def _sizes(args: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """Sizes given as varargs (``reshape(2, 3)``) or as one sequence (``reshape((2, 3))``)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, np.ndarray, Tensor)):
        args = tuple(np.asarray(args[0]).reshape(-1).tolist())
    try:
        return tuple(int(a) if isinstance(a, (int, np.integer)) else a.__index__() for a in args)
    except (AttributeError, TypeError):
        raise TypeError(f"{op}: sizes must be integers, got {args}") from None


def _dims(dims: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Normalise an int or a sequence of dims (negative count from the end); no repeats."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(_check_dim(int(d), ndim, op) for d in dims)
    for i, d in enumerate(out):
        if d in out[:i]:
            raise RuntimeError(f"{op}: dim {d} appears multiple times in the list of dims")
    return out


def _infer_shape(sizes: tuple[int, ...], numel: int, op: str) -> tuple[int, ...]:
    """Replace one -1 by the size that keeps the number of elements."""
    for i, s in enumerate(sizes):
        if s < -1:
            raise RuntimeError(f"{op}: invalid shape dimension {s} at index {i} of shape "
                               f"{list(sizes)}")
    if sizes.count(-1) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred (-1), got shape "
                           f"{list(sizes)}")
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes:
        if known == 0:
            raise RuntimeError(
                f"{op}: cannot reshape tensor of {numel} elements into shape {list(sizes)} "
                "because the unspecified dimension size -1 can be any value and is ambiguous"
            )
        if numel % known == 0:
            return tuple(numel // known if s == -1 else s for s in sizes)
    elif known == numel:
        return sizes
    raise RuntimeError(f"{op}: shape {list(sizes)} is invalid for input of size {numel}")


def _as_view_of(out: Tensor, x: Tensor) -> Tensor:
    """Share x's version counter when numpy made ``out`` a view of x's memory."""
    if np.may_share_memory(out._data, x._data):
        share_memory(out, x)
    return out


def _reshape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return _as_view_of(Reshape.apply(x, shape), x)


# -- shape ---------------------------------------------------------------------------------------


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """``x`` with a new shape of the same number of elements (sizes as varargs or a tuple;
    one may be -1). A view of x's memory when possible, else a copy."""
    return _reshape(x, _infer_shape(_sizes(shape, "reshape"), x.numel(), "reshape"))


def view(x: Tensor, *shape: Any) -> Tensor:
    """PyTorch's ``view``; here the same as ``reshape``: a non-contiguous tensor is copied
    (PyTorch would raise and ask for ``reshape``)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list, Tensor)):
        raise TypeError(f"view: view(dtype) is not supported; give sizes, got {shape[0]!r}")
    return _reshape(x, _infer_shape(_sizes(shape, "view"), x.numel(), "view"))


def reshape_as(x: Tensor, other: Tensor) -> Tensor:
    return reshape(x, other.shape)


def view_as(x: Tensor, other: Tensor) -> Tensor:
    return view(x, other.shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` (inclusive) into one; a 0-d tensor becomes 1-d."""
    if x.ndim == 0:
        return _reshape(x, (1,))
    start = _check_dim(start_dim, x.ndim, "flatten")
    end = _check_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise RuntimeError(f"flatten: start_dim ({start_dim}) cannot come after end_dim "
                           f"({end_dim}) for a tensor of shape {tuple(x.shape)}")
    shape = x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
    return _reshape(x, shape)


def squeeze(x: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:
    """Remove size-1 dimensions: all of them, or those among ``dim`` (an int or a tuple);
    a named dimension whose size is not 1 is left alone, as in PyTorch."""
    dim = _dim_arg(dim, axis, "squeeze")
    dims = range(x.ndim) if dim is None else _dims(dim, x.ndim, "squeeze")
    drop = {d for d in dims if x.ndim and x.shape[d] == 1}
    return _reshape(x, tuple(n for d, n in enumerate(x.shape) if d not in drop))


def unsqueeze(x: Tensor, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Insert a size-1 dimension at ``dim`` (in ``[-ndim-1, ndim]``)."""
    dim = _dim_arg(dim, axis, "unsqueeze")
    if dim is None:
        raise TypeError("unsqueeze: missing the dim argument")
    d = _check_dim(dim, x.ndim + 1, "unsqueeze")
    return _reshape(x, x.shape[:d] + (1,) + x.shape[d:])


# -- arrangement -------------------------------------------------------------------------------


def permute(x: Tensor, *dims: Any) -> Tensor:
    """A view with the dimensions in the order ``dims`` (varargs or a tuple)."""
    order = _dims(_sizes(dims, "permute"), x.ndim, "permute")
    if len(order) != x.ndim:
        raise RuntimeError(
            f"permute: the number of dims ({len(order)}) must equal the tensor's number of "
            f"dimensions ({x.ndim}), shape {tuple(x.shape)}"
        )
    return share_memory(Permute.apply(x, order), x)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """A view with dimensions ``dim0`` and ``dim1`` swapped."""
    if x.ndim == 0:
        _check_dim(dim0, 0, "transpose")
        _check_dim(dim1, 0, "transpose")
        return permute(x)
    order = list(range(x.ndim))
    a, b = _check_dim(dim0, x.ndim, "transpose"), _check_dim(dim1, x.ndim, "transpose")
    order[a], order[b] = order[b], order[a]
    return permute(x, order)


def t(x: Tensor) -> Tensor:
    """Transpose a matrix (0-d and 1-d tensors are returned as views unchanged)."""
    if x.ndim > 2:
        raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, but got {x.ndim}D "
                           f"(shape {tuple(x.shape)}); use transpose(dim0, dim1) or .mT")
    return permute(x, tuple(reversed(range(x.ndim))))


def _T(x: Tensor) -> Tensor:
    """All dimensions reversed (PyTorch deprecates ``.T`` on other than 2-d; use ``.mT``)."""
    return permute(x, tuple(reversed(range(x.ndim))))


def _mT(x: Tensor) -> Tensor:
    """The last two dimensions swapped: a batch of matrices transposed."""
    if x.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {x.ndim}-D tensor.")
    return transpose(x, -2, -1)


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dimensions ``source`` to positions ``destination`` (ints or sequences)."""
    src = _dims(source, x.ndim, "movedim")
    dst = _dims(destination, x.ndim, "movedim")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: invalid source or destination dims: source ({list(src)}) "
                           f"and destination ({list(dst)}) must have the same number of dims")
    rest = iter(d for d in range(x.ndim) if d not in src)
    placed = dict(zip(dst, src))
    return permute(x, tuple(placed[i] if i in placed else next(rest) for i in range(x.ndim)))


def flip(x: Tensor, *dims: Any) -> Tensor:
    """A copy with the order of elements reversed along ``dims``."""
    dims = _dims(_sizes(dims, "flip"), x.ndim, "flip")
    return Flip.apply(x, dims if x.ndim else ())


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements circularly by ``shifts`` along ``dims``; with no dims, over the
    flattened tensor (then reshaped back)."""
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: with no dims, give one shift (got {len(shifts)})")
        return Roll.apply(x, (int(shifts[0]),), None)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims: {len(dims)}")
    dims = tuple(_check_dim(int(d), x.ndim, "roll") for d in dims)
    return Roll.apply(x, tuple(int(s) for s in shifts), dims)


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile ``x``: ``sizes[i]`` copies along dimension i (numpy's ``tile``; sizes may add
    leading dimensions but not be fewer than x's)."""
    sizes = _sizes(sizes, "repeat")
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"repeat: number of dimensions of repeat dims ({len(sizes)}) can not be smaller "
            f"than number of dimensions of tensor ({x.ndim}), shape {tuple(x.shape)}"
        )
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {list(sizes)}")
    return Repeat.apply(x, sizes)


def contiguous(x: Tensor) -> Tensor:
    """``x`` itself if its memory is in C order, else a C-ordered copy."""
    return x if x._data.flags.c_contiguous else Contiguous.apply(x)


# -- joining and splitting ---------------------------------------------------------------------


def _tensor_list(tensors: Any, op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}: expected a list or tuple of Tensors, got "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}: expected Tensor as element {i}, got {type(x).__name__}")
    return list(tensors)


def _promoted(tensors: list[Tensor]) -> list[Tensor]:
    """Cast to the common dtype, by PyTorch's promotion rules."""
    from .elementwise import cast

    target = dtypes.result_type(*tensors)
    return [x if x.dtype == target else cast(x, target) for x in tensors]


def cat(tensors: Sequence[Tensor], dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dimension ``dim``; their other sizes must match.

    As in PyTorch, 1-d empty tensors (shape (0,)) are skipped, and dtypes are promoted.
    """
    dim = _dim_arg(dim, axis, "cat", default=0)
    tensors = _tensor_list(tensors, "cat")
    shapes = [x.shape for x in tensors]
    kept = [(i, x) for i, x in enumerate(tensors) if not _skipped(x.shape, shapes)]
    for i, x in kept:
        if x.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated; unsqueeze it or use stack")
    i0, first = kept[0]
    d = _check_dim(dim, first.ndim, "cat")
    for i, x in kept[1:]:
        if x.ndim != first.ndim:
            raise RuntimeError(f"cat: tensors must have same number of dimensions: got "
                               f"{first.ndim} and {x.ndim} (shapes {first.shape} at position "
                               f"{i0} and {x.shape} at position {i})")
        for k in range(x.ndim):
            if k != d and x.shape[k] != first.shape[k]:
                raise RuntimeError(
                    f"cat: sizes of tensors must match except in dimension {d}. Expected "
                    f"size {first.shape[k]} but got size {x.shape[k]} for tensor number {i} "
                    f"in the list (shapes {first.shape} and {x.shape})"
                )
    return Cat.apply(d, *_promoted(tensors))


def stack(tensors: Sequence[Tensor], dim: int | None = None, *,
          axis: int | None = None) -> Tensor:
    """Join equal-shaped tensors along a new dimension ``dim`` (unsqueeze each, then cat)."""
    dim = _dim_arg(dim, axis, "stack", default=0)
    tensors = _tensor_list(tensors, "stack")
    for i, x in enumerate(tensors[1:], 1):
        if x.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                f"at entry 0 and {list(x.shape)} at entry {i}"
            )
    d = _check_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(x, d) for x in _promoted(tensors)], d)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """A view of ``length`` entries along ``dim`` from ``start`` (negative counts from the end)."""
    d = _check_dim(dim, x.ndim, "narrow")
    if x.ndim == 0:
        raise RuntimeError("narrow: cannot be applied to a 0-dim tensor")
    n = x.shape[d]
    start, length = operator.index(start), operator.index(length)
    if not -n <= start <= n:
        raise IndexError(f"narrow: start ({start}) is out of range for dimension {d} of size {n}")
    start = start % n if start < 0 else start
    if length < 0 or start + length > n:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension "
                           f"size ({n}) of dimension {d}, or length is negative")
    key = Key((slice(None),) * d + (slice(start, start + length), Ellipsis), None)
    return share_memory(Index.apply(x, key), x)


def select(x: Tensor, dim: int, index: int) -> Tensor:
    """The view ``x[..., index, ...]`` with ``index`` at dimension ``dim`` (dim removed)."""
    d = _check_dim(dim, x.ndim, "select")
    index = operator.index(index)
    if x.ndim == 0:
        raise IndexError("select: cannot be applied to a 0-dim tensor")
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select: index {index} out of range for tensor of size "
                         f"{list(x.shape)} at dimension {d}")
    key = Key((slice(None),) * d + (index, Ellipsis), None)
    return share_memory(Index.apply(x, key), x)


def unbind(x: Tensor, dim: int | None = None, *, axis: int | None = None) -> tuple[Tensor, ...]:
    """The slices along ``dim``, each with that dimension removed (views)."""
    dim = _dim_arg(dim, axis, "unbind", default=0)
    d = _check_dim(dim, x.ndim, "unbind")
    return tuple(select(x, d, i) for i in range(x.shape[d]))


def split(x: Tensor, split_size_or_sections: Any, dim: int | None = None, *,
          axis: int | None = None) -> tuple[Tensor, ...]:
    """Pieces (views) along ``dim``: of ``split_size`` each (the last may be smaller), or of
    the listed sizes, which must add up to the dimension's size."""
    dim = _dim_arg(dim, axis, "split", default=0)
    d = _check_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n != 0):
            raise RuntimeError(f"split: split_size must be positive (0 only if the dimension "
                               f"size is 0), got {size} for dimension {d} of size {n}")
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    starts = np.cumsum([0] + sizes[:-1]).tolist()
    return tuple(narrow(x, d, s, size) for s, size in zip(starts, sizes))


def chunk(x: Tensor, chunks: int, dim: int | None = None, *,
          axis: int | None = None) -> tuple[Tensor, ...]:
    """About ``chunks`` equal pieces along ``dim``, as PyTorch: pieces of ceil(n / chunks),
    so there may be fewer than ``chunks``."""
    dim = _dim_arg(dim, axis, "chunk", default=0)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _check_dim(dim, x.ndim, "chunk")
    n = x.shape[d]
    if n == 0:
        return tuple(narrow(x, d, 0, 0) for _ in range(chunks))
    return split(x, -(-n // chunks), d)


# -- padding -------------------------------------------------------------------------------------


def _pad_index(mode: str, n: int, lo: int, hi: int) -> np.ndarray:
    """Where each output position along a padded dimension reads from in the input."""
    positions = np.arange(-lo, n + hi)
    if mode == "reflect":
        positions = np.abs(positions)
        return np.where(positions > n - 1, 2 * (n - 1) - positions, positions)
    if mode == "replicate":
        return np.clip(positions, 0, n - 1)
    crop_lo, crop_hi = max(-lo, 0), max(-hi, 0)  # circular: wraps around what is left
    kept = n - crop_lo - crop_hi
    return crop_lo + np.arange(-max(lo, 0), kept + max(hi, 0)) % kept


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
        ) -> Tensor:
    """``torch.nn.functional.pad``: ``pad`` lists (before, after) amounts from the last
    dimension backwards; a negative amount crops. Modes: constant (with ``value``, default
    0), reflect, replicate, circular (which pad the last 1-3 dimensions of a batched input)."""
    pad = _sizes(tuple(pad), "pad")
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {list(pad)}")
    if len(pad) > 2 * x.ndim:
        raise RuntimeError(f"pad: padding length should be less than or equal to two times "
                           f"the input dimension but got padding length {len(pad)} and input "
                           f"of dimension {x.ndim}")
    k = len(pad) // 2
    amounts = {x.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(k)}
    if mode == "constant":
        pads = tuple(amounts.get(d, (0, 0)) for d in range(x.ndim))
        for d, ((lo, hi), n) in enumerate(zip(pads, x.shape)):
            if max(-lo, 0) + max(-hi, 0) > n:
                raise RuntimeError(f"pad: padding ({lo}, {hi}) crops more than the size {n} "
                                   f"of dimension {d} (shape {tuple(x.shape)})")
        return Pad.apply(x, pads, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}; use constant, "
                                  "reflect, replicate or circular")
    if value is not None:
        raise RuntimeError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
    if not 1 <= k <= 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: padding size {len(pad)} is not supported for {x.ndim}D input with mode "
            f"{mode}: 2D or 3D input pads 2 values (the last dimension), 3D or 4D input 4, 4D "
            "or 5D input 6"
        )
    out = x
    for d, (lo, hi) in amounts.items():
        n = x.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"pad: padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of "
                               f"input {list(x.shape)}")
        kept = n - max(-lo, 0) - max(-hi, 0)
        if mode == "circular" and (lo > kept or hi > kept):
            raise RuntimeError(f"pad: padding ({lo}, {hi}) at dimension {d} of input "
                               f"{list(x.shape)} causes wrapping around more than once")
        if n == 0 or kept <= 0:
            raise RuntimeError(f"pad: can't pad dimension {d} of size {n} by ({lo}, {hi}) in "
                               f"mode {mode}")
        out = index_select(out, d, _pad_index(mode, n, lo, hi))
    return out


METHODS = {
    "reshape": reshape, "view": view, "reshape_as": reshape_as, "view_as": view_as,
    "flatten": flatten, "squeeze": squeeze, "unsqueeze": unsqueeze, "permute": permute,
    "transpose": transpose, "swapaxes": transpose, "swapdims": transpose, "t": t,
    "T": property(_T), "mT": property(_mT), "movedim": movedim, "moveaxis": movedim,
    "flip": flip, "roll": roll, "repeat": repeat, "contiguous": contiguous,
    "split": split, "chunk": chunk, "narrow": narrow, "select": select, "unbind": unbind,
    "__iter__": lambda x: iter(_iter_check(x)),
}
FUNCTIONS = {name: expects_tensor(fn) for name, fn in {
    "reshape": reshape, "flatten": flatten, "squeeze": squeeze, "unsqueeze": unsqueeze,
    "permute": permute, "transpose": transpose, "swapaxes": transpose, "swapdims": transpose,
    "t": t, "movedim": movedim, "moveaxis": movedim, "flip": flip, "roll": roll,
    "split": split, "chunk": chunk, "narrow": narrow, "select": select, "unbind": unbind,
    "pad": pad,
}.items()}
FUNCTIONS.update({"cat": cat, "concatenate": cat, "concat": cat, "stack": stack})


def _iter_check(x: Tensor) -> tuple[Tensor, ...]:
    if x.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return unbind(x, 0)
