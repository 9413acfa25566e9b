"""How an op is tested: an `OpCase` says how to call it on our tensors and on PyTorch's.

Every op family has a table of cases in ``tests/autograd_core/cases/<family>.py`` (a list
named ``CASES``). ``test_ops_registry.py`` runs every case for parity with PyTorch (values
and gradients, float32 and float64, Hypothesis-drawn shapes with broadcasting, 0-d and
size-1 dimensions, and non-contiguous inputs) and through ``gradcheck``, and fails if any
built-in Function appears in no case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ac
from autograd_core.engine import backward_order

Shapes = list[tuple[int, ...]]


@dataclass
class OpCase:
    """One way of calling one or more Functions.

    ``inputs`` draws ``(shapes, kwargs)``: one shape per tensor argument, and keyword
    arguments passed to both ``ours(*tensors, **kwargs)`` and ``theirs(*tensors, **kwargs)``.
    ``make`` (optional) builds the input arrays itself (for integer indices, masks, values
    kept away from a kink); by default floats are uniform on ``[low, high]``.
    """

    name: str
    functions: tuple[type, ...]
    ours: Callable[..., Any]
    theirs: Callable[..., Any]
    inputs: st.SearchStrategy
    low: float = -2.0
    high: float = 2.0
    make: Callable[[np.random.Generator, np.dtype, Shapes, dict], list[np.ndarray]] | None = None
    grad_inputs: Sequence[int] | None = None  # which inputs get gradients (default: floats)
    gradcheck: bool = True
    gradgradcheck: bool = False
    noncontiguous: bool = True
    rtol32: float = 1e-5
    atol32: float = 1e-5
    rtol64: float = 1e-10
    atol64: float = 1e-10
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"gradcheck": {"eps": 1e-3}}

    def __repr__(self) -> str:
        return f"OpCase({self.name})"


# -- shape strategies ---------------------------------------------------------------------


def shapes(n: int = 1, min_dims: int = 0, max_dims: int = 4, max_side: int = 5,
           broadcast: bool = True) -> st.SearchStrategy:
    """``n`` shapes (as ``(shapes, {})``), mutually broadcastable when ``broadcast``.

    Sides start at 1, so size-1 dimensions are common; ``min_dims=0`` allows 0-d tensors.
    """
    if n == 1 or not broadcast:
        one = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1,
                               max_side=max_side)
        if n == 1:
            return one.map(lambda s: ([s], {}))
        return one.map(lambda s: ([s] * n, {}))
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda b: (list(b.input_shapes), {}))


def with_dim(strategy: st.SearchStrategy, keepdim: bool = True) -> st.SearchStrategy:
    """Add ``dim`` (valid for the first shape, possibly negative) and ``keepdim``."""

    @st.composite
    def draw(data: Any) -> tuple[Shapes, dict]:
        shape_list, kwargs = data(strategy)
        ndim = max(len(shape_list[0]), 1)
        kwargs = dict(kwargs, dim=data(st.integers(-ndim, ndim - 1)))
        if keepdim:
            kwargs["keepdim"] = data(st.booleans())
        return shape_list, kwargs

    return draw()


# -- running a case -----------------------------------------------------------------------


def make_arrays(case: OpCase, rng: np.random.Generator, dtype: np.dtype, shape_list: Shapes,
                kwargs: dict, noncontiguous: bool) -> list[np.ndarray]:
    if case.make is not None:
        return case.make(rng, dtype, shape_list, kwargs)
    arrays = []
    for shape in shape_list:
        if noncontiguous and len(shape) >= 2:
            # build the transposed array, then transpose back: same shape, strided memory
            swapped = shape[:-2] + (shape[-1], shape[-2])
            a = rng.uniform(case.low, case.high, size=swapped).astype(dtype).swapaxes(-1, -2)
        else:
            a = np.asarray(rng.uniform(case.low, case.high, size=shape)).astype(dtype)
        arrays.append(a)
    return arrays


def _grad_indices(case: OpCase, arrays: list[np.ndarray]) -> list[int]:
    if case.grad_inputs is not None:
        return list(case.grad_inputs)
    return [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]


def ours_inputs(arrays: list[np.ndarray], grad_idx: list[int]) -> list[ac.Tensor]:
    return [ac.Tensor._make(a, requires_grad=i in grad_idx) for i, a in enumerate(arrays)]


def torch_inputs(arrays: list[np.ndarray], grad_idx: list[int]) -> list[torch.Tensor]:
    out = []
    for i, a in enumerate(arrays):
        t = torch.from_numpy(a.copy()) if a.flags.c_contiguous else torch.from_numpy(
            np.ascontiguousarray(a.swapaxes(-1, -2))).transpose(-1, -2)
        out.append(t.requires_grad_(i in grad_idx))
    return out


def as_numpy(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, ac.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def assert_close(ours: Any, theirs: Any, rtol: float, atol: float, what: str) -> None:
    a, b = as_numpy(ours), as_numpy(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != PyTorch's {b.shape}"
    if b.dtype.kind in "fc":
        assert a.dtype == b.dtype or str(a.dtype) == str(b.dtype).replace("torch.", ""), (
            f"{what}: dtype {a.dtype} != PyTorch's {b.dtype}")
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def check_parity(case: OpCase, shape_list: Shapes, kwargs: dict, seed: int, dtype: np.dtype,
                 noncontiguous: bool) -> None:
    """Values and gradients of ``case`` agree with PyTorch on one drawn input."""
    rng = np.random.default_rng(seed)
    arrays = make_arrays(case, rng, dtype, shape_list, kwargs, noncontiguous)
    grad_idx = _grad_indices(case, arrays)
    ours_in = ours_inputs(arrays, grad_idx)
    torch_in = torch_inputs(arrays, grad_idx)
    out = case.ours(*ours_in, **kwargs)
    tout = case.theirs(*torch_in, **kwargs)
    rtol, atol = (case.rtol64, case.atol64) if dtype == np.float64 else (case.rtol32, case.atol32)
    assert_close(out, tout, rtol, atol, f"{case.name}: value")
    if isinstance(out, ac.Tensor) and out.grad_fn is not None:
        ran = {node.fn for node in backward_order([out.grad_fn]) if hasattr(node, "fn")}
        missing = set(case.functions) - ran
        assert not missing, f"{case.name}: declares {missing} but the graph does not use them"
    if not grad_idx or not getattr(tout, "requires_grad", False):
        return
    weights = rng.standard_normal(tuple(tout.shape)).astype(dtype)
    out.backward(ac.Tensor._make(weights))
    tout.backward(torch.from_numpy(weights))
    for i in grad_idx:
        theirs = torch_in[i].grad
        ours = ours_in[i].grad
        if theirs is None:
            assert ours is None or not np.any(as_numpy(ours)), f"{case.name}: grad {i}"
            continue
        assert ours is not None, f"{case.name}: no gradient for input {i}"
        assert_close(ours, theirs, rtol, atol, f"{case.name}: gradient of input {i}")


def gradcheck_inputs(case: OpCase, shape_list: Shapes, kwargs: dict,
                     seed: int) -> list[ac.Tensor]:
    rng = np.random.default_rng(seed)
    arrays = make_arrays(case, rng, np.dtype(np.float64), shape_list, kwargs, False)
    return ours_inputs(arrays, _grad_indices(case, arrays))
