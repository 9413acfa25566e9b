"""Per-op overhead: ``(a*b + c).sum()`` forward and backward on 4x4 float32, vs PyTorch.

Three ops forward and their three backward nodes on tensors so small that the arithmetic
is free: what is measured is the engine's own cost per op. Target: at most 0.5x PyTorch.
A third contender, `_bare_engine.py` (closures over numpy, no checks or features), shows the
floor of an engine written in Python: what is above it is the cost of autograd_core's
features (broadcasting, dtypes, version counters, hooks, grad modes, second order).

    ./run bench op_overhead
"""

from __future__ import annotations

import numpy as np
import torch
from _bare_engine import BareTensor
from _timing import interleaved, single_thread

import autograd_core as ac

OPS_PER_STEP = 3  # mul, add, sum


def main() -> None:
    single_thread()
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 4)).astype(np.float32) for _ in range(3)]
    a, b, c = (ac.tensor(x, requires_grad=True) for x in arrays)
    ta, tb, tc = (torch.tensor(x, requires_grad=True) for x in arrays)
    ba, bb, bc = (BareTensor(x) for x in arrays)

    def ours() -> None:
        (a * b + c).sum().backward()

    def theirs() -> None:
        (ta * tb + tc).sum().backward()

    def bare() -> None:
        (ba * bb + bc).sum().backward()

    times = interleaved({"autograd_core": ours, "torch": theirs, "bare engine": bare},
                        rounds=15, inner=2000)
    for name, seconds in times.items():
        print(f"{name:14s} {seconds * 1e6:8.2f} us/step  {seconds / OPS_PER_STEP * 1e6:7.2f} us/op")
    ratio = times["autograd_core"] / times["torch"]
    print(f"ratio autograd_core / torch: {ratio:.2f}x (target <= 0.5x)")
    print(f"ratio bare engine / torch:   {times['bare engine'] / times['torch']:.2f}x (the floor "
          "of a Python engine with no features)")
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ba.grad, ta.grad.numpy(), rtol=1e-5)


if __name__ == "__main__":
    main()
