"""Off-screen matplotlib figures, for the training curves and the monitoring plots.

A figure is drawn on matplotlib's Agg canvas directly, so no window opens and pyplot's
global backend is left alone. matplotlib is imported only when a plot is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def figure(what: str, figsize: tuple[float, float]) -> Any:
    """A new figure for ``what`` (named in the error if matplotlib is missing)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(f"{what} needs matplotlib: pip install matplotlib") from None
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (its format from the suffix), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
