"""``DataLoader``: iterate a dataset in (optionally shuffled) mini-batches of Tensors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from .. import creation
from ..tensor import Tensor
from .dataset import Dataset, Subset, TensorDataset, take


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into one batch, recursing into tuples, lists and dicts.

    Tensors and arrays stack along a new first dimension; Python ints become int64, floats
    float64 and bools bool, as in ``torch.utils.data.default_collate``. Differs on purpose:
    tuple samples give a tuple of batches (PyTorch gives a list).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = {s.shape for s in batch}
        if len(shapes) != 1:
            raise ValueError(
                f"default_collate: can't stack samples of different shapes {sorted(shapes)}; "
                "make every sample the same shape or pass your own collate_fn"
            )
        return Tensor._make(np.stack([s._data for s in batch]))
    if isinstance(elem, (np.ndarray, np.generic)):
        return Tensor(np.stack([np.asarray(s) for s in batch]))
    if isinstance(elem, bool):
        return Tensor._make(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._make(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._make(np.array(batch, dtype=np.float64))
    if isinstance(elem, Mapping):
        return {key: default_collate([s[key] for s in batch]) for key in elem}
    if isinstance(elem, (tuple, list)):
        if len({len(s) for s in batch}) != 1:
            raise ValueError("default_collate: every sample in a batch needs the same length")
        columns = [default_collate(list(col)) for col in zip(*batch, strict=True)]
        return tuple(columns) if isinstance(elem, tuple) else columns
    raise TypeError(
        f"default_collate: don't know how to batch samples of type {type(elem).__name__}; "
        "return Tensors, numpy arrays, numbers, or tuples/lists/dicts of them, or pass collate_fn"
    )


def _tensor_source(dataset: Dataset) -> tuple[tuple[Tensor, ...], np.ndarray | None] | None:
    """For a TensorDataset (possibly inside Subsets): its tensors and the index map, else None."""
    index_map = None
    while isinstance(dataset, Subset):
        idx = np.asarray(dataset.indices, dtype=np.int64)
        index_map = idx if index_map is None else idx[index_map]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:
        return dataset.tensors, index_map
    return None


class DataLoader:
    """Batches of ``batch_size`` samples from ``dataset``, collated into Tensors.

    ``shuffle=True`` draws a fresh order each epoch from one generator seeded by ``seed``
    (so a loader with the same seed repeats the same sequence of epochs); with
    ``seed=None`` orders come from the shared generator (``autograd_core.manual_seed``).
    ``drop_last=True`` skips a final batch smaller than ``batch_size``. A TensorDataset
    (or a Subset of one) is batched by slicing its tensors with one index array per batch.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        collate_fn: Any = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"DataLoader: dataset must define __getitem__ and __len__, got "
                f"{type(dataset).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self._rng = creation.own_generator(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n, dtype=np.int64)
        rng = creation.generator(self._rng)
        return rng.permutation(n).astype(np.int64)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        source = _tensor_source(self.dataset) if self.collate_fn is default_collate else None
        for b in range(len(self)):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            if source is not None:
                tensors, index_map = source
                rows = idx if index_map is None else index_map[idx]
                yield tuple(take(t, rows) for t in tensors)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])
