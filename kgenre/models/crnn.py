import keras

from kgenre.models._base import PresetModel, check_positive, check_rate, records_arguments
from kgenre.models._crnn_blocks import CONV_FILTERS, apply_trunk, apply_view_head, trunk_layout


@keras.saving.register_keras_serializable(package="kgenre")
class CRNN(PresetModel):
    """The 2D CRNN of Phan et al.'s multi-view network, for one spectrogram view.

    Six conv (3x3, SAME) -> batch norm -> ReLU -> max-pool (1, 2) blocks halve the frequency
    axis and keep time; the map is reshaped to a sequence, a bidirectional GRU runs over time,
    spatio-temporal attention pooling (`AttentionPooling`) reduces it to the view embedding,
    and two ReLU fully connected layers and a softmax classify it (seed 003, Sec. 2.1,
    Table 1). Trained alone it is the paper's single-view baseline (Sec. 3.1.4).

    The extracted paper lost Table 1's numbers; the filter counts, GRU and dense sizes and
    the dropout rate are our choices (see `kgenre/models/_crnn_blocks.py`). The default 64
    bands become 1 after the six halvings; CQT uses 84 bins (librosa's default, 12 per
    octave). Time may be `None` (any number of frames).

    Args:
        num_classes: Defaults to 10 (GTZAN).
        input_shape: `(time, bands, channels)`. Defaults to `(None, 64, 1)`.
        conv_filters: filters of the six blocks. Defaults to `(64, 64, 128, 128, 256, 256)`.
        gru_units: GRU units per direction. Defaults to 256.
        fc_units: the two fully connected layers. Defaults to `(512, 512)`.
        dropout: rate after the conv blocks, the GRU and the dense layers. Defaults to 0.25.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, time, bands, channels)`: time first, frequency second.

    Output shape:
        `(batch, num_classes)`, output named `"predictions"`.

    Example:

    >>> model = CRNN.from_preset("small")
    >>> tuple(model(np.zeros((2, 20, 16, 1), "float32")).shape)
    (2, 4)

    References:
        - Phan et al., "Multi-view audio and music classification" (kgenre seed 003).
        - Phan et al., "Spatio-temporal attention pooling for audio scene classification",
          Interspeech 2019.
    """

    presets = {
        "paper": {},
        "paper_cqt": {"input_shape": (None, 84, 1)},
        "small": {
            "num_classes": 4,
            "input_shape": (None, 16, 1),
            "conv_filters": (4, 4, 8, 8),
            "gru_units": 8,
            "fc_units": (16, 16),
        },
    }

    @records_arguments
    def __init__(
        self,
        num_classes=10,
        input_shape=(None, 64, 1),
        conv_filters=CONV_FILTERS,
        gru_units=256,
        fc_units=(512, 512),
        dropout=0.25,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("gru_units", gru_units)
        check_rate("dropout", dropout)
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[1] is None:
            raise ValueError(
                f"input_shape must be (time, bands, channels) with known bands, got {input_shape}"
            )
        conv_filters = tuple(int(f) for f in conv_filters)
        fc_units = tuple(int(u) for u in fc_units)

        # inputs
        inputs = keras.Input(shape=input_shape, name="spectrogram")
        # trunk
        kernels, pools = trunk_layout(len(conv_filters))
        x = apply_trunk(inputs, conv_filters, kernels, pools, gru_units, dropout, prefix="")
        # head
        outputs = apply_view_head(
            x, num_classes, fc_units, dropout, classifier_activation, "", "predictions"
        )
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
