"""Shared machinery of the filterbank spectrogram layers: STFT power, filterbank, log."""

import keras
from keras import ops

from kgenre.audio.features import AMIN


class FilterbankSpectrogram(keras.layers.Layer):
    """Base of `LogMelSpectrogram` and `GammatoneSpectrogram`; subclasses give the weights.

    The STFT matches `kgenre.audio.features.power_spectrogram` (periodic Hann window, frames
    centred by zero padding, librosa's convention), so the layer and the offline functions
    agree to float32 precision.
    """

    def __init__(self, sample_rate, n_fft, hop_length, win_length=None, **kwargs):
        super().__init__(**kwargs)
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {sample_rate}")
        if n_fft < 2:
            raise ValueError(f"n_fft must be >= 2, got {n_fft}")
        if hop_length < 1:
            raise ValueError(f"hop_length must be >= 1, got {hop_length}")
        if win_length is not None and not 1 <= win_length <= n_fft:
            raise ValueError(f"win_length must be in [1, n_fft={n_fft}], got {win_length}")
        self.sample_rate = sample_rate
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.input_spec = keras.layers.InputSpec(ndim=2)

    def filterbank(self):
        """The `(bands, n_fft // 2 + 1)` numpy weights; defined by subclasses."""
        raise NotImplementedError

    def build(self, input_shape):
        # Constant weights, rebuilt from the config on load rather than saved.
        self._weights_t = self.filterbank().T
        self.built = True

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        pad = self.n_fft // 2
        x = ops.pad(x, [[0, 0], [pad, pad]])
        real, imag = ops.stft(
            x,
            sequence_length=self.win_length or self.n_fft,
            sequence_stride=self.hop_length,
            fft_length=self.n_fft,
            window="hann",
            center=False,
        )
        power = real * real + imag * imag
        bands = ops.matmul(power, ops.convert_to_tensor(self._weights_t, dtype="float32"))
        log = 10.0 * ops.log(ops.maximum(bands, AMIN)) / ops.log(10.0)
        return ops.cast(ops.transpose(log, (0, 2, 1)), self.compute_dtype)

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
