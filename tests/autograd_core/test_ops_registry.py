"""Every built-in Function: PyTorch parity and gradcheck, driven by the registry.

The cases live in ``tests/autograd_core/cases``; this file runs them and fails if
``autograd_core.functions()`` lists a Function that no case exercises.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ac

from .cases import all_cases
from .opspec import check_parity, gradcheck_inputs

CASES = all_cases()


def test_every_function_has_a_parity_case_and_a_gradcheck_case():
    parity = {f for case in CASES for f in case.functions}
    checked = {f for case in CASES if case.gradcheck for f in case.functions}
    registered = ac.functions()
    assert registered, "no Functions registered"
    missing = [f.__name__ for f in registered if f not in parity]
    assert not missing, f"Functions without a PyTorch parity case: {missing}"
    missing = [f.__name__ for f in registered if f not in checked]
    assert not missing, f"Functions without a gradcheck case: {missing}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_parity_with_torch(case, data):
    shape_list, kwargs = data.draw(case.inputs, label="shapes, kwargs")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    dtype = np.dtype(data.draw(st.sampled_from(["float32", "float64"]), label="dtype"))
    noncontiguous = case.noncontiguous and data.draw(st.booleans(), label="non-contiguous")
    check_parity(case, shape_list, kwargs, seed, dtype, noncontiguous)


@pytest.mark.parametrize("case", [c for c in CASES if c.gradcheck], ids=lambda c: c.name)
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_gradcheck(case, data):
    shape_list, kwargs = data.draw(case.inputs, label="shapes, kwargs")
    inputs = gradcheck_inputs(case, shape_list, kwargs, data.draw(st.integers(0, 2**32 - 1)))
    assert ac.gradcheck(lambda *xs: case.ours(*xs, **kwargs), inputs,
                        **case.extra.get("gradcheck", {}))


@pytest.mark.parametrize("case", [c for c in CASES if c.gradgradcheck], ids=lambda c: c.name)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_gradgradcheck(case, data):
    shape_list, kwargs = data.draw(case.inputs, label="shapes, kwargs")
    inputs = gradcheck_inputs(case, shape_list, kwargs, data.draw(st.integers(0, 2**32 - 1)))
    assert ac.gradgradcheck(lambda *xs: case.ours(*xs, **kwargs), inputs)
