"""Allamy & Koerich's 1D residual network, shared by `ResNet1D` and `SoundFusion`."""

import keras

from kgenre.layers import BatchNormalization


def _bn(name):
    return BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)


def _act(name, slope):
    return keras.layers.LeakyReLU(negative_slope=slope, name=name)


def res1d_block(x, filters, slope, name):
    """conv3 -> BN -> LeakyReLU -> conv3 -> BN, plus an identity (or 1x1 conv + BN) shortcut."""
    if x.shape[-1] != filters:
        shortcut = keras.layers.Conv1D(filters, 1, name=f"{name}_shortcut_conv")(x)
        shortcut = _bn(f"{name}_shortcut_bn")(shortcut)
    else:
        shortcut = x
    y = keras.layers.Conv1D(filters, 3, padding="same", name=f"{name}_conv1")(x)
    y = _bn(f"{name}_bn1")(y)
    y = _act(f"{name}_act1", slope)(y)
    y = keras.layers.Conv1D(filters, 3, padding="same", name=f"{name}_conv2")(y)
    y = _bn(f"{name}_bn2")(y)
    y = keras.layers.Add(name=f"{name}_add")([shortcut, y])
    return _act(f"{name}_out", slope)(y)


def block_widths(width):
    """The nine residual blocks' filters for base width F: F, F, 2F x 6, 4F (table: F=128)."""
    return (width, width) + (2 * width,) * 6 + (4 * width,)


def apply_resnet1d(x, width, slope, prefix=""):
    """Waveform `(batch, samples)` -> `(batch, 4 * width)` features (before the classifier)."""
    x = keras.layers.Reshape((-1, 1), name=f"{prefix}to_sequence")(x)
    x = keras.layers.Conv1D(width, 3, strides=3, name=f"{prefix}conv_in")(x)
    x = _bn(f"{prefix}conv_in_bn")(x)
    x = _act(f"{prefix}conv_in_act", slope)(x)
    for i, filters in enumerate(block_widths(width)):
        x = res1d_block(x, filters, slope, f"{prefix}res{i + 1}")
        if x.shape[1] is not None and x.shape[1] < 3:
            raise ValueError(
                f"the input is too short for ResNet1D: {x.shape[1]} frames left before "
                f"max-pooling {i + 1} (the paper uses 110,250 samples)"
            )
        x = keras.layers.MaxPooling1D(3, name=f"{prefix}pool{i + 1}")(x)
    x = keras.layers.Conv1D(4 * width, 1, name=f"{prefix}conv_out")(x)
    x = _bn(f"{prefix}conv_out_bn")(x)
    x = _act(f"{prefix}conv_out_act", slope)(x)
    return keras.layers.GlobalAveragePooling1D(name=f"{prefix}pool_out")(x)
