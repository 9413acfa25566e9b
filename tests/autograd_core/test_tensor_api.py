"""Making tensors, their attributes, dtypes and promotion, against PyTorch."""

import numpy as np
import pytest
import torch

import autograd_core as ac


def test_default_dtypes_follow_pytorch():
    assert ac.tensor([1.0, 2.0]).dtype == np.float32
    assert ac.tensor([1, 2]).dtype == np.int64
    assert ac.tensor([True]).dtype == np.bool_
    assert ac.tensor(np.zeros(2)).dtype == np.float64  # like torch.tensor(float64 array)
    assert ac.tensor([1.0], dtype="float64").dtype == np.float64
    assert ac.tensor([1.0], dtype=ac.float64).dtype == np.float64
    assert ac.zeros(2, 3).dtype == np.float32 and ac.zeros(2, 3).shape == (2, 3)
    assert ac.arange(5).dtype == np.int64 and ac.arange(0.0, 1.0, 0.25).dtype == np.float32


@pytest.mark.parametrize(
    "left, right",
    [
        ("float32", "float64"), ("int64", "float32"), ("bool", "int64"), ("int64", "float64"),
        ("bool", "float32"), ("int32", "int64"),
    ],
)
def test_tensor_tensor_promotion_matches_torch(left, right):
    a = ac.zeros(2, dtype=left) + ac.ones(2, dtype=right)
    t = torch.zeros(2, dtype=getattr(torch, left)) + torch.ones(2, dtype=getattr(torch, right))
    assert str(a.dtype) == str(t.dtype).replace("torch.", "")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_python_numbers_do_not_upcast(dtype, scalar):
    ours = (ac.ones(3, dtype=dtype) * scalar).dtype
    theirs = (torch.ones(3, dtype=getattr(torch, dtype)) * scalar).dtype
    assert str(ours) == str(theirs).replace("torch.", "")


def test_zero_dim_tensor_does_not_widen_a_dimensioned_one():
    a = ac.ones(3, dtype="float32") + ac.tensor(1.0, dtype="float64")
    assert a.dtype == np.float32


def test_attributes_and_conversions():
    t = ac.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.size() == (2, 3) and t.size(-1) == 3
    assert t.numel() == 6 and len(t) == 2
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert t.double().dtype == np.float64 and t.long().dtype == np.int64
    assert t.astype("float64").dtype == np.float64
    assert ac.tensor(3.5).item() == 3.5 and isinstance(ac.tensor(3).item(), int)
    with pytest.raises(ValueError, match="one element"):
        t.item()
    with pytest.raises(RuntimeError, match="detach"):
        ac.tensor([1.0], requires_grad=True).numpy()


# torch's own __array__ takes no copy argument, and numpy warns about that on the oracle line
@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy")
def test_numpy_array_protocol_copies_when_asked_as_torch_does():
    t = ac.tensor([1.0, 2.0])
    copied = np.array(t)  # np.array copies by default: writing to it leaves the tensor alone
    copied[0] = 99.0
    assert t.tolist() == [1.0, 2.0]
    theirs = torch.tensor([1.0, 2.0])
    np.array(theirs)[0] = 99.0
    assert theirs.tolist() == [1.0, 2.0]
    assert np.asarray(t) is t._data and np.array(t, copy=False) is t._data  # shared memory
    assert np.array(t, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="float32.*float64.*copy=False"):
        np.array(t, dtype=np.float64, copy=False)


def test_repr_reads_like_pytorch():
    assert repr(ac.tensor([1.0, 2.5])) == "tensor([1. , 2.5])"
    assert "dtype=float64" in repr(ac.tensor([1.0], dtype="float64"))
    assert "requires_grad=True" in repr(ac.tensor([1.0], requires_grad=True))
    assert "grad_fn=<MulBackward>" in repr(ac.tensor([1.0], requires_grad=True) * 2.0)


def test_float_cast_is_differentiable():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3.0
    y.backward(ac.ones(2, dtype="float64"))
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_manual_seed_makes_random_functions_reproducible():
    ac.manual_seed(7)
    first = [ac.randn(3).tolist(), ac.rand(2).tolist(), ac.randint(0, 10, (4,)).tolist()]
    ac.manual_seed(7)
    again = [ac.randn(3).tolist(), ac.rand(2).tolist(), ac.randint(0, 10, (4,)).tolist()]
    assert first == again
    assert ac.randn_like(ac.zeros(2, 2, dtype="float64")).dtype == np.float64


def test_creation_functions_match_torch():
    pairs = [
        (ac.ones(2, 2), torch.ones(2, 2)),
        (ac.full((2,), 7.0), torch.full((2,), 7.0)),
        (ac.full((2,), 7), torch.full((2,), 7)),
        (ac.eye(3), torch.eye(3)),
        (ac.linspace(0, 1, 5), torch.linspace(0, 1, 5)),
        (ac.arange(1, 7, 2), torch.arange(1, 7, 2)),
        (ac.zeros_like(ac.ones(2, dtype="int64")),
         torch.zeros_like(torch.ones(2, dtype=torch.long))),
    ]
    for ours, theirs in pairs:
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_bad_dtype_and_data_are_clear_errors():
    with pytest.raises(TypeError, match="not supported"):
        ac.tensor([1.0], dtype="complex64")
    with pytest.raises(TypeError, match="can't make a tensor"):
        ac.tensor(["a", "b"])
