import keras

from kgenre.models.nnet1 import NNet1


@keras.saving.register_keras_serializable(package="kgenre")
class NNet2(NNet1):
    """nnet2 (Zhang et al., 2016) as used in SoundFusion: `NNet1(residual=True)`.

    One residual block of three convolutions of one width, `filters` (256), after one
    max-pooling of `pool_size` (4); see `NNet1` for the block, the head and where the sizes
    come from. The other arguments are `NNet1`'s. The name and its arguments are kept so that
    `.keras` files saved under it load.

    Example:

    >>> model = NNet2.from_preset("small")
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
            "filters": 8,
            "dense_units": (16, 16),
        },
    }

    def __init__(
        self,
        num_classes: int = 8,
        input_shape: tuple = (64, 216, 1),
        filters: int = 256,
        kernel_size: int = 4,
        pool_size: int = 4,
        **kwargs,
    ):
        super().__init__(
            num_classes,
            input_shape,
            filters=(filters,) * 3,
            kernel_size=kernel_size,
            pool_sizes=(pool_size,),
            residual=True,
            **kwargs,
        )
        config = dict(self._init_config, filters=filters, pool_size=pool_size)
        del config["pool_sizes"], config["residual"]
        self._record_config(**config)
