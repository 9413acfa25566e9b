"""One training step of LeNet-5 on a batch of 64 28x28 images, float32, one thread, vs PyTorch.

conv 1->6 5x5, ReLU, max-pool 2, conv 6->16 5x5, ReLU, max-pool 2, linear 256->120->84->10,
cross-entropy and a plain SGD update; both models start from the same weights. Target: at
most 1.5x PyTorch's time (the long-run goal is to beat it).

    ./run bench lenet_step
"""

from __future__ import annotations

import numpy as np
import torch
from _timing import interleaved, single_thread

import autograd_core as ac
import nn

BATCH = 64
LR = 0.01


def lenet(lib):
    return lib.Sequential(
        lib.Conv2d(1, 6, 5), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(6, 16, 5), lib.ReLU(), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(256, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(),
        lib.Linear(84, 10),
    )


def ours_step(model, params, x, y) -> float:
    loss = nn.functional.cross_entropy(model(x), y)
    model.zero_grad()
    loss.backward()
    with ac.no_grad():
        for p in params:
            p -= LR * p.grad
    return loss.item()


def torch_step(model, params, x, y) -> float:
    loss = torch.nn.functional.cross_entropy(model(x), y)
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= LR * p.grad
    return loss.item()


def main() -> None:
    single_thread()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    theirs = lenet(torch.nn)
    ours = lenet(nn)
    ours.load_state_dict({k: ac.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    ours_params, torch_params = list(ours.parameters()), list(theirs.parameters())
    ax, ay, tx, ty = ac.tensor(x), ac.tensor(y), torch.tensor(x), torch.tensor(y)
    first = (ours_step(ours, ours_params, ax, ay), torch_step(theirs, torch_params, tx, ty))
    assert np.isclose(*first, rtol=1e-4), first
    times = interleaved(
        {"autograd_core": lambda: ours_step(ours, ours_params, ax, ay),
         "torch": lambda: torch_step(theirs, torch_params, tx, ty)},
        rounds=15, inner=5,
    )
    for name, seconds in times.items():
        print(f"{name:14s} {seconds * 1e3:8.2f} ms/step")
    print(f"ratio autograd_core / torch: {times['autograd_core'] / times['torch']:.2f}x "
          "(target <= 1.5x)")


if __name__ == "__main__":
    main()
