"""Audio loading, clipping and time-frequency features (functions and Keras layers)."""

from kgenre.audio.features import (
    cqt_spectrogram,
    gammatone_filterbank,
    gammatone_spectrogram,
    hpss_spectrograms,
    log_mel_spectrogram,
    mel_filterbank,
    power_spectrogram,
)
from kgenre.audio.io import AudioDecodeError, clip_starts, load, segment
from kgenre.audio.layers import GammatoneSpectrogram, LogMelSpectrogram

__all__ = [
    "AudioDecodeError",
    "GammatoneSpectrogram",
    "LogMelSpectrogram",
    "clip_starts",
    "cqt_spectrogram",
    "gammatone_filterbank",
    "gammatone_spectrogram",
    "hpss_spectrograms",
    "load",
    "log_mel_spectrogram",
    "mel_filterbank",
    "power_spectrogram",
    "segment",
]
