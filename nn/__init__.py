"""Neural-network building blocks on top of autograd_core, with PyTorch's names.

``nn.Module`` and ``nn.Parameter``; containers; layers, activations, normalization,
dropout and losses; ``nn.init``, ``nn.functional`` and ``nn.utils``; ``nn.save`` and
``nn.load`` for ``.npz`` checkpoints. ``nn.scalar`` holds the `Value`-based MLP.
"""

from . import activation as _activation
from . import conv as _conv
from . import dropout as _dropout
from . import functional, init, monitor, utils
from . import linear as _linear
from . import loss as _loss
from . import normalization as _normalization
from . import pooling as _pooling
from . import recurrent as _recurrent
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
    "save", "load", "functional", "init", "monitor", "utils",
    *_activation.__all__, *_conv.__all__, *_dropout.__all__, *_linear.__all__, *_loss.__all__,
    *_normalization.__all__, *_pooling.__all__, *_recurrent.__all__,
]
