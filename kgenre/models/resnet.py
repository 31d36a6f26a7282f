import keras

from kgenre.models._base import PresetModel, check_positive, classifier, records_arguments
from kgenre.models._resnet_blocks import (
    apply_resnet,
    load_keras_hub_resnet,
    transfer_resnet_weights,
)


@keras.saving.register_keras_serializable(package="kgenre")
class ResNet(PresetModel):
    """ResNet-18 / ResNet-34 with torchvision's layout, on any 2D input.

    Stem (7x7/2 convolution, batch norm, ReLU, 3x3/2 max-pool), four stages of basic blocks
    (`(2, 2, 2, 2)` for 18, `(3, 4, 6, 3)` for 34) with `width * (1, 2, 4, 8)` filters, a
    1x1/2 projection shortcut opening stages 2-4, bias-free convolutions, batch norm with
    epsilon 1e-5 and momentum 0.9; then global average pooling and a dense classifier. With
    `width=64` and a 1000-class head the trainable parameter counts equal torchvision's
    (resnet18: 11,689,512; resnet34: 21,797,672). Layer names follow keras-hub's
    `ResNetBackbone`, so ImageNet weights load by name (`backbone_weights`).

    SoundFusion's "ResNet2D" is this ResNet-34 on a 64-band log-mel image, with the width
    scaled to F = 16 / 32 / 64 (small / medium / large; presets `soundfusion_s/m/l`).

    Args:
        num_classes: classes of the head. Defaults to 1000 (ImageNet).
        depth: 18 or 34. Defaults to 18.
        width: filters of the first stage (F). Defaults to 64 (torchvision).
        input_shape: `(height, width, channels)`; `None` sizes are allowed. Defaults to
            `(224, 224, 3)`.
        include_top: add pooling and the classifier; if False the output is the last
            stage's feature map (or its pooling, see `pooling`). Defaults to True.
        pooling: `"avg"`, `"max"` or `None` (only used when `include_top=False`).
        dropout: dropout rate before the classifier (SoundFusion's regularization study
            used 0.3-0.5). Defaults to 0.
        classifier_activation: `"softmax"` (probabilities) or `None` (logits).
        backbone_weights: `None` (random weights, the default), `"imagenet"` (keras-hub's
            ImageNet ResNet-18, downloaded by keras-hub on first use; keras-hub has no
            ResNet-34 v1 preset) or a local keras-hub preset directory, whose convolution and
            batch norm weights are copied in. Needs keras-hub.
        **kwargs: `keras.Model` arguments (`name`, ...).

    Input shape:
        `(batch,) + input_shape`.

    Output shape:
        `(batch, num_classes)` with `include_top`.

    Example:

    >>> model = ResNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 32, 32, 1), "float32")).shape)
    (2, 4)

    References:
        - He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.
        - torchvision.models.resnet18 / resnet34 (the layout and parameter counts).
        - Ausilio, Keshavarz & Prodan, SoundFusion slides ("ResNet 2D", width scaling).
    """

    presets = {
        "paper": {"num_classes": 1000, "depth": 18, "input_shape": (224, 224, 3)},
        "resnet18": {"num_classes": 1000, "depth": 18, "input_shape": (224, 224, 3)},
        "resnet34": {"num_classes": 1000, "depth": 34, "input_shape": (224, 224, 3)},
        "soundfusion_s": {"num_classes": 8, "depth": 34, "width": 16, "input_shape": (64, 216, 1)},
        "soundfusion_m": {"num_classes": 8, "depth": 34, "width": 32, "input_shape": (64, 216, 1)},
        "soundfusion_l": {"num_classes": 8, "depth": 34, "width": 64, "input_shape": (64, 216, 1)},
        "small": {"num_classes": 4, "depth": 18, "width": 8, "input_shape": (32, 32, 1)},
    }

    # the weights travel with a saved file; a reload never fetches them again
    not_saved = ("backbone_weights",)

    @records_arguments
    def __init__(
        self,
        num_classes=1000,
        depth=18,
        width=64,
        input_shape=(224, 224, 3),
        include_top=True,
        pooling="avg",
        dropout=0.0,
        classifier_activation="softmax",
        backbone_weights=None,
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("width", width)
        if pooling not in ("avg", "max", None):
            raise ValueError(f'pooling must be "avg", "max" or None, got {pooling!r}')
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"input_shape must be (height, width, channels), got {input_shape}")

        # fail before building anything when the pretrained backbone cannot be had
        source = load_keras_hub_resnet(backbone_weights, depth)

        # inputs
        inputs = keras.Input(shape=input_shape, name="image")
        # backbone
        x = apply_resnet(inputs, depth=depth, width=width)
        # head
        if include_top or pooling == "avg":
            x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
        elif pooling == "max":
            x = keras.layers.GlobalMaxPooling2D(name="pool")(x)
        if include_top:
            if dropout:
                x = keras.layers.Dropout(dropout, name="dropout")(x)
            x = classifier(x, num_classes, classifier_activation, "predictions")
        super().__init__(inputs=inputs, outputs=x, **kwargs)
        if source is not None:
            transfer_resnet_weights(self, source)
