import keras

from kgenre.models._base import PresetModel, check_positive, check_rate, records_arguments
from kgenre.models._crnn_blocks import (
    CONV_FILTERS,
    apply_raw_front_end,
    apply_trunk,
    apply_view_head,
    trunk_layout,
)


@keras.saving.register_keras_serializable(package="kgenre")
class RawCRNN(PresetModel):
    """The 1D CRNN of Phan et al.'s multi-view network, for the raw waveform view.

    Two VALID 1D convolutions (conv01, conv02, each with batch norm and ReLU) and a max-pool
    (pool02) turn the waveform into a 2D map whose "frequency" axis is conv02's filters, as in
    EnvNet-v2 [Tokozume et al., ref. 14]; the rest is the 2D CRNN trunk, except that conv1 and
    pool1 use a longer temporal kernel to shorten time (seed 003, Sec. 2.1, Table 2). Eight
    convolutions in all. At 22,050 Hz the input is 33,330 samples and pool02 is halved
    (Sec. 3.1.3); at 44.1 kHz (preset `"esc50"`) EnvNet-v2's 66,650 samples and pool 64.

    The lost numbers of Table 2 are our choices, see `kgenre/models/_crnn_blocks.py`.

    Args:
        num_classes: Defaults to 10.
        input_length: samples. Defaults to 33330 (22,050 Hz, Sec. 3.1.3).
        front_filters: filters of conv01 and conv02. Defaults to `(32, 64)` (EnvNet-v2).
        front_kernel_sizes: their lengths. Defaults to `(64, 16)`.
        front_strides: their strides. Defaults to `(2, 2)`.
        pool_size: pool02 size and stride. Defaults to 32 (64 halved at 22,050 Hz).
        conv1_kernel_size: `(time, freq)` kernel of conv1. Defaults to `(8, 3)`.
        conv1_pool_size: `(time, freq)` pooling of pool1. Defaults to `(4, 2)`.
        conv_filters: filters of conv1..conv6. Defaults to `(64, 64, 128, 128, 256, 256)`.
        gru_units: Defaults to 256.
        fc_units: Defaults to `(512, 512)`.
        dropout: Defaults to 0.25.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, input_length)`.

    Output shape:
        `(batch, num_classes)`, named `"predictions"`.

    Example:

    >>> model = RawCRNN.from_preset("small")
    >>> tuple(model(np.zeros((2, 2000), "float32")).shape)
    (2, 4)

    References:
        - Phan et al., "Multi-view audio and music classification" (kgenre seed 003).
        - Tokozume, Ushiku & Harada, "Learning from between-class examples for deep sound
          recognition", ICLR 2018 (EnvNet-v2).
    """

    presets = {
        "paper": {},
        "esc50": {"num_classes": 50, "input_length": 66650, "pool_size": 64},
        "small": {
            "num_classes": 4,
            "input_length": 2000,
            "front_filters": (4, 16),
            "front_kernel_sizes": (16, 8),
            "pool_size": 8,
            "conv_filters": (4, 4, 8, 8),
            "gru_units": 8,
            "fc_units": (16, 16),
        },
    }

    @records_arguments
    def __init__(
        self,
        num_classes=10,
        input_length=33330,
        front_filters=(32, 64),
        front_kernel_sizes=(64, 16),
        front_strides=(2, 2),
        pool_size=32,
        conv1_kernel_size=(8, 3),
        conv1_pool_size=(4, 2),
        conv_filters=CONV_FILTERS,
        gru_units=256,
        fc_units=(512, 512),
        dropout=0.25,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("pool_size", pool_size)
        check_rate("dropout", dropout)
        if input_length is not None:
            check_positive("input_length", input_length)
        front_filters = tuple(int(f) for f in front_filters)
        front_kernel_sizes = tuple(int(k) for k in front_kernel_sizes)
        front_strides = tuple(int(s) for s in front_strides)
        conv1_kernel_size = tuple(int(k) for k in conv1_kernel_size)
        conv1_pool_size = tuple(int(p) for p in conv1_pool_size)
        conv_filters = tuple(int(f) for f in conv_filters)
        fc_units = tuple(int(u) for u in fc_units)

        # inputs
        inputs = keras.Input(shape=(input_length,), name="waveform")
        # front end: waveform -> (time, conv02 filters, 1)
        x = apply_raw_front_end(
            inputs, front_filters, front_kernel_sizes, front_strides, pool_size, prefix=""
        )
        # trunk
        kernels, pools = trunk_layout(len(conv_filters), conv1_kernel_size, conv1_pool_size)
        x = apply_trunk(x, conv_filters, kernels, pools, gru_units, dropout, prefix="")
        # head
        outputs = apply_view_head(
            x, num_classes, fc_units, dropout, classifier_activation, "", "predictions"
        )
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
