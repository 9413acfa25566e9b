"""One Adam step over the parameters of a 784-256-128-10 MLP, float32, one thread.

Only the update is timed (the gradients are fixed random arrays): autograd_core's
``optim.Adam`` against ``torch.optim.Adam`` with its default implementation and with
``foreach=False``, in one process. Target: at most 1.0x PyTorch.

    ./run bench optim_step
"""

from __future__ import annotations

import numpy as np
import torch
from _timing import interleaved, single_thread

import autograd_core as ac
import optim

SHAPES = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]


def main() -> None:
    single_thread()
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]

    ours = [ac.tensor(v, requires_grad=True) for v in values]
    for p, g in zip(ours, grads):
        p.grad = ac.tensor(g)
    ours_adam = optim.Adam(ours, lr=1e-3)

    contenders = {"autograd_core": ours_adam.step}
    for name, foreach in (("torch default", None), ("torch foreach=False", False)):
        params = [torch.tensor(v, requires_grad=True) for v in values]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        contenders[name] = torch.optim.Adam(params, lr=1e-3, foreach=foreach).step

    times = interleaved(contenders, rounds=21, inner=50)
    for name, seconds in times.items():
        print(f"{name:20s} {seconds * 1e6:9.1f} us/step")
    for name in ("torch default", "torch foreach=False"):
        print(f"ratio autograd_core / {name}: {times['autograd_core'] / times[name]:.2f}x "
              "(target <= 1.0x)")


if __name__ == "__main__":
    main()
