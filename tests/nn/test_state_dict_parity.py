"""state_dict keys equal PyTorch's for the same architecture, and weights move both ways."""

import numpy as np
import torch

import autograd_core as ac
import nn


def lenet(lib):
    return lib.Sequential(
        lib.Conv2d(1, 6, 5), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(6, 16, 5), lib.ReLU(), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(256, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(),
        lib.Linear(84, 10),
    )


def residual_block(lib):
    class Block(lib.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.Conv2d(4, 4, 3, padding=1, bias=False)
            self.bn1 = lib.BatchNorm2d(4)
            self.conv2 = lib.Conv2d(4, 4, 3, padding=1, bias=False)
            self.bn2 = lib.BatchNorm2d(4)
            self.drop = lib.Dropout(0.1)

        def forward(self, x):
            h = self.bn1(self.conv1(x)).relu()
            return (x + self.drop(self.bn2(self.conv2(h)))).relu()

    return Block()


def lstm(lib):
    return lib.LSTM(5, 7, num_layers=2, batch_first=True)


def copy_torch_into_ours(theirs, ours):
    state = {k: ac.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)


def test_lenet_keys_and_outputs_match_torch():
    ours, theirs = lenet(nn), lenet(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_torch_into_ours(theirs, ours)
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(ours(ac.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_residual_block_with_batch_norm_keys_and_eval_outputs_match_torch():
    ours, theirs = residual_block(nn), residual_block(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_torch_into_ours(theirs, ours)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(1).standard_normal((3, 4, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(ac.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_lstm_keys_match_torch():
    ours, theirs = lstm(nn), lstm(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(v.shape) for v in ours.state_dict().values()] == [
        tuple(v.shape) for v in theirs.state_dict().values()]


def test_round_trip_through_save_and_load(tmp_path):
    ac.manual_seed(3)
    model = lenet(nn)
    x = ac.randn(2, 1, 28, 28)
    expected = model(x).detach().numpy().copy()
    nn.save(model, tmp_path / "lenet.npz")
    ac.manual_seed(4)
    fresh = lenet(nn)
    fresh.load_state_dict(nn.load(tmp_path / "lenet.npz"))
    np.testing.assert_array_equal(fresh(x).detach().numpy(), expected)
