import keras

from kgenre.models._base import (
    PresetModel,
    check_positive,
    check_rate,
    classifier,
    records_arguments,
)
from kgenre.models._resnet1d_blocks import apply_resnet1d


@keras.saving.register_keras_serializable(package="kgenre")
class ResNet1D(PresetModel):
    """Allamy & Koerich's 1D residual CNN on the raw waveform (SoundFusion's "ResNet1D").

    The layer table of the SoundFusion slides: a 110,250-sample input (5 s at 22,050 Hz), a
    Conv1D of 128 filters (kernel 3, stride 3), nine residual blocks (128, 128, 256 x 6, 512
    filters, kernel 3) each followed by max-pooling 3, a 1x1 Conv1D of 512 filters, and the
    classifier; output lengths 36,750 -> 12,250 -> 4,083 -> ... -> 5 -> 1 as in the table.

    Where the table is silent we chose what reproduces its 4,086,794 trainable parameters
    for 10 classes, the only combination of the choices we enumerated that does: every
    convolution has a bias; batch norm follows the input convolution, both convolutions of a
    residual block and the final 1x1 convolution; a residual block is conv3 -> BN -> LeakyReLU
    -> conv3 -> BN, added to an identity shortcut, or to a 1x1 conv + BN projection where the
    width changes (128 -> 256, 256 -> 512), then LeakyReLU; the 512 x 1 map is flattened into
    one dense softmax layer. The LeakyReLU slope (not given) is PyTorch's 0.01.

    Width scaling: `width` is the base F (the table is F = 128; SoundFusion's small / medium /
    large are F = 16 / 32 / 64); blocks have F, F, 2F x 6, 4F filters.

    Args:
        num_classes: Defaults to 10 (the table's count; FMA-small has 8).
        input_length: samples. Defaults to 110250.
        width: base filters F. Defaults to 128.
        negative_slope: LeakyReLU slope. Defaults to 0.01.
        dropout: before the classifier (the slides' regularization study used 0.3-0.5).
            Defaults to 0.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, input_length)`.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = ResNet1D()
    >>> sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    4086794

    References:
        - Allamy & Koerich, "1D CNN Architectures for Music Genre Classification", IEEE SSCI
          2021 (arXiv:2105.07302).
        - Ausilio, Keshavarz & Prodan, SoundFusion slides (kgenre seed 001), ResNet1D table.
    """

    presets = {
        "paper": {},
        "soundfusion_s": {"num_classes": 8, "width": 16},
        "soundfusion_m": {"num_classes": 8, "width": 32},
        "soundfusion_l": {"num_classes": 8, "width": 64},
        "small": {"num_classes": 4, "input_length": 59049, "width": 4},
    }

    @records_arguments
    def __init__(
        self,
        num_classes=10,
        input_length=110250,
        width=128,
        negative_slope=0.01,
        dropout=0.0,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("input_length", input_length)
        check_positive("width", width)
        check_rate("dropout", dropout)

        # inputs
        inputs = keras.Input(shape=(input_length,), name="waveform")
        # backbone
        x = apply_resnet1d(inputs, width, negative_slope)
        # head
        if dropout:
            x = keras.layers.Dropout(dropout, name="dropout")(x)
        outputs = classifier(x, num_classes, classifier_activation, "predictions")
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
