"""Command line: ``python -m autograd_core demo``.

This is the only module of ``autograd_core`` that may use ``nn`` and ``optim``, and it
imports them inside the functions that need them, so ``import autograd_core`` never does.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path


def scalar_moons_demo(steps: int = 100, seed: int = 1337) -> float:
    """micrograd's demo on `Value`: a 2-16-16-1 MLP learns two moons; returns the accuracy.

    Full batch of 100 points, SVM max-margin loss plus 1e-4 L2 on every weight, SGD with the
    learning rate decaying from 1.0 to 0.1.
    """
    from autograd_core.data import make_moons
    from nn.scalar import MLP

    X, labels = make_moons(100, noise=0.1, seed=seed)
    X = X.tolist()
    y = [2.0 * label - 1.0 for label in labels.tolist()]  # classes as -1 / +1
    model = MLP(2, [16, 16, 1], rng=random.Random(seed))
    params = model.parameters()
    print(f"scalar demo: MLP(2, [16, 16, 1]), {len(params)} parameters, 100 two-moons points")

    start = time.perf_counter()
    accuracy = 0.0
    for step in range(steps):
        scores = [model(x) for x in X]
        losses = [(1.0 - yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in params)
        loss = data_loss + reg_loss
        accuracy = sum((si.data > 0) == (yi > 0) for yi, si in zip(y, scores)) / len(y)

        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * step / steps
        for p in params:
            p.data -= lr * p.grad
        print(f"step {step:3d}  loss {loss.data:.4f}  accuracy {accuracy:6.1%}")
    print(f"trained in {time.perf_counter() - start:.1f} s; final training accuracy {accuracy:.1%}")
    return accuracy


def neuron_pictures(out_dir: Path) -> None:
    """The notes' sigmoid neuron after backward, and one picture per backward step."""
    import autograd_core as ac
    from autograd_core import Value

    w = [Value(2.0, "w0"), Value(-3.0, "w1"), Value(-3.0, "w2")]
    x = [Value(-1.0, "x0"), Value(-2.0, "x1")]
    f = (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid()
    f.label = "f"
    params = {v.label: v for v in w}
    steps = list(ac.backward_steps(f))
    graph = ac.draw(f, params=params)
    try:
        graph.render(out_dir / "neuron.svg")
        graph.render(out_dir / "neuron.png")
        for step in steps:
            step.draw(params=params).render(out_dir / "neuron_steps" / f"step_{step.index:02d}.png")
    except ac.GraphvizNotFound as err:
        graph.render(out_dir / "neuron.dot")
        print(f"pictures skipped: {err}")
        return
    print(f"wrote {out_dir / 'neuron.svg'}, {out_dir / 'neuron.png'} and {len(steps)} step "
          f"pictures in {out_dir / 'neuron_steps'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograd_core")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train the demo model(s)")
    demo.add_argument("--steps", type=int, default=100, help="training steps")
    demo.add_argument("--out", type=Path, default=Path("out"), help="where pictures go")
    args = parser.parse_args(argv)
    if args.command == "demo":
        neuron_pictures(args.out)
        accuracy = scalar_moons_demo(steps=args.steps)
        return 0 if accuracy >= 0.97 or args.steps < 100 else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
