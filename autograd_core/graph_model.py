"""What a drawing shows, before it is DOT: boxes, ops and arrows read from the recorded graph.

Drawing reads graphs through the engine's own node protocol (``_inputs``, ``next_nodes``,
``backward_order``), never through an op's internals. Two grains:

* `Value` graphs: a box per Value (``label | data | grad``) and, for every computed Value, a
  small op node between its inputs and itself;
* `Tensor` graphs: a box per tensor (a leaf, a constant, or an op's output: name, shape,
  dtype, values or summary statistics, gradient) and an op node per recorded op. The
  ``backward`` view draws the grad-function graph instead, as the engine runs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import backward_order
from .scalar import Value
from .tensor import AccumulateGrad, Tensor


@dataclass
class DrawNode:
    """One box or op node. ``role``: output, param, leaf, const, data, op, group or cut."""

    id: str
    role: str
    fields: list[str]  # one field: a plain label; several: a record (a box with rows)
    state: str | None = None  # done, current or pending, while stepping


@dataclass
class DrawEdge:
    src: str
    dst: str
    label: str = ""


@dataclass
class Model:
    nodes: list[DrawNode] = field(default_factory=list)
    edges: list[DrawEdge] = field(default_factory=list)
    cut: int = 0  # graph nodes left out by max_nodes


@dataclass
class StepState:
    """How a drawing looks in the middle of a backward pass."""

    current: Any = None
    done: set = field(default_factory=set)
    grads: Mapping[Any, Any] = field(default_factory=dict)  # graph node -> gradient so far


# -- formatting ----------------------------------------------------------------------------


def fmt_number(x: float) -> str:
    return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 or x != x else f"{x:.3e}"


def fmt_array(a: np.ndarray) -> str:
    """The values when there are at most 6, else mean/std/min/max."""
    a = np.asarray(a)
    if a.size == 0:
        return "(empty)"
    if a.size <= 6:
        if a.ndim == 0:
            return fmt_number(float(a))
        return np.array2string(a, precision=4, separator=", ", suppress_small=True)
    if a.dtype.kind not in "fiu":
        return f"{int(a.sum())} of {a.size} true"
    a = a.astype(np.float64)
    return (f"mean {fmt_number(a.mean())} std {fmt_number(a.std())} "
            f"min {fmt_number(a.min())} max {fmt_number(a.max())}")


def describe_shape(a: np.ndarray) -> str:
    dtype = "bool" if a.dtype == np.bool_ else str(a.dtype)
    return f"{tuple(a.shape)} {dtype}"


# -- parameter names -----------------------------------------------------------------------


def parameter_names(params: Any) -> dict[int, str]:
    """id(tensor or Value) -> name, from a mapping or anything with ``named_parameters()``."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = dict(params.named_parameters())
    if not isinstance(params, Mapping):
        raise TypeError(
            "draw: params= must map names to tensors, or have named_parameters() (a Module); "
            f"got {type(params).__name__}"
        )
    return {id(t): name for name, t in params.items()}


# -- Value graphs --------------------------------------------------------------------------


def value_model(root: Value, names: dict[int, str], view: str, max_nodes: int,
                state: StepState | None) -> Model:
    order = backward_order([root])
    kept = order[:max_nodes]
    kept_ids = {id(v) for v in kept}
    model = Model(cut=len(order) - len(kept))
    for v in kept:
        grad = state.grads.get(v, 0.0) if state is not None else v.grad
        name = names.get(id(v)) or v.label
        role = "output" if v is root else (
            "param" if id(v) in names else ("leaf" if not v.inputs else "data"))
        node_state = _node_state(v, state)
        if view == "backward":
            title = f"{v.op or 'leaf'}{' ' + name if name else ''}"
            model.nodes.append(DrawNode(f"v{id(v)}", role,
                                        [title, f"grad {fmt_number(grad)}"], node_state))
            for inp in v.inputs:
                _edge_or_cut(model, f"v{id(v)}", inp, kept_ids, f"v{id(inp)}", reverse=True)
            continue
        model.nodes.append(DrawNode(
            f"v{id(v)}", role, [name, f"data {fmt_number(v.data)}", f"grad {fmt_number(grad)}"],
            node_state))
        if v.inputs:
            model.nodes.append(DrawNode(f"o{id(v)}", "op", [v.op], node_state))
            model.edges.append(DrawEdge(f"o{id(v)}", f"v{id(v)}"))
            for inp in v.inputs:  # duplicates kept: a*a draws two arrows
                _edge_or_cut(model, f"o{id(v)}", inp, kept_ids, f"v{id(inp)}")
    _add_cut_marker(model)
    return model


# -- Tensor graphs -------------------------------------------------------------------------


def tensor_model(root: Tensor, names: dict[int, str], groups: Mapping[Any, str] | None,
                 view: str, max_nodes: int, state: StepState | None) -> Model:
    if root.grad_fn is None and not root.requires_grad:
        model = Model()
        model.nodes.append(DrawNode(f"t{id(root)}", "output", _tensor_fields(
            names.get(id(root)) or root.name or "tensor", root._data, root.grad)))
        return model
    top = root._grad_node()
    order = backward_order([top])
    kept = order[:max_nodes]
    kept_ids = {id(n) for n in kept}
    model = Model(cut=len(order) - len(kept))
    box_of = _group_members(groups, names, order) if groups else {}
    for node in kept:
        node_state = _node_state(node, state)
        grad = _known_grad(node, state)
        if view == "backward":
            _backward_node(model, node, node is top, names, grad, node_state, kept_ids)
        else:
            _forward_node(model, node, node is top, root, names, grad, node_state, kept_ids)
    _add_cut_marker(model)
    if box_of:
        model = _collapse(model, box_of, order)
    return model


def _tensor_fields(name: str, data: np.ndarray, grad: Any) -> list[str]:
    fields = [name, describe_shape(data), fmt_array(data)]
    if grad is not None:
        g = grad._data if isinstance(grad, Tensor) else np.asarray(grad)
        fields.append("grad " + fmt_array(g))
    return fields


def _known_grad(node: Any, state: StepState | None) -> Any:
    if state is not None:
        return state.grads.get(node)
    if type(node) is AccumulateGrad:
        return node.variable.grad
    return None


def _leaf_name(leaf: Tensor, names: dict[int, str]) -> str:
    return names.get(id(leaf)) or leaf.name or "leaf"


def _forward_node(model: Model, node: Any, is_top: bool, root: Tensor, names: dict[int, str],
                  grad: Any, node_state: str | None, kept_ids: set[int]) -> None:
    if type(node) is AccumulateGrad:
        leaf = node.variable
        role = "output" if is_top else ("param" if id(leaf) in names else "leaf")
        model.nodes.append(DrawNode(f"d{id(node)}", role,
                                    _tensor_fields(_leaf_name(leaf, names), leaf._data, grad),
                                    node_state))
        return
    name = (names.get(id(root)) or root.name or "output") if is_top else ""
    if is_top and root.grad is not None and grad is None:
        grad = root.grad
    model.nodes.append(DrawNode(f"d{id(node)}", "output" if is_top else "data",
                                _tensor_fields(name, node.output_data, grad), node_state))
    model.nodes.append(DrawNode(f"o{id(node)}", "op", [_op_label(node)], node_state))
    model.edges.append(DrawEdge(f"o{id(node)}", f"d{id(node)}"))
    for i, nxt in enumerate(node.next_nodes):
        if nxt is not None:
            _edge_or_cut(model, f"o{id(node)}", nxt, kept_ids, f"d{id(nxt)}")
            continue
        value = node.input_arrays[i] if i < len(node.input_arrays) else None
        if isinstance(value, np.ndarray):  # a tensor that needs no gradient: a constant
            cid = f"c{id(node)}_{i}"
            model.nodes.append(DrawNode(cid, "const", _tensor_fields("const", value, None)))
            model.edges.append(DrawEdge(cid, f"o{id(node)}"))


def _backward_node(model: Model, node: Any, is_top: bool, names: dict[int, str], grad: Any,
                   node_state: str | None, kept_ids: set[int]) -> None:
    if type(node) is AccumulateGrad:
        leaf = node.variable
        fields = ["AccumulateGrad", f"{_leaf_name(leaf, names)} {describe_shape(leaf._data)}"]
        role = "param" if id(leaf) in names else "leaf"
    else:
        fields = [node.name, describe_shape(node.output_data)]
        role = "output" if is_top else "op"
    if grad is not None:
        g = grad._data if isinstance(grad, Tensor) else np.asarray(grad)
        fields.append("grad " + fmt_array(g))
    model.nodes.append(DrawNode(f"d{id(node)}", role, fields, node_state))
    for nxt in node.next_nodes:
        if nxt is not None:
            _edge_or_cut(model, f"d{id(node)}", nxt, kept_ids, f"d{id(nxt)}", reverse=True)


def _op_label(ctx: Any) -> str:
    """The op's display name, with the plain (non-tensor) arguments it was given."""
    extras = [
        fmt_number(a) if isinstance(a, float) else repr(a)
        for a, nxt in zip(ctx.input_arrays, ctx.next_nodes)
        if nxt is None and isinstance(a, (int, float, tuple)) and not isinstance(a, bool)
    ]
    label = ctx.fn.display_name
    text = ", ".join(extras)
    return f"{label} {text}" if extras and len(text) <= 24 else label


# -- shared pieces -------------------------------------------------------------------------


def _node_state(node: Any, state: StepState | None) -> str | None:
    if state is None:
        return None
    if node is state.current:
        return "current"
    return "done" if node in state.done else "pending"


def _edge_or_cut(model: Model, dst: str, src_node: Any, kept_ids: set[int], src: str,
                 reverse: bool = False) -> None:
    """An arrow from an input to ``dst``, or from the cut marker if the input was left out."""
    if id(src_node) not in kept_ids:
        src = "cut"
    model.edges.append(DrawEdge(dst, src) if reverse else DrawEdge(src, dst))


def _add_cut_marker(model: Model) -> None:
    if model.cut:
        model.nodes.append(DrawNode("cut", "cut", [
            f"... {model.cut} more nodes not drawn (max_nodes)"]))


def _group_members(groups: Mapping[Any, str], names: dict[int, str],
                   order: list[Any]) -> dict[str, str]:
    """graph-node id -> group box id: every op that produced a group's tensor, back to the
    outputs of other groups and to leaves that are not parameters (the group's inputs)."""
    outputs = {}
    for tensor, group in groups.items():
        if isinstance(tensor, Tensor) and tensor.grad_fn is not None:
            outputs[id(tensor.grad_fn)] = group
    box_of: dict[str, str] = {}
    for out_id, group in outputs.items():
        start = next((n for n in order if id(n) == out_id), None)
        if start is None:
            continue
        stack = [start]
        while stack:
            node = stack.pop()
            key = id(node)
            if str(key) in box_of:
                continue
            if node is not start and key in outputs:
                continue  # another group's output: that group's box
            if type(node) is AccumulateGrad and id(node.variable) not in names:
                continue  # an input of the group, not one of its parameters
            box_of[str(key)] = group
            stack.extend(node._inputs)
    return box_of


def _collapse(model: Model, box_of: dict[str, str], order: list[Any]) -> Model:
    """Replace each group's nodes by one box; arrows between boxes are drawn once."""
    def graph_key(node_id: str) -> str | None:
        # data/op nodes of graph nodes; constants ("c...") stay outside: they are inputs
        if node_id[0] in "dov" and node_id[1:].isdigit():
            return node_id[1:]
        return None

    def target(node_id: str) -> str:
        key = graph_key(node_id)
        return "g_" + _safe(box_of[key]) if key in box_of else node_id

    out = Model(cut=model.cut)
    seen_boxes: set[str] = set()
    for node in model.nodes:
        tid = target(node.id)
        if tid == node.id:
            out.nodes.append(node)
        elif tid not in seen_boxes:
            seen_boxes.add(tid)
            group = box_of[graph_key(node.id)]
            out.nodes.append(DrawNode(tid, "group", [group], node.state))
    seen_edges: set[tuple[str, str]] = set()
    for edge in model.edges:
        src, dst = target(edge.src), target(edge.dst)
        if src == dst:
            continue
        if (src.startswith("g_") or dst.startswith("g_")) and (src, dst) in seen_edges:
            continue
        seen_edges.add((src, dst))
        out.edges.append(DrawEdge(src, dst, edge.label))
    return out


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def nodes_of(model: Model, role: str) -> Iterable[DrawNode]:
    return (n for n in model.nodes if n.role == role)
