"""Transforms: fitted statistics, and reproducible random augmentations."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.data.transforms import (
    ColorJitter,
    Compose,
    GaussianNoise,
    PCAWhiten,
    RandomCrop,
    RandomHorizontalFlip,
    Standardize,
)


def _features(n: int = 500, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)) * [1.0, 5.0, 0.1, 2.0] + [3.0, -1.0, 0.0, 10.0]


def _images(n: int = 6, c: int = 3, h: int = 5, w: int = 7, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(size=(n, c, h, w)).astype(np.float32)


def test_standardize_per_feature() -> None:
    X = _features()
    out = Standardize().fit(X)(X)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-10)
    t = Standardize().fit(ag.tensor(X))(ag.tensor(X[:3]))
    assert isinstance(t, ag.Tensor) and t.shape == (3, 4) and t.dtype == np.float64
    single = Standardize().fit(X)(X[0])
    np.testing.assert_allclose(single, out[0])


def test_standardize_per_channel_and_constant_feature() -> None:
    images = _images().astype(np.float64) * [[[2.0]], [[0.5]], [[3.0]]]
    std = Standardize(per="channel").fit(images)
    out = std(images)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1.0, atol=1e-10)
    assert std(images[0]).shape == images.shape[1:]
    assert std(images.astype(np.float32)).dtype == np.float32
    const = np.ones((5, 2))
    np.testing.assert_array_equal(Standardize().fit(const)(const), 0.0)


def test_standardize_errors() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        Standardize()(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="per"):
        Standardize(per="pixel")
    with pytest.raises(ValueError, match="expected"):
        Standardize().fit(np.zeros((4, 3)))(np.zeros((4, 5)))


def test_pca_whitening_gives_identity_covariance() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1000, 3)) @ np.array([[2.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 0.5]])
    pca = PCAWhiten().fit(X)
    Z = pca(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.eye(3), atol=1e-4)
    Z2 = PCAWhiten(n_components=2).fit(X)(X)
    assert Z2.shape == (1000, 2)
    np.testing.assert_allclose(np.abs(Z2), np.abs(Z[:, :2]), atol=1e-10)  # axes up to sign
    assert pca(X[0]).shape == (3,)
    assert isinstance(pca(ag.tensor(X)), ag.Tensor)
    with pytest.raises(RuntimeError, match="fit"):
        PCAWhiten()(X)
    with pytest.raises(ValueError, match="exceeds"):
        PCAWhiten(n_components=5).fit(X)


def test_compose_fits_in_order() -> None:
    X = _features()
    pipe = Compose([Standardize(), PCAWhiten(n_components=2)]).fit(X)
    Z = pipe(X)
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.eye(2), atol=1e-4)


def test_horizontal_flip_reproducible_and_exact() -> None:
    images = _images(n=20)
    a = RandomHorizontalFlip(seed=0)(images)
    b = RandomHorizontalFlip(seed=0)(images)
    np.testing.assert_array_equal(a, b)
    flipped = [np.array_equal(a[i], images[i][..., ::-1]) for i in range(20)]
    kept = [np.array_equal(a[i], images[i]) for i in range(20)]
    assert all(f or k for f, k in zip(flipped, kept, strict=True))
    assert any(flipped) and any(kept)
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1.0)(images[0]), images[0][..., ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(p=0.0)(images), images)


def test_random_crop_shapes_padding_and_reproducibility() -> None:
    images = _images(n=8, h=6, w=6)
    crop = RandomCrop(6, padding=2, seed=5)
    out = crop(images)
    assert out.shape == images.shape
    np.testing.assert_array_equal(out, RandomCrop(6, padding=2, seed=5)(images))
    assert not np.array_equal(out, crop(images))  # the generator moves on between calls
    one = RandomCrop((3, 4), seed=0)(ag.tensor(images[0]))
    assert isinstance(one, ag.Tensor) and one.shape == (3, 3, 4)
    win = one.numpy()
    found = any(np.array_equal(win, images[0][:, i:i + 3, j:j + 4])
                for i in range(4) for j in range(3))
    assert found
    with pytest.raises(ValueError, match="larger"):
        RandomCrop(10)(images)
    with pytest.raises(ValueError, match="RandomCrop: size must be at least 1"):
        RandomCrop((3, 0))
    with pytest.raises(TypeError, match="RandomCrop: size must be an int or a tuple of 2 ints"):
        RandomCrop((3, 4, 5))


def test_gaussian_noise_statistics_and_seed() -> None:
    x = np.zeros((200, 50))
    out = GaussianNoise(0.3, seed=1)(x)
    assert abs(out.std() - 0.3) < 0.01 and abs(out.mean()) < 0.01
    np.testing.assert_array_equal(out, GaussianNoise(0.3, seed=1)(x))
    assert GaussianNoise(0.1, seed=0)(ag.zeros(2, 3)).dtype == np.float32


def test_color_jitter_reproducible_and_in_range() -> None:
    images = _images(n=10)
    jitter = ColorJitter(brightness=0.5, contrast=0.5, seed=2)
    out = jitter(images)
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_array_equal(out, ColorJitter(0.5, 0.5, seed=2)(images))
    np.testing.assert_array_equal(ColorJitter(seed=0)(images), images)
    gray = np.full((1, 4, 4), 0.4)
    np.testing.assert_allclose(ColorJitter(contrast=0.9, seed=0)(gray), gray)
    bright = ColorJitter(brightness=(2.0, 2.0), seed=0)(np.full((3, 2, 2), 0.3))
    np.testing.assert_allclose(bright, 0.6)
