"""Cases for indexing: ``x[key]`` (basic, advanced, mixed), its adjoint, ``x[key] = v``,
``index_select``, ``gather`` and ``masked_fill``.

Keys are drawn as Python ints, slices, None, Ellipsis and numpy arrays (integer or bool);
``to_ours`` passes some arrays as Tensors, ``to_torch`` makes them torch tensors.
"""

import numpy as np
import torch
from hypothesis import strategies as st

import autograd_core as ac
from autograd_core.ops import elementwise as E
from autograd_core.ops import indexing as I

from ..opspec import OpCase, shapes


def to_ours(key, wrap=False):
    """The key for autograd-core; with ``wrap``, arrays become Tensors."""
    return tuple(ac.tensor(k) if wrap and isinstance(k, np.ndarray) else k for k in key)


def to_torch(key):
    return tuple(torch.from_numpy(k) if isinstance(k, np.ndarray) else k for k in key)


@st.composite
def index_keys(draw, shape, advanced, unique=False):
    """A key for ``shape``: ints, slices (steps > 0, ends past the size), None and ``...``;
    with ``advanced``, integer arrays of one broadcast shape (repeats allowed unless
    ``unique``) or one bool mask over one or more dimensions."""
    ndim = len(shape)
    k = draw(st.integers(1 if advanced and ndim else 0, ndim))
    ellipsis_at = draw(st.integers(0, k)) if draw(st.booleans()) else None
    dims = list(range(k)) if ellipsis_at is None else (
        list(range(ellipsis_at)) + list(range(ndim - (k - ellipsis_at), ndim)))
    use_mask = advanced and draw(st.booleans())
    array_shape = (draw(st.integers(1, 3)),) if unique else draw(
        st.sampled_from([(1,), (2,), (3,), (2, 2), (0,)]))
    arrays_left = 1 if unique else 3
    key = []
    i = 0
    while i < len(dims):
        if ellipsis_at == i and not any(k is Ellipsis for k in key):
            key.append(Ellipsis)
        if draw(st.integers(0, 4)) == 0:
            key.append(None)
        d = dims[i]
        n = shape[d]
        kinds = ["int", "slice"] + (["array"] if advanced and arrays_left else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            ends = st.none() | st.integers(-n - 2, n + 2)
            key.append(slice(draw(ends), draw(ends), draw(st.sampled_from([None, 1, 2, 3]))))
        elif use_mask:  # one mask, over the next few indexed dimensions that are adjacent
            span = 1
            while i + span < len(dims) and dims[i + span] == d + span and draw(st.booleans()):
                span += 1
            mask_shape = tuple(shape[d:d + span])
            key.append(np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(mask_shape)),
                                              max_size=int(np.prod(mask_shape)))),
                                dtype=bool).reshape(mask_shape))
            arrays_left = 0
            i += span
            continue
        else:
            size = int(np.prod(array_shape))
            if unique:
                size = min(size, n)
                values = draw(st.lists(st.integers(0, n - 1), min_size=size, max_size=size,
                                       unique=True))
                values = [v - n if draw(st.booleans()) else v for v in values]
                key.append(np.array(values, dtype=np.int64))
            else:
                values = draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size))
                key.append(np.array(values, dtype=np.int64).reshape(array_shape))
            arrays_left -= 1
        i += 1
    if ellipsis_at is not None and not any(k is Ellipsis for k in key):
        key.append(Ellipsis)
    if draw(st.integers(0, 4)) == 0:
        key.insert(draw(st.integers(0, len(key))), None)
    return tuple(key)


@st.composite
def _getitem_args(draw, advanced):
    (shape,), _ = draw(shapes(1, min_dims=1 if advanced else 0))
    key = draw(index_keys(shape, advanced))
    return [shape], {"key": key, "wrap": draw(st.booleans())}


def _result_shape(shape, key):
    return ac.zeros(*shape)[key].shape


@st.composite
def _scatter_args(draw):
    """The gradient of ``x[key]`` (its shape) and x's shape: IndexScatter's inputs."""
    (shape,), _ = draw(shapes(1, min_dims=1))
    key = draw(index_keys(shape, advanced=draw(st.booleans())))
    return [_result_shape(shape, key)], {"key": key, "shape": shape}


def _scatter_ours(g, key, shape):
    return I.IndexScatter.apply(g, I.parse_key(key, shape), shape)


def _scatter_theirs(g, key, shape):
    """torch's own backward of indexing, as a differentiable function of the gradient."""
    z = torch.zeros(shape, dtype=g.dtype, requires_grad=True)
    (out,) = torch.autograd.grad(z[to_torch(key)], z, g, create_graph=True)
    return out


@st.composite
def _setitem_args(draw):
    """x's shape, a key without repeated positions, and a value shape that broadcasts."""
    (shape,), _ = draw(shapes(1, min_dims=0))
    key = draw(index_keys(shape, advanced=draw(st.booleans()), unique=True))
    target = list(_result_shape(shape, key))
    drop = draw(st.integers(0, len(target)))
    value = [1 if draw(st.integers(0, 3)) == 0 else n for n in target[drop:]]
    if draw(st.integers(0, 4)) == 0:
        value = [1, *value]  # a leading 1 is dropped, as numpy and PyTorch do
    return [shape, tuple(value)], {"key": key}


def _setitem_ours(x, v, key):
    y = x * 1.0
    y[key] = v
    return y


def _setitem_theirs(x, v, key):
    y = x * 1.0
    y[to_torch(key)] = v
    return y


@st.composite
def _index_select_args(draw):
    (shape,), _ = draw(shapes(1, min_dims=1))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[d]
    idx = draw(st.lists(st.integers(0, n - 1), max_size=5))  # PyTorch: no negative indices
    return [shape], {"dim": d, "index": idx}


@st.composite
def _gather_args(draw):
    (shape,), _ = draw(shapes(1, min_dims=1))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = tuple(draw(st.integers(1, 4)) if i == d % len(shape)
                        else draw(st.integers(1, n)) for i, n in enumerate(shape))
    size = int(np.prod(index_shape))
    values = draw(st.lists(st.integers(0, shape[d] - 1), min_size=size, max_size=size))
    return [shape], {"dim": d, "index": np.array(values, dtype=np.int64).reshape(index_shape)}


@st.composite
def _masked_fill_args(draw):
    shape_list, _ = draw(shapes(2))
    x_shape = tuple(np.broadcast_shapes(*shape_list))
    mask_shape = shape_list[1]
    mask = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(mask_shape)),
                                  max_size=int(np.prod(mask_shape)))), dtype=bool)
    return [x_shape], {"mask": mask.reshape(mask_shape),
                       "value": draw(st.sampled_from([0.0, -1.5, 3.0]))}




def _nonempty(strategy):
    """Inputs with at least one element: gradcheck can't take empty ones (its numeric
    Jacobian of an input with no elements comes out (0, 0) rather than (outputs, 0))."""
    return strategy.filter(lambda s: all(int(np.prod(shape)) for shape in s[0]))


_LINEAR = {"gradgradcheck": True}

CASES = [
    OpCase("getitem basic", (I.Index,), lambda a, key, wrap: a[to_ours(key, wrap)],
           lambda a, key, wrap: a[to_torch(key)], _getitem_args(False), **_LINEAR),
    OpCase("getitem advanced", (I.Index,), lambda a, key, wrap: a[to_ours(key, wrap)],
           lambda a, key, wrap: a[to_torch(key)], _getitem_args(True), **_LINEAR),
    OpCase("getitem repeated indices", (I.Index,), lambda a, idx: a[idx],
           lambda a, idx: a[torch.tensor(idx)],
           shapes(1, min_dims=1).flatmap(lambda s: st.lists(
               st.integers(-s[0][0][0], s[0][0][0] - 1), min_size=1, max_size=6).map(
               lambda idx: (s[0], {"idx": idx}))), **_LINEAR),
    OpCase("getitem whole mask", (I.Index,), lambda a: a[a > 0], lambda a: a[a > 0],
           shapes(1), **_LINEAR),
    OpCase("index scatter (indexing's adjoint)", (I.IndexScatter,), _scatter_ours,
           _scatter_theirs, _nonempty(_scatter_args()), **_LINEAR),
    OpCase("index scatter, empty parts", (I.IndexScatter,), _scatter_ours, _scatter_theirs,
           _scatter_args(), gradcheck=False),
    OpCase("setitem", (I.SetIndex,), _setitem_ours, _setitem_theirs,
           _nonempty(_setitem_args()), **_LINEAR),
    OpCase("setitem, empty parts", (I.SetIndex,), _setitem_ours, _setitem_theirs,
           _setitem_args(), gradcheck=False),
    OpCase("index_select", (I.Index,),
           lambda a, dim, index: a.index_select(dim, ac.tensor(index, dtype="int64")),
           lambda a, dim, index: a.index_select(dim, torch.tensor(index, dtype=torch.int64)),
           _index_select_args(), **_LINEAR),
    OpCase("gather", (I.Index,), lambda a, dim, index: ac.gather(a, dim, ac.tensor(index)),
           lambda a, dim, index: torch.gather(a, dim, torch.from_numpy(index)),
           _gather_args(), **_LINEAR),
    OpCase("masked_fill", (E.Where,), lambda a, mask, value: a.masked_fill(ac.tensor(mask), value),
           lambda a, mask, value: a.masked_fill(torch.from_numpy(mask), value),
           _masked_fill_args(), **_LINEAR),
    OpCase("masked_fill tensor value", (E.Where,),
           lambda a, v, mask: a.masked_fill(ac.tensor(mask), v),
           lambda a, v, mask: a.masked_fill(torch.from_numpy(mask), v),
           _masked_fill_args().map(lambda s: ([s[0][0], ()], {"mask": s[1]["mask"]})),
           **_LINEAR),
]
