"""kgenre's custom Keras 3 layers (backend-agnostic `keras.ops`; the few speed-only backend
paths live in `kgenre.backend_ops`)."""

from kgenre.layers.attention_pooling import AttentionPooling
from kgenre.layers.batch_normalization import BatchNormalization
from kgenre.layers.conv2d import Conv2D
from kgenre.layers.max_pooling2d import MaxPooling2D
from kgenre.layers.multi_scale_sinc_net import MultiScaleSincNet
from kgenre.layers.separable_conv_stack import SeparableConvStack
from kgenre.layers.sinc_conv1d import SincConv1D
from kgenre.layers.sinc_implementation import IMPLEMENTATIONS, sinc_implementation
from kgenre.layers.spatial_pyramid_pooling import SpatialPyramidPooling
from kgenre.layers.spec_augment import SpecAugment

__all__ = [
    "IMPLEMENTATIONS",
    "AttentionPooling",
    "BatchNormalization",
    "Conv2D",
    "MaxPooling2D",
    "MultiScaleSincNet",
    "SeparableConvStack",
    "SincConv1D",
    "SpatialPyramidPooling",
    "SpecAugment",
    "sinc_implementation",
]
