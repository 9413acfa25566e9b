"""Data transforms: preprocessing fit on training data, and seeded random augmentations.

Every transform takes a numpy array or a Tensor and returns the same kind. Images are
(C, H, W) or batches (N, C, H, W). Transforms are data preparation, not ops: a Tensor
result is a new leaf with no gradient history. Random transforms draw from their own
generator seeded by ``seed`` (the same seed repeats the same sequence of calls) or, with
``seed=None``, from the shared generator (``autograd_core.manual_seed``).

Where torchvision applies one random draw to a whole batch, these draw once per image
(each image in an (N, C, H, W) batch gets its own flip, crop or jitter), on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import creation
from ..ops._util import int_tuple
from ..tensor import Tensor


def _unwrap(x: Any) -> tuple[np.ndarray, bool]:
    """(array, was_tensor) for a Tensor, an array or array-like."""
    if isinstance(x, Tensor):
        return x._data, True
    return np.asarray(x), False


def _wrap(array: np.ndarray, was_tensor: bool) -> Any:
    return Tensor._make(np.ascontiguousarray(array)) if was_tensor else array


def _float(array: np.ndarray) -> np.ndarray:
    """Floats keep their dtype; integers and bools become float32 (the default float)."""
    return array if array.dtype.kind == "f" else array.astype(np.float32)


def _images(array: np.ndarray, name: str) -> np.ndarray:
    """``array`` as a batch (N, C, H, W); a single (C, H, W) image becomes a batch of one."""
    if array.ndim == 3:
        return array[None]
    if array.ndim == 4:
        return array
    raise ValueError(
        f"{name}: expected an image (C, H, W) or a batch (N, C, H, W), got shape {array.shape}"
    )


class Compose:
    """Apply ``transforms`` in order. ``fit(data)`` fits each fittable one on the data as the
    earlier transforms leave it."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def fit(self, data: Any) -> Compose:
        for t in self.transforms:
            if hasattr(t, "fit"):
                t.fit(data)
            data = t(data)
        return self

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = ", ".join(repr(t) for t in self.transforms)
        return f"Compose([{inner}])"


class Standardize:
    """Zero-center and scale to unit standard deviation with statistics fit on training data.

    ``per='feature'``: ``fit(train)`` with ``train`` of shape (N, ...) takes one mean and std
    per feature (over axis 0). ``per='channel'``: one per channel of images (N, C, H, W) or a
    single (C, H, W), over every axis but C. Apply to one sample or a batch. The std is the
    population std (ddof=0), so the training set comes out with std exactly 1; a constant
    feature (std 0) is only centered, as scikit-learn's ``StandardScaler`` does.
    """

    def __init__(self, per: str = "feature") -> None:
        if per not in ("feature", "channel"):
            raise ValueError(f"Standardize: per must be 'feature' or 'channel', got {per!r}")
        self.per = per
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def fit(self, train: Any) -> Standardize:
        array = _unwrap(train)[0].astype(np.float64)
        if self.per == "feature":
            if array.ndim < 1 or len(array) == 0:
                raise ValueError(
                    f"Standardize.fit: need a batch (N, ...) with N >= 1, got shape {array.shape}"
                )
            self.mean, std = array.mean(axis=0), array.std(axis=0)
        else:
            images = _images(array, "Standardize(per='channel').fit")
            self.mean = images.mean(axis=(0, 2, 3))[:, None, None]
            std = images.std(axis=(0, 2, 3))[:, None, None]
        self.std = np.where(std > 0, std, 1.0)
        return self

    def __call__(self, x: Any) -> Any:
        if self.mean is None:
            raise RuntimeError(
                "Standardize: not fit yet; call .fit(train) on the training data before "
                "applying it"
            )
        array, was_tensor = _unwrap(x)
        if self.per == "feature":
            fits = array.shape == self.mean.shape or array.shape[1:] == self.mean.shape
            expected = f"a sample of shape {self.mean.shape} or a batch of them"
        else:
            fits = array.ndim in (3, 4) and array.shape[-3] == len(self.mean)
            expected = f"an image ({len(self.mean)}, H, W) or a batch (N, {len(self.mean)}, H, W)"
        if not fits:
            raise ValueError(
                f"Standardize(per={self.per!r}): expected {expected}, got shape {array.shape}"
            )
        out = _float(array)
        out = ((out - self.mean) / self.std).astype(out.dtype)
        return _wrap(out, was_tensor)

    def __repr__(self) -> str:
        return f"Standardize(per={self.per!r})"


class PCAWhiten:
    """Project centered data onto its principal axes and divide by sqrt(eigenvalue + eps).

    ``fit(train)`` with ``train`` of shape (N, ...) (flattened to (N, D)) computes the mean and
    the covariance ``Xc.T @ Xc / N`` and keeps the top ``n_components`` eigenvectors
    (all D if None). Applying maps (N, ...) to (N, k), or one sample (...) to (k,); the result
    has (nearly, because of ``eps``) identity covariance on the training data.
    """

    def __init__(self, n_components: int | None = None, eps: float = 1e-5) -> None:
        if n_components is not None and n_components < 1:
            raise ValueError(f"PCAWhiten: n_components must be >= 1 or None, got {n_components}")
        if eps < 0:
            raise ValueError(f"PCAWhiten: eps must be >= 0, got {eps}")
        self.n_components = n_components
        self.eps = eps
        self.mean: np.ndarray | None = None
        self.components: np.ndarray | None = None  # (D, k), columns are principal axes
        self.explained_variance: np.ndarray | None = None
        self._sample_shape: tuple[int, ...] = ()

    def fit(self, train: Any) -> PCAWhiten:
        array = _unwrap(train)[0].astype(np.float64)
        if array.ndim < 2 or len(array) < 2:
            raise ValueError(
                f"PCAWhiten.fit: need a batch (N, D...) with N >= 2, got shape {array.shape}"
            )
        self._sample_shape = array.shape[1:]
        flat = array.reshape(len(array), -1)
        d = flat.shape[1]
        k = d if self.n_components is None else self.n_components
        if k > d:
            raise ValueError(f"PCAWhiten: n_components={k} exceeds the {d} features")
        self.mean = flat.mean(axis=0)
        centered = flat - self.mean
        cov = centered.T @ centered / len(flat)
        eigvals, eigvecs = np.linalg.eigh(cov)
        top = np.argsort(eigvals)[::-1][:k]
        self.explained_variance = np.clip(eigvals[top], 0.0, None)
        self.components = eigvecs[:, top]
        return self

    def __call__(self, x: Any) -> Any:
        if self.mean is None:
            raise RuntimeError(
                "PCAWhiten: not fit yet; call .fit(train) on the training data before applying it"
            )
        array, was_tensor = _unwrap(x)
        single = array.shape == self._sample_shape
        if not single and array.shape[1:] != self._sample_shape:
            raise ValueError(
                f"PCAWhiten: was fit on samples of shape {self._sample_shape}; got shape "
                f"{array.shape} (give one sample or a batch of them)"
            )
        flat = array.reshape(1 if single else len(array), -1).astype(np.float64)
        out = (flat - self.mean) @ self.components / np.sqrt(self.explained_variance + self.eps)
        out = out.astype(_float(array).dtype)
        return _wrap(out[0] if single else out, was_tensor)

    def __repr__(self) -> str:
        return f"PCAWhiten(n_components={self.n_components}, eps={self.eps})"


class RandomHorizontalFlip:
    """Flip each image left-right (the last axis) with probability ``p``."""

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p is a probability in [0, 1], got {p}")
        self.p = p
        self._gen = creation.own_generator(seed)

    def __call__(self, x: Any) -> Any:
        array, was_tensor = _unwrap(x)
        images = _images(array, "RandomHorizontalFlip")
        flip = creation.generator(self._gen).random(len(images)) < self.p
        out = images.copy()
        out[flip] = images[flip][..., ::-1]
        return _wrap(out.reshape(array.shape), was_tensor)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


def _padding(padding: int | Sequence[int]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) from an int, (left/right, top/bottom) or a 4-tuple."""
    if isinstance(padding, (int, np.integer)):
        pads = (padding,) * 4
    elif len(padding) == 2:
        pads = (padding[0], padding[1], padding[0], padding[1])
    elif len(padding) == 4:
        pads = tuple(padding)
    else:
        raise ValueError(f"RandomCrop: padding must be an int, 2 or 4 ints, got {padding}")
    if any(p < 0 for p in pads):
        raise ValueError(f"RandomCrop: padding must be non-negative, got {padding}")
    return tuple(int(p) for p in pads)


class RandomCrop:
    """Zero-pad each image by ``padding`` then cut out a ``size`` (h, w) window at a random place.

    ``padding`` is an int, (left/right, top/bottom) or (left, top, right, bottom) as in
    torchvision.
    """

    def __init__(
        self, size: int | Sequence[int], padding: int | Sequence[int] = 0, seed: int | None = None
    ) -> None:
        self.size = int_tuple(size, 2, "size", "RandomCrop", 1)
        self.padding = _padding(padding)
        self._gen = creation.own_generator(seed)

    def __call__(self, x: Any) -> Any:
        array, was_tensor = _unwrap(x)
        images = _images(array, "RandomCrop")
        left, top, right, bottom = self.padding
        padded = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)))
        h, w = self.size
        ph, pw = padded.shape[2:]
        if h > ph or w > pw:
            raise ValueError(
                f"RandomCrop: crop size {(h, w)} is larger than the padded image {(ph, pw)} "
                f"(input shape {array.shape}, padding {self.padding})"
            )
        rng = creation.generator(self._gen)
        ys = rng.integers(0, ph - h + 1, size=len(images))
        xs = rng.integers(0, pw - w + 1, size=len(images))
        out = np.stack([img[:, i:i + h, j:j + w] for img, i, j in zip(padded, ys, xs,
                                                                          strict=True)])
        return _wrap(out if array.ndim == 4 else out[0], was_tensor)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class GaussianNoise:
    """Add independent Gaussian noise of standard deviation ``std`` (and mean ``mean``)."""

    def __init__(self, std: float = 0.1, seed: int | None = None, mean: float = 0.0) -> None:
        if std < 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std}")
        self.std = std
        self.mean = mean
        self._gen = creation.own_generator(seed)

    def __call__(self, x: Any) -> Any:
        array, was_tensor = _unwrap(x)
        out = _float(array)
        noise = creation.generator(self._gen).normal(self.mean, self.std, size=out.shape)
        return _wrap((out + noise).astype(out.dtype), was_tensor)

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std}, mean={self.mean})"


def _factor_range(value: float | Sequence[float], name: str) -> tuple[float, float] | None:
    """torchvision's rule: a number v means factors in [max(0, 1 - v), 1 + v]; 0 disables."""
    if isinstance(value, (int, float, np.number)):
        if value < 0:
            raise ValueError(f"ColorJitter: {name} must be >= 0, got {value}")
        return None if value == 0 else (max(0.0, 1.0 - value), 1.0 + value)
    lo, hi = value
    if not 0 <= lo <= hi:
        raise ValueError(f"ColorJitter: {name} range must satisfy 0 <= min <= max, got {value}")
    return None if lo == hi == 1 else (float(lo), float(hi))


def _gray_mean(image: np.ndarray) -> float:
    """Mean luminance of one (C, H, W) image, with torchvision's grayscale weights for RGB."""
    if image.shape[0] == 3:
        return float(np.tensordot([0.2989, 0.587, 0.114], image, axes=1).mean())
    if image.shape[0] == 1:
        return float(image.mean())
    raise ValueError(
        f"ColorJitter(contrast): images need 1 or 3 channels, got {image.shape[0]}"
    )


class ColorJitter:
    """Randomly scale brightness and contrast of float images in [0, 1], as torchvision does.

    Each image draws a brightness factor b and a contrast factor c uniformly from
    [max(0, 1 - v), 1 + v] (or a given (min, max)) and, in a random order, becomes
    ``b * img`` and ``c * img + (1 - c) * mean_gray(img)``, each clipped to [0, 1].
    """

    def __init__(
        self, brightness: float | Sequence[float] = 0, contrast: float | Sequence[float] = 0,
        seed: int | None = None,
    ) -> None:
        self.brightness = _factor_range(brightness, "brightness")
        self.contrast = _factor_range(contrast, "contrast")
        self._gen = creation.own_generator(seed)

    def __call__(self, x: Any) -> Any:
        array, was_tensor = _unwrap(x)
        images = _float(_images(array, "ColorJitter"))
        rng = creation.generator(self._gen)
        out = np.empty_like(images)
        for n, image in enumerate(images):
            for step in rng.permutation(2):
                if step == 0 and self.brightness is not None:
                    image = np.clip(image * rng.uniform(*self.brightness), 0.0, 1.0)
                elif step == 1 and self.contrast is not None:
                    c = rng.uniform(*self.contrast)
                    image = np.clip(c * image + (1.0 - c) * _gray_mean(image), 0.0, 1.0)
            out[n] = image
        return _wrap(out.reshape(array.shape), was_tensor)

    def __repr__(self) -> str:
        return f"ColorJitter(brightness={self.brightness}, contrast={self.contrast})"
