"""Writing tracks into sharded TFRecord files (int16 PCM at one sample rate) and a manifest."""

import functools
import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from tqdm.auto import tqdm

import kgenre
from kgenre.audio.io import AudioDecodeError, load
from kgenre.data._tf import tensorflow
from kgenre.data.manifest import FORMAT, MANIFEST_NAME, write_json_atomic

STEM_NAMES = ("bass", "drums", "other", "vocals")


def to_int16(y):
    """float in [-1, 1] to int16 PCM, exact for samples that came from 16-bit files (k / 32768)."""
    return np.clip(np.round(np.asarray(y, dtype=np.float64) * 32768.0), -32768, 32767).astype("<i2")


def file_sha256(path, chunk=1 << 20):
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _bytes(tf, value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _ints(tf, values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def _encode_track(tf, track, label_index, track_index, sample_rate, stem_names, features):
    """Loads one track (and its stems) and returns `(serialized Example, source hashes)`."""
    y, _ = load(track.path, sample_rate)
    pcm = to_int16(y)
    feats = {
        "audio": _bytes(tf, pcm.tobytes()),
        "num_samples": _ints(tf, [len(pcm)]),
        "label": _ints(tf, [label_index]),
        "track_index": _ints(tf, [track_index]),
        "track_id": _bytes(tf, track.track_id.encode("utf-8")),
    }
    hashes = {"path": track.path, "sha256": file_sha256(track.path)}
    if stem_names:
        stems = track.stems or {}
        lacking = [s for s in stem_names if s not in stems]
        if lacking:
            raise ValueError(f"track {track.track_id!r} has no stems {lacking}")
        for name in stem_names:
            stem, _ = load(stems[name], sample_rate)
            # Stems are aligned with the mix; a few samples of codec padding are trimmed/padded.
            stem = np.pad(stem[: len(y)], (0, max(0, len(y) - len(stem))))
            feats[f"stem/{name}"] = _bytes(tf, to_int16(stem).tobytes())
            hashes[f"stem/{name}"] = file_sha256(stems[name])
    for name, (fn, _) in (features or {}).items():
        value = np.asarray(fn(y, sample_rate), dtype="<f4")
        if value.ndim != 2:
            raise ValueError(f"feature {name!r} must be (bands, frames), got shape {value.shape}")
        feats[f"feature/{name}"] = _bytes(tf, value.tobytes())
        feats[f"feature/{name}/shape"] = _ints(tf, value.shape)
    example = tf.train.Example(features=tf.train.Features(feature=feats))
    return example.SerializeToString(), hashes, len(pcm)


def _encode_or_skip(
    tf, label_index, sample_rate, stem_names, features, min_seconds, track, track_index
):
    """`(track, (record, hashes, num_samples), None)`, or `(track, None, reason)` to skip it."""
    try:
        record, hashes, num_samples = _encode_track(
            tf, track, label_index[track.label], track_index, sample_rate, stem_names, features
        )
        if min_seconds is not None and num_samples < min_seconds * sample_rate:
            raise AudioDecodeError(
                f"{num_samples / sample_rate:.2f} s long, shorter than min_seconds={min_seconds}"
            )
    except (OSError, ValueError) as error:
        # FileNotFoundError, AudioDecodeError, a missing stem: skip, go on.
        return track, None, str(error)
    return track, (record, hashes, num_samples), None


def _describe(fn):
    """A stable description of a feature function (no memory addresses), for fingerprints."""
    if isinstance(fn, functools.partial):
        return [
            _describe(fn.func),
            [repr(a) for a in fn.args],
            sorted((k, repr(v)) for k, v in fn.keywords.items()),
        ]
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"


def _fingerprint(chunk, settings):
    payload = json.dumps(
        {"settings": settings, "tracks": [[t.path, t.label, t.track_id, t.stems] for t in chunk]},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _shard_done(shard_path, info_path, fingerprint):
    if not (os.path.isfile(shard_path) and os.path.isfile(info_path)):
        return None
    with open(info_path, encoding="utf-8") as handle:
        try:
            info = json.load(handle)
        except json.JSONDecodeError:
            return None
    if info.get("fingerprint") != fingerprint or os.path.getsize(shard_path) != info.get("bytes"):
        return None
    return info


def write_records(
    tracks,
    output_dir="tf_records",
    sample_rate=22050,
    class_names=None,
    stems=None,
    features=None,
    tracks_per_shard=64,
    min_seconds=1.0,
    name="records",
    workers=None,
    progress=True,
):
    """Writes tracks as sharded TFRecords of int16 PCM, resumably, with a manifest.

    Every track becomes one `tf.train.Example`: the mono mix resampled to `sample_rate` as
    little-endian int16 PCM (`audio`), `num_samples`, the class index (`label`), its position
    in `tracks` (`track_index`), `track_id`, optionally each stem's PCM (`stem/<name>`, as long
    as the mix) and optionally precomputed features (`feature/<name>`, float32, with
    `feature/<name>/shape`). Clips are cut at read time by `make_dataset`, so one set of
    records serves every clip length and hop.

    Tracks are grouped in order into shards of `tracks_per_shard`. Each shard is written to a
    temporary file and renamed when complete, then described by a small `.json` beside it;
    rerunning after an interruption skips every shard whose description matches the same
    tracks and settings and whose size is intact, and rewrites the rest (including truncated
    shards). Inputs that cannot be read (missing, empty, undecodable, shorter than
    `min_seconds`, lacking a requested stem) are skipped and listed in the manifest's
    `skipped` and in a warning at the end; the run goes on. `manifest.json` (class names,
    sample rate, shards with sizes, per-class counts, per-track source hashes, kgenre version)
    is written last, atomically.

    Args:
        tracks: list of `kgenre.datasets.Track`.
        output_dir: folder for the shards and manifest (created). Default `tf_records/`.
        sample_rate: rate the audio is stored at (16000 for MS-SincResNet, 22050 for
            SoundFusion and Mersy 2021).
        class_names: label order; `None` means the sorted distinct labels of `tracks`.
        stems: stem names to store from `Track.stems` (e.g. `("bass", "drums", "other")`,
            Mersy 2021), `True` for all four, `None`/`False` for none.
        features: optional dict `name -> (fn, hop_length)`: `fn(y, sample_rate)` returns a
            `(bands, frames)` array for the whole track, frame `f` starting at sample
            `f * hop_length` (e.g. `functools.partial(kgenre.audio.cqt_spectrogram,
            hop_length=512)` with 512). `make_dataset(feature=name)` cuts clips from it.
        tracks_per_shard: tracks per shard file.
        min_seconds: tracks shorter than this are skipped as broken (a 0.5-s "track" is
            almost surely a bad file). `None` keeps everything; clips of short tracks are
            zero-padded at read time.
        name: shard file prefix.
        workers: threads decoding and resampling tracks in parallel; `None` for
            `min(4, os.cpu_count())`.
        progress: show a tqdm progress bar.

    Returns:
        The manifest dict (also in `output_dir/manifest.json`).

    Raises:
        ValueError: a label is not in `class_names` (before anything is written), no tracks,
            or bad arguments.

    Example:
        >>> tracks = kgenre.datasets.folder_per_genre("gtzan/genres")  # doctest: +SKIP
        >>> write_records(tracks, "tf_records/gtzan16k", sample_rate=16000)  # doctest: +SKIP
    """
    tf = tensorflow()
    tracks = list(tracks)
    if not tracks:
        raise ValueError("write_records got no tracks")
    if tracks_per_shard < 1:
        raise ValueError(f"tracks_per_shard must be >= 1, got {tracks_per_shard}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    class_names = sorted({t.label for t in tracks}) if class_names is None else list(class_names)
    unknown = sorted({t.label for t in tracks} - set(class_names))
    if unknown:
        examples = [t.track_id for t in tracks if t.label in unknown][:5]
        raise ValueError(
            f"labels {unknown} are not in class_names {class_names} (e.g. tracks {examples})"
        )
    ids = [t.track_id for t in tracks]
    if len(set(ids)) != len(ids):
        raise ValueError(
            "track ids must be unique; duplicates: "
            f"{sorted({i for i in ids if ids.count(i) > 1})[:5]}"
        )
    if stems is True:
        stem_names = list(STEM_NAMES)
    elif stems:
        stem_names = list(stems)
    else:
        stem_names = []
    features = dict(features or {})
    for fname, spec in features.items():
        if not (isinstance(spec, tuple) and len(spec) == 2 and callable(spec[0])):
            raise ValueError(f"features[{fname!r}] must be (fn, hop_length), got {spec!r}")
    label_index = {c: i for i, c in enumerate(class_names)}
    workers = workers or min(4, os.cpu_count() or 1)

    os.makedirs(output_dir, exist_ok=True)
    settings = {
        "format": FORMAT,
        "sample_rate": sample_rate,
        "class_names": class_names,
        "stems": stem_names,
        "features": {k: [_describe(fn), hop] for k, (fn, hop) in features.items()},
        "min_seconds": min_seconds,
    }
    chunks = [tracks[i : i + tracks_per_shard] for i in range(0, len(tracks), tracks_per_shard)]
    shard_infos = []
    bar = tqdm(total=len(tracks), desc=f"writing {name}", unit="track", disable=not progress)
    for shard_no, chunk in enumerate(chunks):
        file_name = f"{name}-{shard_no:05d}-of-{len(chunks):05d}.tfrecord"
        shard_path = os.path.join(output_dir, file_name)
        info_path = shard_path + ".json"
        fingerprint = _fingerprint(chunk, settings)
        info = _shard_done(shard_path, info_path, fingerprint)
        if info is not None:
            shard_infos.append(info)
            bar.update(len(chunk))
            continue
        first_index = shard_no * tracks_per_shard
        info = {
            "file": file_name,
            "fingerprint": fingerprint,
            "num_tracks": 0,
            "num_samples": 0,
            "class_counts": {},
            "sources": {},
            "skipped": [],
        }
        tmp_path = shard_path + ".tmp"
        try:
            with (
                tf.io.TFRecordWriter(tmp_path) as writer,
                ThreadPoolExecutor(workers) as pool,
            ):
                # Decoding and resampling release the GIL; records are written in track order.
                encode = functools.partial(
                    _encode_or_skip, tf, label_index, sample_rate, stem_names, features, min_seconds
                )
                indices = range(first_index, first_index + len(chunk))
                for track, encoded, reason in pool.map(encode, chunk, indices):
                    if encoded is None:
                        info["skipped"].append(
                            {"track_id": track.track_id, "path": track.path, "reason": reason}
                        )
                    else:
                        record, hashes, num_samples = encoded
                        writer.write(record)
                        info["num_tracks"] += 1
                        info["num_samples"] += num_samples
                        counts = info["class_counts"]
                        counts[track.label] = counts.get(track.label, 0) + 1
                        info["sources"][track.track_id] = dict(hashes, num_samples=num_samples)
                    bar.update(1)
            os.replace(tmp_path, shard_path)
        finally:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
        info["bytes"] = os.path.getsize(shard_path)
        write_json_atomic(info_path, info)
        shard_infos.append(info)
    bar.close()

    class_counts = dict.fromkeys(class_names, 0)
    skipped, sources = [], {}
    for info in shard_infos:
        for label, count in info["class_counts"].items():
            class_counts[label] += count
        skipped.extend(info["skipped"])
        sources.update(info["sources"])
    manifest = {
        "format": FORMAT,
        "kgenre_version": kgenre.__version__,
        "name": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sample_rate": sample_rate,
        "sample_format": "int16le",
        "class_names": class_names,
        "class_counts": class_counts,
        "num_tracks": sum(i["num_tracks"] for i in shard_infos),
        "num_samples": sum(i["num_samples"] for i in shard_infos),
        "stems": stem_names,
        "features": {k: {"hop_length": hop} for k, (_, hop) in features.items()},
        "shards": [
            {"file": i["file"], "bytes": i["bytes"], "num_tracks": i["num_tracks"]}
            for i in shard_infos
        ],
        "sources": sources,
        "skipped": skipped,
    }
    write_json_atomic(os.path.join(output_dir, MANIFEST_NAME), manifest)
    if skipped:
        import warnings

        lines = "\n".join(f"  {s['path']}: {s['reason']}" for s in skipped[:20])
        more = f"\n  ... and {len(skipped) - 20} more" if len(skipped) > 20 else ""
        warnings.warn(
            f"write_records skipped {len(skipped)} unreadable tracks (listed in the manifest):\n"
            f"{lines}{more}",
            stacklevel=2,
        )
    if manifest["num_tracks"] == 0:
        raise ValueError(f"no track could be read; see {output_dir}/{MANIFEST_NAME} 'skipped'")
    return manifest
