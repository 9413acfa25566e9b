"""IDX files (the MNIST format) and the Fashion-MNIST reader.

An IDX file is a 4-byte magic number ``00 00 <dtype code> <ndim>``, then ``ndim`` big-endian
uint32 sizes, then the values big-endian in C order. Files may be gzip compressed (detected from
the content, not the name). Fashion-MNIST is not bundled: :func:`load_fashion_mnist` searches a
few directories and :func:`fetch_fashion_mnist` (what ``./run data`` calls) puts the files in the
user cache directory from Debian's ``dataset-fashion-mnist`` package without installing it.
"""

from __future__ import annotations

import gzip
import math
import os
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np

# IDX dtype code -> big-endian numpy dtype.
_CODE_TO_DTYPE = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_KIND_TO_CODE = {(d.kind, d.itemsize): code for code, d in _CODE_TO_DTYPE.items()}
_GZIP_MAGIC = b"\x1f\x8b"

FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# Where Debian's dataset-fashion-mnist package installs the four .gz files.
SYSTEM_DIRS = (Path("/usr/share/datasets/fashion-mnist"),)
DEBIAN_PACKAGE = "dataset-fashion-mnist"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (plain or gzip) into a native-endian array of its stored dtype.

    Raises ``ValueError`` naming the file for a bad gzip stream, a wrong magic number, an unknown
    dtype code, a truncated header or body, or bytes left over after the declared data.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"read_idx: {path} is a corrupt or truncated gzip file: {exc}"
            ) from exc
    if len(raw) < 4:
        raise ValueError(
            f"read_idx: {path} is truncated: {len(raw)} bytes, too short for the 4-byte IDX magic"
        )
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"read_idx: {path} is not an IDX file: the magic number {raw[:4].hex()} does not start "
            "with two zero bytes"
        )
    code, ndim = raw[2], raw[3]
    if code not in _CODE_TO_DTYPE:
        known = ", ".join(f"0x{c:02X}" for c in _CODE_TO_DTYPE)
        raise ValueError(
            f"read_idx: {path} has unknown IDX dtype code 0x{code:02X} (known: {known})"
        )
    if ndim == 0:
        raise ValueError(f"read_idx: {path} declares 0 dimensions; an IDX array needs at least 1")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: {path} is truncated: the header declares {ndim} dimensions "
            f"({header} header bytes) but the file has only {len(raw)} bytes"
        )
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _CODE_TO_DTYPE[code]
    expected = math.prod(shape) * dtype.itemsize  # exact: no int64 overflow on bogus sizes
    body = len(raw) - header
    if body != expected:
        problem = "truncated" if body < expected else "longer than its header says"
        raise ValueError(
            f"read_idx: {path} is {problem}: shape {shape} of {dtype.name} needs {expected} data "
            f"bytes after the {header}-byte header, found {body}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip compressed when ``path`` ends in ``.gz``.

    Supported dtypes: uint8, int8, int16, int32, float32, float64 (what IDX can store).
    """
    array = np.asarray(array)
    code = _KIND_TO_CODE.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        raise TypeError(
            f"write_idx: IDX cannot store dtype {array.dtype}; use uint8, int8, int16, int32, "
            "float32 or float64"
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx: IDX needs 1 to 255 dimensions, got shape {array.shape}")
    if any(n >= 2**32 for n in array.shape):
        raise ValueError(f"write_idx: every size must fit in uint32, got shape {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + np.ascontiguousarray(array, dtype=_CODE_TO_DTYPE[code]).tobytes()
    path = Path(path)
    if path.suffix == ".gz":
        payload = gzip.compress(payload)
    path.write_bytes(payload)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/autograd_core/fashion-mnist``, else ``~/.cache/autograd_core/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "autograd_core" / "fashion-mnist"


def fashion_mnist_search_dirs(root: str | os.PathLike | None = None) -> list[Path]:
    """The directories :func:`load_fashion_mnist` tries, in order.

    ``root`` and ``$AUTOGRAD_CORE_DATA`` are each tried as-is and with a ``fashion-mnist``
    subdirectory, so either may point at the files or at a data root holding several sets.
    """
    dirs: list[Path] = []
    for base in (root, os.environ.get("AUTOGRAD_CORE_DATA") or None):
        if base is not None:
            dirs += [Path(base), Path(base) / "fashion-mnist"]
    dirs.append(default_cache_dir())
    dirs.extend(SYSTEM_DIRS)
    return dirs


def _find(directory: Path, stem: str) -> Path | None:
    """``directory/stem.gz`` or the uncompressed ``directory/stem``, whichever exists first."""
    for name in (stem + ".gz", stem):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def load_fashion_mnist(
    root: str | os.PathLike | None = None, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)``: uint8 (N, 28, 28) and int64 (N,) with labels 0..9.

    N is 60000 for ``split="train"`` and 10000 for ``split="test"``. The IDX files are searched
    in ``root``, ``$AUTOGRAD_CORE_DATA``, the user cache directory, then
    ``/usr/share/datasets/fashion-mnist``; the first directory holding both files wins.
    """
    if split not in FASHION_MNIST_FILES:
        raise ValueError(f"load_fashion_mnist: split must be 'train' or 'test', got {split!r}")
    image_stem, label_stem = FASHION_MNIST_FILES[split]
    searched = fashion_mnist_search_dirs(root)
    for directory in searched:
        image_path, label_path = _find(directory, image_stem), _find(directory, label_stem)
        if image_path is not None and label_path is not None:
            return _check_pair(read_idx(image_path), read_idx(label_path), image_path, label_path)
    places = "\n".join(f"  {d}" for d in searched)
    raise FileNotFoundError(
        f"load_fashion_mnist: no Fashion-MNIST {split} files ({image_stem}[.gz] and "
        f"{label_stem}[.gz]) found. Searched, in order:\n{places}\n"
        "Get them with `./run data` (downloads Debian's dataset-fashion-mnist package and unpacks "
        f"it into {default_cache_dir()} without installing it), `apt-get install "
        f"{DEBIAN_PACKAGE}`, or put the files from "
        "https://github.com/zalandoresearch/fashion-mnist in a directory and pass it as root= "
        "or set $AUTOGRAD_CORE_DATA."
    )


def _check_pair(
    images: np.ndarray, labels: np.ndarray, image_path: Path, label_path: Path
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a Fashion-MNIST image/label pair and convert labels to int64."""
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"load_fashion_mnist: {image_path} should hold uint8 images of shape (N, 28, 28), "
            f"holds {images.dtype} {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"load_fashion_mnist: {label_path} should hold uint8 labels of shape (N,), "
            f"holds {labels.dtype} {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"load_fashion_mnist: {image_path} has {len(images)} images but {label_path} has "
            f"{len(labels)} labels"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(
            f"load_fashion_mnist: {label_path} holds label {labels.max()}; classes are 0..9"
        )
    return images, labels.astype(np.int64)


def fetch_fashion_mnist(dest: str | os.PathLike | None = None) -> Path:
    """Put the four Fashion-MNIST ``.gz`` files into ``dest`` (default: the user cache dir).

    Uses ``apt-get download dataset-fashion-mnist`` and ``dpkg-deb -x`` in a temporary
    directory, so nothing is installed system-wide and no root is needed. Files already present
    are kept. Returns the directory.
    """
    dest = Path(dest) if dest is not None else default_cache_dir()
    stems = [stem for pair in FASHION_MNIST_FILES.values() for stem in pair]
    if all(_find(dest, stem) is not None for stem in stems):
        return dest
    missing = [tool for tool in ("apt-get", "dpkg-deb") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(
            f"fetch_fashion_mnist: {' and '.join(missing)} not found; this fetcher needs a Debian "
            "or Ubuntu system. Otherwise download the four files from "
            f"https://github.com/zalandoresearch/fashion-mnist into {dest}"
        )
    with tempfile.TemporaryDirectory(prefix="autograd_core-fmnist-") as tmp:
        work = Path(tmp)
        _run(["apt-get", "download", DEBIAN_PACKAGE], cwd=work)
        debs = sorted(work.glob(f"{DEBIAN_PACKAGE}_*.deb"))
        if not debs:
            raise RuntimeError(f"fetch_fashion_mnist: apt-get download left no .deb in {work}")
        _run(["dpkg-deb", "-x", str(debs[-1]), str(work / "root")], cwd=work)
        unpacked = work / "root" / SYSTEM_DIRS[0].relative_to("/")
        dest.mkdir(parents=True, exist_ok=True)
        for stem in stems:
            source = unpacked / (stem + ".gz")
            if not source.is_file():
                raise RuntimeError(
                    f"fetch_fashion_mnist: {debs[-1].name} has no {source.name} under "
                    f"{SYSTEM_DIRS[0]}; the package layout changed"
                )
            read_idx(source)  # validate before it lands in the cache
            partial = dest / (source.name + ".partial")
            shutil.copyfile(source, partial)
            os.replace(partial, dest / source.name)
    return dest


def _run(command: list[str], cwd: Path) -> None:
    """Run ``command``; on failure raise RuntimeError with its output."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"fetch_fashion_mnist: `{' '.join(command)}` failed (exit {result.returncode}):\n"
            f"{result.stderr.strip() or result.stdout.strip()}\n"
            "If apt cannot find the package, run `apt-get update` or enable the main component."
        )
