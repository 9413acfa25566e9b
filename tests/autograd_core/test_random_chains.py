"""Random op chains (depth up to 8) drawn by Hypothesis agree with PyTorch, values and grads.

Each step maps the running (3, 4) tensor ``x`` and two fixed operands (``u``: (1, 4), ``w``:
(3, 1), both requiring grad) to a new ``x`` of the same shape, so any sequence of steps is
valid. The steps mix elementwise functions, broadcasting arithmetic, reductions with
keepdim, movement and indexing, softmax and matmul; all keep values in a moderate range.
"""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ac

STEPS = {
    "tanh": lambda x, u, w, lib: x.tanh(),
    "sigmoid": lambda x, u, w, lib: x.sigmoid() * 2.0 - 1.0,
    "sin": lambda x, u, w, lib: x.sin() + x.cos(),
    "relu": lambda x, u, w, lib: x.relu() - u,
    "exp of tanh": lambda x, u, w, lib: x.tanh().exp(),
    "log1p of square": lambda x, u, w, lib: (x * x).log1p(),
    "abs": lambda x, u, w, lib: x.abs() * w,
    "sqrt": lambda x, u, w, lib: (x * x + 1.0).sqrt(),
    "mul broadcast": lambda x, u, w, lib: x * u + w,
    "div broadcast": lambda x, u, w, lib: x / (u * u + 1.0),
    "pow": lambda x, u, w, lib: (x * x + 0.5) ** 0.75,
    "clamp": lambda x, u, w, lib: x.clamp(-1.0, 1.0) + 0.1 * x,
    "maximum": lambda x, u, w, lib: lib.maximum(x, w) + lib.minimum(x, u),
    "where": lambda x, u, w, lib: lib.where(x > 0, x, x * 0.1),
    "mean keepdim": lambda x, u, w, lib: x - x.mean(dim=1, keepdim=True),
    # (+ w keeps the rows apart: the std of identical rows is 0, where std has no derivative
    # and rounding alone decides the result)
    "std": lambda x, u, w, lib: x / ((x + w).std(dim=0, keepdim=True) + 1.0),
    "amax": lambda x, u, w, lib: x - x.amax(dim=1, keepdim=True),
    "logsumexp": lambda x, u, w, lib: x - lib.logsumexp(x, dim=1, keepdim=True),
    "softmax": lambda x, u, w, lib: x.softmax(dim=0) * 3.0,
    "log_softmax": lambda x, u, w, lib: x.log_softmax(dim=1) * 0.5,
    "transpose": lambda x, u, w, lib: x.transpose(0, 1).reshape(3, 4),
    "flip": lambda x, u, w, lib: x.flip(1) + x,
    "index": lambda x, u, w, lib: x[[2, 0, 1]] * x[:, lib.tensor([3, 3, 0, 1])],
    "cat split": lambda x, u, w, lib: lib.cat([x[:, :2] * 2.0, x[:, 2:]], dim=1),
    "matmul": lambda x, u, w, lib: (x @ x.T) @ x * 0.2,
    "prod": lambda x, u, w, lib: x * x.prod(dim=0, keepdim=True).tanh(),
}


def run(lib, names, x0, u0, w0, weights):
    x, u, w = (lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in (x0, u0, w0))
    y = x
    for name in names:
        y = STEPS[name](y, u, w, lib)
    y.backward(lib.tensor(weights, dtype=lib.float64))
    return y, x, u, w


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=8),
       st.integers(0, 2**32 - 1))
def test_random_chains_agree_with_torch(names, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1.5, 1.5, size) for size in ((3, 4), (1, 4), (3, 1))]
    weights = rng.standard_normal((3, 4))
    ours = run(ac, names, *arrays, weights)
    theirs = run(torch, names, *arrays, weights)
    for a, b, what in zip(ours, theirs, ["value", "grad x", "grad u", "grad w"]):
        if what != "value":
            assert (a.grad is None) == (b.grad is None), f"{what}: {names}"
            if a.grad is None:  # the chain never used this operand
                continue
            a, b = a.grad, b.grad
        a, b = a.detach().numpy(), b.detach().numpy()
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=f"{what}: {names}")
