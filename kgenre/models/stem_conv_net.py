import keras

from kgenre.layers import BatchNormalization, Conv2D, MaxPooling2D, SeparableConvStack
from kgenre.models._base import PresetModel, check_positive, check_rate, records_arguments

# Mersy gives no penalty strengths; these are the values of Keras' own L1L2 example.
DEFAULT_L1 = 1e-5
DEFAULT_L2 = 1e-4
BLOCKS = ("conv", "separable")


def _penalty(l1: float, l2: float):
    return keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None


def _conv_blocks(x, filters, kernel_size, pool_size, l1, l2):
    """Conv2D -> batch norm -> ReLU -> max-pool per width (Mersy's "2DConv" baselines)."""
    for i, width in enumerate(filters):
        x = Conv2D(
            width,
            kernel_size,
            padding="same",
            kernel_regularizer=_penalty(l1, l2),
            name=f"block{i + 1}_conv",
        )(x)
        x = BatchNormalization(name=f"block{i + 1}_bn")(x)
        x = keras.layers.ReLU(name=f"block{i + 1}_relu")(x)
        x = MaxPooling2D(pool_size, name=f"block{i + 1}_pool")(x)
    return x


@keras.saving.register_keras_serializable(package="kgenre")
class StemConvNet(PresetModel):
    """Mersy's CNNs on stem or mix spectrograms (seed 002), with ordinary or separable blocks.

    Two blocks of convolution -> batch norm -> ReLU -> max-pool, dropout 0.5 immediately
    before the fully connected softmax layer, and L1 + L2 penalties on every kernel
    ("Neural networks" and "Feature representation" in the paper). `block` picks the
    convolution:

    - `"conv"` (the default here): Conv2D, the paper's baselines, on either the 3-stem image
      (`channels=3`, "3 spec, 2DConv") or one mel spectrogram of the full mix (`channels=1`,
      "1 spec, 2DConv-Full" / "No-Vox").
    - `"separable"`: depthwise separable convolutions (`SeparableConvStack`), the paper's model
      ("3 spec, DW-2DConv"); `StemSepConvNet` is this model under its own name.

    The input stacks the mel spectrograms of three Spleeter stems (bass, drums, other; vocals
    left out) as the channels of an image, (128 mel bands, T frames, 3); the paper's clips are
    about 10 s at 22,050 Hz, T = 458. Filter counts and kernel sizes are not given (32 and 64
    filters, 3x3, 2x2 pooling here: see `SeparableConvStack`), nor are the penalty strengths
    (L1 1e-5, L2 1e-4 here).

    Args:
        num_classes: Defaults to 6 (the paper's six EDM genres).
        input_shape: `(mel_bands, frames, channels)`, channels 1 or 3. Defaults to
            `(128, 458, 3)`.
        filters: filters of the blocks. Defaults to `(32, 64)`.
        kernel_size: Defaults to 3.
        pool_size: Defaults to 2.
        dropout: Defaults to 0.5.
        l1: L1 penalty on every kernel. Defaults to 1e-5.
        l2: L2 penalty on every kernel. Defaults to 1e-4.
        classifier_activation: `"softmax"` or `None`.
        block: `"conv"` or `"separable"`. Defaults to `"conv"`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch,) + input_shape`; stem channels in the order bass, drums, other.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = StemConvNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 32, 24, 1), "float32")).shape)
    (2, 4)

    References:
        - Mersy, "Efficient robust music genre classification with depthwise separable
          convolutions and source separation", AAAI 2021 student abstract, Table 1.
        - Hennequin et al., "Spleeter", ISMIR 2019.
    """

    presets = {
        "paper": {},
        "paper_one_spectrogram": {"input_shape": (128, 458, 1)},
        "small": {"num_classes": 4, "input_shape": (32, 24, 1), "filters": (4, 8)},
    }
    # the input's name; StemSepConvNet keeps the name its saved files were written with
    input_name = "spectrograms"

    @records_arguments
    def __init__(
        self,
        num_classes: int = 6,
        input_shape: tuple = (128, 458, 3),
        filters: tuple = (32, 64),
        kernel_size: int = 3,
        pool_size: int = 2,
        dropout: float = 0.5,
        l1: float = DEFAULT_L1,
        l2: float = DEFAULT_L2,
        classifier_activation: str | None = "softmax",
        block: str = "conv",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        if block not in BLOCKS:
            raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")
        input_shape = tuple(input_shape)
        filters = tuple(int(f) for f in filters)

        # inputs
        inputs = keras.Input(shape=input_shape, name=self.input_name)
        # conv blocks
        if block == "separable":
            x = SeparableConvStack(
                filters=filters,
                kernel_size=kernel_size,
                pool_size=pool_size,
                l1=l1,
                l2=l2,
                name="separable_blocks",
            )(inputs)
        else:
            x = _conv_blocks(inputs, filters, kernel_size, pool_size, l1, l2)
        # head
        x = keras.layers.Flatten(name="flatten")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name="dropout")(x)
        outputs = keras.layers.Dense(
            num_classes,
            activation=classifier_activation,
            kernel_regularizer=_penalty(l1, l2),
            name="predictions",
        )(x)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
