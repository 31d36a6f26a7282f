import keras

from kgenre.layers import BatchNormalization
from kgenre.models._base import PresetModel, check_positive, check_rate, records_arguments
from kgenre.models._nnet_blocks import (
    conv,
    dense_head,
    global_max_and_average,
    spectrogram_to_sequence,
)


@keras.saving.register_keras_serializable(package="kgenre")
class NNet1(PresetModel):
    """nnet1 and nnet2 (Zhang et al., 2016) as used in SoundFusion: CNNs over time.

    Three convolutions over time with the mel bands as channels, then max- and average pooling
    over time, concatenated, dense layers and a softmax (SoundFusion slides, "nnet 1 and
    nnet 2"):

    - `residual=False`, nnet1: each of the first two convolutions is followed by max-pooling.
    - `residual=True`, nnet2: "only one residual block with three convolutional layers and a
      shortcut connection between the first and the output of the third layer": conv1 ->
      max-pool, then conv2 and conv3, conv3's output (before its ReLU) added to conv1's pooled
      output. `filters[0]` must equal `filters[2]`; only `pool_sizes[0]` is used.
      `NNet2` is this model under its own name.

    The SoundFusion slides describe nnet1 / nnet2 only in words; the slides give no sizes.
    The sizes here are our reading of Zhang et al. (2016): kernel 4, 256 / 256 / 512 filters
    (nnet2: 256 throughout the block), max-pooling 4 and 2, two dense layers of 2,048 units and
    dropout 0.5. We could not check them against the paper's text here; batch normalization
    after each convolution is our addition for stable training.

    Args:
        num_classes: Defaults to 8 (FMA-small).
        input_shape: `(bands, frames, 1)` log-mel. Defaults to `(64, 216, 1)`.
        filters: the three convolutions' filters. Defaults to `(256, 256, 512)`.
        kernel_size: Defaults to 4.
        pool_sizes: the max-poolings after conv1 and conv2. Defaults to `(4, 2)`.
        dense_units: Defaults to `(2048, 2048)`.
        dropout: Defaults to 0.5.
        classifier_activation: `"softmax"` or `None`.
        residual: nnet2's shortcut instead of nnet1's second pooling. Defaults to False.
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

    @records_arguments
    def __init__(
        self,
        num_classes: int = 8,
        input_shape: tuple = (64, 216, 1),
        filters: tuple = (256, 256, 512),
        kernel_size: int = 4,
        pool_sizes: tuple = (4, 2),
        dense_units: tuple = (2048, 2048),
        dropout: float = 0.5,
        classifier_activation: str | None = "softmax",
        residual: bool = False,
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        input_shape = tuple(input_shape)
        filters = tuple(check_positive("filters", f) for f in filters)
        pool_sizes = tuple(int(p) for p in pool_sizes)
        dense_units = tuple(int(u) for u in dense_units)
        poolings = 1 if residual else 2
        if len(filters) != 3 or len(pool_sizes) != poolings:
            raise ValueError(
                f"{'nnet2' if residual else 'nnet1'} has three convolutions and {poolings} "
                f"pooling(s), got filters={filters} and pool_sizes={pool_sizes}"
            )
        if residual and filters[0] != filters[2]:
            raise ValueError(
                f"the shortcut adds conv1's output to conv3's: filters[0] must equal "
                f"filters[2], got {filters}"
            )

        # inputs
        inputs = keras.Input(shape=input_shape, name="log_mel")
        x = spectrogram_to_sequence(inputs)
        # convolutions
        x = conv(x, filters[0], kernel_size, "conv1")
        x = keras.layers.MaxPooling1D(pool_sizes[0], name="pool1")(x)
        if residual:
            shortcut = x
            x = conv(x, filters[1], kernel_size, "conv2")
            x = keras.layers.Conv1D(filters[2], kernel_size, padding="same", name="conv3_conv")(x)
            x = BatchNormalization(name="conv3_bn")(x)
            x = keras.layers.Add(name="shortcut_add")([shortcut, x])
            x = keras.layers.ReLU(name="conv3_relu")(x)
        else:
            x = conv(x, filters[1], kernel_size, "conv2")
            x = keras.layers.MaxPooling1D(pool_sizes[1], name="pool2")(x)
            x = conv(x, filters[2], kernel_size, "conv3")
        # head
        x = global_max_and_average(x)
        outputs = dense_head(x, dense_units, dropout, num_classes, classifier_activation)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
