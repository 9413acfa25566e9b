"""Comparing a layer with its PyTorch twin: copy weights across, compare at dtype tolerance."""

import numpy as np
import torch

import autograd_core as ac

TOL = {"float32": (1e-4, 1e-5), "float64": (1e-10, 1e-10)}


def to_torch(module, ours):
    """Copy every parameter of ``ours`` into the same-named parameter of ``module``."""
    for name, p in module.named_parameters():
        p.data = torch.tensor(getattr(ours, name).detach().numpy())
    return module


def close(ours, theirs, dtype, what=""):
    """Same shape, same dtype, values within the tolerance of ``dtype`` ('float32'/'float64')."""
    rtol, atol = TOL[dtype]
    a = ours.detach().numpy() if isinstance(ours, ac.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != {b.dtype}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)
