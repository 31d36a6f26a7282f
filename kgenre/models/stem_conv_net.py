import keras

from kgenre.models._base import PresetModel, check_positive, check_rate
from kgenre.models.stem_sep_conv_net import DEFAULT_L1, DEFAULT_L2, stem_head


@keras.saving.register_keras_serializable(package="kgenre")
class StemConvNet(PresetModel):
    """The baselines of Mersy (seed 002): `StemSepConvNet`'s topology with ordinary convolutions.

    Two blocks of Conv2D -> batch norm -> ReLU -> max-pool, dropout 0.5 and a penalised dense
    softmax layer, on either the 3-stem image (`channels=3`, "3 spec, 2DConv") or a single
    mel spectrogram of the full mix (`channels=1`, "1 spec, 2DConv-Full" / "No-Vox").

    Args:
        num_classes: Defaults to 6.
        input_shape: `(mel_bands, frames, channels)`, channels 1 or 3. Defaults to
            `(128, 458, 3)`.
        filters: Defaults to `(32, 64)`.
        kernel_size: Defaults to 3.
        pool_size: Defaults to 2.
        dropout: Defaults to 0.5.
        l1: Defaults to 1e-5.
        l2: Defaults to 1e-4.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch,) + input_shape`.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = StemConvNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 32, 24, 1), "float32")).shape)
    (2, 4)

    References:
        - Mersy, AAAI 2021 student abstract, Table 1.
    """

    presets = {
        "paper": {},
        "paper_one_spectrogram": {"input_shape": (128, 458, 1)},
        "small": {"num_classes": 4, "input_shape": (32, 24, 1), "filters": (4, 8)},
    }

    def __init__(
        self,
        num_classes=6,
        input_shape=(128, 458, 3),
        filters=(32, 64),
        kernel_size=3,
        pool_size=2,
        dropout=0.5,
        l1=DEFAULT_L1,
        l2=DEFAULT_L2,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        input_shape = tuple(input_shape)
        filters = tuple(int(f) for f in filters)

        # inputs
        inputs = keras.Input(shape=input_shape, name="spectrograms")
        x = inputs
        # conv blocks
        reg = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
        for i, width in enumerate(filters):
            x = keras.layers.Conv2D(
                width,
                kernel_size,
                padding="same",
                kernel_regularizer=reg,
                name=f"block{i + 1}_conv",
            )(x)
            x = keras.layers.BatchNormalization(name=f"block{i + 1}_bn")(x)
            x = keras.layers.ReLU(name=f"block{i + 1}_relu")(x)
            x = keras.layers.MaxPooling2D(pool_size, name=f"block{i + 1}_pool")(x)
        # head
        outputs = stem_head(x, num_classes, dropout, l1, l2, classifier_activation)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self._record_config(
            num_classes=num_classes,
            input_shape=input_shape,
            filters=filters,
            kernel_size=kernel_size,
            pool_size=pool_size,
            dropout=dropout,
            l1=l1,
            l2=l2,
            classifier_activation=classifier_activation,
        )
