"""micrograd's demo step with micrograd and with `Value`, alternating in one process.

The step is micrograd's README demo: MLP(2, [16, 16, 1]) on 100 two-moons points, full
batch, SVM max-margin loss plus 1e-4 L2, forward, backward and an SGD update. Prints the
median milliseconds per step of each, their ratio, and graph nodes per second.

    ./run bench scalar_vs_micrograd        (or: .venv/bin/python bench/scalar_vs_micrograd.py)
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

from micrograd import engine as mg_engine
from micrograd import nn as mg_nn

from autograd_core.data import make_moons
from autograd_core.engine import count_uses
from nn.scalar import MLP


def micrograd_step(model, X, y):
    inputs = [list(map(mg_engine.Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= 0.05 * p.grad
    return total


def value_step(model, params, X, y):
    scores = [model(row) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params)
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in params:
        p.data -= 0.05 * p.grad
    return total


def timed_block(fn, steps: int) -> list[float]:
    """Time ``steps`` consecutive steps, as a training loop runs them.

    Each engine runs in blocks of its own, starting from a collected heap, so a garbage
    collection inside a block pays only for that engine's garbage (micrograd's graphs are
    cyclic and wait for the collector; ours are freed as soon as they are dropped).
    """
    gc.collect()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the two")
    parser.add_argument("--block", type=int, default=5, help="consecutive steps per block")
    args = parser.parse_args()

    X, y = make_moons(100, noise=0.1, seed=1)
    X, y = X.tolist(), [2.0 * label - 1.0 for label in y.tolist()]
    random.seed(1337)
    mg_model = mg_nn.MLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], rng=random.Random(1337))
    params = ours.parameters()

    nodes = len(count_uses([value_step(ours, params, X, y)]))
    micrograd_step(mg_model, X, y)  # warm-up
    t_mg, t_ours = [], []
    for _ in range(args.rounds):
        t_mg += timed_block(lambda: micrograd_step(mg_model, X, y), args.block)
        t_ours += timed_block(lambda: value_step(ours, params, X, y), args.block)
    mg_ms = statistics.median(t_mg) * 1e3
    ours_ms = statistics.median(t_ours) * 1e3
    print(f"graph nodes per step (Value): {nodes}; {len(t_mg)} steps of each, alternating blocks")
    print(f"micrograd   median {mg_ms:8.2f} ms/step")
    print(f"Value       median {ours_ms:8.2f} ms/step   ({nodes / ours_ms * 1e3:,.0f} nodes/s)")
    print(f"speed-up: Value is {mg_ms / ours_ms:.1f}x faster than micrograd (target >= 20x)")


if __name__ == "__main__":
    main()
