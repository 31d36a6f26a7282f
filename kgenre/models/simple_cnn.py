import keras

from kgenre.layers import BatchNormalization, Conv2D
from kgenre.models._base import (
    PresetModel,
    check_positive,
    check_rate,
    classifier,
    records_arguments,
)


@keras.saving.register_keras_serializable(package="kgenre")
class SimpleCNN(PresetModel):
    """SoundFusion's SimpleCNN: four strided conv blocks, global average pooling, a linear layer.

    Conv 5x5 stride 2 padding 2, then three conv 3x3 stride 2 padding 1, each followed by ReLU
    and batch norm (in that order, as the slides' layer listing shows), adaptive average
    pooling and a linear classifier (SoundFusion slides, "SimpleCNN"). The slides give 25,472
    parameters but no widths; 8, 16, 32, 64 filters on a stereo (2-channel) mel spectrogram
    with 8 classes give exactly 25,472 (the slides' mel settings are stereo, 64 bands).

    Args:
        num_classes: Defaults to 8 (FMA-small).
        input_shape: `(bands, frames, channels)`. Defaults to `(64, 216, 2)`: 5-s clips, 64
            mel bands, hop 512 at 22,050 Hz, stereo.
        filters: the four blocks' filters. Defaults to `(8, 16, 32, 64)`.
        dropout: before the classifier. Defaults to 0.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch,) + input_shape`.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = SimpleCNN()
    >>> sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    25472

    References:
        - Ausilio, Keshavarz & Prodan, SoundFusion slides (kgenre seed 001).
    """

    presets = {"paper": {}, "small": {"num_classes": 4, "input_shape": (16, 32, 2)}}

    @records_arguments
    def __init__(
        self,
        num_classes=8,
        input_shape=(64, 216, 2),
        filters=(8, 16, 32, 64),
        dropout=0.0,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        input_shape = tuple(input_shape)
        filters = tuple(int(f) for f in filters)

        # inputs
        inputs = keras.Input(shape=input_shape, name="log_mel")
        x = inputs
        # conv blocks; explicit padding keeps PyTorch's symmetric padding at stride 2
        for i, width in enumerate(filters):
            kernel = 5 if i == 0 else 3
            x = keras.layers.ZeroPadding2D(kernel // 2, name=f"block{i + 1}_pad")(x)
            x = Conv2D(width, kernel, strides=2, name=f"block{i + 1}_conv")(x)
            x = keras.layers.ReLU(name=f"block{i + 1}_relu")(x)
            x = BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"block{i + 1}_bn")(x)
        # head
        x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name="dropout")(x)
        outputs = classifier(x, num_classes, classifier_activation, "predictions")
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
