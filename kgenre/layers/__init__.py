"""kgenre's custom Keras 3 layers (backend-agnostic: `keras.ops` only)."""

from kgenre.layers.attention_pooling import AttentionPooling
from kgenre.layers.multi_scale_sinc_net import MultiScaleSincNet
from kgenre.layers.separable_conv_stack import SeparableConvStack
from kgenre.layers.sinc_conv1d import SincConv1D
from kgenre.layers.sinc_implementation import IMPLEMENTATIONS, sinc_implementation
from kgenre.layers.spatial_pyramid_pooling import SpatialPyramidPooling

__all__ = [
    "IMPLEMENTATIONS",
    "AttentionPooling",
    "MultiScaleSincNet",
    "SeparableConvStack",
    "SincConv1D",
    "SpatialPyramidPooling",
    "sinc_implementation",
]
