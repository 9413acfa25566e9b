"""Recurrent layers: `RNN`, `LSTM`, `GRU` and their one-step cells, as in PyTorch.

A recurrent layer applies one cell at every time step, feeding each step the hidden state
the previous step produced (the notes: ``h_t = tanh(W_hh h_{t-1} + W_xh x_t)``). Backprop
through time is ordinary backprop through that unrolled graph: each step is built from
Tensor ops and the fused `linear`, and the per-step outputs are stacked at the end.

Parameter names, shapes, gate order and initialization are PyTorch's, so ``state_dict``
keys and values carry over: ``weight_ih_l{k}`` ``(gates * hidden, input)``,
``weight_hh_l{k}`` ``(gates * hidden, hidden)``, ``bias_ih_l{k}``, ``bias_hh_l{k}``
(``_reverse`` for the second direction), every one drawn from U(-1/sqrt(hidden),
1/sqrt(hidden)). Gates are stacked in the order i, f, g, o (LSTM) and r, z, n (GRU).

Shapes: input ``(L, N, H_in)`` (``(N, L, H_in)`` with ``batch_first``) or unbatched
``(L, H_in)``; states ``(num_layers * num_directions, N, H)`` or unbatched without N. As in
PyTorch, the input's dtype must match the weights' (no silent promotion).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd_core as ac
from autograd_core import Tensor, dtypes
from autograd_core.creation import generator

from . import init
from .functional.linear import linear
from .module import Module, Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU"]

State = tuple[Tensor, ...]  # (h,) for RNN and GRU, (h, c) for LSTM


# -- one time step --------------------------------------------------------------------------


def rnn_tanh_cell(x: Tensor, state: State, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None, b_hh: Tensor | None) -> State:
    """``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``."""
    return (ac.tanh(linear(x, w_ih, b_ih) + linear(state[0], w_hh, b_hh)),)


def rnn_relu_cell(x: Tensor, state: State, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None, b_hh: Tensor | None) -> State:
    """``h' = relu(W_ih x + b_ih + W_hh h + b_hh)``."""
    return (ac.relu(linear(x, w_ih, b_ih) + linear(state[0], w_hh, b_hh)),)


def lstm_cell(x: Tensor, state: State, w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None, b_hh: Tensor | None) -> State:
    """Input, forget, cell and output gates (in that order in the weights):
    ``c' = f * c + i * g``, ``h' = o * tanh(c')``."""
    h, c = state
    gates = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)
    c = ac.sigmoid(f) * c + ac.sigmoid(i) * ac.tanh(g)
    return ac.sigmoid(o) * ac.tanh(c), c


def gru_cell(x: Tensor, state: State, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None, b_hh: Tensor | None) -> State:
    """Reset and update gates r, z and the candidate n (in that order in the weights):
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``."""
    (h,) = state
    x_r, x_z, x_n = linear(x, w_ih, b_ih).chunk(3, -1)
    h_r, h_z, h_n = linear(h, w_hh, b_hh).chunk(3, -1)
    r = ac.sigmoid(x_r + h_r)
    z = ac.sigmoid(x_z + h_z)
    n = ac.tanh(x_n + r * h_n)
    return (n + z * (h - n),)


Step = Callable[..., State]
_MODES: dict[str, tuple[int, Step]] = {  # mode -> (gates, step)
    "RNN_TANH": (1, rnn_tanh_cell), "RNN_RELU": (1, rnn_relu_cell),
    "LSTM": (4, lstm_cell), "GRU": (3, gru_cell),
}


# -- shared checks --------------------------------------------------------------------------


def _check_sizes(name: str, input_size: Any, hidden_size: Any, bias: Any) -> None:
    for what, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name}: {what} should be an int, got {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name}: {what} must be greater than zero, got {value}")
    if not isinstance(bias, bool):
        raise TypeError(f"{name}: bias should be a bool, got {type(bias).__name__}")


def _check_tensor(name: str, what: str, x: Any, dtype: np.dtype) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(x).__name__}")
    if x.dtype != dtype:
        raise ValueError(
            f"{name}: {what} dtype ({x.dtype}) does not match the weight dtype ({dtype}); "
            f"convert it with .to({dtype}) or convert the layer with .float() / .double()"
        )
    return x


def _zeros(shape: tuple[int, ...], dtype: np.dtype) -> Tensor:
    return Tensor._make(np.zeros(shape, dtype=dtype))


def _empty(shape: tuple[int, ...], dtype: Any) -> Parameter:
    return Parameter(np.empty(shape, dtype=dtypes.float32 if dtype is None
                              else dtypes.to_dtype(dtype)))


def _dropout(x: Tensor, p: float) -> Tensor:
    """Zero each entry with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    if p >= 1.0:
        return x * 0.0
    keep = generator().random(x.shape) >= p
    return x * Tensor._make((keep / (1.0 - p)).astype(x.dtype))


# -- cells ----------------------------------------------------------------------------------


class RNNCellBase(Module):
    """What the cells share: parameters ``weight_ih`` ``(gates * hidden, input)``,
    ``weight_hh`` ``(gates * hidden, hidden)``, ``bias_ih`` and ``bias_hh``; ``mode`` is
    one of RNN_TANH, RNN_RELU, LSTM, GRU."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, mode: str,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_sizes(type(self).__name__, input_size, hidden_size, bias)
        self._mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = _MODES[self._mode][0] * hidden_size
        self.weight_ih = _empty((gates, input_size), dtype)
        self.weight_hh = _empty((gates, hidden_size), dtype)
        if bias:
            self.bias_ih = _empty((gates,), dtype)
            self.bias_hh = _empty((gates,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            text += f", nonlinearity={nonlinearity}"
        return text

    def _run(self, input: Any, hx: Sequence[Any] | None, count: int) -> State:  # noqa: A002
        """Check the input ``(N, H_in)`` or ``(H_in,)`` and the ``count`` states ``(N, H)``
        or ``(H,)`` (zeros when ``hx`` is None), then run one step."""
        name = type(self).__name__
        dtype = self.weight_ih.dtype
        x = _check_tensor(name, "input", input, dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: expected input of shape (N, input_size) = (N, {self.input_size}) "
                f"or unbatched ({self.input_size},), got shape {tuple(x.shape)}"
            )
        batched = x.ndim == 2
        want = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        if hx is None:
            states = [_zeros(want, dtype)] * count
        else:
            states = []
            for k, h in enumerate(hx):
                what = "hx" if count == 1 else f"hx[{k}]"
                h = _check_tensor(name, what, h, dtype)
                if tuple(h.shape) != want:
                    raise ValueError(
                        f"{name}: expected {what} of shape {want} for an input of shape "
                        f"{tuple(x.shape)} (batch size N and hidden_size "
                        f"{self.hidden_size}), got shape {tuple(h.shape)}"
                    )
                states.append(h)
        step = _MODES[self._mode][1]
        return step(x, tuple(states), self.weight_ih, self.weight_hh, self.bias_ih,
                    self.bias_hh)


class RNNCell(RNNCellBase):
    """One Elman step: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or relu).

    Input ``(N, input_size)`` or ``(input_size,)``; ``hx`` ``(N, hidden_size)`` or
    ``(hidden_size,)``, zeros if omitted. Returns ``h'``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; select "
                             "'tanh' or 'relu'")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, mode, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        return self._run(input, None if hx is None else (hx,), 1)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step. ``hx`` is ``(h, c)`` (zeros if omitted); returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, "LSTM", dtype)

    def forward(self, input: Tensor,  # noqa: A002
                hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTMCell: hx must be a tuple (h, c) of two Tensors, got "
                            f"{type(hx).__name__}")
        h, c = self._run(input, hx, 2)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step: ``h' = (1 - z) * n + z * h``. Returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, "GRU", dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        return self._run(input, None if hx is None else (hx,), 1)[0]


# -- sequence layers ------------------------------------------------------------------------


class RNNBase(Module):
    """A stack of ``num_layers`` recurrent layers (each maybe in both directions) run over
    a whole sequence; the output of one layer is the input of the next."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        _check_sizes(name, input_size, hidden_size, bias)
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"{name}: num_layers must be an int greater than zero, got "
                             f"{num_layers!r}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"{name}: batch_first should be a bool, got "
                            f"{type(batch_first).__name__}")
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError(f"{name}: dropout should be a number in [0, 1] (the probability "
                             f"of zeroing an element), got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout is applied after every recurrent layer but the "
                          f"last, so dropout={dropout} does nothing with num_layers=1",
                          stacklevel=3)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        directions = 2 if bidirectional else 1
        gates = _MODES[mode][0] * hidden_size
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {f"weight_ih{suffix}": (gates, layer_input),
                          f"weight_hh{suffix}": (gates, hidden_size)}
                if bias:
                    shapes.update({f"bias_ih{suffix}": (gates,), f"bias_hh{suffix}": (gates,)})
                for key, shape in shapes.items():
                    setattr(self, key, _empty(shape, dtype))
                    self._flat_weights_names.append(key)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each (layer, direction), in PyTorch's order."""
        per = 4 if self.bias else 2
        flat = [getattr(self, key) for key in self._flat_weights_names]
        return [flat[i:i + per] for i in range(0, len(flat), per)]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    # -- forward ----------------------------------------------------------------------------

    def _check_input(self, input: Any) -> Tensor:  # noqa: A002
        name = type(self).__name__
        x = _check_tensor(name, "input", input, self.weight_ih_l0.dtype)
        order = "(N, L, input_size)" if self.batch_first else "(L, N, input_size)"
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: expected input of shape {order} or unbatched (L, input_size), with "
                f"input_size={self.input_size}, got shape {tuple(x.shape)}"
            )
        if x.shape[-2 if x.ndim == 2 or self.batch_first else 0] == 0:
            raise ValueError(f"{name}: the sequence is empty (input shape {tuple(x.shape)}); "
                             "it needs at least one time step")
        return x

    def _initial_states(self, hx: Any, count: int, batched: bool, batch: int,
                        dtype: np.dtype) -> list[State]:
        """One state tuple per (layer, direction), from ``hx`` or zeros."""
        name = type(self).__name__
        layers = self.num_layers * (2 if self.bidirectional else 1)
        want = (layers, batch, self.hidden_size)
        if hx is None:
            zeros = _zeros(want[1:], dtype)
            return [(zeros,) * count] * layers
        if count == 2:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{name}: hx must be a tuple (h_0, c_0) of two Tensors, got "
                                f"{type(hx).__name__}")
            parts = list(hx)
        else:
            parts = [hx]
        shown = want if batched else (layers, self.hidden_size)
        per_part = []
        for k, h in enumerate(parts):
            what = ("h_0", "c_0")[k] if count == 2 else "h_0"
            h = _check_tensor(name, what, h, dtype)
            if tuple(h.shape) != shown:
                raise ValueError(
                    f"{name}: expected {what} of shape {shown} (num_layers * num_directions, "
                    f"{'N, ' if batched else ''}hidden_size) for an input with "
                    f"{'batch size ' + str(batch) if batched else 'no batch dimension'}, got "
                    f"shape {tuple(h.shape)}"
                )
            per_part.append((h if batched else h.unsqueeze(1)).unbind(0))
        return [tuple(p[k] for p in per_part) for k in range(layers)]

    def _layer_weights(self, index: int) -> list[Tensor | None]:
        weights = self.all_weights[index]
        return weights if self.bias else weights + [None, None]

    def _run(self, input: Any, hx: Any, count: int  # noqa: A002
             ) -> tuple[Tensor, list[State]]:
        """Run every layer over the sequence: the output and each final state."""
        x = self._check_input(input)
        batched = x.ndim == 3
        time_dim = 1 if self.batch_first else 0
        if not batched:
            x = x.unsqueeze(1 - time_dim)
        batch = x.shape[1 - time_dim]
        states = self._initial_states(hx, count, batched, batch, x.dtype)
        step = _MODES[self.mode][1]
        directions = 2 if self.bidirectional else 1
        steps: list[Tensor] = list(x.unbind(time_dim))
        finals: list[State] = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                weights = self._layer_weights(index)
                state = states[index]
                hs = []
                for x_t in (steps if direction == 0 else reversed(steps)):
                    state = step(x_t, state, *weights)
                    hs.append(state[0])
                finals.append(state)
                outputs.append(hs if direction == 0 else hs[::-1])
            steps = outputs[0] if directions == 1 else [
                ac.cat([a, b], -1) for a, b in zip(*outputs)]
            if self.dropout and self.training and layer < self.num_layers - 1:
                steps = [_dropout(s, self.dropout) for s in steps]
        output = ac.stack(steps, time_dim)
        if not batched:
            output = output.squeeze(1 - time_dim)
        return output, finals

    def _final(self, finals: list[State], k: int, batched: bool) -> Tensor:
        h = ac.stack([state[k] for state in finals], 0)
        return h if batched else h.squeeze(1)


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (or relu) per layer.

    ``forward(input, h_0=None)`` returns ``(output, h_n)``: output ``(L, N, D * H)`` (the
    last layer's h at every step; D = 2 if bidirectional), h_n ``(D * num_layers, N, H)``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; select 'tanh' or "
                             "'relu'")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None  # noqa: A002
                ) -> tuple[Tensor, Tensor]:
        output, finals = self._run(input, hx, 1)
        return output, self._final(finals, 0, input.ndim == 3)


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o; ``c_t = f * c_{t-1} + i * g``,
    ``h_t = o * tanh(c_t)`` per layer.

    ``forward(input, (h_0, c_0)=None)`` returns ``(output, (h_n, c_n))``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)

    def forward(self, input: Tensor,  # noqa: A002
                hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        output, finals = self._run(input, hx, 2)
        batched = input.ndim == 3
        return output, (self._final(finals, 0, batched), self._final(finals, 1, batched))


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z and candidate n;
    ``h_t = (1 - z) * n + z * h_{t-1}`` per layer.

    ``forward(input, h_0=None)`` returns ``(output, h_n)``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None  # noqa: A002
                ) -> tuple[Tensor, Tensor]:
        output, finals = self._run(input, hx, 1)
        return output, self._final(finals, 0, input.ndim == 3)
