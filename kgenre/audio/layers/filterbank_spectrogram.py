"""Shared machinery of the filterbank spectrogram layers: STFT power, filterbank, log."""

import keras
from keras import ops

from kgenre.audio.checks import check_count, check_sample_rate
from kgenre.audio.features import filterbank_spectrogram, stft_window


class FilterbankSpectrogram(keras.layers.Layer):
    """Base of `LogMelSpectrogram` and `GammatoneSpectrogram`; subclasses give the weights.

    The computation is `kgenre.audio.features.filterbank_spectrogram` run with `keras.ops`,
    the same function the numpy features and the tf.data pipeline run, so all three agree to
    float32 precision.
    """

    def __init__(
        self,
        sample_rate: int,
        n_fft: int,
        hop_length: int,
        win_length: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.sample_rate = check_sample_rate(sample_rate)
        self.n_fft = check_count(n_fft, "n_fft", minimum=2)
        self.hop_length = check_count(hop_length, "hop_length")
        stft_window(n_fft, win_length)  # validates win_length early
        self.win_length = win_length
        self.input_spec = keras.layers.InputSpec(ndim=2)

    def filterbank(self):
        """The `(bands, n_fft // 2 + 1)` numpy weights; defined by subclasses."""
        raise NotImplementedError

    def build(self, input_shape):
        # Constant weights, rebuilt from the config on load rather than saved.
        self._filterbank_weights = self.filterbank()
        self.built = True

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        spectrogram = filterbank_spectrogram(
            x, self._filterbank_weights, self.n_fft, self.hop_length, self.win_length, ops=ops
        )
        return ops.cast(spectrogram, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        samples = input_shape[-1]
        frames = None if samples is None else 1 + samples // self.hop_length
        return (input_shape[0], self.filterbank_size(), frames)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "sample_rate": self.sample_rate,
                "n_fft": self.n_fft,
                "hop_length": self.hop_length,
                "win_length": self.win_length,
            }
        )
        return config
