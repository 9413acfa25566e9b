"""Small synthetic 2-D classification sets, seeded and reproducible."""

from __future__ import annotations

import numpy as np


def make_moons(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``X`` of shape (n, 2) float64, labels ``y`` in {0, 1}.

    The upper moon is class 0, the lower one class 1; ``noise`` is the standard deviation of
    Gaussian noise added to every coordinate.
    """
    if n_samples < 2:
        raise ValueError(f"make_moons needs n_samples >= 2, got {n_samples}")
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    X = np.concatenate([
        np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
        np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1),
    ])
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    if shuffle:
        order = rng.permutation(n_samples)
        X, y = X[order], y[order]
    return X, y


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool
) -> tuple[np.ndarray, np.ndarray]:
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X, y


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, seed: int | None = None,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle (class 0) around a smaller one (class 1, radius ``factor``).

    ``X`` has shape (n, 2) float64, ``y`` int64; ``noise`` is the standard deviation of
    Gaussian noise added to every coordinate. Points are evenly spaced on each circle.
    """
    if n_samples < 2:
        raise ValueError(f"make_circles needs n_samples >= 2, got {n_samples}")
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"make_circles: factor is the inner radius, in [0, 1); got {factor}")
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * np.pi, n_inner, endpoint=False)
    X = np.concatenate([
        np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1),
        factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1),
    ])
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return _shuffled(X, y, rng, shuffle)


def make_blobs(
    n_samples: int = 100, centers: int | np.ndarray = 3, std: float | list[float] = 1.0,
    seed: int | None = None, shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, one class per center.

    ``centers`` is a count (centers drawn uniformly in the box [-10, 10]^2) or an array of
    shape (k, d). ``std`` is one standard deviation or one per center. Samples split as
    evenly as possible (the first ``n % k`` blobs get one more). ``X`` is float64, ``y`` int64.
    """
    rng = np.random.default_rng(seed)
    if isinstance(centers, (int, np.integer)):
        if centers < 1:
            raise ValueError(f"make_blobs needs at least one center, got centers={centers}")
        centers = rng.uniform(-10.0, 10.0, size=(int(centers), 2))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or len(centers) == 0:
        raise ValueError(
            f"make_blobs: centers must be a count or an array of shape (k, d), got shape "
            f"{centers.shape}"
        )
    k = len(centers)
    stds = np.asarray(std, dtype=np.float64).reshape(-1)
    if stds.size == 1:
        stds = np.full(k, stds[0])
    if stds.shape != (k,) or np.any(stds < 0):
        raise ValueError(f"make_blobs: std must be >= 0, one value or one per center ({k}); "
                         f"got {std}")
    if n_samples < k:
        raise ValueError(f"make_blobs: n_samples={n_samples} is fewer than the {k} centers")
    counts = np.full(k, n_samples // k)
    counts[: n_samples % k] += 1
    X = np.concatenate([
        c + s * rng.standard_normal((m, centers.shape[1])) for c, s, m in zip(
            centers, stds, counts, strict=True)
    ])
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    return _shuffled(X, y, rng, shuffle)


def make_spirals(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int | None = None,
    shuffle: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The classic K-arm spiral from the CS231n notes (not linearly separable).

    Arm ``j`` has radius ``r = linspace(0, 1, n)`` and angle
    ``theta = linspace(4j, 4(j+1), n) + noise * N(0, 1)``; points are
    ``(r sin(theta), r cos(theta))``. As in the notes, samples come in class order
    unless ``shuffle=True``. ``X`` has shape (n_per_class * n_classes, 2) float64, ``y`` int64.
    """
    if n_per_class < 1 or n_classes < 1:
        raise ValueError(
            f"make_spirals needs n_per_class >= 1 and n_classes >= 1, got {n_per_class} "
            f"and {n_classes}"
        )
    rng = np.random.default_rng(seed)
    r = np.linspace(0.0, 1.0, n_per_class)
    arms = []
    for j in range(n_classes):
        theta = np.linspace(j * 4.0, (j + 1) * 4.0, n_per_class)
        if noise:
            theta = theta + noise * rng.standard_normal(n_per_class)
        arms.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
    X = np.concatenate(arms)
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    return _shuffled(X, y, rng, shuffle)
