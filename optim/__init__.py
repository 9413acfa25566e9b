"""Optimizers, learning-rate schedules, gradient transforms and parameter averaging.

An optimizer takes any iterable of tensors (``model.parameters()``); ``optim`` never
imports ``nn``. Names and arguments follow ``torch.optim``.
"""

from . import averaging as _averaging
from . import first_order as _first_order
from . import lr_scheduler
from . import second_order as _second_order
from . import training as _training
from . import transforms as _transforms
from .averaging import *  # noqa: F403
from .first_order import *  # noqa: F403
from .optimizer import Optimizer, required
from .second_order import *  # noqa: F403
from .training import *  # noqa: F403
from .transforms import *  # noqa: F403

__all__ = [
    "Optimizer", "required", "lr_scheduler",
    *_averaging.__all__, *_first_order.__all__, *_second_order.__all__, *_transforms.__all__,
    *_training.__all__,
]
