import keras

from kgenre.models._base import PresetModel, check_positive, check_rate
from kgenre.models._nnet_blocks import (
    conv,
    dense_head,
    global_max_and_average,
    spectrogram_to_sequence,
)


@keras.saving.register_keras_serializable(package="kgenre")
class NNet1(PresetModel):
    """nnet1 (Zhang et al., 2016) as used in SoundFusion: a three-layer CNN over time.

    Three convolutions, the first two followed by max-pooling; the last by max- and average
    pooling over time, concatenated; then dense layers and a softmax (SoundFusion slides,
    "nnet 1 and nnet 2").

    The SoundFusion slides describe nnet1 / nnet2 only in words; the slides give no sizes.
    The sizes here are our reading of Zhang et al. (2016): 1D convolutions over time with the
    mel bands as channels, kernel 4, 256 / 256 / 512 filters, max-pooling 4 and 2, two dense
    layers of 2,048 units and dropout 0.5. We could not check them against the paper's text
    here; batch normalization after each convolution is our addition for stable training.

    Args:
        num_classes: Defaults to 8 (FMA-small).
        input_shape: `(bands, frames, 1)` log-mel. Defaults to `(64, 216, 1)`.
        filters: the three convolutions' filters. Defaults to `(256, 256, 512)`.
        kernel_size: Defaults to 4.
        pool_sizes: the two max-poolings. Defaults to `(4, 2)`.
        dense_units: Defaults to `(2048, 2048)`.
        dropout: Defaults to 0.5.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, bands, frames, 1)`.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = NNet1.from_preset("small")
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
            "filters": (8, 8, 16),
            "dense_units": (16, 16),
        },
    }

    def __init__(
        self,
        num_classes=8,
        input_shape=(64, 216, 1),
        filters=(256, 256, 512),
        kernel_size=4,
        pool_sizes=(4, 2),
        dense_units=(2048, 2048),
        dropout=0.5,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        input_shape = tuple(input_shape)
        filters = tuple(int(f) for f in filters)
        pool_sizes = tuple(int(p) for p in pool_sizes)
        dense_units = tuple(int(u) for u in dense_units)
        if len(filters) != 3 or len(pool_sizes) != 2:
            raise ValueError(
                f"nnet1 has three convolutions and two poolings, got filters={filters} and "
                f"pool_sizes={pool_sizes}"
            )

        # inputs
        inputs = keras.Input(shape=input_shape, name="log_mel")
        x = spectrogram_to_sequence(inputs)
        # convolutions
        for i, width in enumerate(filters):
            x = conv(x, width, kernel_size, f"conv{i + 1}")
            if i < 2:
                x = keras.layers.MaxPooling1D(pool_sizes[i], name=f"pool{i + 1}")(x)
        # head
        x = global_max_and_average(x)
        outputs = dense_head(x, dense_units, dropout, num_classes, classifier_activation)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self._record_config(
            num_classes=num_classes,
            input_shape=input_shape,
            filters=filters,
            kernel_size=kernel_size,
            pool_sizes=pool_sizes,
            dense_units=dense_units,
            dropout=dropout,
            classifier_activation=classifier_activation,
        )
