"""Convolution and pooling as functions (the layers without state), PyTorch's names.

They live in autograd_core (``autograd_core.ops.conv`` and ``autograd_core.ops.pooling``):
convolution, max and average pooling are one node each in the graph, with a hand-written
backward; adaptive average pooling is composed of a reshape and a mean, or of matmuls.
"""

from autograd_core.ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from autograd_core.ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

__all__ = [
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
    "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
]
