"""Each activation and softmax kernel: the Numba loop against its numpy reference.

An op should call whichever of the two is faster at the sizes people train with. Numba's
scalar loops beat numpy where numpy makes several passes over memory (relu, leaky_relu,
the fused backwards of tanh and sigmoid, exact gelu); numpy wins wherever the math calls
``exp``, ``tanh`` or ``log1p``, which numpy evaluates with SIMD and Numba one element at
a time. The last column says which one the ops ask for, read from their source, so a line
whose ratio disagrees with that choice is a slowdown users pay. The softmax forwards pick
by shape (short slices: Numba, whose loop avoids numpy's fixed cost per call; long ones:
numpy), so a second table times them by shape beside the version picked.

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
from autograd_core.ops.softmax import forward_kernel

SIZES = (1_000, 100_000, 1_000_000)
SOFTMAX_SHAPES = ((128, 2), (128, 10), (1024, 16), (128, 32), (4, 100), (64, 100),
                  (128, 1000))  # (rows, slice length): the softmax forwards pick by shape
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
    print("numpy math, or a kernel reached through a helper (softmax forwards: by shape, below)")
    print()
    softmax_forwards_by_shape(rng)


def softmax_forwards_by_shape(rng: np.random.Generator) -> None:
    """The softmax forwards along the last dim: Numba / numpy by shape, and which one
    ``ops.softmax.forward_kernel`` picks (the faster one, unless the line is marked)."""
    names = ("softmax_forward", "log_softmax_forward")
    print(f"{'softmax forwards (rows, n)':28s}" + "".join(f"{n:>22s}" for n in names))
    for shape in SOFTMAX_SHAPES:
        x = rng.standard_normal(shape).astype(np.float32)
        cells = []
        for name in names:
            jit, ref = kernel(name), reference(name)
            jit(x, 1)
            ratio = median_time(jit, (x, 1), x.size) / median_time(ref, (x, 1), x.size)
            picked = "numba" if forward_kernel(name, x, 1) is jit else "numpy"
            slower = (picked == "numba") != (ratio < 1)
            cells.append(f"{ratio:5.2f}x {picked}" + (" (slower!)" if slower else ""))
        print(f"{str(shape):28s}" + "".join(f"{c:>22s}" for c in cells).rstrip())
    print("ratio: Numba's time / numpy's; then the version the ops pick for that shape")


if __name__ == "__main__":
    main()
