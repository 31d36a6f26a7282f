"""Writing tracks into sharded TFRecord files (int16 PCM at one sample rate) and a manifest.

The stages, each a function with its own docstring:

1. `WriteOptions` validates the settings, `plan_shards` groups the tracks into shards and
   fingerprints each one (tracks, position, settings);
2. under the folder's writer lock (`kgenre.data.lock`), the old manifest is removed before
   any shard is touched, and leftovers of earlier runs are cleared (`remove_leftovers`);
3. a shard whose description matches its fingerprint and whose bytes match their SHA-256
   is kept (`finished_shard`); any other is rewritten: each track is encoded
   (`kgenre.data.records.encode_track`) and the records assembled into the file
   (`assemble_shard`), then described by a `.json` beside it (`write_shard`);
4. the manifest is built from the shard descriptions (`build_manifest`) and written last,
   atomically; skips, zeroed samples and duplicate contents are reported in it and in one
   warning.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import os
import re
import time
import typing
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor

from tqdm.auto import tqdm

import kgenre
from kgenre.audio.checks import check_choice, check_count, check_sample_rate, check_seconds
from kgenre.audio.io import NONFINITE_POLICIES
from kgenre.audio.sources import STEM_NAMES
from kgenre.data._tf import tf
from kgenre.data.lock import writer_lock
from kgenre.data.manifest import (
    FORMAT,
    MANIFEST_NAME,
    commit,
    file_sha256,
    invalidate_manifest,
    temporary_path,
    write_json_atomic,
)
from kgenre.data.records import EncodeSettings, describe, encode_track

if typing.TYPE_CHECKING:
    from kgenre.datasets.track import Track

_REPORTED = 20


@dataclasses.dataclass
class WriteOptions:
    """Settings of `write_records`; every one is validated when the options are made.

    Args:
        sample_rate: rate the audio is stored at (16000 for MS-SincResNet, 22050 for
            SoundFusion and Mersy 2021).
        class_names: label order; `None` means the sorted distinct labels of the tracks.
        stems: stem names to store from `Track.stems` (e.g. `("bass", "drums", "other")`,
            Mersy 2021), `True` for all four (`kgenre.audio.STEM_NAMES`), `None`/`False` for
            none.
        features: optional dict `name -> (fn, hop_length)`: `fn(y, sample_rate)` returns a
            `(bands, frames)` array for the whole track, frame `f` starting at sample
            `f * hop_length` (e.g. `functools.partial(kgenre.audio.cqt_spectrogram,
            hop_length=512)` with 512). `make_dataset(feature=name)` cuts clips from it.
        tracks_per_shard: tracks per shard file.
        min_seconds: tracks shorter than this are skipped and reported (a 0.5-s "track" is
            almost surely a bad file; pass the clip length to drop tracks shorter than one
            clip). `None` keeps everything; clips of short tracks are zero-padded at read time.
        name: shard file prefix.
        workers: threads decoding and resampling tracks in parallel; `None` for
            `min(4, os.cpu_count())`.
        progress: show a tqdm progress bar.
        nonfinite: `"error"` skips (and reports) audio holding NaN or infinite samples;
            `"zero"` writes it with those samples zeroed and counts them in the manifest.
        skip_silent: skip (and report) tracks whose every 16-bit sample is 0.
    """

    sample_rate: int = 22050
    class_names: tuple | None = None
    stems: object = None
    features: dict | None = None
    tracks_per_shard: int = 64
    min_seconds: float | None = 1.0
    name: str = "records"
    workers: int | None = None
    progress: bool = True
    nonfinite: str = "error"
    skip_silent: bool = True

    def __post_init__(self):
        self.sample_rate = check_sample_rate(self.sample_rate)
        self.tracks_per_shard = check_count(self.tracks_per_shard, "tracks_per_shard")
        if self.min_seconds is not None:
            self.min_seconds = check_seconds(self.min_seconds, "min_seconds", allow_zero=True)
        workers = min(4, os.cpu_count() or 1) if self.workers is None else self.workers
        self.workers = check_count(workers, "workers", maximum=256)
        check_choice(self.nonfinite, "nonfinite", NONFINITE_POLICIES)
        if not isinstance(self.name, str) or not re.fullmatch(r"[\w.-]+", self.name):
            raise ValueError(f"name must be a plain file name prefix, got {self.name!r}")
        stems = STEM_NAMES if self.stems is True else tuple(self.stems or ())
        if len(set(stems)) != len(stems) or not all(isinstance(s, str) and s for s in stems):
            raise ValueError(f"stems must be distinct names, got {self.stems!r}")
        self.stems = stems
        self.features = dict(self.features or {})
        for name, spec in self.features.items():
            if not (isinstance(spec, tuple) and len(spec) == 2 and callable(spec[0])):
                raise ValueError(f"features[{name!r}] must be (fn, hop_length), got {spec!r}")
            check_count(spec[1], f"features[{name!r}] hop_length")
        if self.class_names is not None:
            self.class_names = tuple(self.class_names)


@dataclasses.dataclass(frozen=True)
class ShardPlan:
    """One shard to write: its file name, its tracks, the index of its first track, and the
    fingerprint of all that plus the settings (a finished shard is kept only if it matches)."""

    file: str
    tracks: tuple
    first_index: int
    fingerprint: str


def _settings_description(options, class_names):
    return {
        "format": FORMAT,
        "sample_rate": options.sample_rate,
        "class_names": list(class_names),
        "stems": list(options.stems),
        "features": {k: [describe(fn), hop] for k, (fn, hop) in options.features.items()},
        "min_seconds": options.min_seconds,
        "nonfinite": options.nonfinite,
        "skip_silent": options.skip_silent,
    }


def plan_shards(tracks: list, options: WriteOptions, class_names: tuple) -> list[ShardPlan]:
    """Groups `tracks`, in order, into `ShardPlan`s of `options.tracks_per_shard`."""
    settings = _settings_description(options, class_names)
    size = options.tracks_per_shard
    count = -(-len(tracks) // size)
    plans = []
    for number in range(count):
        chunk = tuple(tracks[number * size : (number + 1) * size])
        payload = json.dumps(
            {
                "settings": settings,
                "first_index": number * size,
                "tracks": [[t.path, t.label, t.track_id, t.stems] for t in chunk],
            },
            sort_keys=True,
            default=str,
        )
        plans.append(
            ShardPlan(
                file=f"{options.name}-{number:05d}-of-{count:05d}.tfrecord",
                tracks=chunk,
                first_index=number * size,
                fingerprint=hashlib.sha256(payload.encode("utf-8")).hexdigest(),
            )
        )
    return plans


def finished_shard(directory: str, plan: ShardPlan) -> dict | None:
    """The description of `plan`'s shard if it is complete and intact, else `None`.

    Complete and intact: its `.json` exists, parses and carries `plan.fingerprint`, and the
    shard's size and SHA-256 equal the recorded ones (a same-size byte flip is caught).
    """
    path = os.path.join(directory, plan.file)
    try:
        with open(path + ".json", encoding="utf-8") as handle:
            info = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("fingerprint") != plan.fingerprint:
        return None
    if not os.path.isfile(path) or os.path.getsize(path) != info.get("bytes"):
        return None
    if file_sha256(path) != info.get("sha256"):
        return None
    return info


def remove_leftovers(directory: str, name: str, plans: list[ShardPlan]) -> None:
    """Deletes what earlier runs left that the new one will not replace.

    Temporary files (only a writer that died leaves them; the caller holds the lock) and
    shards of prefix `name` that are not in `plans` (a run with more shards, or another
    `tracks_per_shard`), with their descriptions.
    """
    planned = {p.file for p in plans}
    shard = re.compile(rf"{re.escape(name)}-\d{{5}}-of-\d{{5}}\.tfrecord(\.json)?")
    for entry in os.listdir(directory):
        stale_shard = shard.fullmatch(entry) and entry.removesuffix(".json") not in planned
        if (entry.startswith(".") and entry.endswith(".tmp")) or stale_shard:
            os.remove(os.path.join(directory, entry))


def assemble_shard(records: Iterable[bytes], path: str) -> dict:
    """Writes serialized records, in order, as the TFRecord file `path`; atomic.

    The file is written under a temporary name unique to this writer, synced and renamed,
    so `path` is either absent, the old file, or complete. Every writer (this one or a
    distributed one) that feeds the same records produces the same bytes.

    Args:
        records: iterable of serialized `tf.train.Example`s.
        path: the shard file.

    Returns:
        `{"bytes": size, "sha256": hex digest}` of the file as written.
    """
    temporary = temporary_path(path)
    try:
        with tf.io.TFRecordWriter(temporary) as writer:
            for record in records:
                writer.write(record)
        digest = file_sha256(temporary)
        size = os.path.getsize(temporary)
        commit(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return {"bytes": size, "sha256": digest}


def _encode_or_skip(settings, track, track_index):
    """`(track, EncodedTrack, None)`, or `(track, None, reason)` for a track to skip."""
    try:
        return track, encode_track(track, track_index, settings), None
    except (OSError, ValueError) as error:
        # A missing, empty, non-audio, undecodable, silent or short file, a missing stem, a
        # non-finite sample or feature: skip it, report it, go on.
        return track, None, str(error)


def write_shard(
    directory: str,
    plan: ShardPlan,
    settings: EncodeSettings,
    pool: Executor,
    progress: Callable[[], object],
) -> dict:
    """Encodes `plan`'s tracks on `pool`, assembles the shard, writes its description.

    Args:
        directory: the records folder.
        plan: a `ShardPlan`.
        settings: the `EncodeSettings` of every track.
        pool: a `concurrent.futures.Executor` (decoding and resampling release the GIL;
            records are still written in track order).
        progress: called once per track done.

    Returns:
        The shard's description (also in `<shard>.json`): file, fingerprint, bytes, SHA-256,
        tracks in record order, their sources, per-class counts and the skipped tracks.
    """
    info = {
        "file": plan.file,
        "fingerprint": plan.fingerprint,
        "tracks": [],
        "num_samples": 0,
        "class_counts": {},
        "sources": {},
        "skipped": [],
    }
    indices = range(plan.first_index, plan.first_index + len(plan.tracks))
    results = pool.map(lambda t, i: _encode_or_skip(settings, t, i), plan.tracks, indices)

    def records():
        for track, encoded, reason in results:
            progress()
            if encoded is None:
                info["skipped"].append(
                    {"track_id": track.track_id, "path": track.path, "reason": reason}
                )
                continue
            info["tracks"].append(track.track_id)
            info["num_samples"] += encoded.source["num_samples"]
            info["class_counts"][track.label] = info["class_counts"].get(track.label, 0) + 1
            info["sources"][track.track_id] = dict(encoded.source, shard=plan.file)
            yield encoded.record

    path = os.path.join(directory, plan.file)
    info.update(assemble_shard(records(), path))
    info["num_tracks"] = len(info["tracks"])
    write_json_atomic(path + ".json", info)
    return info


def _duplicates(sources):
    """Groups of written tracks whose source files have the same SHA-256 (same content)."""
    by_hash = collections.defaultdict(list)
    for track_id, source in sources.items():
        by_hash[source["sha256"]].append(
            {"track_id": track_id, "label": source["label"], "path": source["path"]}
        )
    return [
        {
            "sha256": digest,
            "conflicting_labels": len({t["label"] for t in group}) > 1,
            "tracks": group,
        }
        for digest, group in sorted(by_hash.items())
        if len(group) > 1
    ]


def build_manifest(infos: list[dict], options: WriteOptions, class_names: tuple) -> dict:
    """The manifest of a records folder from its shard descriptions, in shard order.

    Besides the totals it lists every shard (file, bytes, SHA-256, tracks), every track's
    sources, the skipped tracks with their reasons, the tracks written with zeroed non-finite
    samples, and groups of tracks with identical content (`duplicates`, flagged when their
    labels conflict).
    """
    class_counts = dict.fromkeys(class_names, 0)
    sources, skipped = {}, []
    for info in infos:
        for label, count in info["class_counts"].items():
            class_counts[label] += count
        sources.update(info["sources"])
        skipped.extend(info["skipped"])
    zeroed = [
        {"track_id": track_id, "path": s["path"], "nonfinite": s["nonfinite"]}
        for track_id, s in sources.items()
        if "nonfinite" in s
    ]
    return {
        "format": FORMAT,
        "kgenre_version": kgenre.__version__,
        "name": options.name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sample_rate": options.sample_rate,
        "sample_format": "int16le",
        "class_names": list(class_names),
        "class_counts": class_counts,
        "num_tracks": sum(i["num_tracks"] for i in infos),
        "num_samples": sum(i["num_samples"] for i in infos),
        "stems": list(options.stems),
        "features": {k: {"hop_length": hop} for k, (_, hop) in options.features.items()},
        "shards": [{k: i[k] for k in ("file", "bytes", "sha256", "num_tracks")} for i in infos],
        "sources": sources,
        "skipped": skipped,
        "zeroed": zeroed,
        "duplicates": _duplicates(sources),
    }


def _report(manifest, directory):
    """One warning summarising the skipped tracks, zeroed samples and duplicate contents."""
    parts = []
    if manifest["skipped"]:
        lines = [f"  {s['path']}: {s['reason']}" for s in manifest["skipped"][:_REPORTED]]
        more = len(manifest["skipped"]) - _REPORTED
        lines += [f"  ... and {more} more"] if more > 0 else []
        parts.append(f"skipped {len(manifest['skipped'])} unreadable tracks:\n" + "\n".join(lines))
    if manifest["zeroed"]:
        names = [z["track_id"] for z in manifest["zeroed"][:_REPORTED]]
        parts.append(f"zeroed NaN or infinite samples in {len(manifest['zeroed'])} tracks: {names}")
    conflicts = [d for d in manifest["duplicates"] if d["conflicting_labels"]]
    if manifest["duplicates"]:
        shown = [[t["track_id"] for t in d["tracks"]] for d in manifest["duplicates"][:5]]
        parts.append(
            f"{len(manifest['duplicates'])} groups of tracks have identical content "
            f"({len(conflicts)} with conflicting labels): {shown}"
        )
    if parts:
        warnings.warn(
            "write_records " + "; ".join(parts) + f"\n(all listed in {directory}/{MANIFEST_NAME})",
            stacklevel=3,
        )


def _check_tracks(tracks, class_names):
    if not tracks:
        raise ValueError("write_records got no tracks")
    unknown = sorted({t.label for t in tracks} - set(class_names))
    if unknown:
        examples = [t.track_id for t in tracks if t.label in unknown][:5]
        raise ValueError(
            f"labels {unknown} are not in class_names {list(class_names)} (e.g. tracks {examples})"
        )
    counts = collections.Counter(t.track_id for t in tracks)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    if repeated:
        raise ValueError(f"track ids must be unique; duplicates: {repeated[:5]}")


def write_records(
    tracks: Iterable[Track],
    output_dir: str | os.PathLike = "tf_records",
    sample_rate: int | None = None,
    *,
    options: WriteOptions | None = None,
    **overrides,
) -> dict:
    """Writes tracks as sharded TFRecords of int16 PCM, resumably, with a verified manifest.

    Every track becomes one `tf.train.Example` (schema: `kgenre.data.records`): the mono mix
    resampled to `sample_rate` as int16 PCM, its class index, position and id, optionally
    each stem's PCM and precomputed features. Clips are cut at read time by `make_dataset`,
    so one set of records serves every clip length and hop.

    Integrity: one writer at a time holds the folder (`RecordsLockedError` names the other
    one's pid); the old manifest is removed before any shard is touched, so a folder is
    unreadable until a write completes; each shard is written under a temporary name and
    renamed when complete, then described by a `.json` beside it; a rerun after an
    interruption (even `kill -9`) keeps every shard whose description matches the same
    tracks and settings and whose bytes match their SHA-256, and rewrites the rest (truncated
    or corrupted ones included), giving the same bytes as an uninterrupted run.
    `manifest.json` (class names, sample rate, shards with sizes and SHA-256s, per-class
    counts, per-track source and record hashes, kgenre version) is written last, atomically.

    Bad input never stops the run and is never silent: tracks that cannot be used (missing,
    empty, not audio by content, undecodable, holding NaN or infinite samples, silent,
    shorter than `min_seconds`, lacking a requested stem) are skipped and listed with their
    reasons in the manifest's `skipped`; tracks with zeroed samples (`nonfinite="zero"`) in
    `zeroed`; tracks with identical content (the same file under two genres) in
    `duplicates`; and all of it in one warning at the end.

    Args:
        tracks: list of `kgenre.datasets.Track`.
        output_dir: folder for the shards and manifest (created). Default `tf_records/`.
        sample_rate: rate the audio is stored at; overrides `options.sample_rate` (22050).
        options: a `WriteOptions`; default `WriteOptions()`.
        **overrides: fields of `WriteOptions` to override (`sample_rate=16000`, ...).

    Returns:
        The manifest dict (also in `output_dir/manifest.json`).

    Raises:
        ValueError: bad options, no tracks, duplicate track ids or a label not in
            `class_names` (all before anything is written), or no track could be read.
        RecordsLockedError: another process is writing `output_dir`.

    Example:
        >>> tracks = kgenre.datasets.folder_per_genre("gtzan/genres")  # doctest: +SKIP
        >>> write_records(tracks, "tf_records/gtzan16k", sample_rate=16000)  # doctest: +SKIP
    """
    if sample_rate is not None:
        overrides["sample_rate"] = sample_rate
    options = dataclasses.replace(options or WriteOptions(), **overrides)
    tracks = list(tracks)
    labels = sorted({t.label for t in tracks})
    class_names = options.class_names if options.class_names is not None else tuple(labels)
    _check_tracks(tracks, class_names)
    settings = EncodeSettings(
        sample_rate=options.sample_rate,
        label_index={c: i for i, c in enumerate(class_names)},
        stems=options.stems,
        features=options.features,
        min_seconds=options.min_seconds,
        nonfinite=options.nonfinite,
        skip_silent=options.skip_silent,
    )
    plans = plan_shards(tracks, options, class_names)
    output_dir = os.fspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    with writer_lock(output_dir):
        invalidate_manifest(output_dir)
        remove_leftovers(output_dir, options.name, plans)
        infos = []
        with (
            tqdm(
                total=len(tracks),
                desc=f"writing {options.name}",
                unit="track",
                disable=not options.progress,
            ) as bar,
            ThreadPoolExecutor(options.workers) as pool,
        ):
            for plan in plans:
                info = finished_shard(output_dir, plan)
                if info is None:
                    info = write_shard(output_dir, plan, settings, pool, bar.update)
                else:
                    bar.update(len(plan.tracks))
                infos.append(info)
        manifest = build_manifest(infos, options, class_names)
        write_json_atomic(os.path.join(output_dir, MANIFEST_NAME), manifest)
    _report(manifest, output_dir)
    if manifest["num_tracks"] == 0:
        raise ValueError(f"no track could be read; see {output_dir}/{MANIFEST_NAME} 'skipped'")
    return manifest
