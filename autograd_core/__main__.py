"""Command line: ``python -m autograd_core demo [--scalar] [--fast]``.

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


def _digits_splits(seed: int):
    """Digits scaled to [0, 1]: train / validation / held-out test loaders (60/20/20)."""
    import autograd_core as ac
    from autograd_core.data import DataLoader, TensorDataset, load_digits, random_split

    images, labels = load_digits()
    data = TensorDataset(ac.tensor(images / 16.0, dtype="float32"), ac.tensor(labels))
    train, val, test = random_split(data, [0.6, 0.2, 0.2], seed=seed)
    return (DataLoader(train, batch_size=64, shuffle=True, seed=seed),
            DataLoader(val, batch_size=256), DataLoader(test, batch_size=256))


def _evaluate(model, loader) -> float:
    import autograd_core as ac

    model.eval()
    correct = total = 0
    with ac.no_grad():
        for x, y in loader:
            correct += int((model(x).argmax(dim=1) == y).sum().item())
            total += len(y)
    return correct / total


def _train(name: str, model, shape, loaders, epochs: int, lr: float, progress: bool):
    """Adam with cosine annealing, early stopping on the validation loss."""
    import nn
    import optim

    train, val, test = loaders

    def reshaped(loader):
        return [(x.reshape(len(x), *shape), y) for x, y in loader]

    val_batches, test_batches = reshaped(val), reshaped(test)

    class Reshaped:  # a fresh shuffle every epoch, each batch in the model's input shape
        def __iter__(self):
            return iter(reshaped(train))

    optimizer = optim.Adam(model.parameters(), lr=lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    history = optim.fit(model, nn.CrossEntropyLoss(), optimizer, Reshaped(), val_batches,
                        epochs=epochs, scheduler=scheduler, metrics={"acc": optim.accuracy},
                        callbacks=[optim.EarlyStopping(patience=6)], progress=progress)
    accuracy = _evaluate(model, test_batches)
    print(f"{name}: {len(history)} epochs, best epoch {history.best_epoch}, "
          f"held-out test accuracy {accuracy:.1%}")
    return history, accuracy, test_batches


def digits_demo(out_dir: Path, fast: bool = False, seed: int = 0,
                progress: bool = True) -> tuple[float, float]:
    """The main demo: an MLP and a small CNN learn the bundled UCI digits (8x8 images).

    Writes to ``out_dir`` the CNN's graph drawn module by module, the training curves and
    the per-layer activation statistics, and returns the MLP's and the CNN's held-out test
    accuracies.
    """
    import autograd_core as ac
    import nn

    ac.manual_seed(seed)
    loaders = _digits_splits(seed)
    epochs = 2 if fast else 30
    print(f"digits: {len(loaders[0].dataset)} training, {len(loaders[1].dataset)} validation, "
          f"{len(loaders[2].dataset)} test images")

    mlp = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    _, mlp_accuracy, _ = _train("MLP 64-256-10", mlp, (64,), loaders, epochs, 3e-3, progress)

    cnn = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 10),
    )
    history, accuracy, test_batches = _train("CNN", cnn, (1, 8, 8), loaders, epochs, 3e-3,
                                             progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    history.plot(out_dir / "cnn_curves.png")
    history.to_csv(out_dir / "cnn_history.csv")
    _draw_by_module(cnn, test_batches[0][0][:4], out_dir)
    with nn.monitor.ActivationMonitor(cnn) as activations, ac.no_grad():
        cnn(test_batches[0][0])
    nn.monitor.plot_activations(activations.records, out_dir / "cnn_activations.png")
    return mlp_accuracy, accuracy


def _draw_by_module(model, x, out_dir: Path) -> None:
    """The model's graph with each top-level module collapsed into one box."""
    import autograd_core as ac

    groups: dict = {}

    def remember(name: str):
        def hook(module, inputs, output) -> None:
            # setdefault: a module that hands back its input (dropout in eval) adds no box
            groups.setdefault(output, f"{name}: {type(module).__name__}")
        return hook

    handles = [module.register_forward_hook(remember(name))
               for name, module in model.named_children()]
    model.eval()
    loss = model(x).sum()
    for handle in handles:
        handle.remove()
    graph = ac.draw(loss, params=model, groups=groups, direction="TB")
    try:
        graph.render(out_dir / "cnn_graph.svg")
        graph.render(out_dir / "cnn_graph.png")
    except ac.GraphvizNotFound:
        graph.render(out_dir / "cnn_graph.dot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograd_core")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train the demo model(s)")
    demo.add_argument("--scalar", action="store_true",
                      help="the Value demo: micrograd's MLP on two moons")
    demo.add_argument("--steps", type=int, default=100, help="training steps (--scalar)")
    demo.add_argument("--fast", action="store_true", help="a few epochs only (for tests)")
    demo.add_argument("--out", type=Path, default=Path("out"), help="where pictures go")
    args = parser.parse_args(argv)
    if args.command != "demo":
        return 2
    neuron_pictures(args.out)
    if args.scalar:
        accuracy = scalar_moons_demo(steps=args.steps)
        return 0 if accuracy >= 0.97 or args.steps < 100 else 1
    start = time.perf_counter()
    _, accuracy = digits_demo(args.out, fast=args.fast, progress=sys.stderr.isatty())
    print(f"CNN held-out test accuracy {accuracy:.1%} (target 97%); pictures and curves in "
          f"{args.out}/; {time.perf_counter() - start:.0f} s")
    return 0 if accuracy >= 0.97 or args.fast else 1


if __name__ == "__main__":
    sys.exit(main())
