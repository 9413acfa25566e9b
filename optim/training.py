"""Training-loop helpers: ``fit``, its ``History``, ``EarlyStopping`` and ``accuracy``.

``fit`` runs the loop every course writes by hand (zero_grad, forward, loss, backward, step,
then validation in eval mode under ``no_grad``) and records what happened. It is duck-typed,
so ``optim`` still never imports ``nn``: a model is anything callable that has ``train()``,
``eval()``, ``parameters()``, ``state_dict()`` and ``load_state_dict()``.

Epochs are numbered from 1 everywhere (records, progress bars, reasons, ``best_epoch``), as
a learner reads them. A divergence guard (on by default) ends a run whose loss turns NaN/Inf
or grows past 3x its first value (the lecture notes' tip), records why in
``history.stopped`` and returns normally, so a notebook cell never dies on a bad learning
rate. Checkpoints are ``.npz`` files of the state_dict's arrays (no pickle).
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from autograd_core import Tensor, figures, no_grad

from .lr_scheduler import ReduceLROnPlateau

__all__ = ["fit", "History", "Callback", "EarlyStopping", "accuracy", "DIVERGENCE_FACTOR"]

DIVERGENCE_FACTOR = 3.0  # the guard stops once the loss exceeds this multiple of its first value


# -- metrics ------------------------------------------------------------------------------

def accuracy(output: Any, target: Any, threshold: float = 0.0) -> float:
    """Fraction of correct predictions in a batch.

    ``output`` of shape (N, C, ...) holds class scores (the prediction is the argmax over
    dim 1); ``target`` holds class indices (N, ...) or one-hot/probability rows shaped like
    ``output``. A single score per sample, (N,) or (N, 1), is a binary logit as
    ``BCEWithLogitsLoss`` takes it: the prediction is ``output > threshold`` (pass
    ``threshold=0.5`` for probabilities, e.g. with ``functools.partial``).
    """
    out, tgt = np.asarray(output), np.asarray(target)
    binary = out.ndim <= 1 or (out.ndim == 2 and out.shape[1] == 1)
    if binary:
        pred = (out.reshape(-1) > threshold).astype(np.int64)
        truth = tgt.reshape(-1)
        if truth.shape != pred.shape:
            raise ValueError(f"accuracy: a binary output of shape {out.shape} needs one target "
                             f"per sample, got target shape {tgt.shape}")
        return float(np.mean(pred == (truth > 0.5)))
    pred = out.argmax(axis=1)
    if tgt.shape == out.shape:
        tgt = tgt.argmax(axis=1)
    if tgt.shape != pred.shape:
        raise ValueError(
            f"accuracy: output of shape {out.shape} (class scores on dim 1) needs targets of "
            f"shape {pred.shape} (class indices) or {out.shape} (one-hot), got {tgt.shape}"
        )
    return float(np.mean(pred == tgt))


# -- the record of a run ------------------------------------------------------------------

class History:
    """What ``fit`` saw: one record per optimizer step and one per epoch.

    ``steps`` is a list of ``{"epoch", "step", "loss"}``; ``epochs`` a list of dicts with
    ``epoch``, ``train_loss``, ``train_<metric>``, ``val_loss``, ``val_<metric>`` (when there
    is a validation loader), ``lr`` (``lr_<i>`` for further parameter groups) and ``time``
    in seconds. ``history["val_loss"]`` gives one column. ``stopped`` is ``None`` when every
    epoch ran, otherwise the reason the run ended early.
    """

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self.epochs: list[dict[str, Any]] = []
        self.stopped: str | None = None
        self.checkpoint: Path | None = None

    def __len__(self) -> int:
        return len(self.epochs)

    def __getitem__(self, key: str) -> list[Any]:
        """The per-epoch values of one column (``None`` where an epoch has none)."""
        if not any(key in record for record in self.epochs):
            raise KeyError(f"History has no column {key!r}; columns: {self.columns}")
        return [record.get(key) for record in self.epochs]

    @property
    def columns(self) -> list[str]:
        """Per-epoch column names, in the order they first appeared."""
        names: dict[str, None] = {}
        for record in self.epochs:
            names.update(dict.fromkeys(record))
        return list(names)

    @property
    def step_losses(self) -> list[float]:
        return [record["loss"] for record in self.steps]

    @property
    def monitor(self) -> str:
        """The column that ranks epochs: ``val_loss`` when there was validation."""
        has_val = any(record.get("val_loss") is not None for record in self.epochs)
        return "val_loss" if has_val else "train_loss"

    @property
    def best_epoch(self) -> int | None:
        """The (1-based) epoch with the lowest finite ``monitor`` value, or None."""
        key = self.monitor
        scored = [(r[key], r["epoch"]) for r in self.epochs
                  if r.get(key) is not None and math.isfinite(r[key])]
        return min(scored)[1] if scored else None

    def to_csv(self, path: str | Path, steps: bool = False) -> Path:
        """Write the per-epoch records (or, with ``steps=True``, the per-step ones) as CSV."""
        rows = self.steps if steps else self.epochs
        fields = ["epoch", "step", "loss"] if steps else self.columns
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields, restval="")
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in row.items()}
                             for row in rows)
        return path

    def plot(self, path: str | Path) -> Path:
        """Save loss curves (per step and per epoch) and accuracy curves to an image file.

        Draws off-screen (``autograd_core.figures``): no window opens and pyplot's global
        backend is left alone. Returns the path.
        """
        acc_keys = [k for k in ("train_accuracy", "val_accuracy") if k in self.columns]
        fig = figures.figure("History.plot", (11 if acc_keys else 6, 4))
        ax = fig.add_subplot(1, 2 if acc_keys else 1, 1)
        if self.steps:
            per_epoch = max(1, sum(1 for s in self.steps if s["epoch"] == self.steps[0]["epoch"]))
            xs = [s["epoch"] - 1 + (s["step"] + 1) / per_epoch for s in self.steps]
            ax.plot(xs, self.step_losses, color="0.75", linewidth=0.8, label="train (per step)")
        for key, style in (("train_loss", "o-"), ("val_loss", "s-")):
            if key in self.columns:
                ax.plot(*self._series(key), style, label=key.replace("_", " "))
        self._decorate(ax, "loss")
        if acc_keys:
            ax2 = fig.add_subplot(1, 2, 2)
            for key in acc_keys:
                ax2.plot(*self._series(key), "o-", label=key.replace("_", " "))
            self._decorate(ax2, "accuracy")
        return figures.save(fig, path)

    def _series(self, key: str) -> tuple[list[int], list[float]]:
        pairs = [(r["epoch"], r[key]) for r in self.epochs if r.get(key) is not None]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _decorate(self, ax: Any, name: str) -> None:
        best = self.best_epoch
        if best is not None and name == "loss":
            ax.axvline(best, color="green", linestyle=":", label=f"best epoch ({best})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()

    def __repr__(self) -> str:
        head = f"History(epochs={len(self.epochs)}, steps={len(self.steps)}, " \
               f"best_epoch={self.best_epoch}, stopped={self.stopped!r})"
        if not self.epochs:
            return head
        cols = [c for c in self.columns if c != "time"]
        rows = [[_cell(r.get(c)) for c in cols] for r in self.epochs]
        if len(rows) > 10:
            rows = rows[:5] + [["..."] * len(cols)] + rows[-4:]
        widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths))]
        lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in rows]
        return head + "\n" + "\n".join("  " + line for line in lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


# -- callbacks ----------------------------------------------------------------------------

class Callback:
    """Hooks ``fit`` calls; override what you need. ``on_epoch_end`` returns a reason to stop.

    Any object with some of these methods works as a callback; this class only documents
    them and supplies no-op defaults.
    """

    def on_train_begin(self, model: Any, history: History) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any,
                     history: History) -> str | None:
        """Called after each epoch with its record; return a string to end training."""
        return None

    def on_train_end(self, model: Any, history: History) -> None:
        """Called once after the last epoch, however training ended."""


def _copy_state(model: Any) -> dict[str, np.ndarray]:
    """Deep copies of the arrays in ``model.state_dict()`` (live views would drift)."""
    return {key: np.array(value, copy=True) for key, value in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; restore the best weights.

    Improving means beating the best value so far by more than ``min_delta`` (downwards for
    ``mode='min'``, upwards for ``mode='max'``). With ``restore_best`` the weights of the best
    epoch (deep copies of the state_dict's arrays) are loaded back when training ends, also
    when it ends for another reason (the last epoch, the divergence guard).
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, monitor: str = "val_loss",
                 mode: str = "min", restore_best: bool = True) -> None:
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be a positive int, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.mode = mode
        self.restore_best = restore_best
        self._reset()

    def _reset(self) -> None:
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_state: dict[str, np.ndarray] | None = None

    def _improved(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, model: Any, history: History) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any,
                     history: History) -> str | None:
        if logs.get(self.monitor) is None:
            available = [k for k, v in logs.items() if v is not None and k not in ("epoch",)]
            raise KeyError(
                f"EarlyStopping: monitor={self.monitor!r} is not in the epoch's record "
                f"(available: {available}); pass a val_loader to fit, or monitor one of these"
            )
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = _copy_state(model)
            return None
        self.wait += 1
        if self.wait < self.patience:
            return None
        self.stopped_epoch = epoch
        return (f"early stopping: {self.monitor} did not improve for {self.patience} epochs "
                f"(best {self.best:.6g} at epoch {self.best_epoch})")

    def on_train_end(self, model: Any, history: History) -> None:
        if self.restore_best and self.best_state is not None:
            model.load_state_dict({k: Tensor._make(v.copy()) for k, v in self.best_state.items()})

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
                f"monitor={self.monitor!r}, mode={self.mode!r}, "
                f"restore_best={self.restore_best})")


# -- the loop -----------------------------------------------------------------------------

def _check_loader(loader: Any, name: str, epochs: int) -> None:
    if loader is None:
        return
    if not isinstance(loader, Iterable):
        raise TypeError(f"fit: {name} must be an iterable of (x, y) batches, got "
                        f"{type(loader).__name__}")
    if epochs > 1 and iter(loader) is loader:
        raise TypeError(
            f"fit: {name} is a one-shot iterator ({type(loader).__name__}), so every epoch "
            "after the first would see no data; pass something re-iterable, such as a list "
            "of (x, y) pairs or a DataLoader"
        )


def _unpack(batch: Any, name: str, index: int) -> tuple[Tensor, Tensor]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise TypeError(f"fit: batch {index} of {name} should be a pair (x, y) of Tensors, got "
                        f"{type(batch).__name__}"
                        + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else ""))
    x, y = batch
    for label, value in (("x", x), ("y", y)):
        if not isinstance(value, Tensor):
            raise TypeError(f"fit: batch {index} of {name}: {label} is a "
                            f"{type(value).__name__}, not a Tensor; wrap data with "
                            "autograd_core.tensor(...)")
    return x, y


def _batch_size(y: Tensor) -> int:
    return y.shape[0] if y.ndim > 0 else 1


def _loss_value(loss: Any) -> float:
    if not isinstance(loss, Tensor) or loss.numel() != 1:
        shape = tuple(loss.shape) if isinstance(loss, Tensor) else type(loss).__name__
        raise TypeError(f"fit: loss_fn must return a one-element Tensor, got {shape}; use a "
                        "loss with reduction='mean' or 'sum'")
    return float(loss.item())


class _Averages:
    """Running means of the loss and the metrics, weighted by batch size."""

    def __init__(self, metrics: Mapping[str, Callable[..., float]]) -> None:
        self.metrics = metrics
        self.count = 0
        self.sums = dict.fromkeys(["loss", *metrics], 0.0)

    def add(self, loss: float, output: Any, target: Tensor) -> None:
        n = _batch_size(target)
        self.count += n
        self.sums["loss"] += loss * n
        for name, fn in self.metrics.items():
            self.sums[name] += float(fn(output, target)) * n

    def means(self, prefix: str) -> dict[str, float]:
        return {f"{prefix}{k}": v / max(self.count, 1) for k, v in self.sums.items()}


def _divergence(loss: float, initial: float | None, epoch: int, step: int) -> str | None:
    """The guard: a reason to stop, or None while the loss looks sane."""
    where = f"at epoch {epoch}, step {step}"
    if not math.isfinite(loss):
        return f"diverged: loss became {loss} {where}; lower the learning rate"
    if initial is not None and initial > 0 and loss > DIVERGENCE_FACTOR * initial:
        return (f"diverged: loss {loss:.6g} {where} exceeds {DIVERGENCE_FACTOR:g}x the initial "
                f"loss {initial:.6g}; lower the learning rate")
    return None


def _save_checkpoint(model: Any, path: Path) -> None:
    arrays = {}
    for key, value in model.state_dict().items():
        if not isinstance(key, str):
            raise TypeError(f"fit: checkpoint keys must be strings, got {key!r} from "
                            f"{type(model).__name__}.state_dict()")
        arrays[key] = np.asarray(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _progress_bar(batches: Iterable[Any], epoch: int, epochs: int) -> Any:
    """A tqdm bar (the notebook widget under Jupyter) that we advance by hand, so it stays
    open after the last batch to show the validation results."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError("fit(progress=True) needs tqdm: pip install tqdm, or pass "
                          "progress=False") from None
    total = len(batches) if hasattr(batches, "__len__") else None
    return tqdm(total=total, desc=f"Epoch {epoch}/{epochs}", leave=True)


def _postfix(values: dict[str, float]) -> dict[str, str]:
    return {k: f"{v:.4g}" for k, v in values.items()}


def _check_model(model: Any) -> None:
    needed = ("train", "eval", "parameters", "state_dict", "load_state_dict")
    missing = [name for name in needed if not hasattr(model, name)]
    if not callable(model) or missing:
        raise TypeError(f"fit: the model must be callable and have {', '.join(needed)} (an "
                        f"nn.Module does); {type(model).__name__} lacks "
                        f"{', '.join(missing) or '__call__'}")


def fit(model: Any, loss_fn: Callable[[Any, Any], Tensor], optimizer: Any,
        train_loader: Iterable[Any], val_loader: Iterable[Any] | None = None,
        epochs: int = 10, scheduler: Any = None,
        metrics: Mapping[str, Callable[[Any, Any], float]] | None = None,
        callbacks: Iterable[Any] = (), progress: bool = True, guard: bool = True,
        checkpoint: str | Path | None = None) -> History:
    """Train ``model`` for ``epochs`` epochs and return the ``History`` of the run.

    Each epoch trains on every ``(x, y)`` batch of ``train_loader`` (zero_grad, forward,
    ``loss_fn(output, y)``, backward, ``optimizer.step()``), then evaluates ``val_loader`` in
    eval mode under ``no_grad``. Losses and ``metrics`` (name -> fn(output, target) -> float,
    e.g. ``{"accuracy": accuracy}``) are averaged over samples. ``scheduler`` steps once per
    epoch; a ``ReduceLROnPlateau`` gets the validation loss (the training loss when there is
    no validation). ``checkpoint`` names an ``.npz`` file that holds the best model by
    validation loss (training loss without validation); ``nn.load`` reads it back.
    ``callbacks`` get ``on_train_begin``/``on_epoch_end``/``on_train_end`` (see
    ``Callback``). With ``guard``, a NaN/Inf loss or one above 3x the first step's ends the
    run and ``history.stopped`` says so; nothing is raised.
    """
    _check_model(model)
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable, got {type(loss_fn).__name__}")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    metrics = dict(metrics or {})
    for name, fn in metrics.items():
        if not callable(fn):
            raise TypeError(f"fit: metric {name!r} must be a function (output, target) -> "
                            f"float, got {type(fn).__name__}")
    _check_loader(train_loader, "train_loader", epochs)
    _check_loader(val_loader, "val_loader", epochs)
    callbacks = list(callbacks)
    if checkpoint is not None:
        checkpoint = Path(checkpoint)
        if checkpoint.suffix != ".npz":
            checkpoint = checkpoint.with_name(checkpoint.name + ".npz")

    history = History()
    best_for_checkpoint = math.inf
    initial_loss: float | None = None
    for cb in callbacks:
        getattr(cb, "on_train_begin", lambda *a: None)(model, history)

    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        lrs = [group["lr"] for group in optimizer.param_groups]
        model.train()
        train = _Averages(metrics)
        bar = _progress_bar(train_loader, epoch, epochs) if progress else None
        step = -1
        try:
            for step, batch in enumerate(train_loader):
                x, y = _unpack(batch, "train_loader", step)
                output = model(x)
                loss = loss_fn(output, y)
                value = _loss_value(loss)
                history.steps.append({"epoch": epoch, "step": step, "loss": value})
                with no_grad():
                    train.add(value, output, y)
                if initial_loss is None:
                    initial_loss = value
                reason = _divergence(value, initial_loss, epoch, step) if guard else None
                if reason is not None:
                    history.stopped = reason
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if bar is not None:
                    bar.set_postfix(_postfix(train.means("")), refresh=False)
                    bar.update(1)
            if step < 0:
                raise ValueError("fit: train_loader yielded no batches")

            logs: dict[str, Any] = {"epoch": epoch, **train.means("train_")}
            if history.stopped is None and val_loader is not None:
                logs.update(_evaluate(model, loss_fn, val_loader, metrics))
            for i, lr in enumerate(lrs):
                logs["lr" if i == 0 else f"lr_{i}"] = lr
            logs["time"] = time.perf_counter() - start
            history.epochs.append(logs)
            if bar is not None:
                bar.set_postfix(_postfix({k: v for k, v in logs.items()
                                          if k not in ("epoch", "time", "lr")}))
        finally:
            if bar is not None:
                bar.close()
        if history.stopped is not None:
            break

        monitored = logs.get("val_loss", logs["train_loss"])
        if scheduler is not None:
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(monitored)
            else:
                scheduler.step()
        if checkpoint is not None and math.isfinite(monitored) and monitored < best_for_checkpoint:
            best_for_checkpoint = monitored
            _save_checkpoint(model, checkpoint)
            history.checkpoint = checkpoint
        for cb in callbacks:
            hook = getattr(cb, "on_epoch_end", None)
            reason = hook(epoch, logs, model, history) if hook is not None else None
            if reason and history.stopped is None:
                history.stopped = str(reason)
        if history.stopped is not None:
            break

    for cb in callbacks:
        getattr(cb, "on_train_end", lambda *a: None)(model, history)
    return history


def _evaluate(model: Any, loss_fn: Callable[[Any, Any], Tensor], loader: Iterable[Any],
              metrics: Mapping[str, Callable[..., float]]) -> dict[str, float]:
    """Mean validation loss and metrics, in eval mode and without recording a graph."""
    model.eval()
    totals = _Averages(metrics)
    with no_grad():
        for index, batch in enumerate(loader):
            x, y = _unpack(batch, "val_loader", index)
            output = model(x)
            totals.add(_loss_value(loss_fn(output, y)), output, y)
    model.train()
    if totals.count == 0:
        raise ValueError("fit: val_loader yielded no batches")
    return totals.means("val_")
