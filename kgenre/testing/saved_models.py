"""Small saved kgenre models of every input kind, and test audio, for tests of the model
files, prediction, evaluation and the command line.

Each model is a paper architecture at a tiny size, saved with `kgenre.inference.save_model`
and the `ModelInfo` that says how to feed it; untrained, so tests compare outputs against an
independent computation rather than expect a genre.
"""

from __future__ import annotations

import os

import numpy as np

from kgenre.inference.model_file import InputSpec, ModelInfo, save_model

CLASSES = ["blues", "disco", "metal", "reggae"]

LOG_MEL = {"n_fft": 512, "hop_length": 256, "n_mels": 32}
"""Spectrogram settings of the small spectrogram models: 0.5-s clips at 8 kHz -> 32 x 16."""


def write_audio(
    path: str | os.PathLike,
    seconds: float,
    sample_rate: int = 16000,
    amplitude: float = 0.1,
    seed: int = 0,
    subtype: str = "PCM_16",
) -> str:
    """Writes Gaussian noise with a 220-Hz tone (`amplitude` 0 gives digital silence)."""
    import soundfile

    rng = np.random.default_rng(seed)
    n = int(round(seconds * sample_rate))
    t = np.arange(n) / sample_rate
    y = amplitude * (0.5 * rng.standard_normal(n) + np.sin(2 * np.pi * 220 * t))
    soundfile.write(os.fspath(path), np.clip(y, -1, 1).astype("float32"), sample_rate, subtype)
    return os.fspath(path)


def save_waveform_model(path: str | os.PathLike) -> tuple:
    """MSSincResNet `"small"` (4,000-sample clips at 16 kHz: 0.25 s, hop 0.125 s), with the
    direct sinc front end (the FFT one is compiled with XLA on first use under TensorFlow,
    seconds per loaded model in a test)."""
    from kgenre.models import MSSincResNet

    model = MSSincResNet.from_architecture("small", sinc_implementation="direct")
    info = ModelInfo(CLASSES, 16000, 0.25, 0.125, [InputSpec()], aggregation="vote")
    return save_model(model, path, info), model, info


def save_log_mel_model(path: str | os.PathLike) -> tuple:
    """StemConvNet on one log-mel of the mix (0.5-s clips at 8 kHz, `LOG_MEL`)."""
    from kgenre.models import StemConvNet

    model = StemConvNet.from_architecture("small", input_shape=(32, 16, 1))
    spec = InputSpec(feature="log_mel", options=LOG_MEL)
    info = ModelInfo(CLASSES, 8000, 0.5, 0.5, [spec])
    return save_model(model, path, info), model, info


def save_stem_model(path: str | os.PathLike, separator: str = "hpss") -> tuple:
    """StemSepConvNet on the log-mels of bass, drums and other (Mersy 2021's input), as
    separated by `separator` at training time."""
    from kgenre.models import StemSepConvNet

    model = StemSepConvNet.from_architecture("small", input_shape=(32, 16, 3))
    spec = InputSpec(sources=("bass", "drums", "other"), feature="log_mel", options=LOG_MEL)
    info = ModelInfo(CLASSES, 8000, 0.5, 0.5, [spec], separator=separator, recipe="edm_stems")
    return save_model(model, path, info), model, info


def save_model_set(folder: str | os.PathLike) -> dict:
    """Saves one small model of each kind into `folder`: `{"waveform": (path, model, info),
    "log_mel": ..., "stems": ...}`."""
    folder = os.fspath(folder)
    return {
        "waveform": save_waveform_model(os.path.join(folder, "waveform.keras")),
        "log_mel": save_log_mel_model(os.path.join(folder, "log_mel.keras")),
        "stems": save_stem_model(os.path.join(folder, "stems.keras")),
    }
