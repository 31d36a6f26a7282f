import keras

from kgenre.models.ms_sinc_resnet import MSSincResNet


@keras.saving.register_keras_serializable(package="kgenre")
class SincResNet(MSSincResNet):
    """SincResNet: MS-SincResNet with one sinc kernel length in all three channels.

    The ablation baseline of MS-SincResNet (Table 1, "SincResNet"): three independent banks of
    sinc filters of the same length `L` (251, 501 or 1001) make the 3-channel image, followed by
    the same ResNet-18, pooling and head. In the ablation table SincResNet has no SPP, so
    `spp=False` is the default here.

    Args:
        num_classes: Defaults to 10.
        kernel_size: the single sinc kernel length L. Defaults to 1001 (the best SincResNet
            setting on GTZAN, 91.08%).
        filters: sinc filters per channel (K). Defaults to 160.
        spp: Defaults to False (Table 1).
        **kwargs: every other `MSSincResNet` argument (`input_length`, `output_length`,
            `hidden_units`, `backbone_weights`, ...) and `keras.Model` arguments.

    Input shape:
        `(batch, input_length)`, 48,000 samples by default.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = SincResNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 4000), "float32")).shape)
    (2, 4)

    References:
        - Chang, Chen & Lee, MS-SincResNet, ICMR 2021, Sec. 3.3 and Table 1.
    """

    presets = {
        "paper": {},
        "paper_251": {"kernel_size": 251},
        "paper_501": {"kernel_size": 501},
        "small": {
            "num_classes": 4,
            "kernel_size": 101,
            "input_length": 4000,
            "filters": 64,
            "output_length": 64,
            "hidden_units": 16,
            "backbone_width": 8,
        },
    }

    def __init__(self, num_classes=10, kernel_size=1001, filters=160, spp=False, **kwargs):
        if "kernel_sizes" in kwargs:
            raise ValueError(
                f"SincResNet takes one kernel_size, got kernel_sizes={kwargs['kernel_sizes']!r}; "
                "use MSSincResNet for several lengths"
            )
        super().__init__(
            num_classes=num_classes,
            filters=filters,
            kernel_sizes=(int(kernel_size),) * 3,
            spp=spp,
            **kwargs,
        )
        config = dict(self._init_config)
        del config["kernel_sizes"]
        self._record_config(kernel_size=int(kernel_size), **config)
