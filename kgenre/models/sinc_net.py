import keras
from keras import ops

from kgenre.layers import BatchNormalization, SincConv1D
from kgenre.models._base import PresetModel, check_positive, classifier, records_arguments


@keras.saving.register_keras_serializable(package="kgenre")
class Abs(keras.layers.Layer):
    """Elementwise absolute value (SincNet rectifies the sinc filter outputs this way)."""

    def call(self, inputs):
        return ops.abs(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


def _leaky_relu(name):
    # SincNet's act_fun("leaky_relu") is nn.LeakyReLU(0.2)
    return keras.layers.LeakyReLU(negative_slope=0.2, name=name)


@keras.saving.register_keras_serializable(package="kgenre")
class SincNet(PresetModel):
    """SincNet (Ravanelli & Bengio, 2018): the raw-waveform baseline of MS-SincResNet.

    Layer norm over the waveform; 80 sinc band-pass filters of length 251 -> |.| -> max-pool 3
    -> layer norm -> LeakyReLU(0.2); two convolutions of 60 filters of length 5, each
    -> max-pool 3 -> layer norm -> LeakyReLU; flatten -> layer norm; three fully connected
    layers of 2,048 units (no bias) -> batch norm (momentum 0.05 in PyTorch terms) ->
    LeakyReLU; a softmax classifier (MS-SincResNet Sec. 2.1; SincNet's `cfg/SincNet_TIMIT.cfg`
    and `dnn_models.py`). The MS-SincResNet ablation (Table 1) runs it on the 48,000-sample
    clips with K = 80 or 160 filters of length L = 251, 501 or 1001.

    Deviation: SincNet's layer norm after each convolution normalises every filter over time
    with an elementwise affine of shape (filters, time); here a `LayerNormalization` over time
    normalises the same way (every filter over time) but its affine has shape (time,), shared
    by the filters.

    At 48,000 samples the flattened convolution output has 60 x 1,766 = 105,960 features, so
    the first dense layer alone holds 217 M weights (about 0.9 GB in float32): the paper-size
    model is built only in slow tests. `"timit"` is SincNet's own 200-ms (3,200-sample) input.

    Args:
        num_classes: Defaults to 10.
        input_length: samples per clip. Defaults to 48000 (MS-SincResNet's 3-s clips).
        sample_rate: Defaults to 16000.
        filters: sinc filters (K). Defaults to 80.
        kernel_size: sinc kernel length (L). Defaults to 251.
        conv_filters: filters of the two standard convolutions. Defaults to 60.
        conv_kernel_size: their length. Defaults to 5.
        pool_size: max-pooling after every convolution. Defaults to 3.
        dense_units: width of the three fully connected layers. Defaults to 2048.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, input_length)`.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = SincNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 1600), "float32")).shape)
    (2, 4)

    References:
        - Ravanelli & Bengio, "Speaker Recognition from Raw Waveform with SincNet", SLT 2018.
        - Chang, Chen & Lee, MS-SincResNet, ICMR 2021, Sec. 2.1, 3.3, Table 1.
    """

    presets = {
        "paper": {},
        "paper_k160": {"filters": 160},
        "timit": {"num_classes": 462, "input_length": 3200},
        "small": {
            "num_classes": 4,
            "input_length": 1600,
            "filters": 16,
            "kernel_size": 101,
            "conv_filters": 8,
            "dense_units": 32,
        },
    }

    @records_arguments
    def __init__(
        self,
        num_classes=10,
        input_length=48000,
        sample_rate=16000,
        filters=80,
        kernel_size=251,
        conv_filters=60,
        conv_kernel_size=5,
        pool_size=3,
        dense_units=2048,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("input_length", input_length)
        check_positive("conv_filters", conv_filters)
        check_positive("dense_units", dense_units)
        check_positive("pool_size", pool_size)

        # inputs
        inputs = keras.Input(shape=(input_length,), name="waveform")
        x = keras.layers.LayerNormalization(axis=-1, epsilon=1e-6, name="input_norm")(inputs)
        # front end
        x = SincConv1D(filters, kernel_size, sample_rate=sample_rate, name="sinc")(x)
        x = Abs(name="abs")(x)
        convs = [None, conv_filters, conv_filters]
        for i, conv in enumerate(convs):
            if conv is not None:
                x = keras.layers.Conv1D(conv, conv_kernel_size, name=f"conv{i}")(x)
            if x.shape[1] is not None and x.shape[1] < pool_size:
                raise ValueError(
                    f"input_length={input_length} is too short for SincNet: block {i} has "
                    f"{x.shape[1]} frames left to pool by {pool_size}"
                )
            x = keras.layers.MaxPooling1D(pool_size, name=f"pool{i}")(x)
            # normalise every filter over time; time goes last because Keras' torch backend
            # only normalises the last axes
            x = keras.layers.Permute((2, 1), name=f"norm{i}_to_time_last")(x)
            x = keras.layers.LayerNormalization(axis=-1, epsilon=1e-6, name=f"norm{i}")(x)
            x = keras.layers.Permute((2, 1), name=f"norm{i}_to_time_first")(x)
            x = _leaky_relu(f"act{i}")(x)
        # classifier
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.LayerNormalization(epsilon=1e-6, name="fc_input_norm")(x)
        for i in range(3):
            x = keras.layers.Dense(dense_units, use_bias=False, name=f"fc{i}")(x)
            x = BatchNormalization(momentum=0.95, epsilon=1e-5, name=f"fc{i}_bn")(x)
            x = _leaky_relu(f"fc{i}_act")(x)
        outputs = classifier(x, num_classes, classifier_activation, "predictions")
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
