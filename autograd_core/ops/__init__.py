"""The built-in ops, by family, attached to `Tensor` as methods and operators.

Each family module defines its Functions, the public functions that apply them, and two
tables: ``METHODS`` (name -> function, attached to Tensor here) and ``FUNCTIONS`` (exported
as ``autograd_core.<name>``). This file is the one place that wires them together.
"""

from __future__ import annotations

from ..tensor import Tensor
from . import (
    activation,
    arithmetic,
    broadcast,
    conv,
    elementwise,
    indexing,
    inplace,
    linalg,
    linear,
    loss,
    movement,
    normalization,
    pooling,
    reduction,
    softmax,
)

FAMILIES = [
    arithmetic, broadcast, elementwise, inplace, reduction, linalg, movement, indexing, softmax,
    linear, activation, normalization, loss, conv, pooling,
]

FUNCTIONS: dict[str, object] = {}
for _family in FAMILIES:
    for _name, _fn in _family.METHODS.items():
        setattr(Tensor, _name, _fn)
    FUNCTIONS.update(_family.FUNCTIONS)

# __eq__ is elementwise, so hashing is by identity, as in PyTorch; object's own (C) hash is
# that identity hash without a Python call per dict lookup (optimizer state is keyed by Tensor)
Tensor.__hash__ = object.__hash__
