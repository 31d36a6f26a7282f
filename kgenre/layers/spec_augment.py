import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgenre")
class SpecAugment(keras.layers.Layer):
    """SpecAugment's frequency and time masks on spectrogram images, in training only.

    Each example gets `freq_masks` bands of random width in `[0, freq_width]` and `time_masks`
    frame ranges of random width in `[0, min(time_width, max_time_fraction * frames)]`, at
    uniform random positions; masked cells take the example's mean (zero after
    standardisation), as `kgenre.data.make_dataset`'s pipeline masks. At inference the layer
    passes its input through, so a model that holds it can be saved and used as is.

    It lets a model whose spectrogram is computed inside it (a `LogMelSpectrogram` front end
    fed waveforms) train with the masks SoundFusion uses on its 2D inputs.

    Args:
        freq_masks: frequency masks per example. Defaults to 2.
        freq_width: widest frequency mask, in bands (F). Defaults to 27.
        time_masks: time masks per example. Defaults to 2.
        time_width: widest time mask, in frames (T). Defaults to 100.
        max_time_fraction: a time mask covers at most this share of the frames (p).
            Defaults to 0.2.
        seed: seed of the masks' positions and widths.
        **kwargs: base `Layer` arguments.

    Input shape:
        `(batch, bands, frames, channels)`, bands and frames known.

    Output shape:
        Same as the input.

    Example:

    >>> layer = SpecAugment(freq_width=19, time_width=129, max_time_fraction=0.3)
    >>> x = np.ones((2, 64, 216, 1), "float32")
    >>> layer(x, training=True).shape
    (2, 64, 216, 1)

    References:
        - Park et al., "SpecAugment", Interspeech 2019 (the LD policy: F = 27, T = 100,
          p = 0.2, two masks of each kind).
        - Ausilio, Keshavarz & Prodan, SoundFusion slides (kgenre seed 001): 2 time and 2
          frequency masks, probability 1, at most 30 % of the axis.
    """

    def __init__(
        self,
        freq_masks=2,
        freq_width=27,
        time_masks=2,
        time_width=100,
        max_time_fraction=0.2,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, value in (
            ("freq_masks", freq_masks),
            ("freq_width", freq_width),
            ("time_masks", time_masks),
            ("time_width", time_width),
        ):
            if isinstance(value, bool) or int(value) != value or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        if not 0 <= max_time_fraction <= 1:
            raise ValueError(f"max_time_fraction must be in [0, 1], got {max_time_fraction!r}")
        self.freq_masks = int(freq_masks)
        self.freq_width = int(freq_width)
        self.time_masks = int(time_masks)
        self.time_width = int(time_width)
        self.max_time_fraction = float(max_time_fraction)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def _keep(self, batch, length, count, widest):
        """`(batch, length)` booleans: False inside `count` random ranges of <= `widest`."""
        positions = ops.arange(length)[None, :]
        keep = ops.ones((batch, length), dtype="bool")
        for _ in range(count):
            draw = keras.random.uniform((2, batch, 1), seed=self.seed_generator)
            width = ops.cast(draw[0] * (widest + 1), "int32")
            start = ops.cast(draw[1] * ops.cast(length - width + 1, "float32"), "int32")
            keep = ops.logical_and(
                keep,
                ops.logical_not(ops.logical_and(positions >= start, positions < start + width)),
            )
        return keep

    def call(self, inputs, training=False):
        if not training:
            return inputs
        batch = ops.shape(inputs)[0]
        bands, frames = inputs.shape[1], inputs.shape[2]
        if bands is None or frames is None:
            raise ValueError(f"SpecAugment needs known bands and frames, got {inputs.shape}")
        widest_time = min(self.time_width, int(self.max_time_fraction * frames))
        keep = ops.logical_and(
            self._keep(batch, bands, self.freq_masks, min(self.freq_width, bands))[
                :, :, None, None
            ],
            self._keep(batch, frames, self.time_masks, widest_time)[:, None, :, None],
        )
        mean = ops.mean(inputs, axis=(1, 2, 3), keepdims=True)
        return ops.where(keep, inputs, ops.cast(mean, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "freq_masks": self.freq_masks,
                "freq_width": self.freq_width,
                "time_masks": self.time_masks,
                "time_width": self.time_width,
                "max_time_fraction": self.max_time_fraction,
                "seed": self.seed,
            }
        )
        return config
