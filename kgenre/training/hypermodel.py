"""keras-tuner search spaces over what the papers vary."""

import keras
import keras_tuner

ARCHITECTURES = ("ms_sincresnet", "sincnet", "resnet1d")

DEFAULT_SPACES = {
    # Chang et al. (seed 000): K = 80 or 160 sinc filters (Table 2), multi-scale kernel
    # lengths (251, 501, 1001) against one length 251 (SincResNet), SPP on/off (Table 3).
    # Width F of the first ResNet stage as in SoundFusion's width scaling (seed 001:
    # F = 16 small, 32 medium, 64 large; ResNet-18's own width is 64). Dropout 0-0.5
    # (SoundFusion 0.3-0.5; MS-SincResNet uses none).
    "ms_sincresnet": {
        "filters": [80, 160],
        "kernel_sizes": ["251,501,1001", "251,251,251"],
        "spp": [True, False],
        "width": [16, 32, 64],
        "dropout": [0.0, 0.3, 0.5],
        "learning_rate": [5e-4, 1e-3, 5e-3],
    },
    # SincNet baseline (seed 000, Sec. 2.1): K filters of length L.
    "sincnet": {
        "filters": [80, 160],
        "kernel_size": [251, 501, 1001],
        "learning_rate": [1e-4, 1e-3, 5e-3],
    },
    # SoundFusion's ResNet1D (seed 001): width F and dropout after the output layer.
    "resnet1d": {
        "width": [16, 32, 64, 128],
        "dropout": [0.0, 0.3, 0.4, 0.5],
        "learning_rate": [1e-4, 1e-3, 5e-3],
    },
}
"""Default choices per architecture; each entry becomes a `hp.Choice`."""


class GenreHyperModel(keras_tuner.HyperModel):
    """A keras-tuner `HyperModel` building `kgenre.models` networks.

    Every hyper-parameter is a `hp.Choice` over the values the papers try (see
    `DEFAULT_SPACES`); `space` replaces or narrows them and `fixed` sets other
    constructor arguments (e.g. a small `output_length` for quick searches). The model
    is compiled with the papers' optimizer family at the tuned learning rate: SGD with
    Nesterov momentum 0.9 for the SincNet family (seed 000), Adam for ResNet1D.

    Args:
        architecture: one of `"ms_sincresnet"`, `"sincnet"`, `"resnet1d"`.
        num_classes: number of genres.
        input_length: samples per clip.
        sample_rate: sample rate of the clips (SincNet family).
        space: dict `{hp name: list of choices}` overriding `DEFAULT_SPACES`.
        fixed: dict of constructor arguments passed as they are.
        **kwargs: `keras_tuner.HyperModel` arguments (`name`, `tunable`).

    Example:

    ```python
    hm = GenreHyperModel("sincnet", num_classes=4, input_length=1600,
                         space={"filters": [16, 32], "kernel_size": [51, 101]},
                         fixed={"conv_filters": 8, "dense_units": 32})
    tuner = keras_tuner.RandomSearch(hm, objective="val_accuracy", max_trials=2)
    ```

    References:
        Chang et al., MS-SincResNet, ICMR 2021 (seed 000), Tables 2-3; Ausilio et al.,
        SoundFusion (seed 001), "Width scaling" and "Regularization techniques".
    """

    def __init__(
        self,
        architecture="ms_sincresnet",
        num_classes=10,
        input_length=48000,
        sample_rate=16000,
        space=None,
        fixed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
        self.architecture = architecture
        self.num_classes = int(num_classes)
        self.input_length = int(input_length)
        self.sample_rate = int(sample_rate)
        self.space = dict(DEFAULT_SPACES[architecture])
        for key, values in (space or {}).items():
            if key not in self.space:
                raise ValueError(
                    f"unknown hyper-parameter {key!r} for {architecture}; "
                    f"choose from {sorted(self.space)}"
                )
            if not values:
                raise ValueError(f"no choices given for {key!r}")
            self.space[key] = list(values)
        self.fixed = dict(fixed or {})

    def _choice(self, hp, name):
        values = self.space[name]
        if isinstance(values[0], bool):
            return hp.Boolean(name, default=values[0]) if len(set(values)) > 1 else values[0]
        return hp.Choice(name, values)

    def build(self, hp):
        from kgenre import models

        lr = self._choice(hp, "learning_rate")
        common = {"num_classes": self.num_classes, "input_length": self.input_length}
        if self.architecture == "ms_sincresnet":
            kernels = tuple(int(k) for k in str(self._choice(hp, "kernel_sizes")).split(","))
            model = models.MSSincResNet(
                **common,
                sample_rate=self.sample_rate,
                filters=self._choice(hp, "filters"),
                kernel_sizes=kernels,
                spp=self._choice(hp, "spp"),
                backbone_width=self._choice(hp, "width"),
                dropout=self._choice(hp, "dropout"),
                **self.fixed,
            )
        elif self.architecture == "sincnet":
            model = models.SincNet(
                **common,
                sample_rate=self.sample_rate,
                filters=self._choice(hp, "filters"),
                kernel_size=self._choice(hp, "kernel_size"),
                **self.fixed,
            )
        else:
            model = models.ResNet1D(
                **common,
                width=self._choice(hp, "width"),
                dropout=self._choice(hp, "dropout"),
                **self.fixed,
            )
        if self.architecture == "resnet1d":
            optimizer = keras.optimizers.Adam(lr)
        else:
            optimizer = keras.optimizers.SGD(lr, momentum=0.9, nesterov=True)
        model.compile(optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model
