"""``optim.training``: fit, History, EarlyStopping, the divergence guard, checkpoints.

Every run is a linear classifier (``nn.Linear``) on small synthetic Gaussian blobs, so the
whole file runs in a few seconds.
"""

import csv
import functools
import math

import numpy as np
import pytest

import autograd_core as ac
import nn
import optim
from optim import lr_scheduler
from optim.training import Callback, EarlyStopping, History, accuracy, fit

CENTERS = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]], dtype=np.float32)


def blobs(n, seed, spread=0.5, batch=16, flip=False):
    """Batches (x, y) of three Gaussian blobs; ``flip`` relabels them (a hostile val set)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = (CENTERS[y] + spread * rng.normal(size=(n, 2))).astype(np.float32)
    if flip:
        y = (y + 1) % 3
    return [(ac.tensor(x[i:i + batch]), ac.tensor(y[i:i + batch])) for i in range(0, n, batch)]


def classifier(seed=0):
    ac.manual_seed(seed)
    return nn.Linear(2, 3)


def weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


class Snapshots(Callback):
    """Records the weights at the end of every epoch (epoch -> state)."""

    def __init__(self):
        self.states = {}

    def on_epoch_end(self, epoch, logs, model, history):
        self.states[epoch] = weights(model)


# -- fit ----------------------------------------------------------------------------------

def test_fit_reduces_loss_and_reaches_high_accuracy():
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, blobs(192, 1), blobs(96, 2), epochs=6,
                  metrics={"accuracy": accuracy}, progress=False)
    assert history.stopped is None
    assert len(history) == 6
    train_loss = history["train_loss"]
    assert train_loss[-1] < 0.5 * train_loss[0]
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert history["val_accuracy"][-1] >= 0.95
    assert history["train_accuracy"][-1] >= 0.95
    assert history.best_epoch == int(np.argmin(history["val_loss"])) + 1


def test_history_records_steps_epochs_and_repr():
    train = blobs(64, 1)  # 4 batches
    model = classifier()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train,
                  blobs(32, 2), epochs=3, metrics={"accuracy": accuracy}, progress=False)
    assert len(history.steps) == 12
    assert [s["epoch"] for s in history.steps] == [1] * 4 + [2] * 4 + [3] * 4
    assert [s["step"] for s in history.steps[:4]] == [0, 1, 2, 3]
    # The epoch's train loss is the sample-weighted mean of its step losses (equal batches).
    assert history["train_loss"][0] == pytest.approx(np.mean(history.step_losses[:4]))
    assert history.columns[:5] == ["epoch", "train_loss", "train_accuracy", "val_loss",
                                   "val_accuracy"]
    assert history["epoch"] == [1, 2, 3]
    assert history["lr"] == [0.1, 0.1, 0.1]
    text = repr(history)
    assert "History(epochs=3" in text and "best_epoch=" in text and "val_loss" in text
    with pytest.raises(KeyError, match="no column 'val_f1'"):
        history["val_f1"]
    assert repr(History()) == "History(epochs=0, steps=0, best_epoch=None, stopped=None)"


def test_history_to_csv_and_plot(tmp_path):
    model = classifier()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                  blobs(64, 1), blobs(32, 2), epochs=3, metrics={"accuracy": accuracy},
                  progress=False)
    path = history.to_csv(tmp_path / "run.csv")
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3
    assert float(rows[2]["val_loss"]) == pytest.approx(history["val_loss"][2])
    steps = history.to_csv(tmp_path / "steps.csv", steps=True)
    with open(steps) as f:
        assert len(list(csv.DictReader(f))) == len(history.steps)
    image = history.plot(tmp_path / "curves.png")
    assert image == tmp_path / "curves.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_without_validation_ranks_by_train_loss():
    model = classifier()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                  blobs(64, 1), epochs=2, progress=False)
    assert "val_loss" not in history.columns
    assert history.monitor == "train_loss"
    assert history.best_epoch == 2


def test_validation_runs_in_eval_mode_without_a_graph():
    seen = []

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3)

        def forward(self, x):
            seen.append((self.training, ac.is_grad_enabled()))
            return self.fc(x)

    model = Probe()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), blobs(32, 1),
        blobs(16, 2), epochs=1, progress=False)
    assert seen == [(True, True), (True, True), (False, False)]
    assert model.training


def test_accuracy_conventions():
    scores = ac.tensor([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    assert accuracy(scores, ac.tensor([0, 1])) == 0.5
    assert accuracy(scores, ac.tensor([[1.0, 0, 0], [0, 0, 1.0]])) == 1.0  # one-hot
    assert accuracy(ac.tensor([1.5, -2.0, 0.3]), ac.tensor([1.0, 0.0, 0.0])) == pytest.approx(2 / 3)
    probs = functools.partial(accuracy, threshold=0.5)
    assert probs(ac.tensor([[0.9], [0.2]]), ac.tensor([1.0, 0.0])) == 1.0
    with pytest.raises(ValueError, match="accuracy: output of shape"):
        accuracy(scores, ac.tensor([0, 1, 2]))


# -- early stopping -----------------------------------------------------------------------

def test_early_stopping_stops_at_the_right_epoch_and_restores_best_weights():
    # Validation labels are rotated, so the better the model fits the training blobs, the
    # worse its validation loss: the best epoch is early and the loss then keeps rising.
    model = classifier()
    snapshots = Snapshots()
    stopper = EarlyStopping(patience=2)
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                  blobs(64, 1), blobs(32, 2, flip=True), epochs=20,
                  callbacks=[snapshots, stopper], progress=False)
    val = history["val_loss"]
    best = int(np.argmin(val)) + 1
    assert history.best_epoch == best == stopper.best_epoch
    assert len(history) == best + 2 == stopper.stopped_epoch
    assert history.stopped.startswith("early stopping: val_loss did not improve for 2 epochs")
    assert f"at epoch {best}" in history.stopped
    final = weights(model)
    assert not all(np.array_equal(final[k], snapshots.states[len(history)][k]) for k in final)
    for key, value in snapshots.states[best].items():
        np.testing.assert_array_equal(final[key], value)


def test_early_stopping_min_delta_mode_and_monitor():
    stopper = EarlyStopping(patience=1, min_delta=0.1, monitor="val_accuracy", mode="max")
    model = classifier()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                  blobs(64, 1), blobs(32, 2), epochs=20, metrics={"accuracy": accuracy},
                  callbacks=[stopper], progress=False)
    # Accuracy can't climb by 0.1 forever: the run stops early on a plateau.
    assert history.stopped is not None and len(history) < 20
    with pytest.raises(KeyError, match="monitor='val_loss' is not in the epoch's record"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), blobs(32, 1),
            epochs=2, callbacks=[EarlyStopping()], progress=False)
    with pytest.raises(ValueError, match="patience must be a positive int"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        EarlyStopping(mode="lowest")


# -- divergence guard ---------------------------------------------------------------------

def test_divergence_guard_stops_a_huge_learning_rate():
    # Overlapping blobs (not separable), so a huge step overshoots instead of separating.
    model = classifier()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=1e6),
                  blobs(128, 1, spread=3.0), blobs(32, 2, spread=3.0), epochs=5, progress=False)
    assert history.stopped is not None and history.stopped.startswith("diverged: ")
    assert "initial loss" in history.stopped or "nan" in history.stopped or "inf" in history.stopped
    assert "lower the learning rate" in history.stopped
    assert len(history.steps) < 5 * 8
    last = history.step_losses[-1]
    assert not math.isfinite(last) or last > 3 * history.step_losses[0]


def test_divergence_guard_names_nan_and_can_be_turned_off():
    calls = []

    def loss_fn(output, target):
        calls.append(1)
        loss = nn.CrossEntropyLoss()(output, target)
        return loss * float("nan") if len(calls) == 3 else loss

    model = classifier()
    history = fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.1), blobs(64, 1),
                  epochs=2, progress=False)
    assert history.stopped == ("diverged: loss became nan at epoch 1, step 2; "
                               "lower the learning rate")
    assert len(history.steps) == 3 and len(history) == 1

    calls.clear()
    model = classifier()
    history = fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.0), blobs(64, 1),
                  epochs=2, progress=False, guard=False)
    assert history.stopped is None and len(history.steps) == 8


# -- schedulers ---------------------------------------------------------------------------

def test_step_lr_is_stepped_once_per_epoch():
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    history = fit(model, nn.CrossEntropyLoss(), opt, blobs(64, 1), epochs=5,
                  scheduler=scheduler, progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    assert scheduler.last_epoch == 5
    assert opt.param_groups[0]["lr"] == pytest.approx(0.025)  # epoch 5: 0.1 * 0.5 ** 2


def test_reduce_lr_on_plateau_gets_the_validation_loss():
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    seen = []
    original = scheduler.step
    scheduler.step = lambda metric: (seen.append(float(metric)), original(metric))[1]
    history = fit(model, nn.CrossEntropyLoss(), opt, blobs(64, 1), blobs(32, 2, flip=True),
                  epochs=4, scheduler=scheduler, progress=False)
    assert seen == pytest.approx(history["val_loss"])
    # The flipped validation loss rises after its best epoch, so the rate is halved.
    assert opt.param_groups[0]["lr"] < 0.1


def test_reduce_lr_on_plateau_without_validation_gets_the_train_loss():
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt)
    seen = []
    original = scheduler.step
    scheduler.step = lambda metric: (seen.append(float(metric)), original(metric))[1]
    history = fit(model, nn.CrossEntropyLoss(), opt, blobs(64, 1), epochs=3,
                  scheduler=scheduler, progress=False)
    assert seen == pytest.approx(history["train_loss"])
    assert scheduler.last_epoch == 3 and scheduler.best == pytest.approx(min(seen))


# -- checkpoints --------------------------------------------------------------------------

def test_checkpoint_holds_the_best_model_by_validation_loss(tmp_path):
    model = classifier()
    snapshots = Snapshots()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                  blobs(64, 1), blobs(32, 2, flip=True), epochs=5, callbacks=[snapshots],
                  checkpoint=tmp_path / "best", progress=False)
    assert history.checkpoint == tmp_path / "best.npz"
    with np.load(history.checkpoint, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(model.state_dict())
    loaded = nn.load(history.checkpoint)
    for key, value in snapshots.states[history.best_epoch].items():
        np.testing.assert_array_equal(loaded[key].numpy(), value)
    fresh = classifier(seed=1)
    fresh.load_state_dict(loaded)
    np.testing.assert_array_equal(fresh.weight.detach().numpy(), loaded["weight"].numpy())


# -- progress and errors ------------------------------------------------------------------

def test_progress_false_prints_nothing(capsys):
    model = classifier()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), blobs(32, 1),
        blobs(16, 2), epochs=2, metrics={"accuracy": accuracy}, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_shows_a_bar_per_epoch_with_validation_results(capsys):
    model = classifier()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), blobs(32, 1),
        blobs(16, 2), epochs=2, metrics={"accuracy": accuracy}, progress=True)
    err = capsys.readouterr().err
    assert "Epoch 1/2" in err and "Epoch 2/2" in err
    assert "val_loss=" in err and "val_accuracy=" in err


def test_clear_errors_for_bad_inputs():
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()
    with pytest.raises(TypeError, match="one-shot iterator"):
        fit(model, loss, opt, iter(blobs(32, 1)), epochs=2, progress=False)
    with pytest.raises(TypeError, match=r"batch 0 of train_loader should be a pair"):
        fit(model, loss, opt, [(ac.tensor([[1.0, 2.0]]),)], epochs=1, progress=False)
    with pytest.raises(TypeError, match="x is a ndarray, not a Tensor"):
        fit(model, loss, opt, [(np.zeros((1, 2)), ac.tensor([0]))], epochs=1, progress=False)
    with pytest.raises(ValueError, match="train_loader yielded no batches"):
        fit(model, loss, opt, [], epochs=1, progress=False)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(model, loss, opt, blobs(32, 1), epochs=0, progress=False)
    with pytest.raises(TypeError, match="loss_fn must return a one-element Tensor"):
        fit(model, nn.CrossEntropyLoss(reduction="none"), opt, blobs(32, 1), epochs=1,
            progress=False)
    with pytest.raises(TypeError, match="the model must be callable"):
        fit(object(), loss, opt, blobs(32, 1), epochs=1, progress=False)


def test_fit_is_duck_typed_and_optim_does_not_import_nn():
    import ast
    import inspect

    import optim.training as training

    tree = ast.parse(inspect.getsource(training))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name == "nn" or name.startswith("nn.") for name in imported)

    class Line:
        """y = w x: a model that is no Module, only the duck-typed protocol."""

        def __init__(self):
            self.w = ac.tensor([0.0], requires_grad=True)
            self.mode = None

        def __call__(self, x):
            return x * self.w

        def train(self):
            self.mode = "train"

        def eval(self):
            self.mode = "eval"

        def parameters(self):
            return [self.w]

        def state_dict(self):
            return {"w": self.w.detach()}

        def load_state_dict(self, state):
            self.w._data[...] = state["w"].numpy()

    x = ac.tensor(np.linspace(-1, 1, 16, dtype=np.float32))
    data = [(x, 2 * x)]
    line = Line()
    history = fit(line, lambda out, y: ((out - y) ** 2).mean(),
                  optim.SGD(line.parameters(), lr=0.5), data, data, epochs=30, progress=False,
                  callbacks=[EarlyStopping(patience=3)])
    assert line.w.detach().numpy() == pytest.approx([2.0], abs=1e-3)
    assert history["val_loss"][-1] < 1e-5
