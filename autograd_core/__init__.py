"""autograd-core: a readable reverse-mode autograd engine.

``Value`` is a scalar node for watching backprop happen; ``Tensor`` (n-d, numpy storage)
runs on the same engine for training real networks.
"""

from .scalar import Value

__all__ = ["Value"]
__version__ = "0.1.0"
