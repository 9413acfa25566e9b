"""Synthetic 2-D classification sets: shapes, dtypes, class balance, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_core.data.generators import make_blobs, make_circles, make_moons, make_spirals

GENERATORS = {
    "moons": lambda seed: make_moons(101, noise=0.1, seed=seed),
    "circles": lambda seed: make_circles(101, noise=0.1, factor=0.5, seed=seed),
    "blobs": lambda seed: make_blobs(101, centers=3, std=0.5, seed=seed),
    "spirals": lambda seed: make_spirals(34, n_classes=3, noise=0.2, seed=seed),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_shapes_dtypes_balance_and_determinism(name: str) -> None:
    X, y = GENERATORS[name](0)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.ndim == 2 and X.shape[1] == 2 and y.shape == (len(X),)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    X2, y2 = GENERATORS[name](0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = GENERATORS[name](1)
    assert not np.array_equal(X, X3)


def test_circles_radii_without_noise() -> None:
    X, y = make_circles(40, factor=0.3, seed=0)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    with pytest.raises(ValueError, match="factor"):
        make_circles(10, factor=1.5)


def test_blobs_around_given_centers() -> None:
    centers = np.array([[0.0, 0.0], [20.0, 20.0]])
    X, y = make_blobs(2000, centers=centers, std=[0.5, 2.0], seed=3)
    for j in range(2):
        np.testing.assert_allclose(X[y == j].mean(axis=0), centers[j], atol=0.2)
    np.testing.assert_allclose(X[y == 0].std(axis=0), 0.5, rtol=0.1)
    np.testing.assert_allclose(X[y == 1].std(axis=0), 2.0, rtol=0.1)
    assert np.bincount(make_blobs(10, centers=3, seed=0)[1]).tolist() == [4, 3, 3]
    with pytest.raises(ValueError, match="std"):
        make_blobs(10, centers=centers, std=[1.0, 2.0, 3.0])


def test_spirals_match_the_notes_formula_without_noise() -> None:
    n, k = 50, 4
    X, y = make_spirals(n, n_classes=k, noise=0.0)
    assert X.shape == (n * k, 2) and y.tolist() == np.repeat(np.arange(k), n).tolist()
    r = np.linspace(0.0, 1.0, n)
    for j in range(k):
        t = np.linspace(j * 4, (j + 1) * 4, n)
        np.testing.assert_allclose(X[y == j], np.c_[r * np.sin(t), r * np.cos(t)])
    Xs, ys = make_spirals(n, n_classes=k, noise=0.0, seed=0, shuffle=True)
    assert sorted(map(tuple, Xs)) == sorted(map(tuple, X))
    assert not np.array_equal(ys, y)
