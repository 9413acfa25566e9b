"""The bundled digits set, the IDX reader/writer and the Fashion-MNIST loader (no network)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from autograd_core.data import digits, idx
from autograd_core.data.digits import load_digits
from autograd_core.data.idx import (
    fashion_mnist_search_dirs,
    fetch_fashion_mnist,
    load_fashion_mnist,
    read_idx,
    write_idx,
)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real Fashion-MNIST location can leak in: env, cache and system dirs point at tmp."""
    monkeypatch.delenv("AUTOGRAD_CORE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setattr(idx, "SYSTEM_DIRS", (tmp_path / "system",))
    return tmp_path


def write_fashion(directory: Path, split: str, n: int, gz: bool = True, seed: int = 0):
    """Write a small fake Fashion-MNIST split; returns the arrays written."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    image_stem, label_stem = idx.FASHION_MNIST_FILES[split]
    write_idx(directory / (image_stem + suffix), images)
    write_idx(directory / (label_stem + suffix), labels)
    return images, labels


# ---- digits -----------------------------------------------------------------------------


def test_load_digits_shape_dtype_range_and_class_counts():
    images, labels = load_digits()
    assert images.shape == (1797, 64) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    assert np.array_equal(images, np.round(images))
    counts = np.bincount(labels, minlength=10)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # The first row of the UCI file is a zero.
    assert labels[0] == 0
    assert images[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_load_digits_returns_fresh_copies():
    images, labels = load_digits()
    images[:] = -1
    labels[:] = -1
    again_images, again_labels = load_digits()
    assert again_images.min() == 0 and again_labels.min() == 0


def _fake_resource(monkeypatch, tmp_path, payload: bytes | None):
    """Point load_digits at a tmp package directory holding ``payload`` (None: no file)."""
    files = tmp_path / "files"
    files.mkdir()
    if payload is not None:
        (files / digits.DIGITS_FILE).write_bytes(payload)
    monkeypatch.setattr(digits, "_data_file", lambda: files / digits.DIGITS_FILE)


@pytest.fixture
def clear_digits_cache():
    digits._read_table.cache_clear()
    yield
    digits._read_table.cache_clear()


def test_load_digits_missing_file_is_a_clear_error(monkeypatch, tmp_path, clear_digits_cache):
    _fake_resource(monkeypatch, tmp_path, None)
    with pytest.raises(FileNotFoundError, match="missing.*package data"):
        load_digits()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not gzip at all", "corrupt"),
        (gzip.compress(b"1,2,3\n4,5,6\n"), r"expected 1797 rows of 65 columns"),
        (gzip.compress(b"\n".join([b",".join([b"17"] * 65)] * 1797)), r"0\.\.16"),
        (gzip.compress(b"\n".join([b",".join([b"1"] * 64 + [b"12"])] * 1797)), r"0\.\.9"),
        (gzip.compress(b"\n".join([b",".join([b"1.5"] * 65)] * 1797)), "non-integer"),
        (gzip.compress(b"a,b,c\n")[:-6], "corrupt"),
    ],
)
def test_load_digits_corrupt_file_is_a_clear_error(
    monkeypatch, tmp_path, clear_digits_cache, payload, message
):
    _fake_resource(monkeypatch, tmp_path, payload)
    with pytest.raises(ValueError, match=message):
        load_digits()


# ---- IDX round trip ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize(
    "array",
    [
        np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
        np.array([0, 9, 3, 255], dtype=np.uint8),
        np.array([[-3, 7], [100, -128]], dtype=np.int8),
        np.array([-30000, 2, 30000], dtype=np.int16),
        np.array([[-(2**31), 2**31 - 1]], dtype=np.int32),
        np.array([1.5, -2.25, np.inf], dtype=np.float32),
        np.array([[np.pi], [-1e300]], dtype=np.float64),
        np.zeros((0, 28, 28), dtype=np.uint8),
    ],
    ids=lambda a: f"{a.dtype}{a.shape}",
)
def test_idx_round_trip(tmp_path, suffix, array):
    path = tmp_path / ("data.idx" + suffix)
    write_idx(path, array)
    if suffix:
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    back = read_idx(path)
    assert back.dtype == array.dtype and back.dtype.isnative
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # writable, not a view on read-only bytes


def test_idx_header_layout_matches_the_mnist_format(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.array([7, 1], dtype=np.uint8))
    assert path.read_bytes() == bytes.fromhex("00000801" "00000002" "0701")


def test_write_idx_rejects_what_idx_cannot_store(tmp_path):
    with pytest.raises(TypeError, match="cannot store dtype uint16"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.uint16))
    with pytest.raises(TypeError, match="cannot store dtype int64"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="1 to 255 dimensions"):
        write_idx(tmp_path / "x", np.array(3, dtype=np.uint8))


# ---- IDX validation ---------------------------------------------------------------------


def _good_bytes() -> bytes:
    return bytes.fromhex("00000803" "00000002" "00000002" "00000003") + bytes(range(12))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", r"truncated: 0 bytes"),
        (b"\x00\x00", r"truncated: 2 bytes"),
        (b"\x01\x02\x08\x01" + bytes(8), r"not an IDX file: the magic number 01020801"),
        (bytes.fromhex("00000A01 00000001") + b"\x00", r"unknown IDX dtype code 0x0A"),
        (bytes.fromhex("00000800"), r"0 dimensions"),
        (bytes.fromhex("00000803 00000002"), r"truncated: the header declares 3 dimensions"),
        (_good_bytes()[:-1], r"is truncated: shape \(2, 2, 3\) of uint8 needs 12 data bytes.*11"),
        (_good_bytes() + b"\x00", r"longer than its header says.*found 13"),
        (bytes.fromhex("00000C01 00000003") + bytes(11), r"truncated.*int32 needs 12"),
        (bytes.fromhex("00000803" + "FFFFFFFF" * 3) + bytes(4), r"truncated.*found 4"),
    ],
)
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_rejects_bad_files_naming_the_file(tmp_path, payload, message, gz):
    path = tmp_path / ("bad.idx" + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(payload) if gz else payload)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_rejects_corrupt_and_truncated_gzip(tmp_path):
    packed = gzip.compress(_good_bytes() * 50)
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated gzip") as info:
        read_idx(truncated)
    assert str(truncated) in str(info.value)
    garbled = tmp_path / "garbled.gz"
    garbled.write_bytes(packed[:10] + bytes(len(packed) - 10))
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        read_idx(garbled)


def test_read_idx_parses_hand_written_bytes(tmp_path):
    path = tmp_path / "good"
    path.write_bytes(_good_bytes())
    np.testing.assert_array_equal(read_idx(path), np.arange(12, dtype=np.uint8).reshape(2, 2, 3))
    path.write_bytes(bytes.fromhex("00000B01 00000002 FFFE 0102"))
    np.testing.assert_array_equal(read_idx(path), np.array([-2, 258], dtype=np.int16))


# ---- Fashion-MNIST ----------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize(("split", "n"), [("train", 7), ("test", 3)])
def test_load_fashion_mnist_from_root(isolated, split, n, gz):
    root = isolated / "root"
    images, labels = write_fashion(root, split, n, gz=gz)
    got_images, got_labels = load_fashion_mnist(root, split=split)
    assert got_images.dtype == np.uint8 and got_images.shape == (n, 28, 28)
    assert got_labels.dtype == np.int64 and got_labels.shape == (n,)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_load_fashion_mnist_via_env_and_data_root_subdir(isolated, monkeypatch):
    images, labels = write_fashion(isolated / "env", "test", 4)
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(isolated / "env"))
    np.testing.assert_array_equal(load_fashion_mnist(split="test")[0], images)
    # $AUTOGRAD_CORE_DATA may also be a data root with a fashion-mnist/ subdirectory.
    images, _ = write_fashion(isolated / "data-root" / "fashion-mnist", "test", 5, seed=1)
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(isolated / "data-root"))
    np.testing.assert_array_equal(load_fashion_mnist(split="test")[0], images)


def test_load_fashion_mnist_search_order(isolated, monkeypatch):
    root_images, _ = write_fashion(isolated / "root", "train", 2, seed=1)
    env_images, _ = write_fashion(isolated / "env", "train", 3, seed=2)
    cache_images, _ = write_fashion(isolated / "xdg-cache/autograd_core/fashion-mnist", "train", 4)
    system_images, _ = write_fashion(isolated / "system", "train", 5, seed=3)
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(isolated / "env"))
    assert load_fashion_mnist(isolated / "root")[0].shape[0] == 2
    assert load_fashion_mnist(isolated / "nowhere")[0].shape[0] == 3
    monkeypatch.delenv("AUTOGRAD_CORE_DATA")
    assert load_fashion_mnist()[0].shape[0] == 4
    monkeypatch.setattr(idx, "default_cache_dir", lambda: isolated / "empty-cache")
    np.testing.assert_array_equal(load_fashion_mnist()[0], system_images)


def test_default_cache_dir_honours_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert idx.default_cache_dir() == tmp_path / "autograd_core" / "fashion-mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert idx.default_cache_dir() == tmp_path / "home/.cache/autograd_core/fashion-mnist"


def test_load_fashion_mnist_not_found_lists_places_searched(isolated, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(isolated / "env"))
    write_fashion(isolated / "root", "train", 2)  # a train set does not satisfy split="test"
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(isolated / "root", split="test")
    message = str(info.value)
    for place in fashion_mnist_search_dirs(isolated / "root"):
        assert str(place) in message
    assert str(isolated / "xdg-cache/autograd_core/fashion-mnist") in message
    assert str(isolated / "system") in message
    assert "t10k-images-idx3-ubyte" in message and "./run data" in message


def test_load_fashion_mnist_needs_both_files_in_one_dir(isolated):
    write_fashion(isolated / "a", "train", 2)
    (isolated / "a" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="Searched"):
        load_fashion_mnist(isolated / "a")


def test_load_fashion_mnist_rejects_bad_split(isolated):
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_fashion_mnist(split="val")


def test_load_fashion_mnist_rejects_corrupt_files(isolated):
    root = isolated / "root"
    write_fashion(root, "train", 3)
    images_path = root / "train-images-idx3-ubyte.gz"
    images_path.write_bytes(images_path.read_bytes()[:-20])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        load_fashion_mnist(root)


@pytest.mark.parametrize(
    ("images", "labels", "message"),
    [
        (np.zeros((2, 28, 27), np.uint8), np.zeros(2, np.uint8), r"shape \(N, 28, 28\)"),
        (np.zeros((2, 28, 28), np.float32), np.zeros(2, np.uint8), "uint8 images"),
        (np.zeros((2, 28, 28), np.uint8), np.zeros((2, 1), np.uint8), "uint8 labels"),
        (np.zeros((2, 28, 28), np.uint8), np.zeros(3, np.uint8), "2 images but.*3 labels"),
        (np.zeros((2, 28, 28), np.uint8), np.array([1, 10], np.uint8), "label 10"),
    ],
)
def test_load_fashion_mnist_rejects_wrong_contents(isolated, images, labels, message):
    root = isolated / "root"
    root.mkdir()
    write_idx(root / "train-images-idx3-ubyte.gz", images)
    write_idx(root / "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match=message):
        load_fashion_mnist(root)


def test_fetch_fashion_mnist_without_apt_is_a_clear_error(isolated, monkeypatch):
    monkeypatch.setattr(idx.shutil, "which", lambda tool: None)
    with pytest.raises(RuntimeError, match="apt-get and dpkg-deb not found"):
        fetch_fashion_mnist(isolated / "dest")


def test_fetch_fashion_mnist_keeps_files_already_present(isolated, monkeypatch):
    dest = isolated / "dest"
    write_fashion(dest, "train", 2)
    write_fashion(dest, "test", 1, gz=False)
    monkeypatch.setattr(idx, "_run", lambda *a, **k: pytest.fail("must not download"))
    assert fetch_fashion_mnist(dest) == dest
