"""`Value`: one float per graph node, for watching backprop happen.

Each op computes its result and, right beside it, the local derivative of the result with
respect to each input, stored as plain numbers (``_local``). Backward multiplies those by
the upstream gradient and adds them into the inputs (the chain rule), in the engine's
reverse topological order.

Unlike micrograd, a node keeps no closure pointing back at itself, so graphs contain no
reference cycles and are freed by reference counting the moment they are dropped; and
``__slots__`` keeps each node small. A Python number used in an op is folded into the op
(``x * 2`` is one node with one input) rather than wrapped in a node of its own.

Where PyTorch passes exactly zero gradient through a blocked path (``relu`` below zero, the
losing side of ``maximum``, ``x ** 0``), the local derivative is ``None`` rather than ``0.0``,
so an infinite upstream gradient gives 0 there, as in PyTorch, and not ``0 * inf = nan``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from . import ieee
from .engine import backward_local

Number = int | float

# op key -> (display name, local-derivative formula); "{c}" stands for the op's constant.
OPS: dict[str, tuple[str, str]] = {
    "": ("", ""),
    "+": ("+", "d(a+b)/da = 1, d(a+b)/db = 1"),
    "+c": ("+ {c}", "d(a+c)/da = 1"),
    "-": ("-", "d(a-b)/da = 1, d(a-b)/db = -1"),
    "-c": ("- {c}", "d(a-c)/da = 1"),
    "c-": ("{c} -", "d(c-a)/da = -1"),
    "*": ("*", "d(a*b)/da = b, d(a*b)/db = a"),
    "*c": ("* {c}", "d(a*c)/da = c"),
    "/": ("/", "d(a/b)/da = 1/b, d(a/b)/db = -a/b**2"),
    "/c": ("/ {c}", "d(a/c)/da = 1/c"),
    "c/": ("{c} /", "d(c/a)/da = -c/a**2"),
    "**": ("**", "d(a**b)/da = b*a**(b-1), d(a**b)/db = a**b*log(a)"),
    "**c": ("** {c}", "d(a**c)/da = c*a**(c-1)"),
    "c**": ("{c} **", "d(c**a)/da = c**a*log(c)"),
    "neg": ("neg", "d(-a)/da = -1"),
    "exp": ("exp", "d(exp(a))/da = exp(a)"),
    "log": ("log", "d(log(a))/da = 1/a"),
    "sqrt": ("sqrt", "d(sqrt(a))/da = 1/(2*sqrt(a))"),
    "tanh": ("tanh", "d(tanh(a))/da = 1 - tanh(a)**2"),
    "sigmoid": ("sigmoid", "d(s(a))/da = s(a)*(1 - s(a))"),
    "relu": ("relu", "d(relu(a))/da = 1 if a > 0 else 0"),
    "leaky_relu": ("leaky_relu({c})", "d/da = 1 if a > 0 else {c}"),
    "elu": ("elu({c})", "d/da = 1 if a > 0 else {c}*exp(a)"),
    "softplus": ("softplus", "d(log(1+exp(a)))/da = sigmoid(a)"),
    "abs": ("abs", "d|a|/da = sign(a)"),
    "max": ("max", "d max(a,b)/da = 1 if a > b, 0 if a < b, 1/2 if equal"),
    "maxc": ("max(., {c})", "d max(a,c)/da = 1 if a > c, 0 if a < c, 1/2 if equal"),
    "min": ("min", "d min(a,b)/da = 1 if a < b, 0 if a > b, 1/2 if equal"),
    "minc": ("min(., {c})", "d min(a,c)/da = 1 if a < c, 0 if a > c, 1/2 if equal"),
}


class Value:
    """A scalar that remembers how it was computed, so its gradient can flow back.

    ``Value(data, label='')``. ``.grad`` starts at 0.0; ``backward()`` adds into it, so
    calling ``backward()`` twice adds twice (as ``Tensor.backward`` does in PyTorch): reset
    with ``zero_grad(values)`` between passes.
    """

    # _a, _b: the inputs (None where absent); _da, _db: d self/d input, or None for a path that
    # passes exactly zero; _g, _uses: the engine's bookkeeping during a backward pass.
    # A one-input node has no _db (the engine reads it only beside a _b), so an op with a
    # constant keeps the constant there (the 2 of ``x * 2``): one slot less per node makes
    # nodes smaller, and allocating and garbage-collecting 65k of them per MLP step cheaper.
    __slots__ = ("data", "grad", "_label", "_a", "_b", "_da", "_db", "_op", "_g", "_uses")
    __array_ufunc__ = None  # make numpy scalars defer to our reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._label = label
        self._a = self._b = None
        self._da = self._db = None
        self._op = ""
        self._uses = 0

    # -- what the graph drawing and stepping read -------------------------------------------

    @property
    def label(self) -> str:
        """A name to show in drawings ('' unless set; computed nodes start without one)."""
        try:
            return self._label
        except AttributeError:  # left unset on computed nodes: one write less per op
            return ""

    @label.setter
    def label(self, value: str) -> None:
        self._label = value

    @property
    def _inputs(self) -> tuple[Value, ...]:
        """The engine's node protocol: inputs in argument order, duplicates kept."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def _local(self) -> tuple[float | None, ...]:
        """d self / d input for each input, ``None`` where exactly zero passes."""
        return (self._da, self._db)[: len(self._inputs)]

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order (duplicates kept)."""
        return self._inputs

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d input for each input (a blocked path reads 0.0)."""
        return tuple(0.0 if d is None else d for d in self._local)

    @property
    def op(self) -> str:
        """Display name of the op that produced this Value ('' for a leaf)."""
        return OPS[self._op][0].format(c=_fmt(self._constant))

    @property
    def formula(self) -> str:
        """The op's local-derivative rule as text, e.g. ``d(a*b)/da = b``."""
        return OPS[self._op][1].format(c=_fmt(self._constant))

    @property
    def _constant(self) -> float:
        """The constant of a one-input op such as ``x * 2`` (kept in ``_db``), else 0.0."""
        if self._b is None and self._db is not None:
            return self._db
        return 0.0

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # -- backward ---------------------------------------------------------------------------

    def backward(self) -> None:
        """Add d self / d node into ``node.grad`` for every node this Value depends on."""
        backward_local(self)

    # -- arithmetic -------------------------------------------------------------------------

    # `+` and `*` build their node inline: they are most of an MLP's graph.
    def __add__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            v = _new(Value)
            v.data = self.data + other.data
            v.grad = 0.0
            v._a = self
            v._b = other
            v._da = 1.0
            v._db = 1.0
            v._op = "+"
            v._uses = 0
            return v
        c = _number(other, "+")
        return _unary(self.data + c, self, 1.0, "+c", c)

    def __radd__(self, other: Number) -> Value:
        c = _number(other, "+")
        return _unary(c + self.data, self, 1.0, "+c", c)

    def __sub__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _binary(self.data - other.data, self, other, 1.0, -1.0, "-")
        c = _number(other, "-")
        return _unary(self.data - c, self, 1.0, "-c", c)

    def __rsub__(self, other: Number) -> Value:
        c = _number(other, "-")
        return _unary(c - self.data, self, -1.0, "c-", c)

    def __mul__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            x, y = self.data, other.data
            v = _new(Value)
            v.data = x * y
            v.grad = 0.0
            v._a = self
            v._b = other
            v._da = y
            v._db = x
            v._op = "*"
            v._uses = 0
            return v
        c = _number(other, "*")
        return _unary(self.data * c, self, c, "*c", c)

    def __rmul__(self, other: Number) -> Value:
        c = _number(other, "*")
        return _unary(c * self.data, self, c, "*c", c)

    def __truediv__(self, other: Value | Number) -> Value:
        a = self.data
        if isinstance(other, Value):
            b = other.data
            q = ieee.div(a, b)
            return _binary(q, self, other, ieee.div(1.0, b), -ieee.div(q, b), "/")
        c = _number(other, "/")
        return _unary(ieee.div(a, c), self, ieee.div(1.0, c), "/c", c)

    def __rtruediv__(self, other: Number) -> Value:
        # c / a is computed as (1 / a) * c, as PyTorch does, so the two agree to the last bit.
        c = _number(other, "/")
        r = ieee.div(1.0, self.data)
        return _unary(r * c, self, -c * (r * r), "c/", c)

    def __pow__(self, other: Value | Number) -> Value:
        a = self.data
        if isinstance(other, Value):
            b = other.data
            out = ieee.pow_general(a, b)
            da = None if b == 0.0 else b * ieee.pow_general(a, b - 1.0)
            db = 0.0 if (a == 0.0 and b >= 0.0) else out * ieee.log(a)
            return _binary(out, self, other, da, db, "**")
        c = _number(other, "**")
        da = None if c == 0.0 else c * ieee.pow_scalar(a, c - 1.0)
        return _unary(ieee.pow_scalar(a, c), self, da, "**c", c)

    def __rpow__(self, other: Number) -> Value:
        c = _number(other, "**")
        b = self.data
        out = ieee.pow_general(c, b)
        db = 0.0 if (c == 0.0 and b >= 0.0) else out * ieee.log(c)
        return _unary(out, self, db, "c**", c)

    def __neg__(self) -> Value:
        return _unary(-self.data, self, -1.0, "neg")

    def __pos__(self) -> Value:
        return self

    # -- functions --------------------------------------------------------------------------

    def exp(self) -> Value:
        out = ieee.exp(self.data)
        return _unary(out, self, out, "exp")

    def log(self) -> Value:
        x = self.data
        return _unary(ieee.log(x), self, ieee.div(1.0, x), "log")

    def sqrt(self) -> Value:
        out = ieee.sqrt(self.data)
        return _unary(out, self, ieee.div(1.0, 2.0 * out), "sqrt")

    def tanh(self) -> Value:
        out = math.tanh(self.data)
        return _unary(out, self, 1.0 - out * out, "tanh")

    def sigmoid(self) -> Value:
        out = 1.0 / (1.0 + ieee.exp(-self.data))
        return _unary(out, self, (1.0 - out) * out, "sigmoid")

    def relu(self) -> Value:
        x = self.data
        if x > 0.0 or x != x:
            return _unary(x, self, 1.0, "relu")
        # x <= 0 gives 0 with no gradient; -0.0 stays -0.0, as in PyTorch (x < 0 ? 0 : x)
        return _unary(x if x == 0.0 else 0.0, self, None, "relu")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        x = self.data
        if x > 0.0:
            return _unary(x, self, 1.0, "leaky_relu", slope)
        return _unary(x * slope, self, slope, "leaky_relu", slope)

    def elu(self, alpha: float = 1.0) -> Value:
        x = self.data
        if x <= 0.0:
            return _unary(ieee.expm1(x) * alpha, self, alpha * ieee.exp(x), "elu", alpha)
        return _unary(x, self, 1.0, "elu", alpha)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Value:
        """log(1 + exp(beta*x)) / beta; linear above ``threshold``, as in PyTorch."""
        z = self.data * beta
        if z > threshold:
            return _unary(self.data, self, 1.0, "softplus")
        e = ieee.exp(z)
        return _unary(math.log1p(e) / beta, self, ieee.div(e, e + 1.0), "softplus")

    def abs(self) -> Value:
        x = self.data
        sign = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
        return _unary(abs(x), self, sign, "abs")

    __abs__ = abs


_new = object.__new__


def _unary(data: float, a: Value, da: float | None, op: str, const: float | None = None) -> Value:
    """Make a one-input node without going through ``__init__`` (this is the hot path).

    With no second input there is no ``_db`` derivative, so ``_db`` keeps the op's constant.
    """
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._b = None
    v._da = da
    v._db = const
    v._op = op
    v._uses = 0
    return v


def _binary(data: float, a: Value, b: Value, da: float | None, db: float | None, op: str) -> Value:
    """Make a two-input node without going through ``__init__`` (this is the hot path)."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._b = b
    v._da = da
    v._db = db
    v._op = op
    v._uses = 0
    return v


def _number(x: object, op: str) -> float:
    """Coerce a Python/numpy real number to float, or explain what is allowed."""
    if isinstance(x, (int, float)) or hasattr(x, "__float__") and not isinstance(x, complex):
        return float(x)  # type: ignore[arg-type]
    raise TypeError(
        f"Value {op} {type(x).__name__}: the other operand must be a Value or a real number "
        f"(int or float); got {x!r}. Wrap it with Value(...) or convert it with float(...)."
    )


def _fmt(c: float) -> str:
    return f"{c:g}"


def _as_value(x: Value | Number, op: str) -> Value | float:
    return x if isinstance(x, Value) else _number(x, op)


def _gate(a: Value | Number, b: Value | Number, wins, op: str) -> Value:
    """max/min of two operands: the winner takes all the gradient, a tie splits it evenly.

    As in PyTorch, a NaN on either side makes the result NaN and passes the gradient to both.
    """
    a = _as_value(a, op)
    b = _as_value(b, op)
    if not isinstance(a, Value):
        a, b = b, a  # the gate is symmetric: keep the Value first
    if not isinstance(a, Value):
        return Value(a if wins(a, b) else b)
    x = a.data
    y = b.data if isinstance(b, Value) else b
    if x != x or y != y:
        out, da, db = math.nan, 1.0, 1.0
    elif x == y:
        out, da, db = x, 0.5, 0.5
    elif wins(x, y):
        out, da, db = x, 1.0, None
    else:
        out, da, db = y, None, 1.0
    if isinstance(b, Value):
        return _binary(out, a, b, da, db, op)
    return _unary(out, a, da, op + "c", b)


def maximum(a: Value | Number, b: Value | Number) -> Value:
    """max(a, b) -- the notes' "max gate": the larger input takes all the gradient."""
    return _gate(a, b, lambda x, y: x > y, "max")


def minimum(a: Value | Number, b: Value | Number) -> Value:
    """min(a, b): the smaller input takes all the gradient."""
    return _gate(a, b, lambda x, y: x < y, "min")


def weighted_sum(bias: Value, weights: Iterable[Value], inputs: Iterable[Value | Number]) -> Value:
    """``bias + w0*x0 + w1*x1 + ...``, added left to right: a neuron's pre-activation.

    It builds exactly the graph that writing it out with ``+`` and ``*`` builds (same nodes,
    ops, values and local derivatives), but makes the ``Value * Value`` and ``+`` nodes
    inline, without an operator call per node, because this loop is most of an MLP's forward
    pass. Any other operand types go through the operators.
    """
    act = bias
    for w, x in zip(weights, inputs):
        if type(w) is Value and type(x) is Value:  # w * x, as in Value.__mul__
            a, b = w.data, x.data
            p = _new(Value)
            p.data = a * b
            p.grad = 0.0
            p._a = w
            p._b = x
            p._da = b
            p._db = a
            p._op = "*"
            p._uses = 0
        else:
            p = w * x
        if type(act) is Value and type(p) is Value:  # act + p, as in Value.__add__
            s = _new(Value)
            s.data = act.data + p.data
            s.grad = 0.0
            s._a = act
            s._b = p
            s._da = 1.0
            s._db = 1.0
            s._op = "+"
            s._uses = 0
            act = s
        else:
            act = act + p
    return act


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` to 0.0 on every given Value (do this between backward passes)."""
    for v in values:
        v.grad = 0.0
