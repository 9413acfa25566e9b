"""A tiny multilayer perceptron over scalar `Value`s, for teaching and for comparing with micrograd.

Every weight is its own `Value`, so the whole network's graph can be drawn and stepped
through node by node. Train real networks with the tensor layers instead.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from autograd_core.scalar import Value, weighted_sum


class Neuron:
    """``act(w . x + b)``: weights uniform in [-1, 1], bias 0, ReLU unless ``nonlin=False``."""

    def __init__(self, n_inputs: int, nonlin: bool = True, rng: random.Random | None = None):
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1.0, 1.0)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(
                f"Neuron expects {len(self.w)} inputs, got {len(x)}: the input's length must "
                "match the n_inputs the neuron was built with."
            )
        act = weighted_sum(self.b, self.w, x)  # self.b + w0*x0 + w1*x1 + ..., one node per op
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer:
    """``n_outputs`` neurons that all see the same input."""

    def __init__(self, n_inputs: int, n_outputs: int, nonlin: bool = True,
                 rng: random.Random | None = None):
        self.neurons = [Neuron(n_inputs, nonlin, rng) for _ in range(n_outputs)]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP:
    """``MLP(2, [16, 16, 1])``: ReLU hidden layers and a linear output layer."""

    def __init__(self, n_inputs: int, layer_sizes: Sequence[int],
                 rng: random.Random | None = None):
        sizes = [n_inputs, *layer_sizes]
        last = len(layer_sizes) - 1
        self.layers = [
            Layer(n_in, n_out, nonlin=i != last, rng=rng)
            for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out: Sequence[Value | float] = x
        for layer in self.layers:
            out = layer(out)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
