"""Babysitting tools: watch activations, gradients and update sizes while a network trains.

The notes' recipe for checking a network's health:

- ``ActivationMonitor`` records, per layer and per forward call, the mean, standard
  deviation, fraction of exact zeros and a histogram of each layer's output. Under a bad
  initialization (N(0, 0.01^2) weights in a deep tanh network) the table shows the
  activations collapsing toward 0 layer after layer; with Xavier init they stay spread out.
- ``gradient_norms`` gives the L2 norm of each parameter's gradient.
- ``UpdateRatioTracker`` measures ``||dW|| / ||W||`` per parameter per optimizer step; the
  notes want about 1e-3 (much lower: learning rate too small; much higher: too large).
- ``plot_activations`` and ``plot_update_ratios`` save these as images (matplotlib, Agg).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograd_core import Tensor, figures

from .module import Module

__all__ = [
    "LayerStats", "ActivationMonitor", "gradient_norms", "update_ratios",
    "UpdateRatioTracker", "plot_activations", "plot_update_ratios",
]


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one layer's output in one forward call."""

    name: str
    call: int
    shape: tuple[int, ...]
    mean: float
    std: float
    zero_fraction: float
    counts: np.ndarray
    edges: np.ndarray


def _summarize(name: str, call: int, values: np.ndarray, bins: Any,
               hist_range: tuple[float, float] | None) -> LayerStats:
    data = np.asarray(values, dtype=np.float64)
    flat = data.ravel()
    if flat.size == 0:
        counts, edges = np.histogram(flat, bins=bins, range=hist_range or (0.0, 1.0))
        return LayerStats(name, call, data.shape, math.nan, math.nan, math.nan, counts, edges)
    finite = flat[np.isfinite(flat)]
    counts, edges = np.histogram(finite, bins=bins, range=hist_range)
    return LayerStats(name, call, data.shape, float(flat.mean()), float(flat.std()),
                      float(np.count_nonzero(flat == 0) / flat.size), counts, edges)


def _first_tensor(output: Any) -> Tensor | None:
    """The tensor to summarize: the output itself, or the first tensor of a tuple/list."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, (tuple, list)):
        for item in output:
            if isinstance(item, Tensor):
                return item
    return None


def _select(model: Module, layers: Any) -> list[tuple[str, Module]]:
    named = list(model.named_modules())
    root_name = type(model).__name__

    def label(name: str) -> str:
        return name or root_name

    if layers is None:
        return [(label(n), m) for n, m in named if not m._modules]
    if isinstance(layers, type) or (isinstance(layers, tuple) and layers
                                    and all(isinstance(t, type) for t in layers)):
        chosen = [(label(n), m) for n, m in named if isinstance(m, layers)]
        if not chosen:
            raise ValueError(f"ActivationMonitor: the model has no module of type {layers!r}")
        return chosen
    by_name = dict(named)
    by_id = {id(m): n for n, m in named}
    chosen = []
    for item in layers:
        if isinstance(item, str):
            if item not in by_name:
                raise KeyError(f"ActivationMonitor: no submodule named {item!r}; names are "
                               f"{[n for n, _ in named if n]}")
            chosen.append((label(item), by_name[item]))
        elif isinstance(item, Module):
            if id(item) not in by_id:
                raise ValueError(f"ActivationMonitor: {type(item).__name__} is not a submodule "
                                 "of the model")
            chosen.append((label(by_id[id(item)]), item))
        else:
            raise TypeError("ActivationMonitor: layers must be None, a Module type or tuple of "
                            "types, or an iterable of submodule names or Modules, got an item "
                            f"of type {type(item).__name__}")
    return chosen


class ActivationMonitor:
    """Record the output statistics of chosen layers on every forward call.

    ``layers``: None (every leaf module, i.e. modules without children), a Module type or
    tuple of types (``nn.Tanh``), or an iterable of submodule names or Module objects.
    ``bins`` and ``range`` go to ``numpy.histogram``: pass an array of edges (or a fixed
    ``range``) to compare histograms across layers on the same axis. For modules that
    return a tuple (recurrent layers), the first tensor is summarized.

    Use ``remove()`` when done, or ``with ActivationMonitor(model) as mon: ...``.
    """

    def __init__(self, model: Module, layers: Any = None, bins: Any = 50,
                 range: tuple[float, float] | None = None) -> None:  # noqa: A002 - numpy's name
        if not isinstance(model, Module):
            raise TypeError(f"ActivationMonitor: model must be an nn.Module, got "
                            f"{type(model).__name__}")
        self.bins = bins
        self.range = range
        self.records: dict[str, list[LayerStats]] = {}
        self._handles = []
        for name, module in _select(model, layers):
            self.records.setdefault(name, [])
            self._handles.append(module.register_forward_hook(self._make_hook(name)))

    def _make_hook(self, name: str) -> Any:
        def hook(module: Module, inputs: tuple, output: Any) -> None:
            tensor = _first_tensor(output)
            if tensor is not None:
                calls = self.records[name]
                calls.append(_summarize(name, len(calls), tensor._data, self.bins, self.range))
        return hook

    @property
    def layer_names(self) -> list[str]:
        return list(self.records)

    def latest(self) -> dict[str, LayerStats]:
        """Each layer's statistics from its most recent forward call (layers never run are
        left out)."""
        return {name: calls[-1] for name, calls in self.records.items() if calls}

    def clear(self) -> None:
        """Forget the recorded statistics; the hooks stay."""
        for calls in self.records.values():
            calls.clear()

    def remove(self) -> None:
        """Detach every hook; the recorded statistics are kept."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def table(self) -> str:
        """The latest statistics as a text table, one layer a line (the notes' table)."""
        rows = [f"{'layer':<24} {'mean':>11} {'std':>11} {'zeros':>7}"]
        for name, s in self.latest().items():
            rows.append(f"{name:<24} {s.mean:>11.3e} {s.std:>11.3e} {s.zero_fraction:>7.1%}")
        return "\n".join(rows)

    def __enter__(self) -> ActivationMonitor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def __repr__(self) -> str:
        return (f"ActivationMonitor(layers={len(self.records)}, hooks={len(self._handles)}, "
                f"calls={sum(len(c) for c in self.records.values())})")


def _named_tensors(params: Any, what: str) -> list[tuple[str, Tensor]]:
    """(name, tensor) pairs from a Module, a dict, (name, tensor) pairs or bare tensors."""
    if isinstance(params, Module):
        return list(params.named_parameters())
    if isinstance(params, Tensor):
        params = [params]
    if isinstance(params, dict):
        params = params.items()
    out: list[tuple[str, Tensor]] = []
    for i, item in enumerate(params):
        name, tensor = item if isinstance(item, tuple) else (str(i), item)
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{what}: expected Tensors (or (name, Tensor) pairs, or a Module), "
                            f"got {type(tensor).__name__} for entry {name!r}")
        out.append((str(name), tensor))
    return out


def gradient_norms(params: Any) -> dict[str, float]:
    """L2 norm of each parameter's ``.grad``, by name; parameters without a gradient are
    left out. Takes a Module, ``named_parameters()`` pairs, a dict or bare tensors."""
    return {name: float(np.linalg.norm(p.grad._data.astype(np.float64).ravel()))
            for name, p in _named_tensors(params, "gradient_norms") if p.grad is not None}


def _ratio(before: np.ndarray, after: np.ndarray) -> float:
    """``||after - before|| / ||before||``; NaN when ``before`` is all zeros (undefined)."""
    b = np.asarray(before, dtype=np.float64).ravel()
    a = np.asarray(after, dtype=np.float64).ravel()
    weight = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / weight) if weight > 0 else math.nan


def update_ratios(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
    """``||p_after - p_before|| / ||p_before||`` per name, from two dicts of arrays or
    tensors with the same keys and shapes. NaN where ``p_before`` is all zeros."""
    if set(before) != set(after):
        raise KeyError(f"update_ratios: before and after must have the same names; only in "
                       f"before: {sorted(set(before) - set(after))}, only in after: "
                       f"{sorted(set(after) - set(before))}")
    out = {}
    for name, b in before.items():
        b_arr = b._data if isinstance(b, Tensor) else np.asarray(b)
        a = after[name]
        a_arr = a._data if isinstance(a, Tensor) else np.asarray(a)
        if b_arr.shape != a_arr.shape:
            raise ValueError(f"update_ratios: {name!r} changed shape from {b_arr.shape} to "
                             f"{a_arr.shape}")
        out[name] = _ratio(b_arr, a_arr)
    return out


class UpdateRatioTracker:
    """Track ``||dW|| / ||W||`` per parameter per optimizer step (aim for about 1e-3).

    Call ``snapshot()`` before ``optimizer.step()`` and ``record()`` after, or use
    ``step(optimizer)`` which does all three. ``history`` holds one dict per step.
    Parameters that do not require grad are skipped.
    """

    def __init__(self, params: Any) -> None:
        self.params = [(n, p) for n, p in _named_tensors(params, "UpdateRatioTracker")
                       if p.requires_grad]
        if not self.params:
            raise ValueError("UpdateRatioTracker: no parameters that require grad to track")
        self.history: list[dict[str, float]] = []
        self._before: dict[str, np.ndarray] | None = None

    def snapshot(self) -> None:
        """Copy every parameter's current value (call right before ``optimizer.step()``)."""
        self._before = {name: p._data.copy() for name, p in self.params}

    def record(self) -> dict[str, float]:
        """Compare with the snapshot, append the ratios to ``history`` and return them."""
        if self._before is None:
            raise RuntimeError("UpdateRatioTracker.record() needs a snapshot(): call snapshot() "
                               "before optimizer.step() and record() after it")
        ratios = update_ratios(self._before, {name: p._data for name, p in self.params})
        self._before = None
        self.history.append(ratios)
        return ratios

    def step(self, optimizer: Any, closure: Any = None) -> Any:
        """``snapshot()``, ``optimizer.step(closure)``, ``record()``; returns step's result."""
        self.snapshot()
        result = optimizer.step() if closure is None else optimizer.step(closure)
        self.record()
        return result

    def series(self) -> dict[str, list[float]]:
        """The history by parameter: name -> one ratio per step."""
        return {name: [h.get(name, math.nan) for h in self.history] for name, _ in self.params}

    def __repr__(self) -> str:
        return f"UpdateRatioTracker(params={len(self.params)}, steps={len(self.history)})"


def _latest_stats(stats: Any) -> dict[str, LayerStats]:
    if isinstance(stats, ActivationMonitor):
        return stats.latest()
    if isinstance(stats, dict):
        out = {}
        for name, value in stats.items():
            if isinstance(value, list):
                if value:
                    out[name] = value[-1]
            elif isinstance(value, LayerStats):
                out[name] = value
            else:
                raise TypeError(f"plot_activations: expected LayerStats for {name!r}, got "
                                f"{type(value).__name__}")
        return out
    raise TypeError("plot_activations: stats must be an ActivationMonitor or a dict name -> "
                    f"LayerStats (or list of them), got {type(stats).__name__}")


def plot_activations(stats: Any, path: str | Path) -> Path:
    """Save per-layer mean and std bars and each layer's histogram (latest call) to an image.

    ``stats``: an ActivationMonitor, its ``latest()`` or its ``records``. Returns the path.
    """
    latest = _latest_stats(stats)
    if not latest:
        raise ValueError("plot_activations: no statistics recorded yet; run a forward pass "
                         "with the monitor attached first")
    names = list(latest)
    ncols = min(len(names), 5)
    nrows = math.ceil(len(names) / ncols)
    fig = figures.figure("plot_activations", (3.0 * ncols + 1, 3.0 + 2.2 * nrows))
    top, bottom = fig.subfigures(2, 1, height_ratios=[3.0, 2.2 * nrows])
    x = np.arange(len(names))
    for ax, key in zip(top.subplots(1, 2), ("mean", "std")):
        ax.bar(x, [getattr(latest[n], key) for n in names], color="C0" if key == "mean" else "C1")
        ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
        ax.set_title(f"activation {key} per layer")
        ax.axhline(0.0, color="0.5", linewidth=0.8)
        ax.grid(axis="y", alpha=0.3)
    axes = np.atleast_1d(bottom.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, name in zip(axes, names):
        s = latest[name]
        ax.stairs(s.counts, s.edges, fill=True, color="C2")
        ax.set_title(f"{name}\nmean {s.mean:.2g}, std {s.std:.2g}", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    return figures.save(fig, path)


def plot_update_ratios(history: Any, path: str | Path, target: float = 1e-3) -> Path:
    """Save ``||dW|| / ||W||`` per parameter against the step, on a log scale, with a
    reference line at ``target`` (1e-3). ``history``: an UpdateRatioTracker or its
    ``history`` (a list of dicts name -> ratio). Returns the path."""
    steps = history.history if isinstance(history, UpdateRatioTracker) else list(history)
    if not steps:
        raise ValueError("plot_update_ratios: the history is empty; record at least one step")
    names: list[str] = []
    for h in steps:
        names.extend(n for n in h if n not in names)
    fig = figures.figure("plot_update_ratios", (7, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    xs = np.arange(1, len(steps) + 1)
    for name in names:
        ys = np.array([h.get(name, math.nan) for h in steps], dtype=np.float64)
        ys[~(ys > 0)] = math.nan  # zeros and NaNs cannot go on a log scale
        ax.plot(xs, ys, label=name, linewidth=1.0, marker="." if len(steps) < 50 else None)
    ax.axhline(target, color="k", linestyle="--", linewidth=1.0, label=f"target {target:g}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("||dW|| / ||W||")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncols=max(1, math.ceil(len(names) / 12)))
    return figures.save(fig, path)

