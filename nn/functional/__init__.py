"""Stateless versions of the layers: ``nn.functional.relu(x)``, ``conv2d(x, w)``, ...

One module per family; this file gathers them.
"""

from autograd_core.ops.softmax import log_softmax, softmax

from . import activation as _activation
from . import conv as _conv
from . import dropout as _dropout
from . import linear as _linear
from . import loss as _loss
from . import normalization as _normalization
from .activation import *  # noqa: F403
from .conv import *  # noqa: F403
from .dropout import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .normalization import *  # noqa: F403

__all__ = [
    "softmax", "log_softmax",
    *_activation.__all__, *_conv.__all__, *_dropout.__all__, *_linear.__all__, *_loss.__all__,
    *_normalization.__all__,
]
