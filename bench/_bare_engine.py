"""The least a tensor engine written in Python can do: the floor for ``op_overhead``.

Three ops (``*``, ``+``, ``sum``) on numpy arrays, each recording its inputs and a closure
that maps the output's gradient to theirs, and a backward that orders the graph and
applies the closures. Nothing else: no broadcasting, dtypes, checks, version counters,
hooks, grad modes, saved-value release or second order. Timing it beside autograd_core
shows how much of the per-op cost is Python's own and how much is the engine's features.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class BareTensor:
    __slots__ = ("data", "grad", "inputs", "backward_fn")

    def __init__(self, data: np.ndarray, inputs: tuple = (),
                 backward_fn: Callable | None = None) -> None:
        self.data = data
        self.grad = None
        self.inputs = inputs
        self.backward_fn = backward_fn

    def __mul__(self, other: BareTensor) -> BareTensor:
        a, b = self.data, other.data
        return BareTensor(a * b, (self, other), lambda g: (g * b, g * a))

    def __add__(self, other: BareTensor) -> BareTensor:
        return BareTensor(self.data + other.data, (self, other), lambda g: (g, g))

    def sum(self) -> BareTensor:
        shape = self.data.shape
        return BareTensor(self.data.sum(), (self,), lambda g: (np.broadcast_to(g, shape),))

    def backward(self) -> None:
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth-first, each node after its inputs
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node.inputs)
        grads = {self: np.ones_like(self.data)}
        for node in reversed(order):
            g = grads.pop(node)
            if node.backward_fn is None:  # a leaf
                node.grad = g if node.grad is None else node.grad + g
                continue
            for child, child_grad in zip(node.inputs, node.backward_fn(g)):
                grads[child] = grads[child] + child_grad if child in grads else child_grad
