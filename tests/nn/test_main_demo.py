"""The main demo: digits with an MLP and a CNN, and everything it writes."""

from autograd_core.__main__ import digits_demo, main


def test_fast_demo_writes_every_file_it_promises(tmp_path, capsys):
    assert main(["demo", "--fast", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "MLP 64-256-10" in printed and "held-out test accuracy" in printed
    for name in ("neuron.svg", "neuron.png", "cnn_curves.png", "cnn_history.csv",
                 "cnn_activations.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    graph = (tmp_path / "cnn_graph.svg")
    assert graph.exists() or (tmp_path / "cnn_graph.dot").exists()
    assert len(list((tmp_path / "neuron_steps").glob("step_*.png"))) == 10


def test_mlp_and_cnn_reach_97_percent_on_held_out_digits_within_30_epochs(tmp_path):
    mlp, cnn = digits_demo(tmp_path, progress=False)
    assert mlp >= 0.97 and cnn >= 0.97
