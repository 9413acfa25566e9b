"""No leaks: training steps leave resident memory flat; graphs are freed with their output."""

import gc

import numpy as np

import autograd_core as ac


def resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


def test_a_thousand_mlp_steps_leave_memory_flat():
    ac.manual_seed(0)
    rng = np.random.default_rng(0)
    x = ac.tensor(rng.standard_normal((64, 32)))
    y = ac.tensor(rng.integers(0, 10, 64))
    params = [ac.randn(32, 64) * 0.1, ac.zeros(64), ac.randn(64, 10) * 0.1, ac.zeros(10)]
    params = [p.detach().requires_grad_() for p in params]

    def step():
        h = (x @ params[0] + params[1]).relu()
        logp = (h @ params[2] + params[3]).log_softmax(dim=1)
        loss = -logp[ac.arange(64), y].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with ac.no_grad():
            for p in params:
                p -= 0.05 * p.grad
        return loss.item()

    for _ in range(200):  # warm-up: allocator pools and caches settle
        step()
    gc.collect()
    before = resident_bytes()
    first = step()
    for _ in range(1000):
        last = step()
    gc.collect()
    after = resident_bytes()
    assert last < first  # it trained
    assert after <= before * 1.05, f"resident memory grew from {before} to {after} bytes"


def test_graph_is_freed_by_reference_counting():
    gc.collect()
    x = ac.tensor(np.ones((8, 8)), requires_grad=True)
    y = x
    for _ in range(200):
        y = (y * 1.01).tanh() + y.exp() * 0.0
    y.sum().backward()
    del y
    assert gc.collect() == 0  # nothing cyclic was left behind
