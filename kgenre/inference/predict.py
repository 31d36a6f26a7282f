"""Genre of whole tracks from a saved model: clips, the model's own inputs, one track score.

A track is loaded at the model's rate and cut into clips at a hop (`kgenre.audio.segment`;
MS-SincResNet: 3-s clips every 0.5 s, Sec. 2). For a stem model the separator runs once on
the whole track, as at training time, and every stem is cut at the same positions. Each
batch of clips becomes the model's inputs through `kgenre.inference.make_inputs` (the
function training uses), and the clip probabilities are turned into one score per class with
`kgenre.models.track_scores`: the mean clip probability, or vote shares on request.

Keras, the backend and the audio stack are imported when a function needs them, so importing
this module stays cheap.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from kgenre.inference.model_file import AGGREGATIONS, SINC_CHOICES, InputSpec, ModelInfo

logger = logging.getLogger(__name__)

SILENCE_PEAK = 1.0 / 32768.0
"""A track whose peak is at most one 16-bit step is called silent."""


@dataclasses.dataclass
class TrackPrediction:
    """The prediction for one audio file.

    Attributes:
        path: the audio file.
        class_names: the model's classes, in output order.
        scores: `(classes,)` track scores summing to 1: mean clip probabilities
            (`method="mean"`) or the share of clips voting for each class (`"vote"`).
        clip_probabilities: `(clips, classes)` the model's clip outputs.
        clip_starts: `(clips,)` start of each clip in seconds.
        clip_seconds: clip length in seconds.
        method: `"mean"` or `"vote"`.
        duration: length of the audio in seconds.
        warnings: what makes this prediction doubtful (short, silent audio).
    """

    path: str
    class_names: list
    scores: np.ndarray
    clip_probabilities: np.ndarray
    clip_starts: np.ndarray
    clip_seconds: float
    method: str
    duration: float
    warnings: list = dataclasses.field(default_factory=list)

    @property
    def label(self) -> str:
        """The predicted class (ties go to the lowest class index)."""
        return self.class_names[int(np.argmax(self.scores))]

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The `k` best `(class, score)` pairs, best first."""
        order = np.argsort(-self.scores, kind="stable")[: max(1, k)]
        return [(self.class_names[i], float(self.scores[i])) for i in order]

    def timeline(self) -> list[dict]:
        """One entry per clip: start and end in seconds, the clip's best class and its
        probability."""
        best = self.clip_probabilities.argmax(axis=1)
        return [
            {
                "start": round(float(start), 3),
                "end": round(float(start) + self.clip_seconds, 3),
                "genre": self.class_names[int(b)],
                "probability": round(float(p[b]), 4),
            }
            for start, p, b in zip(self.clip_starts, self.clip_probabilities, best)
        ]

    def to_dict(self, top_k: int = 3, timeline: bool = False) -> dict:
        """A JSON-able summary: file, genre, top-k, every class score, clips, warnings."""
        out = {
            "file": self.path,
            "genre": self.label,
            "score_kind": "vote_share" if self.method == "vote" else "mean_probability",
            "top": [{"genre": name, "score": round(s, 4)} for name, s in self.top(top_k)],
            "scores": {n: round(float(s), 4) for n, s in zip(self.class_names, self.scores)},
            "clips": len(self.clip_starts),
            "duration": round(self.duration, 3),
            "warnings": list(self.warnings),
        }
        if timeline:
            out["timeline"] = self.timeline()
        return out


def find_audio_files(inputs: Iterable[str | os.PathLike]) -> list[str]:
    """Files to classify: files as given, folders searched recursively for audio files (by
    extension, sorted).

    A path that does not exist is kept, so the caller reports it as a failed file.

    Raises:
        ValueError: a folder holds no audio file.
    """
    from kgenre.datasets._common import AUDIO_EXTENSIONS

    files = []
    for item in inputs:
        item = os.fspath(item)
        if not os.path.isdir(item):
            files.append(item)
            continue
        found = sorted(
            os.path.join(folder, name)
            for folder, _, names in os.walk(item)
            for name in names
            if name.lower().endswith(AUDIO_EXTENSIONS) and not name.startswith(".")
        )
        if not found:
            raise ValueError(
                f"folder {item!r} holds no audio files ({', '.join(AUDIO_EXTENSIONS)})"
            )
        files += found
    return files


def load_class_names(model_path: str, classes: str | Sequence[str] | None = None) -> list | None:
    """Class names for a plain Keras model: `classes` (`"a,b,c"` or a list), else the
    sidecar `MODEL.classes.json` next to the model, else `None`."""
    if classes:
        names = classes.split(",") if isinstance(classes, str) else list(classes)
        return [str(name).strip() for name in names]
    sidecar = os.path.splitext(model_path)[0] + ".classes.json"
    if os.path.isfile(sidecar):
        with open(sidecar, encoding="utf-8") as stream:
            try:
                return [str(name) for name in json.load(stream)]
            except ValueError as error:
                raise ValueError(
                    f"{sidecar!r} is not a JSON list of class names: {error}"
                ) from error
    return None


def plain_model_info(
    model: Any, class_names: Sequence[str] | None = None, sample_rate: int | None = None
) -> ModelInfo:
    """A `ModelInfo` for a Keras model saved without one: a fixed-length waveform input
    `(batch, samples)`, the rate from `sample_rate` or the model's config, and `class_names`
    (class indices `"0"`, `"1"`, ... when `None`).

    Raises:
        ValueError: the model does not take one fixed-length waveform, or no rate is known.
    """
    shapes = [tuple(x.shape) for x in (model.inputs or [])]
    if len(shapes) != 1 or len(shapes[0]) != 2 or shapes[0][1] is None:
        raise ValueError(
            "this model file carries no kgenre metadata, and its inputs "
            f"{shapes or 'unknown'} are not one fixed-length waveform (batch, samples); "
            "save it with kgenre.inference.save_model to describe its inputs"
        )
    rate = sample_rate or model.get_config().get("sample_rate")
    if not rate:
        raise ValueError("the model names no sample rate: pass --sample-rate")
    num_classes = int(model.outputs[0].shape[-1])
    names = list(class_names) if class_names else [str(i) for i in range(num_classes)]
    if len(names) != num_classes:
        raise ValueError(f"{len(names)} class names for a model with {num_classes} outputs")
    samples = int(shapes[0][1])
    return ModelInfo(names, int(rate), samples / rate, samples / rate, [InputSpec()])


def with_sinc_implementation(model: Any, implementation: str = "auto") -> Any:
    """`model`, rebuilt with another sinc front-end implementation if it has one.

    Models whose config has a `sinc_implementation` (MSSincResNet and kin) are rebuilt from
    their config with `implementation` (`"auto"`: `kgenre.layers.sinc_implementation` for
    inference, the faster on the active backend) and given the same weights; the outputs
    agree within float32 rounding. Other models, models already using it, and
    `implementation="saved"` come back unchanged.
    """
    if implementation not in SINC_CHOICES:
        raise ValueError(f"implementation must be one of {SINC_CHOICES}, got {implementation!r}")
    config = model.get_config() if hasattr(model, "get_config") else None
    if implementation == "saved" or not isinstance(config, dict):
        return model
    if "sinc_implementation" not in config:
        return model
    from kgenre.layers import sinc_implementation

    target = sinc_implementation(implementation, training=False)
    if sinc_implementation(config["sinc_implementation"], training=True) == target:
        return model
    rebuilt = type(model).from_config({**config, "sinc_implementation": target})
    rebuilt.set_weights(model.get_weights())
    return rebuilt


def load_predictor(
    model_ref: str,
    class_names: str | Sequence[str] | None = None,
    sample_rate: int | None = None,
    sinc: str = "auto",
) -> tuple[Any, ModelInfo, list]:
    """Loads a model for prediction: a `.keras` file or a kgenre preset (folder, `hf://`,
    `kaggle://`).

    Returns:
        `(model, info, notes)`: `info` from the file, or built by `plain_model_info` for a
        plain Keras file (class names from `class_names` or the `MODEL.classes.json`
        sidecar); `notes` are what the caller should tell the user.

    Raises:
        FileNotFoundError, ModelFileError: the model cannot be read (the message names it).
    """
    from kgenre.inference.model_file import load_model
    from kgenre.inference.presets import is_preset_reference, load_preset

    notes = []
    if is_preset_reference(model_ref):
        model, info = load_preset(model_ref)
    else:
        model, info = load_model(model_ref)
    if info is None:
        names = load_class_names(model_ref, class_names)
        if names is None:
            notes.append(
                f"{model_ref} names no classes (no kgenre metadata, no "
                f"{os.path.basename(os.path.splitext(model_ref)[0])}.classes.json): showing "
                "class indices; pass --classes a,b,c"
            )
        info = plain_model_info(model, names, sample_rate)
    elif class_names:
        names = load_class_names(model_ref, class_names)
        if len(names) != len(info.class_names):
            raise ValueError(
                f"--classes names {len(names)} classes; the model has {len(info.class_names)}"
            )
        info = dataclasses.replace(info, class_names=names)
    return with_sinc_implementation(model, sinc), info, notes


def separator_for(info: ModelInfo, requested: str | None = None, cache: bool = True):
    """The separator a stem model's inputs are made with, as at training time.

    With `requested=None`: the model's own separator (`"spleeter"` or `"hpss"`); a model
    trained on a corpus's true stems (`"oracle"`), which no audio file has, gets the best
    separator available here (`get_separator("auto")`) and a warning saying so. A model
    trained with Spleeter needs Spleeter: its absence is an error, since HPSS stems differ.

    Returns:
        `(separator or None for a model without stems, notes)`.
    """
    if not info.stems:
        return None, []
    from kgenre.stems import get_separator, spleeter_status

    notes = []
    name = requested or info.separator or "auto"
    if requested is None and info.separator == "oracle":
        ready, _ = spleeter_status()
        name = "spleeter" if ready else "hpss"
        notes.append(
            "the model was trained on true (oracle) stems, which no audio file carries; "
            f"separating with {name}, the best separator available here, so its inputs "
            "differ from training and accuracy may drop"
        )
    elif requested is None and info.separator == "spleeter":
        ready, reason = spleeter_status()
        if not ready:
            raise ValueError(
                f"the model was trained on Spleeter stems, but {reason}; run `kgenre stems "
                "setup --download-model`, or pass --separator hpss to accept different stems"
            )
    elif requested is not None and info.separator and requested != info.separator:
        notes.append(
            f"separating with {requested}; the model was trained on {info.separator} stems"
        )
    return get_separator(name, cache=cache), notes


def audio_warnings(audio: np.ndarray, sample_rate: int, clip_seconds: float) -> list[str]:
    """What makes a prediction for this audio doubtful: shorter than one clip, or silent.

    Raises:
        ValueError: NaN or infinite samples (a prediction would be meaningless).
    """
    finite = np.isfinite(audio)
    if not finite.all():
        raise ValueError(
            f"{int(audio.size - finite.sum())} of {audio.size} samples are NaN or infinite"
        )
    warnings = []
    duration = audio.shape[-1] / sample_rate
    if duration < clip_seconds:
        warnings.append(
            f"shorter than one clip ({duration:.2f} s < {clip_seconds:g} s): classified "
            "from one zero-padded clip"
        )
    if audio.size == 0 or float(np.max(np.abs(audio))) <= SILENCE_PEAK:
        warnings.append("silent (peak at most one 16-bit step): the genre is a guess")
    return warnings


def as_probabilities(outputs: Any) -> np.ndarray:
    """Clip probabilities from a model's outputs; logits (rows that are not distributions)
    go through a softmax."""
    if isinstance(outputs, (dict, list, tuple)):
        raise ValueError(
            "the model has several outputs; kgenre predict needs one (batch, classes) output"
        )
    x = np.asarray(outputs, dtype="float64")
    if x.ndim != 2:
        raise ValueError(f"expected model outputs (batch, classes), got shape {x.shape}")
    if x.min() < 0 or not np.allclose(x.sum(axis=1), 1.0, atol=1e-3):
        x = np.exp(x - x.max(axis=1, keepdims=True))
        x /= x.sum(axis=1, keepdims=True)
    return x


def predict_clips(
    model: Any,
    info: ModelInfo,
    clips: np.ndarray,
    stems: dict | None = None,
    batch_size: int = 16,
) -> np.ndarray:
    """Clip probabilities `(clips, classes)` for clips `(clips, samples)` of the mix (and
    `stems`: `{name: (clips, samples)}` for stem inputs), in batches of `batch_size`."""
    from kgenre.inference.inputs import make_inputs

    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    out = []
    for start in range(0, len(clips), batch_size):
        part = slice(start, start + batch_size)
        batch_stems = {name: s[part] for name, s in (stems or {}).items()}
        x = make_inputs(info.inputs, info.sample_rate, clips[part], batch_stems)
        # predict_on_batch per batch, not model.predict: on TensorFlow, predict's tf.data
        # loop adds 0.5-2 s of jitter to a 1.5-s track (BENCHMARKS.md)
        out.append(as_probabilities(model.predict_on_batch(x)))
    return np.concatenate(out)


def predict_file(
    model: Any,
    path: str | os.PathLike,
    info: ModelInfo,
    hop_seconds: float | None = None,
    batch_size: int = 16,
    method: str = "mean",
    separator: Any = None,
) -> TrackPrediction:
    """Classifies one audio file.

    Args:
        model: a loaded Keras model.
        path: the audio file.
        info: the model's `ModelInfo` (classes, rate, clip length, inputs).
        hop_seconds: seconds between clips; default `info.hop_seconds`.
        batch_size: clips per model call.
        method: `"mean"` (mean clip probability) or `"vote"` (vote shares).
        separator: a `kgenre.stems.Separator` for models whose inputs use stems
            (`separator_for`).

    Returns:
        A `TrackPrediction`.

    Raises:
        FileNotFoundError, kgenre.audio.AudioDecodeError: the file cannot be read.
        ValueError: non-finite samples, bad arguments, or a stem model without a separator.
    """
    from kgenre.audio.io import clip_starts, load, segment
    from kgenre.inference.inputs import separated_stems
    from kgenre.models.aggregation import track_scores

    path = os.fspath(path)
    hop = info.hop_seconds if hop_seconds is None else hop_seconds
    if not hop > 0 or not np.isfinite(hop):
        raise ValueError(f"hop_seconds must be a positive number, got {hop}")
    if method not in AGGREGATIONS:
        raise ValueError(f"method must be one of {AGGREGATIONS}, got {method!r}")
    if info.stems and separator is None:
        raise ValueError(f"the model's inputs use stems {info.stems}: pass a separator")
    rate = info.sample_rate
    audio, _ = load(path, sample_rate=rate)
    warnings = audio_warnings(audio, rate, info.clip_seconds)

    def cut(y):
        return segment(y, rate, info.clip_seconds, hop).astype("float32")

    stems = None
    if info.stems:
        separated = separator.separate(audio, rate)
        stems = {name: cut(separated[name]) for name in separated_stems(info.stems)}
    probabilities = predict_clips(model, info, cut(audio), stems, batch_size)
    # the same policy segment cut the clips with, for their times
    starts = clip_starts(audio.shape[-1], info.clip_samples, int(round(hop * rate)))
    _, scores = track_scores(np.zeros(len(probabilities)), probabilities, method)
    return TrackPrediction(
        path=path,
        class_names=list(info.class_names),
        scores=scores[0],
        clip_probabilities=probabilities,
        clip_starts=starts / rate,
        clip_seconds=info.clip_seconds,
        method=method,
        duration=audio.shape[-1] / rate,
        warnings=warnings,
    )
