"""The strong-Wolfe line search shared by `LBFGS` and `BFGS`.

Given a descent direction ``d`` at ``x`` (slope ``gtd = g . d < 0``), find a step ``t`` with

- sufficient decrease (Armijo): ``f(x + t d) <= f(x) + c1 t gtd``, and
- a flat enough slope (strong curvature): ``|g(x + t d) . d| <= c2 |gtd|``.

It first *brackets* an interval that must hold such a step (stepping out from ``t`` with
cubic extrapolation), then *zooms* into it with safeguarded cubic interpolation. This is a
line-for-line port of PyTorch's ``torch.optim.lbfgs._strong_wolfe`` (itself from the Lua
``optim/lswolfe.lua``), on numpy vectors and scalars, so float64 iterates agree with
``torch.optim.LBFGS`` to rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__: list[str] = []  # used by the optimizers; import from optim.line_search directly

Objective = Callable[[Any, Any, np.ndarray], tuple[float, np.ndarray]]

_SPLIT = 2.0**27 + 1  # Veltkamp's constant for float64: splits 53 bits into 26 + 27


def dot(a: np.ndarray, b: np.ndarray) -> Any:
    """a . b as ``(a * b).sum()``: the same rounding on every machine.

    ``np.dot`` and ``torch.dot`` go through BLAS, whose summation order (and fused
    multiply-adds) depend on the library and the CPU. Products then numpy's pairwise sum
    are deterministic, and for two entries equal torch's (MKL's) result bit for bit.
    """
    return (a * b).sum()


def add_scaled(y: np.ndarray, alpha: Any, x: np.ndarray) -> np.ndarray:
    """y + alpha * x rounded once (a fused multiply-add), as ``torch.add(y, x, alpha=alpha)``.

    PyTorch's CPU kernels compute ``y + alpha * x`` with an FMA instruction; numpy rounds
    the product first. Optimizers that must follow torch's float64 iterates bit for bit
    (L-BFGS on the Rosenbrock function is chaotic enough to amplify one ulp) use this.
    Float64: the product is split exactly into ``p + e`` (Dekker's two-product), ``p + y``
    into ``s + r`` (Knuth's two-sum), and ``s + (r + e)`` is rounded once more; that equals
    the correctly rounded result except within 2**-100 or so of a rounding tie. Smaller
    floats compute in float64, where their product is exact. Non-finite cases: plain numpy.
    """
    dtype = np.result_type(y, x)
    alpha = np.asarray(alpha, dtype=dtype)
    if dtype.itemsize < 8:
        wide = y.astype(np.float64) + alpha.astype(np.float64) * x.astype(np.float64)
        return wide.astype(dtype)
    with np.errstate(all="ignore"):
        p = alpha * x
        ah, bh = _split(alpha), _split(x)
        al, bl = alpha - ah, x - bh
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # p + e = alpha * x exactly
        s = p + y
        v = s - p
        r = (p - (s - v)) + (y - v)  # s + r = p + y exactly
        out = s + (r + e)
    plain = y + p
    return np.where(np.isfinite(out), out, plain)


def _split(a: np.ndarray) -> np.ndarray:
    """The high half of each float64 (26 bits); ``a - _split(a)`` is the exact low half."""
    c = _SPLIT * a
    return c - (c - a)


def cubic_interpolate(x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any,
                      bounds: tuple[Any, Any] | None = None) -> Any:
    """The minimizer of the cubic through (x1, f1, slope g1) and (x2, f2, slope g2).

    Clipped to ``bounds`` (default: the interval between x1 and x2); the interval's middle
    when the cubic has no minimum.
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    # With x2 the far point: d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2), d2 = sqrt(d1^2 - g1 g2),
    # min_pos = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2).
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(obj_func: Objective, x: Any, t: Any, d: np.ndarray, f: Any, g: np.ndarray,
                 gtd: Any, c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                 max_ls: int = 25) -> tuple[Any, np.ndarray, Any, int]:
    """Search along ``d`` from ``x`` (loss ``f``, flat gradient ``g``, slope ``gtd``).

    ``obj_func(x, t, d)`` returns the loss and flat gradient at ``x + t d`` (leaving the
    parameters at ``x``). Returns ``(loss, flat_grad, t, function_evaluations)`` at the
    accepted step. At most ``max_ls`` evaluations after the first.
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = dot(g_new, d)

    # Bracketing phase: step out until [t_prev, t] holds a point meeting the conditions.
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[Any] = []
    bracket_f: list[Any] = []
    bracket_g: list[np.ndarray] = []
    bracket_gtd: list[Any] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # Still going down and steep: extrapolate to a longer step.
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1

    if ls_iter >= max_ls:  # out of evaluations: fall back to the bracket [0, t]
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # Zoom phase: shrink the bracket until its low end meets the conditions.
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break  # the bracket is too small to matter
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # Safeguard: a trial point hugging an end of the bracket makes little progress; if
        # that happens twice (or t lands on an end), move it 10% of the width inside.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Not enough decrease, or above the best point: t becomes the high end.
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True  # both Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # The slope points away from the high end: the old low becomes the high.
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
