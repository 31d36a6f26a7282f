import os

import keras

from kgenre.models._base import (
    PresetModel,
    check_positive,
    check_rate,
    classifier,
    records_arguments,
)


@keras.saving.register_keras_serializable(package="kgenre")
class VGG16Transfer(PresetModel):
    """SoundFusion's transfer-learning model: VGG16's convolutional base on a log-mel image.

    The one-channel log-mel spectrogram is repeated to three channels, passed through
    `keras.applications.VGG16` without its top, globally averaged and classified by a dense
    layer (SoundFusion slides, "Transfer Learning"). The slides compare three starts: random
    weights (`weights=None`, the default), ImageNet weights, and weights of a VGG16 trained on
    GTZAN; either can be given as a local `.weights.h5` / `.h5` file of the VGG16 base without
    top, which is read as it is. `weights="imagenet"` instead asks Keras to download its
    ImageNet file (cached by Keras) and fails with a clear error when offline.

    Args:
        num_classes: Defaults to 8 (FMA-small).
        input_shape: `(bands, frames, 1)`. Defaults to `(64, 216, 1)`.
        weights: `None`, a path to VGG16 no-top weights, or `"imagenet"`.
        freeze_base: keep the VGG16 base frozen. Defaults to False (fine-tuning).
        dropout: before the classifier. Defaults to 0.5.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, bands, frames, 1)`, bands and frames >= 32.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = VGG16Transfer.from_preset("small")
    >>> tuple(model(np.zeros((2, 32, 32, 1), "float32")).shape)
    (2, 4)

    References:
        - Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
          Recognition", ICLR 2015.
        - Ausilio, Keshavarz & Prodan, SoundFusion slides (kgenre seed 001).
    """

    presets = {"paper": {}, "small": {"num_classes": 4, "input_shape": (32, 32, 1)}}

    # the weights travel with a saved file; a reload never fetches them again
    not_saved = ("weights",)

    @records_arguments
    def __init__(
        self,
        num_classes=8,
        input_shape=(64, 216, 1),
        weights=None,
        freeze_base=False,
        dropout=0.5,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
            raise ValueError(f"input_shape must be (bands, frames, 1 or 3), got {input_shape}")
        if weights not in (None, "imagenet") and not os.path.isfile(weights):
            raise FileNotFoundError(f"VGG16 weights file not found: {weights!r}")

        # inputs
        inputs = keras.Input(shape=input_shape, name="log_mel")
        x = inputs
        if input_shape[-1] == 1:
            x = keras.layers.Concatenate(name="to_rgb")([x, x, x])
        # backbone
        try:
            base = keras.applications.VGG16(
                include_top=False, weights=weights, input_shape=input_shape[:2] + (3,)
            )
        except Exception as error:
            if weights == "imagenet":
                raise ValueError(
                    "could not get the ImageNet VGG16 weights (offline?); download "
                    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 once and pass its path "
                    f"as weights=...: {error}"
                ) from error
            raise
        base.trainable = not freeze_base
        x = base(x)
        # head
        x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name="dropout")(x)
        outputs = classifier(x, num_classes, classifier_activation, "predictions")
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
