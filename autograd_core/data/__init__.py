"""Datasets, loading, splits, transforms, and the bundled and synthetic data sets."""

from .dataset import Dataset, Subset, TensorDataset
from .digits import load_digits
from .generators import make_blobs, make_circles, make_moons, make_spirals
from .idx import fetch_fashion_mnist, load_fashion_mnist, read_idx, write_idx
from .loader import DataLoader, default_collate
from .splits import kfold, random_split
from .transforms import (
    ColorJitter,
    Compose,
    GaussianNoise,
    PCAWhiten,
    RandomCrop,
    RandomHorizontalFlip,
    Standardize,
)

__all__ = [
    "Dataset", "Subset", "TensorDataset", "DataLoader", "default_collate", "random_split",
    "kfold", "make_moons", "make_circles", "make_blobs", "make_spirals", "load_digits",
    "load_fashion_mnist", "fetch_fashion_mnist", "read_idx", "write_idx", "Compose",
    "Standardize", "PCAWhiten", "RandomHorizontalFlip", "RandomCrop", "GaussianNoise",
    "ColorJitter",
]
