"""Stateless versions of the layers: ``nn.functional.relu(x)``, ``conv2d(x, w)``, ...

One module per family; this file gathers them.
"""

from autograd_core.ops.softmax import log_softmax, softmax

from .activation import *  # noqa: F403
from .conv import *  # noqa: F403
from .dropout import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .normalization import *  # noqa: F403

__all__ = ["softmax", "log_softmax"]
