"""Edge cases of views, indexing and the movement ops, checked against PyTorch.

The case tables (cases/movement.py, cases/indexing.py) cover values and gradients over
drawn shapes; this file covers what they can't: memory sharing and version counters,
in-place writes, accumulation at repeated indices, split/chunk piece sizes, and errors.
"""

import numpy as np
import pytest
import torch

import autograd_core as ac
from autograd_core.ops import indexing


def leaf(values):
    return ac.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def ones_like(t):
    return ac.ones(*t.shape, dtype=t.dtype)


def torch_leaf(values):
    return torch.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# -- repeated indices accumulate -----------------------------------------------------------


@pytest.mark.parametrize("key", [
    [0, 0, 1],
    ([0, 0, 2, 0],),
    (slice(None), [1, 1, 1]),
    ([[0, 1], [1, 1]], [2, 2]),
    ([-1, 2, 2], slice(None, None, 2)),
])
def test_repeated_indices_accumulate_like_torch(key):
    values = np.arange(12.0).reshape(3, 4)
    x, tx = leaf(values), torch_leaf(values)
    out = x[key]
    tkey = tuple(torch.tensor(k) if isinstance(k, list) else k for k in (
        key if isinstance(key, tuple) else (key,)))
    tout = tx[tkey]
    weights = np.random.default_rng(0).standard_normal(tout.shape)
    out.backward(ac.tensor(weights))
    tout.backward(torch.from_numpy(weights))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_repeated_index_gradient_counts_uses():
    x = leaf([1.0, 2.0, 3.0])
    x[[0, 0, 1]].backward(ac.ones(3, dtype="float64"))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 1.0, 0.0])


def test_gather_and_index_select_accumulate():
    x, tx = leaf(np.arange(6.0).reshape(2, 3)), torch_leaf(np.arange(6.0).reshape(2, 3))
    index = [[0, 0, 2], [1, 1, 1]]
    x.gather(1, ac.tensor(index)).backward(ac.ones(2, 3, dtype="float64"))
    tx.gather(1, torch.tensor(index)).backward(torch.ones(2, 3, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    y = leaf([1.0, 2.0, 3.0])
    y.index_select(0, ac.tensor([2, 2, 0])).backward(ac.ones(3, dtype="float64"))
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 0.0, 2.0])


def test_second_derivative_through_repeated_indices():
    x = leaf([0.5, -1.0, 2.0])
    assert ac.gradgradcheck(lambda t: t[[0, 0, 2]] * t[[1, 0, 0]], [x])


# -- views share memory and the version counter ----------------------------------------------


def test_views_see_in_place_writes_both_ways():
    x = ac.tensor(np.arange(6.0).reshape(2, 3))
    row, col, flat, tr = x[0], x[:, 1], x.reshape(-1), x.T
    x[0, 1] = 7.0
    assert row[1].item() == 7.0 and col[0].item() == 7.0 and flat[1].item() == 7.0
    assert tr[1, 0].item() == 7.0
    row[2] = -1.0
    assert x[0, 2].item() == -1.0 and flat[2].item() == -1.0
    first, _ = x.split(1, dim=0)
    first[0, 0] = 5.0
    assert x[0, 0].item() == 5.0


def test_views_share_the_version_counter_copies_do_not():
    x = ac.tensor(np.arange(6.0).reshape(2, 3))
    views = [x[0], x[..., None], x.reshape(3, 2), x.transpose(0, 1), x.unsqueeze(0),
             x.squeeze(), x.permute(1, 0), x.mT, x.narrow(1, 0, 2), *x.chunk(2, dim=1)]
    copies = [x[[0]], x[x > 2], x.flip(0), x.roll(1), x.repeat(1, 2), ac.cat([x, x])]
    before = [c.numpy().copy() for c in copies]
    x[1, 1] = 100.0
    assert all(v._version == x._version == 1 for v in views)
    assert all(c._version == 0 for c in copies)
    for c, b in zip(copies, before):
        np.testing.assert_array_equal(c.numpy(), b)


def test_view_of_non_contiguous_tensor_copies():
    x = ac.tensor(np.arange(6.0).reshape(2, 3)).T  # not contiguous
    flat = x.view(-1)  # PyTorch would raise; here it copies
    np.testing.assert_array_equal(flat.numpy(), [0.0, 3.0, 1.0, 4.0, 2.0, 5.0])
    x[0, 0] = 9.0
    assert flat[0].item() == 0.0 and flat._version == 0


def test_backward_through_a_saved_view_raises_after_a_write_to_its_base():
    a = leaf(np.arange(4.0))
    b = a * 1.0
    v = b[0:2]
    y = v * v  # saves the view v
    b[3] = 0.0  # recorded; does not overlap v, but bumps the shared version
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward(ac.ones(2, dtype="float64"))


def test_backward_through_a_saved_reshape_raises_after_a_no_grad_write():
    a = leaf(np.arange(6.0).reshape(2, 3))
    b = a * 1.0
    flat = b.reshape(-1)
    y = flat * flat
    with ac.no_grad():
        b[0, 0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward(ac.ones(6, dtype="float64"))


# -- setitem --------------------------------------------------------------------------------------


def test_setitem_gradients_match_torch():
    values, fill = np.arange(6.0).reshape(2, 3), np.array([10.0, 20.0])
    a, w = leaf(values), leaf(fill)
    ta, tw = torch_leaf(values), torch_leaf(fill)
    b, tb = a * 2.0, ta * 2.0
    b[:, 1] = w * 3.0
    tb[:, 1] = tw * 3.0
    b[[1, 0], [2, 0]] = 7.0
    tb[[1, 0], [2, 0]] = 7.0
    assert b.grad_fn is not None and b.grad_fn.fn is indexing.SetIndex
    weights = np.arange(1.0, 7.0).reshape(2, 3)
    b.backward(ac.tensor(weights))
    tb.backward(torch.from_numpy(weights))
    np.testing.assert_array_equal(b.detach().numpy(), tb.detach().numpy())
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_array_equal(w.grad.numpy(), tw.grad.numpy())


def test_setitem_broadcasts_the_value_and_sums_its_gradient():
    x = ac.zeros(2, 3, dtype="float64")
    w = leaf([[1.0, 2.0, 3.0]])  # shape (1, 3): the leading 1 is dropped for x[0]
    x[0] = w
    x[1] = w[0, 0]
    x.backward(ac.ones(2, 3, dtype="float64"))
    np.testing.assert_array_equal(x.detach().numpy(), [[1, 2, 3], [1, 1, 1]])
    np.testing.assert_array_equal(w.grad.numpy(), [[4.0, 1.0, 1.0]])


def test_setitem_on_a_leaf_that_requires_grad_raises_unless_no_grad():
    w = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad.*no_grad"):
        w[0] = 5.0
    with ac.no_grad():
        w[0] = 5.0
    assert w[0].item() == 5.0 and w._version == 1 and w.is_leaf


def test_setitem_without_grad_writes_in_place():
    x = ac.tensor([1, 2, 3])
    x[x > 1] = 0
    np.testing.assert_array_equal(x.numpy(), [1, 0, 0])
    assert x._version == 1 and x.grad_fn is None and x.dtype == np.int64
    x[0] = 2.7  # a float into an integer tensor truncates, as in PyTorch
    assert x[0].item() == 2


def test_setitem_through_a_view_whose_base_is_alive_raises():
    w = leaf([1.0])
    x = ac.zeros(2, 3, dtype="float64")
    with pytest.raises(RuntimeError, match=r"x\[0, 1\] = v rather than x\[0\]\[1\] = v"):
        x[0][1] = w[0]
    x[0, 1] = w[0]  # one index on the base works
    x.backward(ac.ones(2, 3, dtype="float64"))
    np.testing.assert_array_equal(w.grad.numpy(), [1.0])


def test_setitem_into_a_base_with_a_live_overlapping_view_raises():
    a = leaf(np.arange(6.0).reshape(2, 3))
    b = a * 1.0
    row = b[0]
    with pytest.raises(RuntimeError, match="shares its memory"):
        b[0, 0] = 1.0
    b[1, 0] = 1.0  # another row: the live view is not affected
    del row
    b[0, 0] = 1.0  # the view is gone: fine


def test_setitem_into_a_view_of_a_temporary_matches_torch():
    values = np.arange(6.0)
    a, ta = leaf(values), torch_leaf(values)
    y, ty = (a * 2.0).reshape(2, 3), (ta * 2.0).reshape(2, 3)
    y[0] = 0.0
    ty[0] = 0.0
    y.backward(ac.ones(2, 3, dtype="float64"))
    ty.backward(torch.ones(2, 3, dtype=torch.float64))
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())


def test_setitem_building_a_sequence_row_by_row_matches_torch():
    w, tw = leaf([0.5, -1.0]), torch_leaf([0.5, -1.0])
    h, th = ac.zeros(3, 2, dtype="float64"), torch.zeros(3, 2, dtype=torch.float64)
    h[0], th[0] = w, tw
    for t in (1, 2):
        h[t] = h[t - 1] + w
        th[t] = th[t - 1] + tw
    weights = np.arange(6.0).reshape(3, 2)
    h.backward(ac.tensor(weights))
    th.backward(torch.from_numpy(weights))
    np.testing.assert_array_equal(h.detach().numpy(), th.detach().numpy())
    np.testing.assert_array_equal(w.grad.numpy(), tw.grad.numpy())


def test_setitem_into_an_expanded_tensor_raises():
    x = ac.zeros(3).expand(2, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        x[0, 0] = 1.0


def test_setitem_value_shape_mismatch_raises():
    x = ac.zeros(3)
    with pytest.raises(RuntimeError, match=r"value tensor of shape \(3,\) cannot be broadcast "
                                           r"to indexing result of shape \(2,\)"):
        x[0:2] = ac.ones(3)


# -- errors for bad indices ----------------------------------------------------------------------


@pytest.mark.parametrize("key, error, message", [
    (ac.tensor([1.0]), IndexError, "tensors used as indices must be long, int, byte or bool "
                                   "tensors, got float32"),
    (np.array([0.5]), IndexError, "must be long, int, byte or bool tensors, got float64"),
    (1.5, IndexError, r"got float"),
    (5, IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    ((slice(None), -5), IndexError, "index -5 is out of bounds for dimension 1 with size 4"),
    ((0, [0, 4]), IndexError, "index 4 is out of bounds for dimension 1 with size 4"),
    (slice(None, None, -1), ValueError, "step must be greater than zero"),
    ((0, 0, 0), IndexError, "too many indices for tensor of dimension 2"),
    ((..., 0, ...), IndexError, "single ellipsis"),
    (np.array([True, False]), IndexError, r"shape of the mask \[2\] at index 0 does not match "
                                          r"the shape of the indexed tensor \[3, 4\]"),
])
def test_bad_indices_raise_clear_errors(key, error, message):
    x = ac.zeros(3, 4)
    with pytest.raises(error, match=message):
        x[key]


def test_torch_raises_for_the_same_bad_indices():
    x = torch.zeros(3, 4)
    for key in [torch.tensor([1.0]), 5, (slice(None), -5), (0, [0, 4]), (0, 0, 0)]:
        with pytest.raises(IndexError):
            x[key]
    with pytest.raises(ValueError):
        x[::-1]


def test_indexing_a_0d_tensor():
    x = ac.tensor(3.0)
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        x[0]
    assert x[None].shape == (1,) and x[...].shape == () and x[()].shape == ()
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(x)


def test_index_functions_reject_bad_indices():
    x = ac.zeros(2, 3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 1 with size 3"):
        x.index_select(1, ac.tensor([0, 3]))
    with pytest.raises(IndexError, match="index -1 is out of bounds"):
        x.index_select(1, ac.tensor([-1]))  # PyTorch takes no negative index here
    with pytest.raises(RuntimeError, match="int32 or int64 index, got float32"):
        x.index_select(0, ac.tensor([0.0]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(0, ac.tensor([0]))
    with pytest.raises(RuntimeError, match="no larger than self"):
        x.gather(0, ac.tensor([[0, 0, 0, 0]]))
    with pytest.raises(RuntimeError, match="only bool masks"):
        x.masked_fill(ac.ones(3), 1.0)
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        x.masked_fill(ac.ones(3).bool(), ac.ones(3))


def test_masked_fill_keeps_dtype_and_sends_the_value_a_gradient():
    x = ac.tensor([[1, 2, 3], [4, 5, 6]])
    mask = ac.tensor([True, False, True])
    np.testing.assert_array_equal(x.masked_fill(mask, 2.5).numpy(), [[2, 2, 2], [2, 5, 2]])
    assert x.masked_fill(mask, 2.5).dtype == np.int64
    v, tv = leaf(1.5), torch_leaf(1.5)
    y = ac.zeros(2, 3, dtype="float64").masked_fill(mask, v)
    ty = torch.zeros(2, 3, dtype=torch.float64).masked_fill(torch.tensor([True, False, True]),
                                                             tv)
    y.backward(ac.ones(2, 3, dtype="float64"))
    ty.backward(torch.ones(2, 3, dtype=torch.float64))
    assert v.grad.item() == tv.grad.item() == 4.0


# -- split and chunk -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 5, 6, 7])
@pytest.mark.parametrize("arg", [1, 2, 3, 4, 8])
def test_split_and_chunk_piece_sizes_like_torch(n, arg):
    x, tx = ac.zeros(2, n), torch.zeros(2, n)
    assert [p.shape for p in x.split(arg, 1)] == [tuple(p.shape) for p in tx.split(arg, 1)]
    assert [p.shape for p in x.chunk(arg, -1)] == [tuple(p.shape) for p in tx.chunk(arg, -1)]
    assert isinstance(x.split(arg, 1), tuple) and isinstance(x.chunk(arg, 1), tuple)


def test_split_with_sizes_and_errors():
    x = ac.tensor(np.arange(5.0))
    assert [p.tolist() for p in x.split([2, 0, 3])] == [[0.0, 1.0], [], [2.0, 3.0, 4.0]]
    with pytest.raises(RuntimeError, match=r"sum exactly to 5 .*split_sizes=\[2, 2\]"):
        x.split([2, 2])
    with pytest.raises(RuntimeError, match="split_size must be positive"):
        x.split(0)
    with pytest.raises(RuntimeError, match="greater than 0, got: 0"):
        x.chunk(0)


def test_split_pieces_are_separate_differentiable_ops():
    x = leaf(np.arange(6.0).reshape(3, 2))
    a, b = x.split([1, 2], dim=0)
    b.backward(ac.ones(2, 2, dtype="float64"))
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0], [1, 1], [1, 1]])
    assert a.grad_fn is not b.grad_fn


# -- movement errors and conventions ---------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda x: x.reshape(4, -1), r"shape \[4, -1\] is invalid for input of size 6"),
    (lambda x: x.reshape(-1, -1), "only one dimension can be inferred"),
    (lambda x: x.view(-2, 3), "invalid shape dimension -2"),
    (lambda x: x.permute(0, 0), "dim 0 appears multiple times"),
    (lambda x: x.permute(0), "must equal the tensor's number of dimensions"),
    (lambda x: x.transpose(0, 2), r"expected to be in range of \[-2, 1\], but got 2"),
    (lambda x: x.flatten(1, 0), "start_dim .* cannot come after end_dim"),
    (lambda x: x.unsqueeze(3), r"range of \[-3, 2\]"),
    (lambda x: x.repeat(2), "can not be smaller than number of dimensions"),
    (lambda x: ac.cat([x, ac.zeros(3)]), "same number of dimensions: got 2 and 1"),
    (lambda x: ac.cat([x, ac.zeros(2, 4)]), "Expected size 3 but got size 4 for tensor number 1"),
    (lambda x: ac.cat([ac.zeros(()), x]), "zero-dimensional tensor"),
    (lambda x: ac.cat([]), "non-empty list"),
    (lambda x: ac.stack([x, ac.zeros(3, 2)]), r"equal size, but got \[2, 3\] at entry 0"),
    (lambda x: ac.pad(x, (1,)), "divisible by 2"),
    (lambda x: ac.pad(x, (-4, 0)), "crops more than the size 3"),
    (lambda x: ac.pad(x, (3, 1), mode="reflect"), "less than the corresponding input dimension"),
    (lambda x: ac.pad(x, (1, 1), mode="reflect", value=1.0), "doesn't take in value"),
    (lambda x: x.roll((1, 2), (0,)), "shifts and dimensions must align"),
    (lambda x: ac.zeros(3).mT, "only supported on matrices"),
    (lambda x: ac.zeros(2, 2, 2).t(), "expects a tensor with <= 2 dimensions"),
])
def test_movement_errors(call, message):
    with pytest.raises((RuntimeError, IndexError, ValueError, NotImplementedError),
                       match=message):
        call(ac.zeros(2, 3))


def test_cat_skips_1d_empty_tensors_and_promotes_like_torch():
    x = leaf(np.ones((2, 3)))
    out = ac.cat([x, ac.zeros(0, dtype="float64"), ac.tensor([[1, 2, 3]])])
    tout = torch.cat([torch.ones(2, 3, dtype=torch.float64), torch.zeros(0, dtype=torch.float64),
                      torch.tensor([[1, 2, 3]])])
    assert out.shape == tuple(tout.shape) and out.dtype == np.float64
    assert ac.cat([ac.tensor([1]), ac.tensor([True])]).dtype == np.int64
    assert ac.stack([ac.tensor([1.0]), ac.tensor([1.0], dtype="float64")]).dtype == np.float64
    out.backward(ac.ones(3, 3, dtype="float64"))
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))


def test_squeeze_leaves_non_unit_dims_alone():
    x = ac.zeros(2, 1, 3, 1)
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(0).shape == (2, 1, 3, 1)
    assert x.squeeze((1, -1)).shape == (2, 3)
    assert x.squeeze(axis=1).shape == (2, 3, 1)
    assert ac.zeros(()).squeeze(0).shape == ()


def test_transposes():
    x = ac.zeros(2, 3, 4)
    assert x.T.shape == (4, 3, 2) and x.mT.shape == (2, 4, 3)
    assert x.transpose(0, -1).shape == x.swapaxes(0, -1).shape == (4, 3, 2)
    assert ac.zeros(3).t().shape == (3,) and ac.zeros(2, 3).t().shape == (3, 2)
    assert x.movedim(0, -1).shape == (3, 4, 2)


def test_contiguous_returns_self_when_already_contiguous():
    x = ac.zeros(2, 3)
    assert x.contiguous() is x
    y = x.T.contiguous()
    assert y is not x and y.numpy().flags.c_contiguous


def test_iterating_gives_the_rows():
    x = leaf(np.arange(6.0).reshape(3, 2))
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [2.0, 3.0]
    rows[1].backward(ac.ones(2, dtype="float64"))
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0], [1, 1], [0, 0]])


def test_dim_and_axis_are_both_accepted():
    x = ac.zeros(2, 3)
    assert ac.cat([x, x], axis=1).shape == ac.cat([x, x], dim=1).shape == (2, 6)
    assert ac.stack([x, x], axis=-1).shape == (2, 3, 2)
    assert len(x.split(1, axis=1)) == 3
    with pytest.raises(TypeError, match="not both"):
        ac.cat([x, x], dim=0, axis=1)


def test_the_view_registry_does_not_grow_without_bound():
    for _ in range(5000):
        ac.zeros(2, 2)[0]
    assert len(indexing._ALIASES) < 5000
