"""Keras layers computing audio features inside the model (`keras.ops` only)."""

from kgenre.audio.layers.filterbank_spectrogram import FilterbankSpectrogram
from kgenre.audio.layers.gammatone_spectrogram import GammatoneSpectrogram
from kgenre.audio.layers.log_mel_spectrogram import LogMelSpectrogram

__all__ = ["FilterbankSpectrogram", "GammatoneSpectrogram", "LogMelSpectrogram"]
