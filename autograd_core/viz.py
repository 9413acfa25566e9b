"""Draw any graph as an image: ``autograd_core.draw(root) -> Graph``.

The graph becomes DOT text, and a Graphviz engine turns DOT into SVG or PNG. The engine
is found without a system install: the ``graphviz-pure`` executable that pip puts beside
the running interpreter (a Rust port of Graphviz), else ``dot`` on ``PATH``. With no
engine, rendering raises an error naming both fixes, while notebook display falls back to
the DOT text, so a notebook never fails for lack of Graphviz.

Set ``AUTOGRAD_CORE_GRAPHVIZ`` to an executable's path to choose the engine, or to an
empty string to pretend there is none.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from .graph_model import DrawNode, Model, StepState, parameter_names, tensor_model, value_model
from .scalar import Value
from .tensor import Tensor

COLORS = {
    "output": "#f4b183",  # orange: what was differentiated
    "param": "#a9d18e",  # green: parameters
    "leaf": "#9dc3e6",  # blue: other inputs
    "const": "#e7e6e6",  # grey: constants (need no gradient)
    "data": "#ffffff",
    "op": "#ffffff",
    "group": "#ffe699",  # yellow: a collapsed group (a module)
    "cut": "#ffffff",
}
FORMATS = ("svg", "png", "dot")


class GraphvizNotFound(RuntimeError):
    """No Graphviz engine to turn DOT into an image."""


def find_engine() -> str | None:
    """Path of the Graphviz executable to use, or None."""
    override = os.environ.get("AUTOGRAD_CORE_GRAPHVIZ")
    if override is not None:
        return override if override and Path(override).exists() else None
    scripts = Path(sys.executable).parent
    for name in ("graphviz-pure", "graphviz-pure.exe"):
        candidate = scripts / name
        if candidate.exists():
            return str(candidate)
    return shutil.which("dot")


def _pipe(source: str, fmt: str) -> bytes:
    engine = find_engine()
    if engine is None:
        raise GraphvizNotFound(
            f"can't render {fmt.upper()}: no Graphviz engine found. Install one of: "
            "`pip install graphviz-pure` (into this environment; no system packages needed), "
            "or Graphviz itself so that `dot` is on PATH. The DOT text is in Graph.source."
        )
    import graphviz
    from graphviz.backend import dot_command

    dot_command.DOT_BINARY = Path(engine)  # graphviz-pure installs as graphviz-pure, not dot
    return graphviz.Source(source).pipe(format=fmt)


class Graph:
    """A drawn graph: DOT text, renderable to SVG or PNG, shown inline in notebooks."""

    def __init__(self, source: str, model: Model) -> None:
        self.source = source
        self.model = model

    @property
    def node_count(self) -> int:
        return len(self.model.nodes)

    @property
    def edge_count(self) -> int:
        return len(self.model.edges)

    def svg(self) -> bytes:
        return _pipe(self.source, "svg")

    def png(self) -> bytes:
        return _pipe(self.source, "png")

    def render(self, path: str | os.PathLike, format: str | None = None) -> Path:  # noqa: A002
        """Write the graph to ``path`` as svg, png or dot (default: from the suffix)."""
        path = Path(path)
        fmt = (format or path.suffix.lstrip(".") or "svg").lower()
        if fmt not in FORMATS:
            raise ValueError(f"render: format must be one of {FORMATS}, got {fmt!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "dot":
            path.write_text(self.source)
        else:
            path.write_bytes(_pipe(self.source, fmt))
        return path

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        try:
            return {"image/svg+xml": self.svg().decode("utf-8")}
        except (GraphvizNotFound, OSError, RuntimeError):
            return {"text/plain": self.source}

    def __repr__(self) -> str:
        return f"<Graph: {self.node_count} nodes, {self.edge_count} edges>"


def draw(
    root: Value | Tensor,
    *,
    params: Any = None,
    groups: Any = None,
    view: str = "forward",
    direction: str = "LR",
    max_nodes: int = 500,
    state: StepState | None = None,
) -> Graph:
    """Draw the graph that computed ``root``.

    ``params``: a mapping name -> tensor, or a Module (``named_parameters()``), so
    parameters are drawn by name. ``groups``: a mapping tensor -> group name; each group's
    subgraph collapses into one box (draw a model module by module). ``view``: 'forward'
    (values flowing to the output) or 'backward' (the grad-function graph as backward runs
    it). ``direction``: 'LR' or 'TB'. ``max_nodes``: graph nodes drawn at most, nearest the
    output first; a marker shows where the graph was cut.
    """
    if view not in ("forward", "backward"):
        raise ValueError(f"draw: view must be 'forward' or 'backward', got {view!r}")
    if direction not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: direction must be 'LR' or 'TB', got {direction!r}")
    if max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be at least 1, got {max_nodes}")
    names = parameter_names(params)
    if isinstance(root, Value):
        if groups:
            raise ValueError("draw: groups= applies to Tensor graphs")
        model = value_model(root, names, view, max_nodes, state)
    elif isinstance(root, Tensor):
        model = tensor_model(root, names, groups, view, max_nodes, state)
    else:
        raise TypeError(f"draw: expected a Value or a Tensor, got {type(root).__name__}")
    return Graph(to_dot(model, direction), model)


# -- DOT -----------------------------------------------------------------------------------


def _escape(text: str) -> str:
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _node_line(node: DrawNode) -> str:
    attrs = {"fillcolor": COLORS[node.role], "style": "filled"}
    if node.role == "op":
        attrs.update(shape="ellipse", fontsize="11")
        label = _escape(node.fields[0])
    elif node.role == "cut":
        attrs.update(shape="note", fontcolor="#7f7f7f", style="filled,dashed")
        label = _escape(node.fields[0])
    elif node.role == "group":
        attrs.update(shape="box3d")
        label = _escape(node.fields[0])
    else:
        attrs["shape"] = "record"
        label = "{" + " | ".join(_escape(f) for f in node.fields if f != "") + "}"
    if node.state == "current":
        attrs.update(color="#c00000", penwidth="3", fillcolor="#ffd966")
    elif node.state == "pending":
        attrs.update(color="#bfbfbf", fontcolor="#a6a6a6", style="filled,dashed",
                     fillcolor="#f7f7f7")
    rendered = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return f'  {node.id} [label="{label}" {rendered}];'


def to_dot(model: Model, direction: str = "LR") -> str:
    lines = [
        "digraph autograd {",
        f"  rankdir={direction};",
        '  node [fontname="Helvetica" fontsize="12"];',
        '  edge [color="#595959" arrowsize="0.7"];',
    ]
    lines += [_node_line(node) for node in model.nodes]
    for edge in model.edges:
        label = f' [label="{_escape(edge.label)}"]' if edge.label else ""
        lines.append(f"  {edge.src} -> {edge.dst}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"
