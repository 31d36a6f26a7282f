"""`LogMelSpectrogram`: a log-power mel spectrogram computed inside the model."""

import keras

from kgenre.audio.features import mel_filterbank
from kgenre.audio.layers.filterbank_spectrogram import FilterbankSpectrogram


@keras.saving.register_keras_serializable(package="kgenre")
class LogMelSpectrogram(FilterbankSpectrogram):
    """Log-power mel spectrogram in dB, on the accelerator, with `keras.ops` only.

    Equal (to float32 precision) to `kgenre.audio.features.log_mel_spectrogram`, whose
    filterbank is librosa's Slaney mel filterbank.

    Args:
        sample_rate: sample rate of the input in Hz. Default 22050.
        n_fft: FFT length. Default 1024 (SoundFusion).
        hop_length: samples between frames. Default 512 (SoundFusion).
        win_length: Hann window length, `None` for `n_fft`. The multi-view paper's 40-ms
            window with 50% overlap is `win_length=round(0.04 * sample_rate)`,
            `hop_length=win_length // 2`.
        n_mels: mel bands. Default 128 (Mersy 2021).
        fmin: lowest frequency in Hz. Default 0.
        fmax: highest frequency in Hz, `None` for Nyquist.
        **kwargs: base `Layer` arguments.

    Input shape:
        `(batch, samples)`.

    Output shape:
        `(batch, n_mels, 1 + samples // hop_length)`.

    Example:
        >>> layer = LogMelSpectrogram(sample_rate=16000, n_mels=64)
        >>> layer(np.zeros((2, 48000), "float32")).shape
        (2, 64, 94)

    References:
        Ausilio, Keshavarz, Prodan. SoundFusion (64 mels, window 1024, hop 512).
        Mersy. Efficient robust music genre classification with depthwise separable
        convolutions and source separation. AAAI 2021 (128 mels per stem).
    """

    def __init__(
        self,
        sample_rate=22050,
        n_fft=1024,
        hop_length=512,
        win_length=None,
        n_mels=128,
        fmin=0.0,
        fmax=None,
        **kwargs,
    ):
        super().__init__(sample_rate, n_fft, hop_length, win_length=win_length, **kwargs)
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.filterbank()  # validates the band arguments early

    def filterbank(self):
        return mel_filterbank(
            self.sample_rate, self.n_fft, n_mels=self.n_mels, fmin=self.fmin, fmax=self.fmax
        )

    def filterbank_size(self):
        return self.n_mels

    def get_config(self):
        config = super().get_config()
        config.update({"n_mels": self.n_mels, "fmin": self.fmin, "fmax": self.fmax})
        return config
