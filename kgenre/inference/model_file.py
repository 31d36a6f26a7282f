"""A kgenre model file: a Keras `.keras` archive that also says how to feed the model.

`save_model(model, path, info)` writes the usual `.keras` zip (Keras' `config.json`,
`metadata.json`, `model.weights.h5`) plus one more member, `kgenre.json`, holding a
`ModelInfo`: the class names, the sample rate, the clip and hop lengths, and for every model
input how it is made from a clip of audio (`InputSpec`: the waveform, a stack of stems, or a
spectrogram with its settings). Keras ignores the extra member, so `keras.saving.load_model`
still opens the file; `kgenre predict`, `kgenre info` and `kgenre evaluate` need nothing else.

This module imports neither Keras nor a backend until a model is loaded, so `read_info` (and
`kgenre info`) stays fast.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import zipfile
from typing import Any

from kgenre.audio.sources import SOURCES as SIGNALS

INFO_MEMBER = "kgenre.json"
"""The archive member that holds the `ModelInfo` (JSON)."""

WEIGHTS_MEMBER = "model.weights.h5"
"""Where Keras keeps the weights, in a `.keras` archive and in a preset folder alike."""

FORMAT = "kgenre-model-v1"

FEATURES = ("waveform", "log_mel", "gammatone", "cqt")
"""What an input can be: the waveform itself or one of `kgenre.audio.features`' spectrograms."""

LAYOUTS = ("bands_frames", "frames_bands")
SOURCES = (*SIGNALS, "no_vocals")
"""What an input can be computed from: the mix, a stem, or the mix without vocals."""
AGGREGATIONS = ("mean", "vote")

SINC_CHOICES = ("auto", "direct", "fft", "saved")
"""How a saved model's sinc front end can be run after loading: an implementation, `"auto"`
(`kgenre.layers.sinc_implementation` for inference) or `"saved"` (as saved)."""


class ModelFileError(ValueError):
    """A file is not a readable kgenre/Keras model; the message names the file and the fault."""


@dataclasses.dataclass(frozen=True)
class InputSpec:
    """How one model input is made from a clip.

    Args:
        name: the model input's name (the key of a dict input); `None` for a model with a
            single input.
        sources: what the input is computed from: `("mix",)`, or stem names
            (`"bass"`, `"drums"`, `"other"`, `"vocals"`, and `"no_vocals"`: bass + drums +
            other, Mersy's baseline input) stacked on a trailing channel axis.
        feature: `"waveform"`, or a spectrogram of `kgenre.audio.features`: `"log_mel"`,
            `"gammatone"` or `"cqt"`.
        options: keyword arguments of that feature function (e.g. `n_mels`, `n_fft`,
            `hop_length`); the function's defaults fill the rest.
        layout: axis order of a spectrogram: `"bands_frames"` (Mersy's `(128, T, C)`,
            SoundFusion's `(64, 216, 1)`) or `"frames_bands"` (the multi-view CRNN's
            `(T, bands, 1)`).
        channel_axis: give a spectrogram of the mix a trailing channel axis of 1 (stems
            always have one).

    Shapes, for a batch of `B` clips of `S` samples and `C = len(sources)`:
    waveform `(B, S)` for the mix, `(B, S, C)` for stems; spectrograms `(B, bands, frames, C)`
    or `(B, frames, bands, C)` (`(B, bands, frames)` for the mix without `channel_axis`).
    """

    name: str | None = None
    sources: tuple = ("mix",)
    feature: str = "waveform"
    options: dict = dataclasses.field(default_factory=dict)
    layout: str = "bands_frames"
    channel_axis: bool = True

    def __post_init__(self):
        sources = (self.sources,) if isinstance(self.sources, str) else tuple(self.sources)
        object.__setattr__(self, "sources", sources)
        object.__setattr__(self, "options", dict(self.options or {}))
        if not sources:
            raise ValueError("InputSpec.sources must name at least one source")
        unknown = [s for s in sources if s not in SOURCES]
        if unknown:
            raise ValueError(f"InputSpec.sources must be among {SOURCES}, got {unknown}")
        if "mix" in sources and len(sources) > 1:
            raise ValueError(f"InputSpec.sources: 'mix' cannot be stacked with stems: {sources}")
        if self.feature not in FEATURES:
            raise ValueError(f"InputSpec.feature must be one of {FEATURES}, got {self.feature!r}")
        if self.layout not in LAYOUTS:
            raise ValueError(f"InputSpec.layout must be one of {LAYOUTS}, got {self.layout!r}")

    @property
    def stems(self) -> tuple:
        """The stem names this input needs (empty for the mix)."""
        return () if self.sources == ("mix",) else self.sources

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["sources"] = list(self.sources)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> InputSpec:
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


@dataclasses.dataclass
class ModelInfo:
    """What a saved model needs to be used: its classes and how to feed it.

    Args:
        class_names: the output classes, in output order.
        sample_rate: rate the audio is resampled to, in Hz.
        clip_seconds: length of one model input clip.
        hop_seconds: default seconds between clips when a whole track is classified (the
            paper's: MS-SincResNet 0.5 s).
        inputs: one `InputSpec` per model input, in the model's input order.
        aggregation: default clip-to-track rule, `"mean"` (mean clip probability) or `"vote"`
            (majority of clip decisions).
        separator: the separator that made the training stems (`"spleeter"`, `"hpss"` or
            `"oracle"` for a corpus's true stems), when an input uses stems.
        recipe: the experiment that trained the model (e.g. `"edm_stems"`).
        training: free-form description of the training run (data, protocol, epochs, ...).
        metrics: the run's summary metrics.
        kgenre_version: the version that saved the model.
        created: UTC time of saving, ISO 8601.
    """

    class_names: list
    sample_rate: int
    clip_seconds: float
    hop_seconds: float
    inputs: list = dataclasses.field(default_factory=lambda: [InputSpec()])
    aggregation: str = "mean"
    separator: str | None = None
    recipe: str | None = None
    training: dict = dataclasses.field(default_factory=dict)
    metrics: dict = dataclasses.field(default_factory=dict)
    kgenre_version: str | None = None
    created: str | None = None

    def __post_init__(self):
        self.class_names = [str(c) for c in self.class_names]
        if not self.class_names:
            raise ValueError("ModelInfo.class_names is empty")
        if len(set(self.class_names)) != len(self.class_names):
            raise ValueError(f"ModelInfo.class_names has duplicates: {self.class_names}")
        for name in ("sample_rate", "clip_seconds", "hop_seconds"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not value > 0 or value == float("inf"):
                raise ValueError(
                    f"ModelInfo.{name} must be a positive finite number, got {value!r}"
                )
        self.sample_rate = int(self.sample_rate)
        self.inputs = [
            s if isinstance(s, InputSpec) else InputSpec.from_dict(s) for s in self.inputs
        ]
        if not self.inputs:
            raise ValueError("ModelInfo.inputs is empty")
        if len(self.inputs) > 1 and any(s.name is None for s in self.inputs):
            raise ValueError("ModelInfo.inputs: every input of a multi-input model needs a name")
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(
                f"ModelInfo.aggregation must be one of {AGGREGATIONS}, got {self.aggregation!r}"
            )

    @property
    def stems(self) -> tuple:
        """Every stem any input needs, in first-use order."""
        out = []
        for spec in self.inputs:
            out += [s for s in spec.stems if s not in out]
        return tuple(out)

    @property
    def input_kind(self) -> str:
        """`"stems"` if any input needs stems, else `"waveform"` if every input is the
        waveform, else `"features"`."""
        if self.stems:
            return "stems"
        if all(s.feature == "waveform" for s in self.inputs):
            return "waveform"
        return "features"

    @property
    def clip_samples(self) -> int:
        return int(round(self.clip_seconds * self.sample_rate))

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["inputs"] = [s.to_dict() for s in self.inputs]
        return {"format": FORMAT, **out}

    @classmethod
    def from_dict(cls, data: dict) -> ModelInfo:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} description (format={data.get('format')!r})")
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def stamp_info(model: Any, info: ModelInfo) -> ModelInfo:
    """`info` checked against `model` (one output per class) and stamped with the kgenre
    version and the UTC time of saving: what every saved model carries."""
    import kgenre

    outputs = getattr(model, "outputs", None)
    if outputs and len(outputs) == 1 and outputs[0].shape[-1] != len(info.class_names):
        raise ValueError(
            f"the model has {outputs[0].shape[-1]} outputs but ModelInfo names "
            f"{len(info.class_names)} classes"
        )
    return dataclasses.replace(
        info,
        kgenre_version=kgenre.__version__,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )


def save_model(model, path: str | os.PathLike, info: ModelInfo) -> str:
    """Saves `model` as a `.keras` file that carries `info`; returns the path.

    The archive is written to a temporary name and renamed, so an interrupted save never
    leaves a half-written model under `path`.
    """
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"a kgenre model file must end in .keras, got {path!r}")
    info = stamp_info(model, info)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp.keras")
    try:
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(
                INFO_MEMBER, json.dumps(info.to_dict(), indent=2, default=_json_default)
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _open_archive(path: str) -> zipfile.ZipFile:
    if not os.path.exists(path):
        raise FileNotFoundError(f"no model file at {path!r}")
    if os.path.isdir(path):
        raise ModelFileError(f"{path!r} is a folder, not a .keras model file")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ModelFileError(
            f"{path!r} is not a .keras model (not a zip archive, or truncated: {error})"
        ) from error
    names = set(archive.namelist())
    if "config.json" not in names:
        archive.close()
        raise ModelFileError(f"{path!r} is a zip archive but not a .keras model (no config.json)")
    return archive


def read_info(path: str | os.PathLike) -> ModelInfo | None:
    """The `ModelInfo` saved in a `.keras` file, or `None` for a plain Keras model file.

    Raises:
        FileNotFoundError: no file at `path`.
        ModelFileError: not a `.keras` archive, or a `kgenre.json` that cannot be read.
    """
    path = os.fspath(path)
    with _open_archive(path) as archive:
        if INFO_MEMBER not in archive.namelist():
            return None
        try:
            data = json.loads(archive.read(INFO_MEMBER).decode("utf-8"))
            return ModelInfo.from_dict(data)
        except (ValueError, TypeError, zipfile.BadZipFile, KeyError) as error:
            raise ModelFileError(f"{path!r}: unreadable {INFO_MEMBER}: {error}") from error


def load_model(path: str | os.PathLike, compile: bool = False) -> tuple[Any, ModelInfo | None]:
    """Loads a `.keras` model and its `ModelInfo`: `(model, info)`, `info` `None` for a plain
    Keras file. Every failure is a `FileNotFoundError` or a `ModelFileError` naming the file.
    """
    path = os.fspath(path)
    info = read_info(path)
    import keras

    import kgenre.layers  # noqa: F401  (registers kgenre's layers and models for loading)
    import kgenre.models  # noqa: F401
    import kgenre.training  # noqa: F401

    try:
        model = keras.saving.load_model(path, compile=compile)
    except Exception as error:  # Keras raises many types for a damaged archive
        raise ModelFileError(
            f"{path!r} could not be loaded as a Keras model: {type(error).__name__}: {error}"
        ) from error
    return model, info


def count_parameters(path: str | os.PathLike) -> int:
    """The number of weights (trainable and not, optimizer state excluded) of a `.keras`
    file or a kgenre preset folder, read from its `model.weights.h5` without building the
    model (so without importing Keras); equal to `model.count_params()`.

    Raises:
        FileNotFoundError, ModelFileError: no readable weights.
    """
    import io

    import h5py

    path = os.fspath(path)
    if os.path.isdir(path):
        weights = os.path.join(path, WEIGHTS_MEMBER)
        if not os.path.isfile(weights):
            raise ModelFileError(f"{path!r} holds no {WEIGHTS_MEMBER}")
        source = weights
    else:
        with _open_archive(path) as archive:
            try:
                source = io.BytesIO(archive.read(WEIGHTS_MEMBER))
            except (KeyError, zipfile.BadZipFile, OSError) as error:
                raise ModelFileError(f"{path!r}: unreadable {WEIGHTS_MEMBER}: {error}") from error
    total = 0

    def add(name, item):
        nonlocal total
        if isinstance(item, h5py.Dataset) and name.split("/")[0] != "optimizer":
            total += item.size

    try:
        with h5py.File(source, "r") as weights_file:
            weights_file.visititems(add)
    except OSError as error:
        raise ModelFileError(f"{path!r}: unreadable {WEIGHTS_MEMBER}: {error}") from error
    return total
