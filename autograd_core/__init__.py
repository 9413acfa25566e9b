"""autograd-core: a readable reverse-mode autograd engine.

``Value`` is a scalar node for watching backprop happen; ``Tensor`` (n-d, numpy storage)
runs on the same engine for training real networks. The names follow PyTorch.
"""

import warnings as _warnings

from . import dtypes
from .anomaly import detect_anomaly
from .autograd import backward, grad
from .creation import FUNCTIONS as _CREATION
from .dtypes import bool_, double, float32, float64, int32, int64, long
from .function import Context, Function, functions, once_differentiable
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops import FUNCTIONS as _OPS
from .scalar import Value
from .stepper import Step, backward_steps, step_through
from .tensor import Tensor
from .viz import Graph, GraphvizNotFound, draw

# IEEE results (inf - inf = nan, 1/0 = inf) are answers here, as in PyTorch, not warnings:
# silence numpy's floating-point warnings raised from inside this package only.
_warnings.filterwarnings(
    "ignore", message=r"(invalid value|divide by zero|overflow) encountered",
    category=RuntimeWarning, module=r"autograd_core\.",
)

float = float32  # noqa: A001 - PyTorch's alias: autograd_core.float is float32
bool = bool_  # noqa: A001

globals().update(_CREATION)
globals().update(_OPS)

__all__ = [
    "Value", "Tensor", "Function", "Context", "functions", "once_differentiable", "grad",
    "backward", "gradcheck", "gradgradcheck", "GradcheckError", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "dtypes", "float32", "float64", "int32", "int64", "bool_", "double",
    "long", "draw", "Graph", "GraphvizNotFound", "backward_steps", "step_through", "Step",
    *_CREATION, *_OPS,
]
__version__ = "0.1.0"
