"""Reductions and matmul at their edges, against PyTorch: ties, NaN, zeros in prod, -inf
and huge inputs in logsumexp, the norm at 0, 0-d and empty tensors, dtypes, and errors."""

import math
import re

import numpy as np
import pytest
import torch

import autograd_core as ac

NAN, INF = math.nan, math.inf


def both(values, dtype="float64"):
    """The same values as our leaf and PyTorch's, both requiring grad."""
    array = np.array(values, dtype=dtype)
    return (ac.tensor(array, dtype=dtype, requires_grad=True),
            torch.tensor(array, requires_grad=True))


def assert_same(ours, theirs, rtol=1e-12, atol=1e-12):
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    assert a.shape == b.shape, f"shape {a.shape} != PyTorch's {b.shape}"
    assert str(a.dtype) == str(theirs.dtype).replace("torch.", ""), (a.dtype, theirs.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def check(fn_ours, fn_theirs, values, dtype="float64", rtol=1e-12, atol=1e-12):
    """Values and input gradients (with random output weights) agree with PyTorch."""
    x, tx = both(values, dtype)
    out, tout = fn_ours(x), fn_theirs(tx)
    assert_same(out, tout, rtol, atol)
    weights = np.random.default_rng(0).standard_normal(tuple(tout.shape)).astype(dtype)
    out.backward(ac.tensor(weights, dtype=dtype))
    tout.backward(torch.from_numpy(weights))
    if tx.grad is None:
        assert x.grad is None or not np.any(x.grad.numpy())
    else:
        assert_same(x.grad, tx.grad, rtol, atol)


# -- ties and NaN ---------------------------------------------------------------------------

TIES = [[1.0, 3.0, 3.0, 2.0], [3.0, 3.0, 3.0, 3.0], [0.0, -1.0, 0.0, -1.0]]
TIES_2D = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [5.0, 5.0, 5.0]]


@pytest.mark.parametrize("values", TIES + [TIES_2D])
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_without_dim_share_the_gradient_among_ties(values, op):
    check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), values)


@pytest.mark.parametrize("dim", [0, 1, -1, (0, 1), None])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_amin_share_the_gradient_among_ties(dim, keepdim, op):
    torch_dim = () if dim is None else dim
    check(lambda x: getattr(x, op)(dim, keepdim),
          lambda x: getattr(x, op)(torch_dim, keepdim), TIES_2D)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_along_dim_pick_the_first_tie_and_send_it_the_gradient(dim, keepdim, op):
    x, tx = both(TIES_2D)
    ours, theirs = getattr(x, op)(dim, keepdim), getattr(tx, op)(dim, keepdim)
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    assert ours.indices.dtype == np.int64
    check(lambda x: getattr(x, op)(dim, keepdim)[0],
          lambda x: getattr(x, op)(dim, keepdim)[0], TIES_2D)


@pytest.mark.parametrize("values", TIES + [[NAN, 1.0, NAN], [2.0, NAN, 5.0]])
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin_first_occurrence_and_nan(values, op):
    x = ac.tensor(values)
    ours, theirs = getattr(x, op)(), getattr(torch.tensor(values), op)()
    assert ours.dtype == np.int64 and ours.shape == ()
    assert ours.item() == theirs.item()
    assert getattr(x, op)(0, keepdim=True).tolist() == getattr(torch.tensor(values), op)(
        0, keepdim=True).tolist()


@pytest.mark.parametrize("values", [[1.0, NAN, 3.0, NAN], [NAN, NAN], [1.0, NAN]])
def test_nan_rules_match_pytorch(values):
    check(lambda x: x.max(), lambda x: x.max(), values)  # shared among the NaNs
    check(lambda x: x.amax(0), lambda x: x.amax(0), values)  # NaN gradient
    check(lambda x: x.min(0).values, lambda x: x.min(0).values, values)  # the NaN's index
    assert ac.tensor(values).max(0).indices.item() == torch.tensor(values).max(0).indices.item()


@pytest.mark.parametrize("p", [INF, -INF])
def test_inf_norm_shares_the_gradient_among_ties_with_signs(p):
    check(lambda x: x.norm(p), lambda x: x.norm(p), [0.0, -2.0, 2.0, 1.0])
    check(lambda x: x.norm(p, 1, True), lambda x: x.norm(p, 1, True), [[1.0, -1.0], [3.0, 2.0]])


def test_max_returns_a_named_tuple_like_torch_return_types():
    x = ac.tensor([[1.0, 5.0], [7.0, 2.0]])
    result = x.max(dim=1)
    values, indices = result
    assert isinstance(result, tuple) and type(result).__name__ == "max"
    assert result.values is values and result[1] is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert type(ac.min(x, 0)).__name__ == "min"


@pytest.mark.skipif(not hasattr(ac, "maximum"), reason="maximum lands with elementwise ops")
def test_max_and_min_of_two_tensors_are_elementwise():
    a, b = ac.tensor([1.0, 5.0]), ac.tensor([3.0, 2.0])
    assert a.max(b).tolist() == [3.0, 5.0]
    assert ac.min(a, b).tolist() == [1.0, 2.0]


# -- prod with zeros ------------------------------------------------------------------------

ZEROS = [
    [2.0, 0.0, 3.0],  # exactly one zero
    [2.0, 0.0, 0.0],  # two zeros
    [0.0, 0.0, 0.0],
    [[2.0, 0.0, 5.0, 3.0], [1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 1.0, 2.0]],  # 1, 0 and 2 zeros
]


@pytest.mark.parametrize("values", ZEROS)
def test_prod_gradient_with_zeros(values):
    check(lambda x: x.prod(), lambda x: x.prod(), values)
    check(lambda x: x.prod(-1), lambda x: x.prod(-1), values)
    check(lambda x: x.prod(0, keepdim=True), lambda x: x.prod(0, keepdim=True), values)


def _hessian_rows(lib, x, f):
    """Rows of the Hessian of f at x, through create_graph."""
    (g,) = (ac.grad if lib is ac else torch.autograd.grad)(f(x), x, create_graph=True)
    rows = []
    for i in range(g.numel()):
        (h,) = (ac.grad if lib is ac else torch.autograd.grad)(
            g.reshape(-1)[i] if lib is torch else _element(g, i), x, retain_graph=True)
        rows.append(h.detach().numpy().ravel())
    return np.stack(rows)


def _element(g, i):
    """g's i-th element (flat) as a 0-d tensor, built from our ops alone."""
    onehot = np.zeros(g.shape)
    onehot.reshape(-1)[i] = 1.0
    return (g * ac.tensor(onehot, dtype="float64")).sum()


@pytest.mark.parametrize("values", [[2.0, 0.0, 5.0, 3.0], [2.0, 0.5, 5.0, 3.0], [0.0, 4.0]])
def test_prod_second_derivatives_with_one_zero_match_pytorch(values):
    x, tx = both(values)
    ours = _hessian_rows(ac, x, lambda t: t.prod(0))
    theirs = _hessian_rows(torch, tx, lambda t: t.prod(0))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_prod_second_derivative_with_two_zeros_raises_instead_of_lying():
    x = ac.tensor([2.0, 0.0, 0.0], dtype="float64", requires_grad=True)
    (g,) = ac.grad(x.prod(), x, create_graph=True)  # the first derivative is fine
    assert g.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="prod.*two or more zeros"):
        ac.grad(g.sum(), x)


# -- logsumexp ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("values", [
    [1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4 + 0.5], [[1e4, 0.0], [-1e4, 3.0]],
    [-INF, -INF], [-INF, 1.0], [INF, 1.0], [[-INF, -INF], [0.0, -INF]],
])
def test_logsumexp_is_stable_and_handles_infinities_like_pytorch(values, dtype):
    rtol = 1e-6 if dtype == "float32" else 1e-12
    check(lambda x: x.logsumexp(0), lambda x: x.logsumexp(0), values, dtype, rtol=rtol)
    check(lambda x: x.logsumexp(-1, keepdim=True), lambda x: x.logsumexp(-1, keepdim=True),
          values, dtype, rtol=rtol)


def test_logsumexp_extras():
    x = ac.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.isclose(ac.logsumexp(x).item(), torch.tensor([1.0, 2, 3, 4]).logsumexp(0).item())
    assert ac.tensor([1, 2]).logsumexp(0).dtype == np.float32
    assert ac.logsumexp(ac.zeros(0, 2), dim=0).tolist() == [-INF, -INF]


# -- norm at zero, var and std --------------------------------------------------------------


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, 1.5, INF, -1.0])
@pytest.mark.parametrize("values", [[0.0, 0.0, 0.0], [[0.0, 0.0], [0.0, 1.0]], [[0.0, 2.0]]])
def test_norm_gradient_at_zero_matches_pytorch(p, values):
    check(lambda x: x.norm(p), lambda x: x.norm(p), values)
    check(lambda x: x.norm(p, -1, True), lambda x: x.norm(p, -1, True), values)


def test_norm_second_derivative_at_zero_has_no_nan():
    x = ac.tensor([0.0, 0.0], dtype="float64", requires_grad=True)
    (g,) = ac.grad(x.norm(), x, create_graph=True)
    (h,) = ac.grad(g.sum(), x)
    assert not np.isnan(h.numpy()).any()


@pytest.mark.parametrize("values", [[2.0, 2.0, 2.0], [[1.0, 1.0], [1.0, 3.0]], [5.0]])
def test_std_of_constants_has_zero_gradient_and_one_element_gives_nan(values):
    check(lambda x: x.std(-1), lambda x: x.std(-1), values)
    check(lambda x: x.var(-1, keepdim=True), lambda x: x.var(-1, keepdim=True), values)


def test_var_and_std_argument_spellings():
    data = [[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]]
    x, tx = ac.tensor(data), torch.tensor(data)
    for ours, theirs in [
        (x.var(1, True), tx.var(1, True)), (x.var(1, False, True), tx.var(1, False, True)),
        (x.var(False), tx.var(False)), (x.std(correction=0), tx.std(correction=0)),
        (x.std(0, unbiased=False, keepdim=True), tx.std(0, unbiased=False, keepdim=True)),
        (ac.var(x, axis=1, keepdims=True, correction=2),
         tx.var(1, keepdim=True, correction=2)),
    ]:
        assert_same(ours, theirs, rtol=1e-6, atol=1e-6)
    with pytest.raises(TypeError, match="unbiased.*correction"):
        x.var(0, unbiased=True, correction=0)


# -- 0-d, empty, keepdim, aliases, dtypes ---------------------------------------------------


def test_zero_dim_inputs_reduce_like_pytorch():
    x, tx = ac.tensor(3.0), torch.tensor(3.0)
    for op in ["sum", "mean", "amax", "prod", "logsumexp", "argmax"]:
        for dim in [0, -1]:
            ours = getattr(x, op)(dim, keepdim=True)
            theirs = getattr(tx, op)(dim, keepdim=True)
            assert ours.shape == tuple(theirs.shape) == ()
            assert ours.item() == pytest.approx(theirs.item())
    values, indices = x.max(0, keepdim=True)
    assert values.shape == indices.shape == () and indices.item() == 0
    check(lambda t: t.max(0).values, lambda t: t.max(0).values, 3.0)
    check(lambda t: t.std(0, correction=0), lambda t: t.std(0, correction=0), 3.0)


@pytest.mark.parametrize("op", ["sum", "mean", "prod", "logsumexp", "norm", "var", "std",
                                "all", "any"])
def test_empty_reductions_give_pytorch_values(op):
    x, tx = ac.zeros(0, 3), torch.zeros(0, 3)
    for dim in ([0, 1, None] if op not in ("logsumexp",) else [0, 1]):
        ours = getattr(x, op)(dim=dim) if dim is not None else getattr(x, op)()
        theirs = getattr(tx, op)(dim=dim) if dim is not None else getattr(tx, op)()
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("call, kind, pattern", [
    (lambda x: x.max(), RuntimeError, r"max\(\).*empty.*\(0, 3\).*dim="),
    (lambda x: x.amax(), RuntimeError, r"amax\(\).*\(0, 3\)"),
    (lambda x: x.argmin(), RuntimeError, r"argmin\(\).*\(0, 3\)"),
    (lambda x: x.max(0), IndexError, r"max\(\).*dim 0.*\(0, 3\).*size 0"),
    (lambda x: x.amin(dim=(0, 1)), IndexError, r"amin\(\).*dim 0"),
    (lambda x: x.argmax(0), IndexError, r"argmax\(\).*dim 0"),
    (lambda x: x.norm(INF, 0), IndexError, r"norm.*dim 0.*inf-norm"),
])
def test_reducing_an_empty_dimension_without_identity_raises(call, kind, pattern):
    with pytest.raises(kind, match=pattern):
        call(ac.zeros(0, 3))


def test_but_empty_slices_along_other_dims_are_fine():
    x, tx = ac.zeros(0, 3), torch.zeros(0, 3)
    assert x.max(1).values.shape == tuple(tx.max(1).values.shape) == (0,)
    assert x.amax(1, keepdim=True).shape == (0, 1)
    assert x.argmax(1).shape == (0,)


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "norm"])
@pytest.mark.parametrize("dim", [None, 1, (0, 2), [-1, 0], ()])
def test_keepdim_shapes_and_aliases(op, dim):
    x = ac.randn(2, 3, 4)
    tx = torch.from_numpy(x.numpy().copy())
    torch_dim = () if dim is None and op == "amax" else dim
    for keepdim in (False, True):
        ours = getattr(x, op)(dim=dim, keepdim=keepdim)
        theirs = getattr(tx, op)(dim=torch_dim, keepdim=keepdim)
        assert_same(ours, theirs, rtol=1e-5, atol=1e-5)
        alias = getattr(ac, op)(x, axis=dim, keepdims=keepdim)
        assert_same(alias, theirs, rtol=1e-5, atol=1e-5)


def test_output_dtypes_follow_pytorch():
    ints, bools = ac.tensor([[1, 2], [3, 4]]), ac.tensor([True, False, True])
    assert ints.int().sum().dtype == np.int64 and bools.sum().dtype == np.int64
    assert bools.sum().item() == 2 and ints.prod().item() == 24
    assert ints.int().prod(0).dtype == np.int64 and bools.prod().dtype == np.int64
    assert ints.sum(dtype="float64").dtype == np.float64
    assert ints.mean(dtype="float32").item() == 2.5
    assert ints.max().dtype == np.int64 and ints.amax(0).tolist() == [3, 4]
    assert ints.argmax().dtype == np.int64
    assert ints.all().dtype == np.bool_ and ac.tensor([0.0, 1.0]).any(0).item() is True
    assert ac.tensor([1.0, 2.0]).float().sum().dtype == np.float32


@pytest.mark.parametrize("call, kind, patterns", [
    (lambda: ac.tensor([1, 2]).mean(), TypeError, ["mean", "int64", r"float\(\)"]),
    (lambda: ac.tensor([1, 2]).var(), TypeError, ["var", "int64"]),
    (lambda: ac.tensor([1, 2]).norm(), TypeError, ["norm", "int64"]),
    (lambda: ac.tensor([True]).argmax(), TypeError, ["argmax", "bool"]),
    (lambda: ac.zeros(2, 3).sum(2), IndexError, ["sum", "dim 2", r"\(2, 3\)", r"\[-2, 1\]"]),
    (lambda: ac.zeros(2, 3).amax((0, -3)), IndexError, ["amax", "dim -3", r"\(2, 3\)"]),
    (lambda: ac.zeros(2, 3).max(5), IndexError, ["max", "dim 5", r"\(2, 3\)"]),
    (lambda: ac.zeros(2, 3).argmin(-4), IndexError, ["argmin", "dim -4", r"\(2, 3\)"]),
    (lambda: ac.tensor(1.0).logsumexp(1), IndexError, ["logsumexp", "dim 1", r"\(\)"]),
    (lambda: ac.zeros(2, 3).mean((0, -2)), RuntimeError, ["mean", "dim 0", "more than once"]),
    (lambda: ac.zeros(2, 3).sum(0, axis=1), TypeError, ["sum", "dim", "axis"]),
    (lambda: ac.zeros(2, 3).max((0, 1)), TypeError, ["max", "one int", "amax"]),
    (lambda: ac.zeros(2, 3).max(keepdim=True), TypeError, ["max", "keepdim", "dim"]),
    (lambda: ac.zeros(2, 3).norm("nuc"), ValueError, ["norm", "nuc"]),
    (lambda: ac.zeros(2, 3, 4).norm("fro", (0, 1, 2)), ValueError, ["norm", "fro", "p=2"]),
])
def test_errors_name_the_op_the_dim_and_the_shape(call, kind, patterns):
    with pytest.raises(kind) as info:
        call()
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), f"{pattern!r} not in: {info.value}"


# -- matmul ---------------------------------------------------------------------------------


@pytest.mark.parametrize("a_shape, b_shape", [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 1, 3, 2)),
    ((0, 3), (3, 2)), ((2, 0), (0, 4)),
])
def test_matmul_shapes_values_and_gradients_match_pytorch(a_shape, b_shape):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    x, y = ac.tensor(a, requires_grad=True), ac.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, tout = x @ y, tx @ ty
    assert_same(out, tout)
    weights = rng.standard_normal(tuple(tout.shape))
    out.backward(ac.tensor(weights))
    tout.backward(torch.from_numpy(weights))
    assert_same(x.grad, tx.grad)
    assert_same(y.grad, ty.grad)


def test_matmul_operands_dtypes_and_reflected_forms():
    m = ac.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert (np.eye(2, dtype=np.float32) @ m).tolist() == m.tolist()  # numpy defers to us
    assert m.__rmatmul__([1.0, 1.0]).tolist() == [4.0, 6.0]
    assert (m @ m.double()).dtype == np.float64  # promoted (PyTorch would raise)
    assert (ac.tensor([[1, 2]]) @ ac.tensor([[3], [4]])).tolist() == [[11]]
    assert ac.matmul(ac.tensor([1.0, 2.0]), ac.tensor([3.0, 4.0])).shape == ()
    assert ac.outer(ac.tensor([1, 2]), ac.tensor([0.5])).dtype == np.float32


@pytest.mark.parametrize("call, patterns", [
    (lambda: ac.zeros(2, 3) @ ac.zeros(4, 5),
     ["matmul", r"\(2, 3\)", r"\(4, 5\)", r"last dimension of the first \(3\)",
      r"second-to-last dimension of the second \(4\)"]),
    (lambda: ac.zeros(3) @ ac.zeros(4), ["matmul", r"\(3,\)", r"\(4,\)", r"only dimension"]),
    (lambda: ac.zeros(2, 2, 3) @ ac.zeros(5, 3, 2),
     ["matmul", r"\(2, 2, 3\)", r"\(5, 3, 2\)", "batch dimensions", r"\(2,\)", r"\(5,\)"]),
    (lambda: ac.tensor(1.0) @ ac.zeros(3), ["matmul", "at least 1 dimension", r"\(\)"]),
    (lambda: ac.mm(ac.zeros(3), ac.zeros(3, 2)), ["mm", "2-D", r"\(3,\)"]),
    (lambda: ac.mm(ac.zeros(2, 3), ac.zeros(2, 3)), ["mm", r"\(2, 3\)", r"\(3\)", r"\(2\)"]),
    (lambda: ac.bmm(ac.zeros(2, 3, 4), ac.zeros(1, 4, 2)), ["bmm", "batch sizes", "2 != 1"]),
    (lambda: ac.dot(ac.zeros(3), ac.zeros(4)), ["dot", r"\(3,\)", r"\(4,\)"]),
    (lambda: ac.mv(ac.zeros(2, 3), ac.zeros(4)), ["mv", r"\(2, 3\)", r"\(4,\)"]),
    (lambda: ac.outer(ac.zeros(2, 3), ac.zeros(4)), ["outer", "1-D", r"\(2, 3\)"]),
])
def test_matmul_errors_name_the_shapes_and_the_mismatch(call, patterns):
    with pytest.raises(ValueError) as info:
        call()
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), f"{pattern!r} not in: {info.value}"


def test_bool_matmul_is_refused():
    with pytest.raises(TypeError, match="matmul.*bool"):
        ac.tensor([True]) @ ac.tensor([True])
