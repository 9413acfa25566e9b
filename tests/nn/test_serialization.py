"""state_dict round trips through .npz; failed loads change nothing; bad files are refused."""

import numpy as np
import pytest

import autograd_core as ac
import nn

from .test_module import Net


def test_round_trip_restores_identical_outputs(tmp_path):
    ac.manual_seed(1)
    net = Net()
    x = ac.randn(5, 3)
    expected = net(x).detach().numpy().copy()
    path = nn.save(net, tmp_path / "net.npz")
    ac.manual_seed(2)
    other = Net()
    assert not np.allclose(other(x).detach().numpy(), expected)
    result = other.load_state_dict(nn.load(path))
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(other(x).detach().numpy(), expected)


def test_mismatched_load_reports_everything_and_changes_nothing():
    net = Net()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    bad = dict(net.state_dict())
    bad["first.weight"] = ac.zeros(4, 4)  # wrong shape
    bad["extra.weight"] = ac.zeros(1)  # unexpected
    del bad["layers.1.bias"]  # missing
    bad["layers.0.bias"] = ac.ones(2) * 7.0  # a valid entry that must not be copied either
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(bad)
    message = str(info.value)
    for part in ("first.weight: shape (4, 4)", "(3, 2)", "missing keys: layers.1.bias",
                 "unexpected keys: extra.weight", "nothing was changed"):
        assert part in message
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])


def test_non_strict_load_reports_keys():
    net = Net()
    partial = {"first.weight": ac.ones(3, 2)}
    result = net.load_state_dict(partial, strict=False)
    assert "first.bias" in result.missing_keys
    np.testing.assert_array_equal(net.first.weight.detach().numpy(), np.ones((3, 2)))


def test_corrupt_or_foreign_files_are_clear_errors(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="not a readable autograd_core checkpoint"):
        nn.load(garbage)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="no pickled objects"):
        nn.load(pickled)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")
