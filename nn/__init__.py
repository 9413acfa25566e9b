"""Neural-network building blocks on top of autograd_core, with PyTorch's names.

``nn.Module`` and ``nn.Parameter``; containers; layers, activations, normalization,
dropout and losses; ``nn.init``, ``nn.functional`` and ``nn.utils``; ``nn.save`` and
``nn.load`` for ``.npz`` checkpoints. ``nn.scalar`` holds the `Value`-based MLP.
"""

from . import functional, init, utils
from .activation import *  # noqa: F403
from .containers import Flatten, Identity, ModuleDict, ModuleList, Sequential
from .conv import *  # noqa: F403
from .dropout import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .module import Module, Parameter
from .normalization import *  # noqa: F403
from .pooling import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .serialization import load, save

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "Identity", "Flatten",
    "save", "load", "functional", "init", "utils",
]
