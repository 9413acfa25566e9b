"""Anomaly mode names the op and the user's line that produced a NaN or Inf."""

import pytest

import autograd_core as ac


def test_forward_nan_names_the_op_and_the_line():
    x = ac.tensor([1.0, -1.0], requires_grad=True)
    with ac.detect_anomaly():
        with pytest.raises(FloatingPointError) as info:
            x.log()  # the line that makes the NaN
    message = str(info.value)
    assert "Log produced NaN in forward" in message
    assert "test_anomaly.py" in message and "x.log()" in message


def test_backward_inf_names_the_op_and_where_it_was_created():
    x = ac.tensor([0.0, 4.0], dtype="float64", requires_grad=True)
    with ac.detect_anomaly():
        y = x ** 0.5  # finite forward, infinite derivative at 0
        with pytest.raises(FloatingPointError) as info:
            y.backward(ac.ones(2, dtype="float64"))
    message = str(info.value)
    assert "PowBackward returned Inf" in message
    assert "y = x ** 0.5" in message


def test_without_anomaly_mode_nan_passes_silently_as_in_pytorch():
    x = ac.tensor([-1.0], requires_grad=True)
    assert x.log().detach().numpy()[0] != x.log().detach().numpy()[0]  # NaN, no error


def test_anomaly_mode_is_scoped():
    with ac.detect_anomaly():
        pass
    ac.tensor([-1.0]).log()  # no error outside the block
