"""Optimizers, learning-rate schedules, gradient transforms and parameter averaging.

An optimizer takes any iterable of tensors (``model.parameters()``); ``optim`` never
imports ``nn``. Names and arguments follow ``torch.optim``.
"""

from . import lr_scheduler
from .averaging import *  # noqa: F403
from .first_order import *  # noqa: F403
from .optimizer import Optimizer, required
from .second_order import *  # noqa: F403
from .transforms import *  # noqa: F403

__all__ = ["Optimizer", "required", "lr_scheduler"]
