"""Audio loading, clipping, input checks and time-frequency features (functions and Keras layers).

The Keras layers (`LogMelSpectrogram`, `GammatoneSpectrogram`) are imported on first use, so
`import kgenre.audio` (the loaders, the validators, the stem names) does not import Keras.
"""

from kgenre.audio.checks import (
    MAX_SAMPLE_RATE,
    MAX_SECONDS,
    check_choice,
    check_count,
    check_number,
    check_sample_rate,
    check_seconds,
    seconds_to_samples,
)
from kgenre.audio.features import (
    cqt_spectrogram,
    filterbank_spectrogram,
    gammatone_filterbank,
    gammatone_spectrogram,
    hpss_spectrograms,
    log_mel_spectrogram,
    mel_filterbank,
    power_spectrogram,
)
from kgenre.audio.io import (
    AudioDecodeError,
    LoadedAudio,
    clip_count,
    clip_span,
    clip_starts,
    handle_nonfinite,
    load,
    load_audio,
    segment,
    sniff_audio_format,
)
from kgenre.audio.sources import SOURCES, STEM_NAMES

_LAYERS = ("GammatoneSpectrogram", "LogMelSpectrogram")


def __getattr__(name):
    if name in _LAYERS:
        from kgenre.audio import layers

        return getattr(layers, name)
    raise AttributeError(f"module 'kgenre.audio' has no attribute {name!r}")


__all__ = [
    "MAX_SAMPLE_RATE",
    "MAX_SECONDS",
    "SOURCES",
    "STEM_NAMES",
    "AudioDecodeError",
    "GammatoneSpectrogram",
    "LoadedAudio",
    "LogMelSpectrogram",
    "check_choice",
    "check_count",
    "check_number",
    "check_sample_rate",
    "check_seconds",
    "clip_count",
    "clip_span",
    "clip_starts",
    "cqt_spectrogram",
    "filterbank_spectrogram",
    "gammatone_filterbank",
    "gammatone_spectrogram",
    "handle_nonfinite",
    "hpss_spectrograms",
    "load",
    "load_audio",
    "log_mel_spectrogram",
    "mel_filterbank",
    "power_spectrogram",
    "seconds_to_samples",
    "segment",
    "sniff_audio_format",
]
