"""From a corpus to arrays: the data steps every recipe shares.

    tracks (an adapter, or the synthetic corpus)
      -> TFRecords (`kgenre.data.write_records`: validated, resumable, skips reported)
      -> clips (`load_clips`: every clip at a hop, with its track)
      -> model inputs (`kgenre.inference.make_inputs`, cached on disk by `cached_inputs`)

The same `make_inputs` feeds `kgenre predict`, so a saved model is always fed as it was
trained. Recipes that stream (long corpora) use `kgenre.data.make_dataset` on the same records.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os

import numpy as np

from kgenre.experiments.options import DATASETS as ADAPTERS


def list_tracks(
    input: str | None,
    dataset: str = "auto",
    metadata: str | None = None,
    family: str = "edm",
    tracks_per_genre: int = 20,
    seconds: float = 30.0,
    sample_rate: int = 22050,
    seed: int = 0,
    genres=None,
):
    """The labelled tracks of an experiment.

    Args:
        input: a folder per genre (GTZAN's layout), a CSV/TSV of `path,label[,group]`, the
            FMA audio folder (`dataset="fma_small"`, with `metadata` the `fma_metadata`
            folder) or the ISMIR2004 root (`dataset="ismir2004"`); `None` renders the
            built-in synthetic corpus (`family`, `tracks_per_genre`, `seconds`,
            `sample_rate`, `seed`, `genres`).
        dataset: `"auto"` (a folder or a CSV, by what `input` is) or an adapter name.

    Returns:
        list of `kgenre.datasets.Track`.
    """
    from kgenre import datasets

    if dataset not in ADAPTERS:
        raise ValueError(f"dataset must be one of {ADAPTERS}, got {dataset!r}")
    if input is None:
        from kgenre.datasets.synthetic import synthetic

        return synthetic(
            family=family,
            tracks_per_genre=tracks_per_genre,
            seconds=seconds,
            sample_rate=sample_rate,
            seed=seed,
            genres=genres,
        )
    if not os.path.exists(input):
        raise FileNotFoundError(f"--input does not exist: {input!r}")
    if dataset == "auto":
        dataset = "folder" if os.path.isdir(input) else "csv"
    if dataset == "folder":
        return datasets.folder_per_genre(input)
    if dataset == "csv":
        return datasets.from_csv(input)
    if dataset == "fma_small":
        if metadata is None:
            raise ValueError("dataset 'fma_small' needs --metadata (the fma_metadata folder)")
        return datasets.fma_small(metadata, input)
    return datasets.ismir2004(input)


def prepare_clips(config, hop_seconds=None):
    """Tracks, records and clips from a recipe's settings, in one call.

    Reads the tracks with `config.tracks` (`Settings.tracks`: `--input`, or the synthetic
    corpus of `family`, `genres`, `tracks_per_genre`, `track_seconds`, `sample_rate`), and
    `records_dir` (see
    `write_corpus`) and `clip_seconds`; clips are `hop_seconds` apart (default: no overlap).

    Returns:
        `(manifest, kept tracks, skipped tracks, Clips)`.
    """
    tracks = config.tracks(
        family=config.family,
        tracks_per_genre=config.tracks_per_genre,
        seconds=config.track_seconds,
        sample_rate=config.sample_rate,
        genres=config.genres,
    )
    manifest, kept = write_corpus(tracks, config.records_dir, config.sample_rate)
    skipped = [t for t in tracks if t not in kept]
    clips = load_clips(config.records_dir, kept, config.clip_seconds, hop_seconds)
    return manifest, kept, skipped, clips


def write_corpus(tracks, records_dir: str, sample_rate: int, stems=None, min_seconds=1.0):
    """Writes (or resumes) the records; returns `(manifest, kept tracks)`.

    Tracks the writer skipped (unreadable, too short, ...) are reported in the manifest and
    left out of the returned list, so splits index exactly the tracks that have records.
    """
    from kgenre.data import write_records

    manifest = write_records(
        tracks, records_dir, sample_rate=sample_rate, stems=stems, min_seconds=min_seconds
    )
    kept = [t for t in tracks if t.track_id in manifest["sources"]]
    return manifest, kept


@dataclasses.dataclass
class Clips:
    """Every clip of a set of records, in record order.

    Attributes:
        audio: `(clips, samples)` float32 mix.
        stems: `{name: (clips, samples)}`.
        labels: `(clips,)` int labels (the manifest's class order).
        track_ids: `(clips,)` track id of each clip.
    """

    audio: np.ndarray
    stems: dict
    labels: np.ndarray
    track_ids: np.ndarray

    def track_index(self, tracks) -> np.ndarray:
        """`(clips,)` position of each clip's track in `tracks`."""
        position = {t.track_id: i for i, t in enumerate(tracks)}
        missing = sorted({t for t in self.track_ids if t not in position})
        if missing:
            raise ValueError(f"clips of tracks not in the track list, e.g. {missing[:3]}")
        return np.array([position[t] for t in self.track_ids])

    def split_index(self, tracks, split) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`(train, validation, test)` clip indices of a `kgenre.datasets.Split` of `tracks`."""
        position = self.track_index(tracks)
        return tuple(
            np.flatnonzero(np.isin(position, part))
            for part in (split.train, split.validation, split.test)
        )


def load_clips(
    records: str, tracks, clip_seconds: float, hop_seconds=None, stems=(), batch_size=64
):
    """Every clip of the records at `hop_seconds` (default: no overlap), mix and stems.

    Clips follow `kgenre.audio.clip_starts` (the records reader's eval mode): full clips at
    the hop, a track shorter than one clip gives one zero-padded clip. They come back ordered
    as `tracks` (the written tracks, `write_corpus`'s second result), clips of a track in
    time order: the reader may interleave shards.
    """
    from kgenre.data import make_dataset

    order = {t.track_id: i for i, t in enumerate(tracks)}

    def collect(stem_names):
        dataset = make_dataset(
            records,
            mode="eval",
            clip_seconds=clip_seconds,
            hop_seconds=hop_seconds,
            batch_size=batch_size,
            stems=stem_names,
            with_track_ids=True,
        )
        xs, ys, ids = [], [], []
        for x, y, track_id in dataset.as_numpy_iterator():
            xs.append(x)
            ys.append(y)
            ids.extend(t.decode("utf-8") for t in track_id)
        return np.concatenate(xs), np.concatenate(ys).astype(int), np.array(ids)

    audio, labels, ids = collect(None)
    unknown = sorted({t for t in ids if t not in order})
    if unknown:
        raise ValueError(f"{records} holds tracks not in the track list, e.g. {unknown[:3]}")
    by_track = np.argsort([order[t] for t in ids], kind="stable")
    out = {}
    if stems:
        stacked, labels_s, ids_s = collect(tuple(stems))
        if not (np.array_equal(ids, ids_s) and np.array_equal(labels, labels_s)):
            raise RuntimeError(f"{records}: stem clips are not aligned with the mix clips")
        out = {
            name: np.ascontiguousarray(stacked[by_track, ..., i]) for i, name in enumerate(stems)
        }
    return Clips(audio[by_track], out, labels[by_track], ids[by_track])


def _fingerprint(manifest: dict, extra) -> str:
    payload = {
        "shards": [[s["file"], s["bytes"], s.get("sha256")] for s in manifest["shards"]],
        "sample_rate": manifest["sample_rate"],
        "extra": extra,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def cached_inputs(records: str, clips: Clips, specs: dict, sample_rate: int, clip_settings) -> dict:
    """`{key: make_input(spec, ...)}` for every `key: spec` of `specs`, computed once and cached.

    The cache (`<records>/inputs/<hash>.npy`) is keyed by the records' shards, the clip
    settings and the spec, so new records or settings never reuse stale features.
    """
    from kgenre.data import read_manifest
    from kgenre.inference.inputs import make_input

    manifest = read_manifest(records)
    folder = os.path.join(records, "inputs")
    os.makedirs(folder, exist_ok=True)
    out = {}
    for name, spec in specs.items():
        key = _fingerprint(manifest, [clip_settings, spec.to_dict()])[:24]
        path = os.path.join(folder, f"{key}.npy")
        if os.path.exists(path):
            try:
                out[name] = np.load(path)
                continue
            except (OSError, ValueError):
                pass  # a damaged cache entry is recomputed
        value = make_input(spec, sample_rate, clips.audio, clips.stems)
        tmp = f"{path}.{os.getpid()}.tmp.npy"
        np.save(tmp, value)
        os.replace(tmp, path)
        out[name] = value
    return out
