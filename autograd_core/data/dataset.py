"""Datasets: anything with ``__getitem__`` and ``__len__``, as in ``torch.utils.data``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor


class Dataset:
    """A map-style dataset: ``dataset[i]`` is sample ``i`` and ``len(dataset)`` their count.

    Subclass it and define both methods; the ``DataLoader`` only needs these two.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must define __getitem__(index) to return one sample"
        )

    def __len__(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__() to return the number of samples"
        )


_NATIVE = {np.dtype(d) for d in (np.float32, np.float64, np.int32, np.int64, np.bool_)}


def _as_tensor(data: Any) -> Tensor:
    """A Tensor for ``data``; numpy arrays are wrapped without a copy (like ``from_numpy``)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype in _NATIVE:
        return Tensor._make(data)
    return Tensor(data)  # lists: floats become float32; other arrays: a converted copy


def take(t: Tensor, index: Any) -> Tensor:
    """Rows ``index`` of ``t``: recorded by autograd if ``t`` requires grad, else a plain slice."""
    if t.requires_grad:
        return t[index]
    return Tensor._make(np.asarray(t._data[index]))


class TensorDataset(Dataset):
    """Samples are the ``i``-th rows of each tensor: ``dataset[i] == (t[i] for t in tensors)``.

    Accepts Tensors, numpy arrays or nested lists; all must share their first dimension.
    A numpy array of a supported dtype is shared, not copied (like ``torch.from_numpy``).
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        converted = tuple(_as_tensor(t) for t in tensors)
        for t in converted:
            if t.ndim == 0:
                raise ValueError(
                    "TensorDataset: every tensor needs a first (sample) dimension; got a 0-d "
                    "tensor. Reshape it to (1,) or drop it"
                )
        sizes = [t.shape[0] for t in converted]
        if len(set(sizes)) != 1:
            shapes = ", ".join(str(t.shape) for t in converted)
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: shapes {shapes} differ in the "
                f"first (sample) dimension {sizes}; give every tensor the same number of rows"
            )
        self.tensors = converted

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(take(t, index) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return self.dataset[[self.indices[int(i)] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)
