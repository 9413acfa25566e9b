"""Each activation and softmax kernel: the Numba loop against its numpy reference.

An op should call whichever of the two is faster at the sizes people train with. Numba's
scalar loops beat numpy where numpy makes several passes over memory (relu, leaky_relu,
the fused backwards of tanh and sigmoid, exact gelu); numpy wins wherever the math calls
``exp``, ``tanh`` or ``log1p``, which numpy evaluates with SIMD and Numba one element at
a time. The last column says which one the ops ask for, read from their source, so a line
whose ratio disagrees with that choice is a slowdown users pay.

    ./run bench kernels
"""

from __future__ import annotations

import inspect
import os
import re
import statistics
import time
from pathlib import Path

import numpy as np
from _timing import single_thread

from autograd_core.kernels import activations, kernel, reference, softmax

SIZES = (1_000, 100_000, 1_000_000)
OPS = Path(__file__).resolve().parent.parent / "autograd_core" / "ops"


def used_by_ops() -> dict[str, str]:
    """Which version each kernel's ops ask for, read from their source: ``kernel("name")``
    is Numba, ``reference("name")`` numpy."""
    source = "\n".join(p.read_text() for p in OPS.glob("*.py"))
    used: dict[str, set[str]] = {}
    for kind, call in (("numba", "kernel"), ("numpy", "reference")):
        for name in re.findall(call + r'\("(\w+)"', source):
            used.setdefault(name, set()).add(kind)
    return {name: "+".join(sorted(kinds)) for name, kinds in used.items()}


def arguments(name: str, x: np.ndarray, g: np.ndarray) -> tuple:
    """The arguments of kernel ``name`` for input ``x`` and incoming gradient ``g``."""
    if name in softmax.KERNELS:
        rows = x.reshape(-1, 1000)
        if name.endswith("forward"):
            return rows, 1
        y = reference(name.replace("backward", "forward"))(rows, 1)
        return y, g.reshape(-1, 1000), 1
    params = len(inspect.signature(reference(name)).parameters)
    arrays = (x,) if name.endswith("forward") else (x, g)
    return (*arrays, *[1.0] * (params - len(arrays)))


def median_time(fn, args: tuple, size: int) -> float:
    inner = max(1, 200_000 // size)
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(inner):
            fn(*args)
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def main() -> None:
    single_thread()
    if os.environ.get("AUTOGRAD_CORE_JIT", "1").strip() == "0":
        raise SystemExit("kernels: unset AUTOGRAD_CORE_JIT=0 to compare Numba with numpy")
    rng = np.random.default_rng(0)
    names = sorted({*activations.KERNELS, *softmax.KERNELS})
    used = used_by_ops()
    print(f"{'kernel (float32)':24s}" + "".join(f"{n:>14,d}" for n in SIZES) + "   ops use")
    for name in names:
        cells = []
        for size in SIZES:
            x = rng.standard_normal(size).astype(np.float32)
            g = rng.standard_normal(size).astype(np.float32)
            args = arguments(name, x, g)
            jit, ref = kernel(name), reference(name)
            jit(*args)  # compile or load from the cache before timing
            ratio = median_time(jit, args, size) / median_time(ref, args, size)
            cells.append(f"{ratio:13.2f}x")
        print(f"{name:24s}" + "".join(cells) + f"   {used.get(name, 'numpy, own code')}")
    print("ratio: Numba's time / numpy's at that many elements (below 1: Numba is faster);")
    print("ops use: what autograd_core/ops asks the seam for by name; 'own code': the op's")
    print("numpy math, or the reference reached through a helper (softmax forwards)")


if __name__ == "__main__":
    main()
