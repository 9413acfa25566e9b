"""Drawing graphs: DOT structure, names, groups, the cut marker, rendering and fallbacks."""

import re

import numpy as np
import pytest

import autograd_core as ac
from autograd_core import Value, draw
from autograd_core.viz import GraphvizNotFound, find_engine


def neuron():
    w = [Value(2.0, "w0"), Value(-3.0, "w1"), Value(-3.0, "w2")]
    x = [Value(-1.0, "x0"), Value(-2.0, "x1")]
    f = (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid()
    f.label = "f"
    f.backward()
    return f, w, x


def edges(graph):
    return re.findall(r"^\s+(\w+) -> (\w+)", graph.source, flags=re.M)


def test_value_graph_counts_labels_and_roles():
    f, w, x = neuron()
    g = draw(f, params={"w0": w[0], "w1": w[1], "w2": w[2]})
    # 10 Values (5 leaves, 5 computed) and one op node per computed Value
    assert g.node_count == 10 + 5
    assert g.edge_count == 5 + 2 * 4 + 1  # op->value, two inputs per binary op, one for sigmoid
    assert "data 0.7311" in g.source and "grad 0.3932" in g.source
    roles = {n.fields[0]: n.role for n in g.model.nodes if n.role != "op"}
    assert roles["f"] == "output" and roles["w0"] == "param" and roles["x0"] == "leaf"


def test_duplicate_edges_are_kept_in_input_order():
    a = Value(3.0, "a")
    b = Value(-1.0, "b")
    y = a * a - b
    g = draw(y)
    op_mul = f"o{id(a * 1)}"  # noqa: F841 - unrelated node, just to show ids are per Value
    sq = y.inputs[0]
    into_mul = [src for src, dst in edges(g) if dst == f"o{id(sq)}"]
    assert into_mul == [f"v{id(a)}", f"v{id(a)}"]  # a*a: two arrows from a
    into_sub = [src for src, dst in edges(g) if dst == f"o{id(y)}"]
    assert into_sub == [f"v{id(sq)}", f"v{id(b)}"]  # in argument order


def test_tensor_graph_shows_shapes_values_stats_and_parameter_names():
    W = ac.tensor([[0.1, 0.5], [-0.3, 0.8]], requires_grad=True)
    x = ac.tensor([0.2, 0.4])
    big = ac.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    loss = ((W @ x) ** 2.0).sum() + big.mean()
    loss.backward()
    g = draw(loss, params={"W": W, "big": big})
    assert "W" in g.source and "(2, 2) float32" in g.source
    assert "0.088" in g.source  # W's gradient values (at most 6 are printed)
    assert "mean 5.5 std 3.452 min 0 max 11" in g.source  # more than 6: statistics
    assert "const" in g.source  # x needs no gradient: drawn as a constant
    roles = [n.role for n in g.model.nodes]
    assert roles.count("param") == 2 and roles.count("output") == 1


def test_backward_view_draws_grad_functions():
    x = ac.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    g = draw(y, view="backward", direction="TB", params={"x": x})
    assert "rankdir=TB" in g.source
    assert "SumBackward" in g.source and "MulBackward" in g.source
    assert "AccumulateGrad" in g.source
    mul = next(n for n in g.model.nodes if n.fields[0] == "MulBackward")
    acc = next(n for n in g.model.nodes if n.fields[0] == "AccumulateGrad")
    assert [(e.src, e.dst) for e in g.model.edges].count((mul.id, acc.id)) == 2


def test_groups_collapse_a_subgraph_into_one_box():
    ac.manual_seed(0)
    x = ac.randn(4, 3)
    w1, b1 = ac.randn(3, 5, requires_grad=True), ac.zeros(5, requires_grad=True)
    w2 = ac.randn(5, 2, requires_grad=True)
    h = (x @ w1 + b1).relu()
    out = (h @ w2).sum()
    params = {"fc1.weight": w1, "fc1.bias": b1, "fc2.weight": w2}
    full = draw(out, params=params)
    grouped = draw(out, params=params, groups={h: "fc1"})
    boxes = [n for n in grouped.model.nodes if n.role == "group"]
    assert [b.fields[0] for b in boxes] == ["fc1"]
    assert grouped.node_count < full.node_count
    assert "fc1.weight" not in grouped.source and "fc2.weight" in grouped.source
    assert any(e.dst == boxes[0].id for e in grouped.model.edges)  # x flows into the box


def test_max_nodes_cuts_with_a_visible_marker():
    x = Value(0.5, "x")
    y = x
    for _ in range(50):
        y = y * 1.01 + 0.1
    g = draw(y, max_nodes=10)
    assert "more nodes not drawn" in g.source
    assert any(src == "cut" for src, _ in edges(g))
    assert sum(1 for n in g.model.nodes if n.role != "op") == 10 + 1


def test_rendering_with_the_engine(tmp_path):
    if find_engine() is None:
        pytest.skip("no Graphviz engine in this environment")
    f, _, _ = neuron()
    g = draw(f)
    svg, png = g.svg(), g.png()
    assert b"<svg" in svg[:400] and len(svg) > 2000
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    assert g.render(tmp_path / "n.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert g.render(tmp_path / "n.dot").read_text().startswith("digraph")
    assert "image/svg+xml" in g._repr_mimebundle_()


def test_without_an_engine_render_explains_and_display_falls_back(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRAD_CORE_GRAPHVIZ", "")
    assert find_engine() is None
    g = draw(Value(1.0) * 2.0)
    with pytest.raises(GraphvizNotFound, match="pip install graphviz-pure.*dot.*PATH"):
        g.render(tmp_path / "x.svg")
    assert g._repr_mimebundle_() == {"text/plain": g.source}


def test_bad_arguments():
    with pytest.raises(ValueError, match="view"):
        draw(Value(1.0), view="sideways")
    with pytest.raises(TypeError, match="Value or a Tensor"):
        draw(3.0)
    with pytest.raises(ValueError, match="format"):
        draw(Value(1.0)).render("x.pdf")
