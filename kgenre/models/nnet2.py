import keras

from kgenre.models._base import PresetModel, check_positive, check_rate
from kgenre.models._nnet_blocks import (
    conv,
    dense_head,
    global_max_and_average,
    spectrogram_to_sequence,
)


@keras.saving.register_keras_serializable(package="kgenre")
class NNet2(PresetModel):
    """nnet2 (Zhang et al., 2016) as used in SoundFusion: nnet1 with one residual block.

    "Only one residual block with three convolutional layers and a shortcut connection between
    the first and the output of the third layer" (SoundFusion slides): conv1 -> max-pool, then
    conv2 and conv3 (same width, "same" padding), conv3's output added to conv1's pooled
    output, then max- and average pooling over time, dense layers and a softmax.

    The SoundFusion slides describe nnet1 / nnet2 only in words; the slides give no sizes.
    The sizes here are our reading of Zhang et al. (2016): 1D convolutions over time with the
    mel bands as channels, kernel 4, 256 / 256 / 512 filters (nnet2: 256 in the block), max-pooling 4 and 2, two dense
    layers of 2,048 units and dropout 0.5. We could not check them against the paper's text
    here; batch normalization after each convolution is our addition for stable training.

    Args:
        num_classes: Defaults to 8.
        input_shape: `(bands, frames, 1)`. Defaults to `(64, 216, 1)`.
        filters: width of the three convolutions of the block. Defaults to 256.
        kernel_size: Defaults to 4.
        pool_size: max-pooling after conv1. Defaults to 4.
        dense_units: Defaults to `(2048, 2048)`.
        dropout: Defaults to 0.5.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, bands, frames, 1)`.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = NNet2.from_preset("small")
    >>> tuple(model(np.zeros((2, 16, 32, 1), "float32")).shape)
    (2, 4)

    References:
        - Zhang, Lei, Xu & Xing, "Improved music genre classification with convolutional
          neural networks", Interspeech 2016.
        - Ausilio, Keshavarz & Prodan, SoundFusion slides (kgenre seed 001).
    """

    presets = {
        "paper": {},
        "small": {
            "num_classes": 4,
            "input_shape": (16, 32, 1),
            "filters": 8,
            "dense_units": (16, 16),
        },
    }

    def __init__(
        self,
        num_classes=8,
        input_shape=(64, 216, 1),
        filters=256,
        kernel_size=4,
        pool_size=4,
        dense_units=(2048, 2048),
        dropout=0.5,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("filters", filters)
        check_rate("dropout", dropout)
        input_shape = tuple(input_shape)
        dense_units = tuple(int(u) for u in dense_units)

        # inputs
        inputs = keras.Input(shape=input_shape, name="log_mel")
        x = spectrogram_to_sequence(inputs)
        # residual block
        first = conv(x, filters, kernel_size, "conv1")
        first = keras.layers.MaxPooling1D(pool_size, name="pool1")(first)
        x = conv(first, filters, kernel_size, "conv2")
        x = keras.layers.Conv1D(filters, kernel_size, padding="same", name="conv3_conv")(x)
        x = keras.layers.BatchNormalization(name="conv3_bn")(x)
        x = keras.layers.Add(name="shortcut_add")([first, x])
        x = keras.layers.ReLU(name="conv3_relu")(x)
        # head
        x = global_max_and_average(x)
        outputs = dense_head(x, dense_units, dropout, num_classes, classifier_activation)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self._record_config(
            num_classes=num_classes,
            input_shape=input_shape,
            filters=filters,
            kernel_size=kernel_size,
            pool_size=pool_size,
            dense_units=dense_units,
            dropout=dropout,
            classifier_activation=classifier_activation,
        )
