"""One track as one `tf.train.Example`: the record schema, encoding and parsing.

`encode_track` is the whole per-track step of `write_records` (load, check, encode); any
writer that must produce the same bytes (a parallel or distributed one) calls it and then
`kgenre.data.writer.assemble_shard`.

A record holds:
- `audio`: the mono mix, little-endian int16 PCM at the manifest's sample rate;
- `num_samples`, `label` (class index), `track_index` (position in the written track list),
  `track_id`;
- optionally `stem/<name>`: each stem's PCM, as long as the mix;
- optionally `feature/<name>` (float32, row-major) and `feature/<name>/shape` (bands, frames).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import typing
from collections.abc import Callable

import numpy as np

from kgenre.audio.io import AudioDecodeError, load_audio
from kgenre.data._tf import tf
from kgenre.data.manifest import file_sha256

if typing.TYPE_CHECKING:
    from kgenre.datasets.track import Track


def to_int16(y: np.ndarray) -> np.ndarray:
    """float in [-1, 1] to int16 PCM, exact for samples that came from 16-bit files (k / 32768)."""
    return np.clip(np.round(np.asarray(y, dtype=np.float64) * 32768.0), -32768, 32767).astype("<i2")


@dataclasses.dataclass(frozen=True)
class EncodeSettings:
    """What `encode_track` needs besides the track (see `write_records` for each setting)."""

    sample_rate: int
    label_index: dict
    stems: tuple = ()
    features: dict = dataclasses.field(default_factory=dict)
    min_seconds: float | None = 1.0
    nonfinite: str = "error"
    skip_silent: bool = True


class EncodedTrack(typing.NamedTuple):
    """A serialized record and what the manifest says about it (its `sources` entry)."""

    record: bytes
    source: dict


def _bytes(value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _ints(values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def _load(path, settings):
    """Loads one file under the non-finite policy: `(samples, zeroed count)`."""
    y, _, zeroed = load_audio(path, settings.sample_rate, nonfinite=settings.nonfinite)
    return y, zeroed


def encode_track(track: Track, track_index: int, settings: EncodeSettings) -> EncodedTrack:
    """Loads one track (and its stems), checks it, and serializes it as one record.

    Checks, each a `ValueError` (`AudioDecodeError`) or `OSError` that the writer turns into
    a reported skip: the file exists and is audio by content, holds no NaN or infinite
    samples (unless `settings.nonfinite == "zero"`, which zeroes them and counts them in the
    source entry's `nonfinite`), is at least `min_seconds` long, is not silent (every
    16-bit sample 0) when `skip_silent`, has every requested stem, and every feature it
    computes is finite and 2-D.

    Args:
        track: a `kgenre.datasets.Track`.
        track_index: its position in the written list (`track_index` of the record).
        settings: an `EncodeSettings`.

    Returns:
        An `EncodedTrack`: the serialized `tf.train.Example` and its manifest entry (path,
        label, source SHA-256s, `num_samples`, the record's SHA-256, zeroed samples if any).
    """
    y, zeroed = _load(track.path, settings)
    seconds = len(y) / settings.sample_rate
    if settings.min_seconds is not None and seconds < settings.min_seconds:
        raise AudioDecodeError(
            f"{seconds:.2f} s long, shorter than min_seconds={settings.min_seconds}"
        )
    pcm = to_int16(y)
    if settings.skip_silent and not pcm.any():
        raise AudioDecodeError("silent: every sample is 0 at 16 bits")
    feats = {
        "audio": _bytes(pcm.tobytes()),
        "num_samples": _ints([len(pcm)]),
        "label": _ints([settings.label_index[track.label]]),
        "track_index": _ints([track_index]),
        "track_id": _bytes(track.track_id.encode("utf-8")),
    }
    source = {"path": track.path, "label": track.label, "sha256": file_sha256(track.path)}
    nonfinite = {"mix": zeroed} if zeroed else {}
    if settings.stems:
        stems = track.stems or {}
        lacking = [s for s in settings.stems if s not in stems]
        if lacking:
            raise ValueError(f"track {track.track_id!r} has no stems {lacking}")
        for name in settings.stems:
            stem, stem_zeroed = _load(stems[name], settings)
            # Stems are aligned with the mix; a few samples of codec padding are trimmed/padded.
            stem = np.pad(stem[: len(y)], (0, max(0, len(y) - len(stem))))
            feats[f"stem/{name}"] = _bytes(to_int16(stem).tobytes())
            source[f"stem/{name}"] = file_sha256(stems[name])
            if stem_zeroed:
                nonfinite[name] = stem_zeroed
    for name, (fn, _) in settings.features.items():
        value = np.asarray(fn(y, settings.sample_rate), dtype="<f4")
        if value.ndim != 2:
            raise ValueError(f"feature {name!r} must be (bands, frames), got shape {value.shape}")
        bad = int((~np.isfinite(value)).sum())
        if bad:
            raise ValueError(f"feature {name!r} has {bad} NaN or infinite values")
        feats[f"feature/{name}"] = _bytes(value.tobytes())
        feats[f"feature/{name}/shape"] = _ints(value.shape)
    example = tf.train.Example(features=tf.train.Features(feature=feats))
    # Deterministic: map entries sorted by key, so every process writes the same bytes (a
    # protobuf map is otherwise serialized in an order that differs between processes).
    record = example.SerializeToString(deterministic=True)
    source.update(num_samples=len(pcm), record_sha256=hashlib.sha256(record).hexdigest())
    if nonfinite:
        source["nonfinite"] = nonfinite
    return EncodedTrack(record, source)


def describe(fn: Callable) -> str | list:
    """A stable description of a feature function (no memory addresses), for fingerprints."""
    if isinstance(fn, functools.partial):
        return [
            describe(fn.func),
            [repr(a) for a in fn.args],
            sorted((k, repr(v)) for k, v in fn.keywords.items()),
        ]
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"


def parse_spec(manifest: dict, stems: tuple = (), feature: str | None = None) -> dict:
    """The `tf.io.parse_single_example` spec of the fields a reader needs."""
    spec = {
        "audio": tf.io.FixedLenFeature([], tf.string),
        "num_samples": tf.io.FixedLenFeature([], tf.int64),
        "label": tf.io.FixedLenFeature([], tf.int64),
        "track_index": tf.io.FixedLenFeature([], tf.int64),
        "track_id": tf.io.FixedLenFeature([], tf.string),
    }
    for name in stems:
        spec[f"stem/{name}"] = tf.io.FixedLenFeature([], tf.string)
    if feature in manifest["features"]:
        spec[f"feature/{feature}"] = tf.io.FixedLenFeature([], tf.string)
        spec[f"feature/{feature}/shape"] = tf.io.FixedLenFeature([2], tf.int64)
    return spec
