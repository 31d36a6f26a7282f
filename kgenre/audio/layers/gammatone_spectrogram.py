"""`GammatoneSpectrogram`: a log-power gammatone spectrogram computed inside the model."""

import keras

from kgenre.audio.features import gammatone_filterbank
from kgenre.audio.layers.filterbank_spectrogram import FilterbankSpectrogram


@keras.saving.register_keras_serializable(package="kgenre")
class GammatoneSpectrogram(FilterbankSpectrogram):
    """Log-power gammatone spectrogram in dB: a gammatone filterbank applied to |STFT|^2.

    Equal (to float32 precision) to `kgenre.audio.features.gammatone_spectrogram`; the filter
    shapes are `kgenre.audio.features.gammatone_filterbank`'s (4th order, ERB-spaced).

    Args:
        sample_rate: sample rate of the input in Hz. Default 22050.
        n_fft: FFT length. Default 1024.
        hop_length: samples between frames. Default 512.
        win_length: Hann window length, `None` for `n_fft`. The multi-view paper uses 40-ms
            windows with 50% overlap (`win_length=round(0.04 * sample_rate)`,
            `hop_length=win_length // 2`).
        n_bands: gammatone filters. Default 64 (the paper's count is lost in the extracted
            text; 64 as in Phan et al.'s earlier gammatone front ends).
        fmin: lowest centre frequency in Hz. Default 50.
        fmax: highest centre frequency in Hz, `None` for Nyquist ("up to Nyquist rate").
        **kwargs: base `Layer` arguments.

    Input shape:
        `(batch, samples)`.

    Output shape:
        `(batch, n_bands, 1 + samples // hop_length)`.

    Example:
        >>> layer = GammatoneSpectrogram(sample_rate=16000, n_bands=32)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        (2, 32, 32)

    References:
        Phan et al. Multi-view audio and music classification. ICASSP 2021.
        Patterson et al. Complex sounds and auditory images. 1992 (the gammatone filter).
        Glasberg and Moore. Derivation of auditory filter shapes from notched-noise data.
        Hearing Research 47, 1990 (ERB scale).
    """

    def __init__(
        self,
        sample_rate=22050,
        n_fft=1024,
        hop_length=512,
        win_length=None,
        n_bands=64,
        fmin=50.0,
        fmax=None,
        **kwargs,
    ):
        super().__init__(sample_rate, n_fft, hop_length, win_length=win_length, **kwargs)
        self.n_bands = n_bands
        self.fmin = fmin
        self.fmax = fmax
        self.filterbank()  # validates the band arguments early

    def filterbank(self):
        return gammatone_filterbank(
            self.sample_rate, self.n_fft, n_bands=self.n_bands, fmin=self.fmin, fmax=self.fmax
        )

    def filterbank_size(self):
        return self.n_bands

    def get_config(self):
        config = super().get_config()
        config.update({"n_bands": self.n_bands, "fmin": self.fmin, "fmax": self.fmax})
        return config
