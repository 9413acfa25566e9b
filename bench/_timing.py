"""Timing helpers shared by the benchmarks: interleaved runs, medians, one BLAS thread."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def single_thread() -> None:
    """One thread for numpy's BLAS and for PyTorch, so the comparison is like for like."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def interleaved(fns: dict[str, Callable[[], object]], rounds: int, inner: int,
                warmup: int = 3) -> dict[str, float]:
    """Median seconds per call of each function, measured in alternating rounds.

    Alternating spreads the machine's noise evenly over the contenders; each round times
    ``inner`` back-to-back calls and the median over rounds is reported.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            samples[name].append((time.perf_counter() - start) / inner)
    return {name: statistics.median(values) for name, values in samples.items()}
