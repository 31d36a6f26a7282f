import keras

from kgenre.layers import SeparableConvStack
from kgenre.models._base import PresetModel, check_positive, check_rate

# Mersy gives no penalty strengths; these are the values of Keras' own L1L2 example.
DEFAULT_L1 = 1e-5
DEFAULT_L2 = 1e-4


def stem_head(x, num_classes, dropout, l1, l2, classifier_activation):
    """Flatten -> dropout -> the penalised dense classifier (Mersy: dropout 0.5 before it)."""
    x = keras.layers.Flatten(name="flatten")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    reg = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    return keras.layers.Dense(
        num_classes, activation=classifier_activation, kernel_regularizer=reg, name="predictions"
    )(x)


@keras.saving.register_keras_serializable(package="kgenre")
class StemSepConvNet(PresetModel):
    """Mersy's depthwise separable CNN on source-separated stems (seed 002).

    The input stacks the mel spectrograms of three Spleeter stems (bass, drums, other; vocals
    left out) as the channels of an image, (128 mel bands, T frames, 3); the paper's clips are
    about 10 s at 22,050 Hz, T = 458. Two blocks of depthwise separable convolution -> batch
    norm -> ReLU -> max-pool (`SeparableConvStack`), dropout 0.5 immediately before the fully
    connected softmax layer, and L1 + L2 penalties on the kernels ("Neural networks" and
    "Feature representation" in the paper). Filter counts and kernel sizes are not given
    (see `SeparableConvStack`: 32 and 64 filters, 3x3, 2x2 pooling), nor are the penalty
    strengths (L1 1e-5, L2 1e-4 here).

    Args:
        num_classes: Defaults to 6 (the paper's six EDM genres).
        input_shape: `(mel_bands, frames, stems)`. Defaults to `(128, 458, 3)`.
        filters: filters of the separable blocks. Defaults to `(32, 64)`.
        kernel_size: Defaults to 3.
        pool_size: Defaults to 2.
        dropout: Defaults to 0.5.
        l1: L1 penalty on every kernel. Defaults to 1e-5.
        l2: L2 penalty on every kernel. Defaults to 1e-4.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, mel_bands, frames, stems)`; channel order bass, drums, other.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = StemSepConvNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 32, 24, 3), "float32")).shape)
    (2, 4)

    References:
        - Mersy, "Efficient robust music genre classification with depthwise separable
          convolutions and source separation", AAAI 2021 student abstract.
        - Hennequin et al., "Spleeter", ISMIR 2019.
    """

    presets = {
        "paper": {},
        "small": {"num_classes": 4, "input_shape": (32, 24, 3), "filters": (4, 8)},
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
        inputs = keras.Input(shape=input_shape, name="stems")
        # separable blocks
        x = SeparableConvStack(
            filters=filters,
            kernel_size=kernel_size,
            pool_size=pool_size,
            l1=l1,
            l2=l2,
            name="separable_blocks",
        )(inputs)
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
