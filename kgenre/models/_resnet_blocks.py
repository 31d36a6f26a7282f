"""ResNet basic blocks with torchvision's layout, and ImageNet weight transfer from keras-hub.

The layer names follow keras-hub's `ResNetBackbone` (`conv1_conv`, `conv1_bn`,
`stack{s}_block{b}_{0,1,2}_{conv,bn}`) behind a prefix, so weights move across by name.
Padding is explicit (`ZeroPadding2D` + `"valid"`) wherever the stride is 2, as in torchvision
and keras-hub, so a pretrained kernel sees the same neighbourhood it was trained on.
"""

import os

import keras

from kgenre.layers import BatchNormalization, Conv2D, MaxPooling2D

RESNET_BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}


def _bn(name):
    # PyTorch's defaults (eps 1e-5, momentum 0.1 == Keras momentum 0.9), as torchvision.
    return BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)


def _basic_block(x, filters, stride, conv_shortcut, name):
    if conv_shortcut:
        shortcut = Conv2D(filters, 1, strides=stride, use_bias=False, name=f"{name}_0_conv")(x)
        shortcut = _bn(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    if stride > 1:
        x = keras.layers.ZeroPadding2D(1, name=f"{name}_1_pad")(x)
    x = Conv2D(
        filters,
        3,
        strides=stride,
        padding="valid" if stride > 1 else "same",
        use_bias=False,
        name=f"{name}_1_conv",
    )(x)
    x = _bn(f"{name}_1_bn")(x)
    x = keras.layers.ReLU(name=f"{name}_1_relu")(x)
    x = Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = keras.layers.Add(name=f"{name}_add")([shortcut, x])
    return keras.layers.ReLU(name=f"{name}_out")(x)


def apply_resnet(x, depth=18, width=64, prefix="resnet_"):
    """Applies a ResNet-18/34 trunk (stem, four stages of basic blocks) to `x`.

    Args:
        x: a `(batch, height, width, channels)` tensor.
        depth: 18 or 34.
        width: filters of the stem and the first stage; stages have `width * (1, 2, 4, 8)`.
            64 is torchvision's.
        prefix: prepended to every layer name.

    Returns:
        The `(batch, height / 32, width / 32, 8 * width)` output of the last stage.
    """
    if depth not in RESNET_BLOCKS:
        raise ValueError(f"depth must be one of {sorted(RESNET_BLOCKS)}, got {depth!r}")
    x = keras.layers.ZeroPadding2D(3, name=f"{prefix}conv1_pad")(x)
    x = Conv2D(width, 7, strides=2, use_bias=False, name=f"{prefix}conv1_conv")(x)
    x = _bn(f"{prefix}conv1_bn")(x)
    x = keras.layers.ReLU(name=f"{prefix}conv1_relu")(x)
    # zero padding equals torchvision's -inf padding here: the input is >= 0 after ReLU
    x = keras.layers.ZeroPadding2D(1, name=f"{prefix}pool1_pad")(x)
    x = MaxPooling2D(3, strides=2, name=f"{prefix}pool1_pool")(x)
    for stage, blocks in enumerate(RESNET_BLOCKS[depth]):
        filters = width * 2**stage
        for block in range(blocks):
            stride = 2 if (stage > 0 and block == 0) else 1
            x = _basic_block(
                x,
                filters,
                stride,
                conv_shortcut=(stage > 0 and block == 0),
                name=f"{prefix}stack{stage}_block{block}",
            )
    return x


def transfer_resnet_weights(target, source, prefix="resnet_"):
    """Copies the convolution and batch norm weights of a ResNet `source` into `target`.

    `source` is a keras-hub `ResNetBackbone` (or any model whose layers carry keras-hub's
    names); each of its `Conv2D` / `BatchNormalization` layers named `n` is copied into the
    layer `prefix + n` of `target`. A stem kernel with 3 input channels is summed over its
    channels when the target stem takes 1 channel (timm's `adapt_input_conv`), so an ImageNet
    ResNet can start a log-mel model.

    Returns:
        The number of layers copied.

    Raises:
        ValueError: when a layer is missing from either model (a ResNet-18 source for a
            ResNet-34 target, say) or a shape does not match.
    """
    copied = 0
    for layer in source.layers:
        if not isinstance(layer, _WEIGHTED):
            continue
        try:
            dest = target.get_layer(prefix + layer.name)
        except ValueError as error:
            raise ValueError(
                f"the source ResNet has a layer {layer.name!r} that {target.name!r} lacks "
                f"(expected {prefix + layer.name!r}); is it a ResNet-18/34 v1 with basic blocks?"
            ) from error
        values = [keras.ops.convert_to_numpy(w) for w in layer.weights]
        wanted = [tuple(w.shape) for w in dest.weights]
        if (
            isinstance(layer, keras.layers.Conv2D)
            and layer.name == "conv1_conv"
            and values[0].shape[2] == 3
            and wanted[0][2] == 1
        ):
            values[0] = values[0].sum(axis=2, keepdims=True)
        got = [v.shape for v in values]
        if got != wanted:
            raise ValueError(
                f"cannot copy ImageNet weights into layer {dest.name!r}: source shapes {got}, "
                f"target shapes {wanted}"
            )
        dest.set_weights(values)
        copied += 1
    expected = sum(
        isinstance(layer, _WEIGHTED) and layer.name.startswith(prefix) for layer in target.layers
    )
    if copied != expected:
        raise ValueError(
            f"the source model {source.name!r} filled {copied} of the {expected} ResNet layers "
            f"of {target.name!r}; is its depth the same?"
        )
    return copied


_WEIGHTED = (keras.layers.Conv2D, keras.layers.BatchNormalization)
# keras-hub's ImageNet ResNet v1 presets with basic blocks (it has no ResNet-34 v1 preset)
IMAGENET_PRESETS = {18: "resnet_18_imagenet"}


def load_keras_hub_resnet(backbone_weights, depth=18):
    """The keras-hub `ResNetBackbone` whose weights start a kgenre ResNet, or `None`.

    Args:
        backbone_weights: `None` (random weights: returns `None`); `"imagenet"`, keras-hub's
            ImageNet preset for `depth` (`resnet_18_imagenet`, which keras-hub downloads from
            Kaggle on first use and caches); a local keras-hub preset directory, for offline
            machines (write one where a network is at hand with
            `keras_hub.models.Backbone.from_preset("resnet_18_imagenet").save_to_preset(DIR)`);
            or any other keras-hub preset handle.
        depth: the depth of the model being built, 18 or 34.

    Raises:
        ImportError: keras-hub is not installed.
        FileNotFoundError: `backbone_weights` looks like a local path that does not exist.
        ValueError: no ImageNet preset for `depth`, or the preset cannot be loaded (e.g. a
            download while offline).
    """
    if backbone_weights is None:
        return None
    try:
        import keras_hub
    except ImportError as error:
        raise ImportError(
            f"backbone_weights={backbone_weights!r} needs keras-hub (`pip install keras-hub`, "
            "or kgenre's `pretrained` extra) to read the ResNet preset; use "
            "backbone_weights=None to start from random weights"
        ) from error
    preset = backbone_weights
    if backbone_weights == "imagenet":
        if depth not in IMAGENET_PRESETS:
            raise ValueError(
                f"keras-hub has no ImageNet ResNet-{depth} preset with basic blocks; pass a "
                "local preset directory as backbone_weights, or use depth=18"
            )
        preset = IMAGENET_PRESETS[depth]
    elif (
        "://" not in preset
        and (os.sep in preset or preset.startswith("."))
        and not os.path.exists(preset)
    ):
        raise FileNotFoundError(
            f"backbone_weights: no keras-hub preset directory at {backbone_weights!r}"
        )
    try:
        return keras_hub.models.Backbone.from_preset(preset)
    except Exception as error:
        raise ValueError(
            f"could not load the keras-hub preset {preset!r} (offline? save it once with "
            "keras_hub.models.Backbone.from_preset(...).save_to_preset(DIR) where a network is "
            f"at hand and pass DIR): {error}"
        ) from error
