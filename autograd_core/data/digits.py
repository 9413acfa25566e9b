"""The bundled UCI optical-digits set (1797 images of 8x8 pixels, values 0..16).

The data ships inside the package as ``files/digits.csv.gz`` (see ``files/README.md`` for its
origin and CC BY 4.0 attribution) and is read with ``importlib.resources``, so it also works
from an installed wheel.
"""

from __future__ import annotations

import functools
import gzip
import io
import zlib
from importlib import resources
from importlib.resources.abc import Traversable

import numpy as np

DIGITS_FILE = "digits.csv.gz"
N_SAMPLES = 1797
N_PIXELS = 64


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)``: float64 of shape (1797, 64) with values 0..16, int64 (1797,).

    Each row of ``images`` is an 8x8 image flattened row-major (``images.reshape(-1, 8, 8)``
    gives the pictures). The arrays are fresh copies, so callers may modify them.
    """
    table = _read_table()
    return table[:, :N_PIXELS].astype(np.float64), table[:, N_PIXELS].astype(np.int64)


def _data_file() -> Traversable:
    """The bundled CSV as a resource (a real file, or a member of a zip when zip-imported)."""
    return resources.files("autograd_core.data").joinpath("files", DIGITS_FILE)


@functools.cache
def _read_table() -> np.ndarray:
    """Parse and validate the bundled CSV once; returns int64 (1797, 65), read-only."""
    resource = _data_file()
    where = f"bundled data file autograd_core/data/files/{DIGITS_FILE}"
    try:
        raw = resource.read_bytes()
    except (FileNotFoundError, OSError) as exc:
        raise FileNotFoundError(
            f"load_digits: the {where} is missing ({exc}); reinstall autograd-core, or check "
            "that pyproject.toml lists data/files/* as package data"
        ) from exc
    try:
        text = gzip.decompress(raw).decode("ascii")
        table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64, ndmin=2)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"load_digits: the {where} is corrupt: {exc}") from exc
    if table.shape != (N_SAMPLES, N_PIXELS + 1):
        raise ValueError(
            f"load_digits: the {where} is corrupt: expected {N_SAMPLES} rows of "
            f"{N_PIXELS + 1} columns (64 pixels, then the label), got shape {table.shape}"
        )
    if not np.array_equal(table, np.round(table)):
        raise ValueError(f"load_digits: the {where} is corrupt: it holds non-integer values")
    pixels, labels = table[:, :N_PIXELS], table[:, N_PIXELS]
    if pixels.min() < 0 or pixels.max() > 16:
        raise ValueError(
            f"load_digits: the {where} is corrupt: pixel values must lie in 0..16, found "
            f"{pixels.min():g}..{pixels.max():g}"
        )
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(
            f"load_digits: the {where} is corrupt: labels must lie in 0..9, found "
            f"{labels.min():g}..{labels.max():g}"
        )
    table = table.astype(np.int64)
    table.flags.writeable = False
    return table
