"""Splitting a dataset: ``random_split`` (as in PyTorch) and k-fold cross-validation indices."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

from .. import creation
from .dataset import Dataset, Subset


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """Counts from ``lengths``: counts as given, or fractions summing to 1 (as torch does)."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty; give counts or fractions summing to 1")
    if any(c < 0 for c in lengths):
        raise ValueError(f"random_split: lengths must be non-negative, got {lengths}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # hand the remainder out round-robin, like torch
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(
                    f"random_split: length of split at index {i} is 0; "
                    "this split will be an empty dataset", stacklevel=3,
                )
        return counts
    if any(not float(c).is_integer() for c in lengths):
        raise ValueError(
            f"random_split: lengths {lengths} are neither non-negative counts nor fractions "
            "summing to 1"
        )
    counts = [int(c) for c in lengths]
    if sum(counts) != n:
        raise ValueError(
            f"random_split: lengths {counts} sum to {sum(counts)} but the dataset has {n} "
            "samples; make the counts add up to len(dataset) or give fractions summing to 1"
        )
    return counts


def random_split(
    dataset: Dataset, lengths: Sequence[float], seed: int | None = None
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)`` or fractions summing to 1 (floors,
    then the remainder one at a time from the first split on, as in ``torch``). The
    permutation comes from ``seed`` or, if None, the shared generator.
    """
    n = len(dataset)
    counts = _split_lengths(n, lengths)
    order = creation.generator(creation.own_generator(seed)).permutation(n)
    bounds = np.cumsum([0, *counts])
    return [Subset(dataset, order[a:b].tolist()) for a, b in zip(bounds[:-1], bounds[1:],
                                                                  strict=True)]


def kfold(
    n: int, k: int, seed: int | None = None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``k`` pairs ``(train_indices, val_indices)`` for k-fold cross-validation.

    The validation folds partition ``range(n)``; each training set is everything else.
    Fold sizes differ by at most one (the first ``n % k`` folds get the extra sample, as in
    scikit-learn's ``KFold``). Indices are shuffled first (by ``seed``, or the shared
    generator if None) unless ``shuffle=False``, which gives contiguous folds.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"kfold: k must be an int >= 2, got {k!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < k:
        raise ValueError(f"kfold: need an int n >= k to make {k} non-empty folds, got n={n!r}")
    rng = creation.generator(creation.own_generator(seed))
    order = (rng.permutation(n) if shuffle else np.arange(n)).astype(np.int64)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    start = 0
    for size in sizes:
        stop = start + int(size)
        yield np.concatenate([order[:start], order[stop:]]), order[start:stop]
        start = stop
