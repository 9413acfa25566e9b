"""First-order optimizers: SGD (two momentum forms), SignSGD, Adagrad, RMSprop, Adam, AdamW.

Each follows ``torch.optim``'s arguments, defaults and update rule operation for operation
(see ``sgd.py`` and ``adaptive.py``); the momentum-SGD and Adam-family updates run as one
fused kernel per parameter (``autograd_core/kernels/optim.py``).
"""

from .adaptive import Adagrad, Adam, AdamW, RMSprop
from .sgd import SGD, SignSGD

__all__ = ["SGD", "SignSGD", "Adagrad", "RMSprop", "Adam", "AdamW"]
