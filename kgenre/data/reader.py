"""The tf.data pipeline that turns kgenre TFRecords into batches of clips for `model.fit`.

`make_dataset` chains named stages, each a function documented below:

1. `read_shards`: the shard files (shuffled in training), interleaved, each checked to yield
   every record the manifest lists (a damaged shard stops the run with its name);
2. parse and clips (`to_clips`): each record parsed (`kgenre.data.records.parse_spec`) and cut
   into clips at positions taken from `kgenre.audio.io` (`clip_starts` in evaluation,
   `clip_span` for the random positions of training) through a per-track `ClipTable`;
3. shuffle and batch;
4. augment, features (`finish`): random gain and noise on waveforms
   (`kgenre.data.augment`), the log-mel spectrogram (`log_mel`: the same
   `kgenre.audio.features.filterbank_spectrogram` the Keras layer runs), SpecAugment.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import typing
import warnings

import numpy as np

from kgenre.audio.checks import (
    check_choice,
    check_count,
    check_number,
    check_seconds,
    seconds_to_samples,
)
from kgenre.audio.features import (
    filterbank_spectrogram,
    log_mel_spectrogram,
    mel_filterbank,
    stft_window,
)
from kgenre.audio.io import TAIL_POLICIES, clip_span, clip_starts
from kgenre.data import augment as augmentation
from kgenre.data._tf import TFOps, tf
from kgenre.data.manifest import FIX, check_shards, read_manifest, shard_path, verify_records
from kgenre.data.records import parse_spec

LOG_MEL_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(log_mel_spectrogram).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}
"""Defaults of `feature="log_mel"`: those of `kgenre.audio.log_mel_spectrogram` (SoundFusion's
window/hop, Mersy 2021's 128 bands), read from its signature."""

MODES = ("train", "eval")


@dataclasses.dataclass
class DatasetOptions:
    """Settings of `make_dataset`; every one is validated when the options are made.

    Args:
        mode: `"train"` or `"eval"`.
        clip_seconds: clip length in seconds (3 for MS-SincResNet, 5 for SoundFusion).
        hop_seconds: eval hop (0.5 for MS-SincResNet; 3.75 = 25% overlap for SoundFusion);
            defaults to `clip_seconds`.
        clips_per_track: random clips per track per pass in training (4, MS-SincResNet).
        batch_size: clips per batch.
        feature: `None` (waveforms), `"log_mel"` or a feature precomputed by
            `write_records(features=...)`.
        stems: stem names to use instead of the mix (they must have been written).
        feature_options: overrides of `LOG_MEL_DEFAULTS` for `"log_mel"`.
        augment: apply gain, noise and SpecAugment in training (never in eval).
        gain_range: random gain interval; default `kgenre.data.augment.GAIN_RANGE`.
        noise_stddev: standard deviation of the added noise (0 disables it); default
            `kgenre.data.augment.NOISE_STDDEV`.
        spec_augment: `True`, `False` or a dict overriding `SPEC_AUGMENT_DEFAULTS`; applies to
            spectrogram inputs only.
        tail: eval tail policy, `"drop"` or `"pad"` (see `kgenre.audio.clip_starts`).
        shuffle_buffer: clips held for shuffling in training (512 3-s 16-kHz clips take
            about 100 MB; clips already arrive mixed from 8 tracks of shuffled shards).
        with_track_ids: in eval, yield `(x, label, track_id)`.
        cache: keep parsed tracks in memory after the first pass (small corpora).
        repeat: repeat forever (then pass `steps_per_epoch` to `fit`).
        seed: seed of shard order, clip positions, shuffling and augmentation.
        verify: check every shard's SHA-256 against the manifest before reading
            (`verify_records`; reads every byte once). Sizes are always checked.
    """

    mode: str = "train"
    clip_seconds: float = 3.0
    hop_seconds: float | None = None
    clips_per_track: int = 4
    batch_size: int = 32
    feature: str | None = None
    stems: tuple = ()
    feature_options: dict | None = None
    augment: bool = True
    gain_range: tuple = augmentation.GAIN_RANGE
    noise_stddev: float = augmentation.NOISE_STDDEV
    spec_augment: object = True
    tail: str = "drop"
    shuffle_buffer: int = 512
    with_track_ids: bool = False
    cache: bool = False
    repeat: bool = False
    seed: int = 0
    verify: bool = False

    def __post_init__(self):
        check_choice(self.mode, "mode", MODES)
        check_choice(self.tail, "tail", TAIL_POLICIES)
        self.clip_seconds = check_seconds(self.clip_seconds, "clip_seconds")
        if self.hop_seconds is not None:
            self.hop_seconds = check_seconds(self.hop_seconds, "hop_seconds")
        self.clips_per_track = check_count(self.clips_per_track, "clips_per_track", maximum=10_000)
        self.batch_size = check_count(self.batch_size, "batch_size", maximum=1 << 20)
        self.shuffle_buffer = check_count(self.shuffle_buffer, "shuffle_buffer", maximum=1 << 24)
        self.seed = check_count(self.seed, "seed", minimum=0, maximum=2**31 - 1)
        self.gain_range = augmentation.check_gain_range(self.gain_range)
        self.noise_stddev = check_number(self.noise_stddev, "noise_stddev", 0.0, 1.0)
        self.stems = tuple(self.stems or ())
        if self.feature is not None and not isinstance(self.feature, str):
            raise ValueError(f"feature must be None or a name, got {self.feature!r}")
        if self.spec_augment:
            self.spec_augment = augmentation.spec_augment_options(self.spec_augment)
        if self.feature_options and self.feature != "log_mel":
            raise ValueError(
                f"feature_options apply to feature='log_mel' only, got feature={self.feature!r}"
            )


class ClipTable(typing.NamedTuple):
    """Per-track clip positions from `kgenre.audio.io`, looked up by track id in the graph.

    `spans[row]` is `clip_span` of the track (training draws starts in it); in evaluation
    `starts[splits[row]:splits[row + 1]]` are its `clip_starts`. `total` is the number of
    clips one pass yields.
    """

    rows: object
    spans: object
    splits: object
    starts: object
    total: int


@dataclasses.dataclass
class Plan:
    """What `DatasetOptions` mean for one records folder: sample counts, inputs, features."""

    options: DatasetOptions
    manifest: dict
    training: bool
    clip_length: int
    hop_length: int
    sources: tuple
    precomputed: bool
    feature_hop: int | None
    log_mel: dict | None
    mel_weights: np.ndarray | None
    spec: dict


def _check_feature(manifest, options):
    if options.feature in (None, "log_mel"):
        return
    if options.feature not in manifest["features"]:
        raise ValueError(
            f"unknown feature {options.feature!r}: use None, 'log_mel' or one written with the "
            f"records ({sorted(manifest['features'])})"
        )
    if options.stems:
        raise ValueError("precomputed features are of the mix; do not pass stems with them")


def _log_mel_options(options, sample_rate):
    values = dict(LOG_MEL_DEFAULTS)
    unknown = sorted(set(options.feature_options or {}) - set(values))
    if unknown:
        raise ValueError(f"unknown log_mel options {unknown}; known: {sorted(values)}")
    values.update(options.feature_options or {})
    values["n_fft"] = check_count(values["n_fft"], "log_mel n_fft", minimum=2)
    values["hop_length"] = check_count(values["hop_length"], "log_mel hop_length")
    stft_window(values["n_fft"], values["win_length"])
    weights = mel_filterbank(
        sample_rate, values["n_fft"], values["n_mels"], values["fmin"], values["fmax"]
    )
    return values, weights


def resolve(manifest: dict, options: DatasetOptions) -> Plan:
    """The `Plan` of reading `manifest`'s records with `options`.

    Raises:
        ValueError: a stem or feature the records do not hold, bad log-mel options, or a
            clip or hop shorter than one sample at the records' rate.
    """
    sample_rate = manifest["sample_rate"]
    lacking = [s for s in options.stems if s not in manifest["stems"]]
    if lacking:
        raise ValueError(f"stems {lacking} were not written (the records hold {manifest['stems']})")
    _check_feature(manifest, options)
    clip_length = seconds_to_samples(options.clip_seconds, sample_rate, "clip_seconds")
    hop_seconds = options.hop_seconds or options.clip_seconds
    hop_length = seconds_to_samples(hop_seconds, sample_rate, "hop_seconds")
    precomputed = options.feature not in (None, "log_mel")
    log_mel, weights = (None, None)
    if options.feature == "log_mel":
        log_mel, weights = _log_mel_options(options, sample_rate)
    return Plan(
        options=options,
        manifest=manifest,
        training=options.mode == "train",
        clip_length=clip_length,
        hop_length=hop_length,
        sources=tuple(f"stem/{s}" for s in options.stems) or ("audio",),
        precomputed=precomputed,
        feature_hop=manifest["features"][options.feature]["hop_length"] if precomputed else None,
        log_mel=log_mel,
        mel_weights=weights,
        spec=parse_spec(manifest, options.stems, options.feature),
    )


def _warn_short_tracks(plan):
    lengths = {t: s["num_samples"] for t, s in plan.manifest["sources"].items()}
    short = sorted(t for t, n in lengths.items() if n < plan.clip_length)
    if short:
        warnings.warn(
            f"{len(short)} of {len(lengths)} tracks in {plan.manifest['directory']} are shorter "
            f"than one clip of {plan.options.clip_seconds} s; each gives one zero-padded clip "
            f"(e.g. {short[:5]}); write_records(min_seconds=...) skips such tracks",
            stacklevel=3,
        )


def clip_table(plan: Plan) -> ClipTable:
    """The `ClipTable` of the records, from the track lengths in the manifest."""
    ids = list(plan.manifest["sources"])
    lengths = [plan.manifest["sources"][t]["num_samples"] for t in ids]
    spans = [clip_span(n, plan.clip_length) for n in lengths]
    tail = plan.options.tail
    starts = (
        []
        if plan.training
        else [clip_starts(n, plan.clip_length, plan.hop_length, tail=tail) for n in lengths]
    )
    counts = [plan.options.clips_per_track] * len(ids) if plan.training else map(len, starts)
    counts = list(counts)
    rows = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant(ids, tf.string), tf.range(len(ids), dtype=tf.int64)
        ),
        default_value=-1,
    )
    return ClipTable(
        rows=rows,
        spans=tf.constant(spans, tf.int64),
        splits=tf.constant(np.concatenate([[0], np.cumsum(counts)]), tf.int64),
        starts=tf.constant(np.concatenate(starts) if starts else np.zeros(0), tf.int64),
        total=int(sum(counts)),
    )


def _count_records(path, expected, count, element):
    """`scan` step of `checked_shard`: counts records and, at the end marker, checks the count."""
    record, end = element
    complete = tf.logical_or(tf.logical_not(end), tf.equal(count, expected))
    message = tf.strings.join(
        [
            "TFRecord shard ",
            path,
            " is damaged (truncated or corrupted: TensorFlow reported a DataLossError after ",
            tf.strings.as_string(count),
            " of its ",
            tf.strings.as_string(expected),
            f" records). Fix: {FIX}; kgenre.data.verify_records(folder) names the damaged tracks",
        ]
    )
    with tf.control_dependencies([tf.debugging.Assert(complete, [message])]):
        return count + 1, (tf.identity(record), end)


def checked_shard(path: tf.Tensor, expected: tf.Tensor) -> tf.data.Dataset:
    """The records of one shard, ending in an error naming the shard if any is unreadable.

    TensorFlow's `DataLossError` for a damaged TFRecord says neither which file nor what to
    do. Here the reader skips past the damage (`ignore_errors`), counts what it read and,
    at an end marker, fails with the shard's name and the fix unless it read all `expected`
    records.
    """
    records = tf.data.TFRecordDataset(path).ignore_errors().map(lambda r: (r, False))
    end = tf.data.Dataset.from_tensors((tf.constant(b""), True))
    counted = records.concatenate(end).scan(
        tf.constant(0, tf.int64), functools.partial(_count_records, path, expected)
    )
    return counted.filter(lambda record, end: tf.logical_not(end)).map(lambda record, end: record)


def read_shards(plan: Plan) -> tf.data.Dataset:
    """Stage 1: serialized records of every shard, shards shuffled and interleaved in training."""
    shards = plan.manifest["shards"]
    files = [shard_path(plan.manifest, s) for s in shards]
    counts = [s["num_tracks"] for s in shards]
    ds = tf.data.Dataset.from_tensor_slices((files, tf.constant(counts, tf.int64)))
    if plan.training:
        ds = ds.shuffle(len(files), seed=plan.options.seed, reshuffle_each_iteration=True)
    return ds.interleave(
        checked_shard,
        cycle_length=min(len(files), 4),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=not plan.training,
    )


def clip_positions(plan: Plan, table: ClipTable, record: dict, key: tf.Tensor) -> tf.Tensor:
    """Start samples of the clips of one parsed record.

    Training: `clips_per_track` starts drawn uniformly in the track's `clip_span`, with the
    stateless key `key`. Evaluation: the track's `clip_starts`.
    """
    row = table.rows.lookup(record["track_id"])
    if plan.training:
        u = tf.random.stateless_uniform([plan.options.clips_per_track], key, dtype=tf.float64)
        return tf.cast(u * tf.cast(table.spans[row], tf.float64), tf.int64)
    return table.starts[table.splits[row] : table.splits[row + 1]]


def _crop_pcm(pcm_bytes, starts, clip_length):
    """int16 clips `(clips, clip_length)` cut from raw PCM bytes, zero-padded past the end."""
    pieces = tf.strings.substr(pcm_bytes, starts * 2, tf.fill(tf.shape(starts), clip_length * 2))
    pcm = tf.io.decode_raw(pieces, tf.int16, little_endian=True, fixed_length=clip_length * 2)
    return tf.reshape(pcm, [-1, clip_length])


def _crop_feature(record, feature, starts, hop_length, clip_frames):
    """Precomputed feature clips `(clips, bands, clip_frames)`; frames past the end repeat the last."""
    shape = record[f"feature/{feature}/shape"]
    values = tf.reshape(tf.io.decode_raw(record[f"feature/{feature}"], tf.float32), shape)
    first = starts // hop_length
    index = first[:, None] + tf.range(clip_frames, dtype=first.dtype)[None, :]
    index = tf.minimum(index, shape[1] - 1)
    return tf.transpose(tf.gather(values, index, axis=1), [1, 0, 2])


def cut_clips(plan: Plan, record: dict, starts: tf.Tensor) -> tf.Tensor:
    """The clips of one record at `starts`: waveforms `(clips, S)` (or `(clips, S, stems)`,
    float32 in [-1, 1]) or precomputed feature frames `(clips, bands, frames, 1)`."""
    if plan.precomputed:
        clip_frames = 1 + plan.clip_length // plan.feature_hop
        crop = _crop_feature(record, plan.options.feature, starts, plan.feature_hop, clip_frames)
        return crop[..., None]
    starts = tf.cast(starts, tf.int32)
    pcm = [_crop_pcm(record[s], starts, plan.clip_length) for s in plan.sources]
    stacked = tf.stack(pcm, axis=-1) if plan.options.stems else pcm[0]
    return tf.cast(stacked, tf.float32) / 32768.0


def to_clips(
    plan: Plan, table: ClipTable, serialized: tf.Tensor, random: tf.Tensor
) -> tf.data.Dataset:
    """Stage 2: one serialized record to a dataset of `(clip, label, track_id)`.

    `random` comes from a `Dataset.random` stream that is redrawn every pass, so clip
    positions differ per epoch (op-seeded random ops inside tf.data would repeat the same
    draws each epoch once a global seed is set).
    """
    record = tf.io.parse_single_example(serialized, plan.spec)
    starts = clip_positions(plan, table, record, tf.stack([random, record["track_index"]]))
    x = cut_clips(plan, record, starts)
    clips = tf.shape(starts)[0]
    label = tf.fill([clips], tf.cast(record["label"], tf.int32))
    track_id = tf.fill([clips], record["track_id"])
    return tf.data.Dataset.from_tensor_slices((x, label, track_id))


def log_mel(plan: Plan, x: tf.Tensor) -> tf.Tensor:
    """Log-mel in dB of waveform clips: `(batch, S)` to `(batch, mels, T, 1)`, or stems
    `(batch, S, C)` to `(batch, mels, T, C)`; `filterbank_spectrogram` with TensorFlow ops."""
    options = plan.log_mel
    stacked = len(x.shape) == 3
    waves = tf.transpose(x, [0, 2, 1]) if stacked else x
    db = filterbank_spectrogram(
        waves,
        plan.mel_weights,
        options["n_fft"],
        options["hop_length"],
        options["win_length"],
        ops=TFOps,
    )
    return tf.transpose(db, [0, 2, 3, 1]) if stacked else db[..., None]


def finish(plan: Plan, noise: tf.Tensor | None, batch: tuple, random: tf.Tensor) -> tuple:
    """Stage 4, per batch: waveform augmentation, features, SpecAugment; the output tuple."""
    x, label, track_id = batch
    options = plan.options
    augmenting = plan.training and options.augment
    if augmenting and not plan.precomputed:
        x = augmentation.gain_and_noise(x, options.gain_range, noise, tf.stack([random, 1]))
    if options.feature == "log_mel":
        x = log_mel(plan, x)
    if augmenting and options.feature is not None and options.spec_augment:
        x = augmentation.spec_augment(x, options.spec_augment, tf.stack([random, random + 7]))
    if options.with_track_ids and not plan.training:
        return x, label, track_id
    return x, label


def _noise(plan):
    options = plan.options
    if not (plan.training and options.augment and options.noise_stddev) or plan.precomputed:
        return None
    channels = max(1, len(options.stems))
    size = max(1 << 20, 2 * options.batch_size * channels * plan.clip_length)
    return augmentation.noise_table(options.noise_stddev, size, options.seed)


def _random_stream(seed):
    """Seeds redrawn every pass (clip positions and augmentation differ per epoch)."""
    return tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)


def make_dataset(
    records: str | os.PathLike,
    mode: str | None = None,
    *,
    options: DatasetOptions | None = None,
    **overrides,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of clips from records written by `write_records`, for `model.fit`.

    Training (`mode="train"`): shards are shuffled and read in parallel (interleaved); every
    pass draws `clips_per_track` clips at uniformly random positions from each track
    (MS-SincResNet: 4 per track, Chang et al. 2021); clips are shuffled, batched with the
    remainder dropped, and augmented per example: gain x U[`gain_range`], additive Gaussian
    noise of `noise_stddev` (full scale 1; the defaults are MS-SincResNet's, see
    `kgenre.data.augment`) and, for spectrogram inputs, SpecAugment masks.

    Evaluation (`mode="eval"`): every clip of every track at `hop_seconds` (the policy of
    `kgenre.audio.clip_starts`: clips start at multiples of the hop while they fit,
    `tail="pad"` adds one zero-padded clip covering the rest, tracks shorter than one clip
    give one zero-padded clip, with a warning), in record order, no augmentation, last batch
    kept. With `with_track_ids=True` elements are `(x, label, track_id)` so predictions can
    be aggregated per track; otherwise `(x, label)` as `model.evaluate` needs.

    Inputs (`x`), for `batch` clips of `S = clip_seconds * sample_rate` samples:
    - `feature=None`: waveforms `(batch, S)`, float32 in [-1, 1]; with `stems`,
      `(batch, S, len(stems))`.
    - `feature="log_mel"`: log-mel in dB computed in the pipeline by the same code as
      `kgenre.audio.LogMelSpectrogram` and `kgenre.audio.log_mel_spectrogram` (options in
      `feature_options`, defaults `LOG_MEL_DEFAULTS`): `(batch, n_mels, 1 + S // hop_length,
      1)`; with `stems=("bass", "drums", "other")` the per-stem log-mels stacked as channels,
      `(batch, 128, T, 3)`, Mersy 2021's representation.
    - `feature=<name>` of a feature precomputed by `write_records(features=...)`:
      `(batch, bands, 1 + S // feature_hop, 1)`, frames cut at the clip positions.

    Labels are int32 class indices (order: the manifest's `class_names`).

    Integrity: the manifest must exist and be valid (a folder being rewritten has none);
    every shard's size is checked, and with `verify=True` its SHA-256; a shard damaged on
    disk stops reading with an error naming it and the fix.

    Args:
        records: folder written by `write_records` (or its manifest path).
        mode: `"train"` or `"eval"`; overrides `options.mode`.
        options: a `DatasetOptions`; default `DatasetOptions()`.
        **overrides: fields of `DatasetOptions` to override (`clip_seconds=3.0`, ...).

    Returns:
        A batched, prefetched `tf.data.Dataset`.

    Raises:
        FileNotFoundError: no manifest.
        ValueError: bad options, unknown feature or stem, or a missing, truncated or (with
            `verify=True`) corrupted shard.

    Example:
        >>> ds = make_dataset("tf_records/gtzan16k", "train", clip_seconds=3.0)  # doctest: +SKIP
        >>> model.fit(ds, epochs=10)  # doctest: +SKIP
    """
    if mode is not None:
        overrides["mode"] = mode
    options = dataclasses.replace(options or DatasetOptions(), **overrides)
    manifest = read_manifest(records)
    check_shards(manifest)
    if options.verify:
        report = verify_records(manifest["directory"])
        if not report.ok:
            raise ValueError(str(report))
    plan = resolve(manifest, options)
    _warn_short_tracks(plan)
    table = clip_table(plan)

    ds = read_shards(plan)
    if options.cache:
        ds = ds.cache()
    ds = tf.data.Dataset.zip(ds, _random_stream(options.seed))
    clips = functools.partial(to_clips, plan, table)
    if plan.training:
        ds = ds.interleave(
            clips, cycle_length=8, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False
        )
        ds = ds.shuffle(options.shuffle_buffer, seed=options.seed, reshuffle_each_iteration=True)
    else:
        ds = ds.flat_map(clips)
    if options.repeat:
        ds = ds.repeat()
    batch = options.batch_size
    ds = ds.batch(batch, drop_remainder=plan.training, num_parallel_calls=tf.data.AUTOTUNE)
    if not options.repeat:
        # Known length: Keras shows a complete progress bar and needs no end-of-data probe.
        batches = table.total // batch if plan.training else -(-table.total // batch)
        ds = ds.apply(tf.data.experimental.assert_cardinality(batches))
    ds = tf.data.Dataset.zip(ds, _random_stream(options.seed + 1))
    ds = ds.map(functools.partial(finish, plan, _noise(plan)), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
