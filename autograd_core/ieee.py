"""Scalar math that returns IEEE-754 results instead of raising, as PyTorch's float64 does.

Python's ``math`` module raises ``ValueError``/``OverflowError`` and ``/`` raises
``ZeroDivisionError`` where a tensor library returns ``inf`` or ``nan``. A learner comparing
`Value` with PyTorch should see the same numbers, so these helpers try the fast Python
operation and fall back to the IEEE answer only in the rare failing case.
"""

from __future__ import annotations

import math

inf = math.inf
nan = math.nan


def div(a: float, b: float) -> float:
    """``a / b`` with ``x / 0 = ±inf`` (sign from both operands) and ``0 / 0 = nan``."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def exp(x: float) -> float:
    """``e ** x``; overflows to ``inf``."""
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def expm1(x: float) -> float:
    """``e ** x - 1``, accurate near 0; overflows to ``inf``."""
    try:
        return math.expm1(x)
    except OverflowError:
        return inf


def log(x: float) -> float:
    """Natural log: ``log(0) = -inf``, ``log(x < 0) = nan``."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -inf
    return nan  # negative or nan


def log1p(x: float) -> float:
    """``log(1 + x)``, accurate near 0: ``log1p(-1) = -inf``, ``log1p(x < -1) = nan``."""
    if x > -1.0:
        return math.log1p(x)
    if x == -1.0:
        return -inf
    return nan


def sqrt(x: float) -> float:
    """Square root: ``sqrt(x < 0) = nan``, ``sqrt(-0.0) = -0.0``."""
    if x >= 0.0 or x == inf:
        return math.sqrt(x)
    return nan


def _is_odd_integer(y: float) -> bool:
    return abs(math.fmod(y, 2.0)) == 1.0


def pow_general(x: float, y: float) -> float:
    """C's ``pow(x, y)``: ``0 ** -1 = inf``, ``(-8) ** 0.5 = nan``, overflow gives ``±inf``."""
    try:
        return math.pow(x, y)
    except ValueError:
        if x == 0.0:  # zero to a negative power
            return math.copysign(inf, x) if _is_odd_integer(y) else inf
        return nan  # negative base, non-integer exponent
    except OverflowError:
        return -inf if x < 0.0 and _is_odd_integer(y) else inf


def pow_scalar(x: float, y: float) -> float:
    """``x ** y`` for a constant exponent, with PyTorch's special cases.

    PyTorch computes ``x ** 2`` as ``x * x``, ``x ** 0.5`` as ``sqrt(x)`` and ``x ** -1`` as
    ``1 / x`` (and likewise for 3, -2, -0.5); they differ from ``pow`` on signed zeros and
    infinities, so we follow them.
    """
    if y == 2.0:
        return x * x
    if y == 0.5:
        return sqrt(x)
    if y == -1.0:
        return div(1.0, x)
    if y == 3.0:
        return x * x * x
    if y == -2.0:
        return div(1.0, x * x)
    if y == -0.5:
        return div(1.0, sqrt(x))
    return pow_general(x, y)
