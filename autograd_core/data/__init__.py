"""Datasets and synthetic data generators."""

from .generators import make_moons

__all__ = ["make_moons"]
