"""Audio loading, clipping, input checks and time-frequency features (functions and Keras layers).

Every name is imported on first use (PEP 562), so importing a light submodule such as
`kgenre.audio.sources` (the stem names) or `kgenre.audio.checks` costs nothing, and
`import kgenre.audio` never imports Keras until a layer is asked for.
"""

import importlib

_HOMES = {
    "checks": (
        "MAX_SAMPLE_RATE",
        "MAX_SECONDS",
        "check_choice",
        "check_count",
        "check_number",
        "check_sample_rate",
        "check_seconds",
        "seconds_to_samples",
    ),
    "features": (
        "cqt_spectrogram",
        "filterbank_spectrogram",
        "gammatone_filterbank",
        "gammatone_spectrogram",
        "hpss_spectrograms",
        "log_mel_spectrogram",
        "mel_filterbank",
        "power_spectrogram",
    ),
    "io": (
        "AudioDecodeError",
        "LoadedAudio",
        "clip_count",
        "clip_span",
        "clip_starts",
        "handle_nonfinite",
        "load",
        "load_audio",
        "segment",
        "sniff_audio_format",
    ),
    "sources": ("SOURCES", "STEM_NAMES"),
    "layers": ("GammatoneSpectrogram", "LogMelSpectrogram"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name):
    if name in _HOME:
        module = importlib.import_module(f"kgenre.audio.{_HOME[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kgenre.audio' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_HOME))


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
