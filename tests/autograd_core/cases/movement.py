"""Cases for the movement ops: reshape, permute, repeat, cat/stack, split/chunk, pad, flip, ...

Every op here is linear, so each case also runs gradgradcheck.
"""

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

import autograd_core as ac
from autograd_core.ops import elementwise as E
from autograd_core.ops import indexing as I
from autograd_core.ops import movement as M

from ..opspec import OpCase, shapes


def _shape(min_dims=0, max_dims=4, max_side=4):
    return shapes(1, min_dims=min_dims, max_dims=max_dims, max_side=max_side).map(
        lambda s: s[0][0])


def _dim(draw, ndim, extra=0):
    """A valid dim (possibly negative) for ``ndim`` dims (+ ``extra`` for inserting ones)."""
    n = max(ndim + extra, 1)
    return draw(st.integers(-n, n - 1))


@st.composite
def _reshape_args(draw):
    shape = draw(_shape())
    sizes = draw(st.permutations(shape)) if shape else []
    # regroup neighbours, insert ones, and maybe let one size be inferred
    target = []
    for n in sizes:
        if target and draw(st.booleans()):
            target[-1] *= n
        else:
            target.append(n)
        if draw(st.integers(0, 4)) == 0:
            target.append(1)
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return [shape], {"shape": tuple(target)}


@st.composite
def _flatten_args(draw):
    shape = draw(_shape())
    if not shape:
        return [shape], {}
    a, b = sorted([draw(st.integers(0, len(shape) - 1)) for _ in range(2)])
    neg = draw(st.booleans())
    return [shape], {"start_dim": a - len(shape) if neg else a, "end_dim": b}


@st.composite
def _squeeze_args(draw):
    shape = draw(_shape(max_side=2))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return [shape], {}
    if kind == "int":
        return [shape], {"dim": _dim(draw, len(shape))}
    n = max(len(shape), 1)
    dims = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    return [shape], {"dim": tuple(d - n if draw(st.booleans()) else d for d in dims)}


@st.composite
def _unsqueeze_args(draw):
    shape = draw(_shape(max_dims=3))
    return [shape], {"dim": _dim(draw, len(shape), extra=1)}


@st.composite
def _permute_args(draw):
    shape = draw(_shape())
    order = draw(st.permutations(range(len(shape))))
    return [shape], {"dims": tuple(d - len(shape) if draw(st.booleans()) else d for d in order)}


@st.composite
def _transpose_args(draw):
    shape = draw(_shape(min_dims=1))
    return [shape], {"dim0": _dim(draw, len(shape)), "dim1": _dim(draw, len(shape))}


@st.composite
def _movedim_args(draw):
    shape = draw(_shape(min_dims=1))
    n = len(shape)
    k = draw(st.integers(1, n))
    src = draw(st.permutations(range(n)))[:k]
    dst = draw(st.permutations(range(n)))[:k]
    return [shape], {"source": tuple(src), "destination": tuple(dst)}


@st.composite
def _repeat_args(draw):
    shape = draw(_shape(max_dims=3, max_side=3))
    extra = draw(st.integers(0, 2))
    sizes = tuple(draw(st.integers(0 if draw(st.integers(0, 5)) == 0 else 1, 3))
                  for _ in range(len(shape) + extra))
    return [shape], {"sizes": sizes}


@st.composite
def _cat_args(draw, min_count=1, min_size=1):
    base = draw(_shape(min_dims=1))
    d = draw(st.integers(0, len(base) - 1))
    count = draw(st.integers(min_count, 3))
    sizes = [draw(st.integers(min_size, 3)) for _ in range(count)]
    shape_list = [base[:d] + (n,) + base[d + 1:] for n in sizes]
    if min_size == 0 and draw(st.booleans()):
        shape_list.insert(draw(st.integers(0, count)), (0,))  # PyTorch skips these
    return shape_list, {"dim": d - len(base) if draw(st.booleans()) else d}


@st.composite
def _stack_args(draw):
    base = draw(_shape(max_dims=3))
    count = draw(st.integers(1, 3))
    return [base] * count, {"dim": _dim(draw, len(base), extra=1)}


@st.composite
def _split_args(draw):
    shape = draw(_shape(min_dims=1, max_side=5))
    d = draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    if draw(st.booleans()):
        size = draw(st.integers(1, n + 1))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        size = [b - a for a, b in zip([0, *cuts], [*cuts, n])]
    return [shape], {"size": size, "dim": d - len(shape) if draw(st.booleans()) else d}


@st.composite
def _chunk_args(draw):
    shape = draw(_shape(min_dims=1, max_side=5))
    return [shape], {"chunks": draw(st.integers(1, 6)), "dim": _dim(draw, len(shape))}


@st.composite
def _narrow_args(draw):
    shape = draw(_shape(min_dims=1, max_side=5))
    d = draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    start = draw(st.integers(0, n))
    length = draw(st.integers(0, n - start))
    if draw(st.booleans()) and start < n:
        start -= n
    return [shape], {"dim": d, "start": start, "length": length}


@st.composite
def _select_args(draw):
    shape = draw(_shape(min_dims=1))
    d = _dim(draw, len(shape))
    n = shape[d]
    return [shape], {"dim": d, "index": draw(st.integers(-n, n - 1))}


@st.composite
def _pad_args(draw):
    shape = draw(_shape(min_dims=1, max_dims=3))
    k = draw(st.integers(1, len(shape)))
    pads = []
    for i in range(k):
        n = shape[len(shape) - 1 - i]
        lo = draw(st.integers(-n, 3))
        hi = draw(st.integers(-(n - max(-lo, 0)), 3))
        pads += [lo, hi]
    value = draw(st.sampled_from([None, 0.0, 1.5, -2.0]))
    return [shape], {"pad": tuple(pads), "value": value}


@st.composite
def _pad_mode_args(draw):
    k = draw(st.integers(1, 3))
    ndim = k + draw(st.integers(1, 2))
    mode = draw(st.sampled_from(["reflect", "replicate", "circular"]))
    shape = tuple(draw(st.integers(1, 4 if d >= ndim - k else 2)) for d in range(ndim))
    pads = []
    for i in range(k):
        n = shape[ndim - 1 - i]
        lo = draw(st.integers(-(n - 1), 3))
        hi = draw(st.integers(-(n - 1 - max(-lo, 0)), 3))
        kept = n - max(-lo, 0) - max(-hi, 0)
        if mode == "reflect":  # pads smaller than the input size
            lo, hi = min(lo, n - 1), min(hi, n - 1)
        if mode == "circular":  # wrapping around at most once
            lo, hi = min(lo, kept), min(hi, kept)
        pads += [lo, hi]
    return [shape], {"pad": tuple(pads), "mode": mode}


@st.composite
def _flip_args(draw):
    shape = draw(_shape())
    n = max(len(shape), 1)
    dims = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    return [shape], {"dims": tuple(dims)}


@st.composite
def _roll_args(draw):
    shape = draw(_shape())
    if not shape or draw(st.booleans()):
        return [shape], {"shifts": draw(st.integers(-7, 7)), "dims": None}
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=3))
    shifts = tuple(draw(st.integers(-7, 7)) for _ in dims)
    return [shape], {"shifts": shifts, "dims": tuple(dims)}


@st.composite
def _strided_args(draw):
    """Shapes whose last side is at least 3, so that ``x[..., ::2]`` is not contiguous."""
    shape = draw(_shape(min_dims=1, max_dims=3))
    return [shape[:-1] + (draw(st.integers(3, 5)),)], {}


def _pieces_ours(a, size, dim):
    return ac.cat([p.reshape(-1) for p in a.split(size, dim)])


def _pieces_theirs(a, size, dim):
    return torch.cat([p.reshape(-1) for p in a.split(size, dim)])


_LINEAR = {"gradgradcheck": True}

CASES = [
    OpCase("reshape", (M.Reshape,), lambda a, shape: a.reshape(shape),
           lambda a, shape: a.reshape(shape), _reshape_args(), **_LINEAR),
    OpCase("reshape varargs", (M.Reshape,), lambda a, shape: M.reshape(a, *shape),
           lambda a, shape: torch.reshape(a, shape), _reshape_args(), **_LINEAR),
    OpCase("view (copies when non-contiguous)", (M.Reshape,), lambda a, shape: a.view(*shape),
           lambda a, shape: a.reshape(shape), _reshape_args(), **_LINEAR),
    OpCase("flatten", (M.Reshape,), lambda a, **kw: a.flatten(**kw),
           lambda a, **kw: a.flatten(**kw), _flatten_args(), **_LINEAR),
    OpCase("squeeze", (M.Reshape,), lambda a, **kw: a.squeeze(**kw),
           lambda a, **kw: a.squeeze(**kw), _squeeze_args(), **_LINEAR),
    OpCase("unsqueeze", (M.Reshape,), lambda a, dim: ac.unsqueeze(a, dim),
           lambda a, dim: a.unsqueeze(dim), _unsqueeze_args(), **_LINEAR),
    OpCase("permute", (M.Permute,), lambda a, dims: a.permute(*dims),
           lambda a, dims: a.permute(dims), _permute_args(), **_LINEAR),
    OpCase("transpose", (M.Permute,), lambda a, dim0, dim1: a.transpose(dim0, dim1),
           lambda a, dim0, dim1: a.transpose(dim0, dim1), _transpose_args(), **_LINEAR),
    OpCase("swapaxes", (M.Permute,), lambda a, dim0, dim1: ac.swapaxes(a, dim0, dim1),
           lambda a, dim0, dim1: torch.swapaxes(a, dim0, dim1), _transpose_args(), **_LINEAR),
    OpCase("T", (M.Permute,), lambda a: a.T,
           lambda a: a.permute(tuple(reversed(range(a.ndim)))), _shape().map(lambda s: ([s], {})),
           **_LINEAR),
    OpCase("mT", (M.Permute,), lambda a: a.mT, lambda a: a.mT,
           _shape(min_dims=2).map(lambda s: ([s], {})), **_LINEAR),
    OpCase("movedim", (M.Permute,), lambda a, **kw: a.movedim(**kw),
           lambda a, **kw: a.movedim(**kw), _movedim_args(), **_LINEAR),
    OpCase("repeat", (M.Repeat,), lambda a, sizes: a.repeat(*sizes),
           lambda a, sizes: a.repeat(sizes), _repeat_args(), **_LINEAR),
    OpCase("cat", (M.Cat,), lambda *xs, dim: ac.cat(list(xs), dim=dim),
           lambda *xs, dim: torch.cat(list(xs), dim=dim), _cat_args(), **_LINEAR),
    # parity only: gradcheck can't take zero-element inputs (its numeric Jacobian of an
    # input with no elements comes out (0, 0) rather than (outputs, 0))
    OpCase("cat with empty parts", (M.Cat,), lambda *xs, dim: ac.cat(list(xs), dim=dim),
           lambda *xs, dim: torch.cat(list(xs), dim=dim), _cat_args(min_size=0),
           gradcheck=False),
    OpCase("concatenate with promotion", (M.Cat, E.Cast),
           lambda *xs, dim: ac.concatenate([xs[0].float(), *[x.double() for x in xs[1:]]],
                                           axis=dim),
           lambda *xs, dim: torch.cat([xs[0].float(), *[x.double() for x in xs[1:]]], dim=dim),
           _cat_args(min_count=2), rtol64=1e-6, atol64=1e-7,
           extra={"gradcheck": {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3}}),
    OpCase("cat int with float", (M.Cat,), lambda a, b: ac.cat([a, b.long()], dim=0),
           lambda a, b: torch.cat([a, b.long()], dim=0),
           _cat_args().map(lambda s: ([s[0][0], s[0][0]], {})), grad_inputs=[0], **_LINEAR),
    OpCase("stack", (M.Reshape, M.Cat), lambda *xs, dim: ac.stack(list(xs), dim=dim),
           lambda *xs, dim: torch.stack(list(xs), dim=dim), _stack_args(), **_LINEAR),
    OpCase("split", (I.Index,), _pieces_ours, _pieces_theirs, _split_args(), **_LINEAR),
    OpCase("chunk", (I.Index,),
           lambda a, chunks, dim: ac.cat([p.reshape(-1) for p in a.chunk(chunks, dim)]),
           lambda a, chunks, dim: torch.cat([p.reshape(-1) for p in a.chunk(chunks, dim)]),
           _chunk_args(), **_LINEAR),
    OpCase("narrow", (I.Index,), lambda a, **kw: a.narrow(**kw), lambda a, **kw: a.narrow(**kw),
           _narrow_args(), **_LINEAR),
    OpCase("select", (I.Index,), lambda a, **kw: a.select(**kw), lambda a, **kw: a.select(**kw),
           _select_args(), **_LINEAR),
    OpCase("unbind", (I.Index, M.Cat),
           lambda a, dim: ac.stack(a.unbind(dim), dim=0),
           lambda a, dim: torch.stack(a.unbind(dim), dim=0),
           _transpose_args().map(lambda s: (s[0], {"dim": s[1]["dim0"]})), **_LINEAR),
    OpCase("pad constant", (M.Pad,), lambda a, pad, value: ac.pad(a, pad, value=value),
           lambda a, pad, value: F.pad(a, pad, value=value), _pad_args(), **_LINEAR),
    OpCase("pad reflect/replicate/circular", (I.Index,),
           lambda a, pad, mode: ac.pad(a, pad, mode=mode),
           lambda a, pad, mode: F.pad(a, pad, mode=mode), _pad_mode_args(), **_LINEAR),
    OpCase("flip", (M.Flip,), lambda a, dims: a.flip(*dims), lambda a, dims: a.flip(dims),
           _flip_args(), **_LINEAR),
    OpCase("roll", (M.Roll,), lambda a, **kw: a.roll(**kw), lambda a, **kw: a.roll(**kw),
           _roll_args(), **_LINEAR),
    OpCase("contiguous", (I.Index, M.Contiguous), lambda a: a[..., ::2].contiguous(),
           lambda a: a[..., ::2].contiguous(), _strided_args(), noncontiguous=False, **_LINEAR),
]

