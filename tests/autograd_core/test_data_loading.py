"""Datasets, DataLoader, random_split and k-fold splits."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.data.dataset import Dataset, Subset, TensorDataset
from autograd_core.data.loader import DataLoader, default_collate
from autograd_core.data.splits import kfold, random_split


def _data(n: int = 10) -> TensorDataset:
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64)
    return TensorDataset(X, y)


class Squares(Dataset):
    """A plain (non-tensor) dataset: sample i is (array [i, i*i], label i)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        return np.array([i, i * i], dtype=np.float32), i

    def __len__(self) -> int:
        return self.n


def _epoch_labels(loader: DataLoader) -> list[int]:
    return [int(v) for _, y in loader for v in y.numpy()]


def test_tensor_dataset_items_and_mismatch_error() -> None:
    ds = _data(4)
    x, y = ds[2]
    assert isinstance(x, ag.Tensor) and x.shape == (3,) and x.dtype == np.float32
    assert y.item() == 2 and y.dtype == np.int64
    assert len(ds) == 4
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(np.zeros((4, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_base_dataset_methods_must_be_defined() -> None:
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())


@pytest.mark.parametrize("make", [_data, Squares])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_sample_exactly_once_per_epoch(make, shuffle: bool) -> None:
    loader = DataLoader(make(23), batch_size=5, shuffle=shuffle, seed=0)
    for _ in range(3):
        labels = _epoch_labels(loader)
        assert sorted(labels) == list(range(23))
    if not shuffle:
        assert labels == list(range(23))


def test_batch_shapes_dtypes_and_last_partial_batch() -> None:
    loader = DataLoader(_data(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert [b[1].shape for b in batches] == [(4,), (4,), (2,)]
    assert all(isinstance(b, tuple) and b[0].dtype == np.float32 and b[1].dtype == np.int64
               for b in batches)
    np.testing.assert_array_equal(batches[2][0].numpy(), np.arange(24, 30).reshape(2, 3))


def test_drop_last() -> None:
    loader = DataLoader(_data(10), batch_size=4, drop_last=True, shuffle=True, seed=1)
    batches = list(loader)
    assert len(loader) == len(batches) == 2
    assert all(b[0].shape == (4, 3) for b in batches)
    assert len(DataLoader(_data(8), batch_size=4, drop_last=True)) == 2


def test_generic_collation_matches_fast_path() -> None:
    loader = DataLoader(Squares(7), batch_size=3)
    x, y = next(iter(loader))
    assert x.shape == (3, 2) and x.dtype == np.float32
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2]
    batch = default_collate([{"a": 1.0, "b": (True, 2)}, {"a": 2.0, "b": (False, 3)}])
    assert batch["a"].dtype == np.float64 and batch["b"][0].dtype == np.bool_
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([ag.zeros(2), ag.zeros(3)])


def test_shuffle_reproducible_by_seed_and_new_order_each_epoch() -> None:
    a = DataLoader(_data(50), batch_size=8, shuffle=True, seed=7)
    b = DataLoader(_data(50), batch_size=8, shuffle=True, seed=7)
    epochs_a = [_epoch_labels(a) for _ in range(3)]
    epochs_b = [_epoch_labels(b) for _ in range(3)]
    assert epochs_a == epochs_b
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]
    assert _epoch_labels(DataLoader(_data(50), batch_size=8, shuffle=True, seed=8)) != epochs_a[0]


def test_shuffle_without_seed_uses_shared_generator() -> None:
    ag.manual_seed(3)
    first = _epoch_labels(DataLoader(_data(30), batch_size=4, shuffle=True))
    ag.manual_seed(3)
    second = _epoch_labels(DataLoader(_data(30), batch_size=4, shuffle=True))
    assert first == second and first != list(range(30))


def test_fast_path_keeps_graph_for_tensors_that_require_grad() -> None:
    X = ag.tensor(np.ones((4, 2)), requires_grad=True)
    (xb,) = next(iter(DataLoader(TensorDataset(X), batch_size=2)))
    xb.sum().backward()
    np.testing.assert_array_equal(X.grad.numpy(), [[1, 1], [1, 1], [0, 0], [0, 0]])


def test_bad_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_data(), batch_size=0)


def test_random_split_counts_and_fractions() -> None:
    ds = _data(10)
    parts = random_split(ds, [3, 7], seed=0)
    assert [len(p) for p in parts] == [3, 7]
    idx = [set(p.indices) for p in parts]
    assert idx[0].isdisjoint(idx[1]) and idx[0] | idx[1] == set(range(10))
    # torch: floor(10 * f) each, then the remainder round-robin from the first split.
    assert [len(p) for p in random_split(ds, [0.25, 0.25, 0.5], seed=0)] == [3, 2, 5]
    assert [len(p) for p in random_split(ds, [0.5, 0.5], seed=0)] == [5, 5]
    first = random_split(ds, [5, 5], seed=4)[0].indices
    assert first == random_split(ds, [5, 5], seed=4)[0].indices
    with pytest.raises(ValueError, match="sum to 9"):
        random_split(ds, [4, 5])


def test_subset_and_loader_over_subset() -> None:
    ds = _data(10)
    sub = Subset(ds, [9, 2, 5])
    assert len(sub) == 3 and sub[0][1].item() == 9
    labels = _epoch_labels(DataLoader(sub, batch_size=2))
    assert labels == [9, 2, 5]
    nested = Subset(sub, [2, 0])
    assert _epoch_labels(DataLoader(nested, batch_size=5)) == [5, 9]


@pytest.mark.parametrize("n,k", [(10, 3), (12, 4), (5, 5)])
@pytest.mark.parametrize("seed", [None, 0])
def test_kfold_partitions(n: int, k: int, seed: int | None) -> None:
    folds = list(kfold(n, k, seed=seed))
    assert len(folds) == k
    vals = np.concatenate([v for _, v in folds])
    assert sorted(vals.tolist()) == list(range(n))
    sizes = [len(v) for _, v in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert set(train).isdisjoint(val) and len(train) + len(val) == n


def test_kfold_contiguous_and_seeded() -> None:
    folds = list(kfold(5, 2, shuffle=False))
    assert folds[0][1].tolist() == [0, 1, 2] and folds[1][1].tolist() == [3, 4]
    a = [v.tolist() for _, v in kfold(20, 4, seed=1)]
    assert a == [v.tolist() for _, v in kfold(20, 4, seed=1)]
    with pytest.raises(ValueError, match="k must be"):
        list(kfold(5, 1))
    with pytest.raises(ValueError, match="n >= k"):
        list(kfold(3, 4))
