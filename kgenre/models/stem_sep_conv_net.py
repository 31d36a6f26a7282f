import keras

from kgenre.models.stem_conv_net import StemConvNet


@keras.saving.register_keras_serializable(package="kgenre")
class StemSepConvNet(StemConvNet):
    """Mersy's depthwise separable CNN on stems: `StemConvNet(block="separable")` (seed 002).

    The paper's model ("3 spec, DW-2DConv"): two `SeparableConvStack` blocks on the
    (128 mel, T, 3 stems) image, dropout 0.5 and a penalised dense softmax layer. Every
    argument is `StemConvNet`'s, with `block` defaulting to `"separable"`; the name is kept so
    that `.keras` files saved under it load.

    Example:

    >>> model = StemSepConvNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 32, 24, 3), "float32")).shape)
    (2, 4)

    References:
        - Mersy, "Efficient robust music genre classification with depthwise separable
          convolutions and source separation", AAAI 2021 student abstract.
    """

    presets = {
        "paper": {},
        "small": {"num_classes": 4, "input_shape": (32, 24, 3), "filters": (4, 8)},
    }
    input_name = "stems"

    def __init__(self, *args, block: str = "separable", **kwargs):
        super().__init__(*args, block=block, **kwargs)
