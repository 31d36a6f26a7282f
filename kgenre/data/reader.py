"""The tf.data pipeline that turns kgenre TFRecords into batches of clips for `model.fit`."""

import os

import numpy as np

from kgenre.audio.features import AMIN, mel_filterbank
from kgenre.data._tf import tensorflow
from kgenre.data.manifest import check_shards, read_manifest

LOG_MEL_DEFAULTS = {
    "n_fft": 1024,
    "hop_length": 512,
    "win_length": None,
    "n_mels": 128,
    "fmin": 0.0,
    "fmax": None,
}
"""Defaults of `feature="log_mel"`: the same settings and numbers as
`kgenre.audio.log_mel_spectrogram` (SoundFusion's window/hop, Mersy 2021's 128 bands)."""

SPEC_AUGMENT_DEFAULTS = {
    "freq_masks": 2,
    "freq_width": 27,
    "time_masks": 2,
    "time_width": 100,
    "max_time_fraction": 0.2,
}
"""SpecAugment's LD policy (Park et al., Interspeech 2019, Table 1): two frequency masks of up to
F=27 bands, two time masks of up to T=100 frames and at most p=0.2 of the frames."""


def _parse_spec(tf, manifest, feature):
    spec = {
        "audio": tf.io.FixedLenFeature([], tf.string),
        "num_samples": tf.io.FixedLenFeature([], tf.int64),
        "label": tf.io.FixedLenFeature([], tf.int64),
        "track_index": tf.io.FixedLenFeature([], tf.int64),
        "track_id": tf.io.FixedLenFeature([], tf.string),
    }
    for name in manifest["stems"]:
        spec[f"stem/{name}"] = tf.io.FixedLenFeature([], tf.string)
    if feature in manifest["features"]:
        spec[f"feature/{feature}"] = tf.io.FixedLenFeature([], tf.string)
        spec[f"feature/{feature}/shape"] = tf.io.FixedLenFeature([2], tf.int64)
    return spec


def _crop_pcm(tf, pcm_bytes, starts, clip_length):
    """int16 clips `(clips, clip_length)` cut from raw PCM bytes, zero-padded past the end."""
    pieces = tf.strings.substr(pcm_bytes, starts * 2, tf.fill(tf.shape(starts), clip_length * 2))
    pcm = tf.io.decode_raw(pieces, tf.int16, little_endian=True, fixed_length=clip_length * 2)
    return tf.reshape(pcm, [-1, clip_length])


def _crop_feature(tf, record, feature, starts, hop_length, clip_frames):
    """Precomputed feature clips `(clips, bands, clip_frames)`; frames past the end repeat the last."""
    shape = record[f"feature/{feature}/shape"]
    values = tf.reshape(tf.io.decode_raw(record[f"feature/{feature}"], tf.float32), shape)
    first = starts // hop_length
    index = first[:, None] + tf.range(clip_frames, dtype=first.dtype)[None, :]
    index = tf.minimum(index, shape[1] - 1)
    return tf.transpose(tf.gather(values, index, axis=1), [1, 0, 2])


def _log_mel(tf, x, sample_rate, options):
    """Log-mel in dB of `(..., samples)` as `kgenre.audio.log_mel_spectrogram`: `(..., mels, T)`."""
    n_fft = options["n_fft"]
    win_length = options["win_length"] or n_fft
    weights = mel_filterbank(
        sample_rate, n_fft, options["n_mels"], options["fmin"], options["fmax"]
    ).T
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win_length) / win_length)  # periodic
    left = (n_fft - win_length) // 2
    window = np.zeros(n_fft, np.float32)
    window[left : left + win_length] = hann
    pad = [[0, 0]] * (len(x.shape) - 1) + [[n_fft // 2, n_fft // 2]]
    frames = tf.signal.frame(tf.pad(x, pad), n_fft, options["hop_length"], axis=-1)
    spectrum = tf.signal.rfft(frames * window)
    power = tf.math.square(tf.math.real(spectrum)) + tf.math.square(tf.math.imag(spectrum))
    mel = tf.tensordot(power, tf.constant(weights), axes=1)
    db = 10.0 * tf.math.log(tf.maximum(mel, AMIN)) / np.log(10.0)
    rank = len(db.shape)
    return tf.transpose(db, list(range(rank - 2)) + [rank - 1, rank - 2])


def _gain_and_noise(tf, x, gain_range, noise_stddev, noise_table, key):
    """Random gain per clip and Gaussian noise on waveforms `(batch, S)` or `(batch, S, C)`.

    The noise is one contiguous window, at a random offset, of a fixed table of
    N(0, noise_stddev^2) samples twice the size of a batch: drawing fresh normals for every
    sample was 3x slower than the rest of the pipeline, and a window of white Gaussian noise
    is white Gaussian noise (clips of one batch get disjoint parts of it).
    """
    batch = tf.shape(x)[0]
    ones = [1] * (len(x.shape) - 1)
    low, high = gain_range
    gain = low + (high - low) * tf.random.stateless_uniform(tf.concat([[batch], ones], 0), key)
    x = x * gain
    if noise_table is None:
        return x
    stems = len(x.shape) == 3
    flat = tf.reshape(tf.transpose(x, [0, 2, 1]), [-1, tf.shape(x)[1]]) if stems else x
    rows, length = tf.shape(flat)[0], tf.shape(flat)[1]
    span = tf.shape(noise_table)[0] - rows * length + 1
    offset = tf.random.stateless_uniform([], key + 1, 0, span, dtype=tf.int32)
    flat = flat + tf.reshape(tf.slice(noise_table, [offset], [rows * length]), [rows, length])
    if stems:
        return tf.transpose(tf.reshape(flat, [batch, -1, length]), [0, 2, 1])
    return flat


def _spec_augment(tf, x, options, key):
    """Masks random bands and frames of `(batch, bands, frames, channels)` with each example's mean.

    `key` is a stateless-random seed (shape `[2]`), drawn afresh for every batch.
    """
    batch, bands, frames = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    max_time = tf.minimum(
        options["time_width"],
        tf.cast(options["max_time_fraction"] * tf.cast(frames, tf.float32), tf.int32),
    )

    def keep_mask(count, max_width, axis_len, stream):
        keep = tf.ones([batch, axis_len], tf.bool)
        positions = tf.range(axis_len)[None, :]
        for i in range(count):
            draw = tf.random.stateless_uniform([2, batch, 1], key + stream + i)
            width = tf.cast(draw[0] * tf.cast(max_width + 1, tf.float32), tf.int32)
            start = tf.cast(draw[1] * tf.cast(axis_len - width + 1, tf.float32), tf.int32)
            keep &= ~((positions >= start) & (positions < start + width))
        return keep

    keep_f = keep_mask(options["freq_masks"], tf.minimum(options["freq_width"], bands), bands, 0)
    keep_t = keep_mask(options["time_masks"], max_time, frames, 100)
    keep = keep_f[:, :, None, None] & keep_t[:, None, :, None]
    return tf.where(keep, x, mean)


def _clip_count(manifest, training, clips_per_track, clip_length, hop_length, tail, tracks):
    """Clips one pass yields, from the per-track lengths in the manifest (`tracks`: the ids
    read, `None` for all)."""
    sources = manifest["sources"]
    if tracks is not None:
        sources = {k: v for k, v in sources.items() if k in tracks}
    if training:
        return len(sources) * clips_per_track
    total = 0
    for source in sources.values():
        n = source["num_samples"]
        count = 1 + (n - clip_length) // hop_length if n >= clip_length else 1
        if tail == "pad" and n >= clip_length and (count - 1) * hop_length + clip_length < n:
            count += 1
        total += count
    return total


def make_dataset(
    records,
    mode="train",
    clip_seconds=3.0,
    hop_seconds=None,
    clips_per_track=4,
    batch_size=32,
    feature=None,
    stems=None,
    feature_options=None,
    augment=True,
    gain_range=(0.9, 1.1),
    noise_stddev=0.005,
    spec_augment=True,
    tail="drop",
    shuffle_buffer=512,
    with_track_ids=False,
    cache=False,
    repeat=False,
    seed=0,
    tracks=None,
):
    """A `tf.data.Dataset` of clips from records written by `write_records`, for `model.fit`.

    Training (`mode="train"`): shards are shuffled and read in parallel (interleaved); every
    pass draws `clips_per_track` clips at uniformly random positions from each track
    (MS-SincResNet: 4 per track, Chang et al. 2021); clips are shuffled, batched with the
    remainder dropped, and augmented per example: gain x U[`gain_range`], additive Gaussian
    noise of `noise_stddev` (full scale 1) and, for spectrogram inputs, SpecAugment masks.

    Evaluation (`mode="eval"`): every clip of every track at `hop_seconds` (the policy of
    `kgenre.audio.segment`: clips start at multiples of the hop while they fit, `tail="pad"`
    adds one zero-padded clip covering the rest, tracks shorter than one clip give one
    zero-padded clip), in record order, no augmentation, last batch kept. With
    `with_track_ids=True` elements are `(x, label, track_id)` so predictions can be
    aggregated per track (voting/averaging); otherwise `(x, label)` as `model.evaluate` needs.

    Inputs (`x`), for `batch` clips of `S = clip_seconds * sample_rate` samples:
    - `feature=None`: waveforms `(batch, S)`, float32 in [-1, 1]; with `stems`,
      `(batch, S, len(stems))`.
    - `feature="log_mel"`: log-mel in dB computed in the pipeline (identical settings and
      numbers to `kgenre.audio.log_mel_spectrogram`; options in `feature_options`, defaults
      `LOG_MEL_DEFAULTS`): `(batch, n_mels, 1 + S // hop_length, 1)`; with
      `stems=("bass", "drums", "other")` the per-stem log-mels stacked as channels,
      `(batch, 128, T, 3)`, Mersy 2021's representation.
    - `feature=<name>` of a feature precomputed by `write_records(features=...)`:
      `(batch, bands, 1 + S // feature_hop, 1)`, frames cut at the clip positions.

    Labels are int32 class indices (order: the manifest's `class_names`).

    Args:
        records: folder written by `write_records` (or its manifest path).
        mode: `"train"` or `"eval"`.
        clip_seconds: clip length in seconds (3 for MS-SincResNet, 5 for SoundFusion).
        hop_seconds: eval hop (0.5 for MS-SincResNet; 3.75 = 25% overlap for SoundFusion);
            defaults to `clip_seconds`.
        clips_per_track: random clips per track per pass in training (4).
        batch_size: clips per batch.
        feature: `None`, `"log_mel"` or a precomputed feature name.
        stems: stem names to use instead of the mix (they must have been written).
        feature_options: overrides of `LOG_MEL_DEFAULTS` for `"log_mel"`; with
            `spec_augment` a dict, overrides of `SPEC_AUGMENT_DEFAULTS`.
        augment: apply gain, noise and SpecAugment in training (never in eval).
        gain_range: random gain interval.
        noise_stddev: standard deviation of the added noise (0 disables it).
        spec_augment: `True`, `False` or a dict overriding `SPEC_AUGMENT_DEFAULTS`.
        tail: eval tail policy, `"drop"` or `"pad"`.
        shuffle_buffer: clips held for shuffling in training (512 3-s 16-kHz clips take
            about 100 MB; clips already arrive mixed from 8 tracks of shuffled shards).
        with_track_ids: in eval, yield `(x, label, track_id)`.
        cache: keep parsed tracks in memory after the first pass (small corpora).
        repeat: repeat forever (then pass `steps_per_epoch` to `fit`).
        seed: seed of shard order, clip positions, shuffling and augmentation.
        tracks: ids of the tracks to read (a split's training or test tracks, so one set
            of records serves every fold); `None` reads every track.

    Returns:
        A batched, prefetched `tf.data.Dataset`.

    Raises:
        FileNotFoundError: no manifest.
        ValueError: bad arguments, unknown feature or stem, a track id not in the records,
            or a missing/truncated shard.

    Example:
        >>> ds = make_dataset("tf_records/gtzan16k", "train", clip_seconds=3.0)  # doctest: +SKIP
        >>> model.fit(ds, epochs=10)  # doctest: +SKIP
    """
    tf = tensorflow()
    manifest = read_manifest(records)
    check_shards(manifest)
    if mode not in ("train", "eval"):
        raise ValueError(f'mode must be "train" or "eval", got {mode!r}')
    if tail not in ("drop", "pad"):
        raise ValueError(f'tail must be "drop" or "pad", got {tail!r}')
    if clip_seconds <= 0 or (hop_seconds is not None and hop_seconds <= 0):
        raise ValueError(
            f"clip_seconds and hop_seconds must be positive, got {clip_seconds}, {hop_seconds}"
        )
    if clips_per_track < 1 or batch_size < 1:
        raise ValueError(
            f"clips_per_track and batch_size must be >= 1, got {clips_per_track}, {batch_size}"
        )
    if tracks is not None:
        tracks = {str(t) for t in tracks}
        unknown = sorted(tracks - set(manifest["sources"]))
        if unknown or not tracks:
            raise ValueError(
                f"tracks must be ids of tracks in the records; not in them: {unknown[:5]}"
                if unknown
                else "tracks is empty: no track to read"
            )
    sample_rate = manifest["sample_rate"]
    stems = list(stems or [])
    lacking = [s for s in stems if s not in manifest["stems"]]
    if lacking:
        raise ValueError(f"stems {lacking} were not written (the records hold {manifest['stems']})")
    precomputed = feature is not None and feature != "log_mel"
    if precomputed and feature not in manifest["features"]:
        raise ValueError(
            f"unknown feature {feature!r}: use None, 'log_mel' or one written with the records "
            f"({sorted(manifest['features'])})"
        )
    if precomputed and stems:
        raise ValueError("precomputed features are of the mix; do not pass stems with them")
    log_mel_options = dict(LOG_MEL_DEFAULTS)
    if feature == "log_mel" and feature_options:
        unknown = set(feature_options) - set(LOG_MEL_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown log_mel options {sorted(unknown)}")
        log_mel_options.update(feature_options)
    augment_options = dict(SPEC_AUGMENT_DEFAULTS)
    if isinstance(spec_augment, dict):
        augment_options.update(spec_augment)
    training = mode == "train"
    clip_length = int(round(clip_seconds * sample_rate))
    hop_length = int(round((hop_seconds or clip_seconds) * sample_rate))
    if precomputed:
        feature_hop = manifest["features"][feature]["hop_length"]
        clip_frames = 1 + clip_length // feature_hop
    sources = [f"stem/{s}" for s in stems] or ["audio"]
    parse_spec = _parse_spec(tf, manifest, feature)
    noise_table = None
    if training and augment and noise_stddev and not precomputed:
        channels = max(1, len(stems))
        size = max(1 << 20, 2 * batch_size * channels * clip_length)
        noise_table = tf.constant(
            np.random.default_rng(seed).standard_normal(size).astype(np.float32) * noise_stddev
        )

    def starts_of(record, key):
        n = record["num_samples"]
        if training:
            span = tf.maximum(n - clip_length, 0) + 1
            u = tf.random.stateless_uniform([clips_per_track], key, dtype=tf.float64)
            return tf.cast(u * tf.cast(span, tf.float64), tf.int64)
        count = tf.where(n >= clip_length, 1 + (n - clip_length) // hop_length, 1)
        if tail == "pad":
            uncovered = (count - 1) * hop_length + clip_length < n
            count = tf.where(uncovered, count + 1, count)
        return tf.range(count, dtype=tf.int64) * hop_length

    def to_clips(serialized, random):
        # `random` comes from a Dataset.random stream that is redrawn every pass, so clip
        # positions and augmentation differ per epoch (op-seeded random ops inside tf.data
        # would repeat the same draws each epoch once a global seed is set).
        record = tf.io.parse_single_example(serialized, parse_spec)
        key = tf.stack([random, record["track_index"]])
        starts = starts_of(record, key)
        clips = tf.shape(starts)[0]
        if precomputed:
            x = _crop_feature(tf, record, feature, starts, feature_hop, clip_frames)[..., None]
        else:
            pcm = [
                _crop_pcm(tf, record[s], tf.cast(starts, tf.int32), clip_length) for s in sources
            ]
            x = tf.cast(tf.stack(pcm, axis=-1) if stems else pcm[0], tf.float32) / 32768.0
        label = tf.fill([clips], tf.cast(record["label"], tf.int32))
        track_id = tf.fill([clips], record["track_id"])
        return tf.data.Dataset.from_tensor_slices((x, label, track_id))

    def finish(batch, random):
        x, label, track_id = batch
        if training and augment and not precomputed:
            x = _gain_and_noise(tf, x, gain_range, noise_stddev, noise_table, tf.stack([random, 1]))
        if feature == "log_mel":
            if stems:
                per_stem = _log_mel(tf, tf.transpose(x, [0, 2, 1]), sample_rate, log_mel_options)
                x = tf.transpose(per_stem, [0, 2, 3, 1])
            else:
                x = _log_mel(tf, x, sample_rate, log_mel_options)[..., None]
        if training and augment and feature is not None and spec_augment:
            x = _spec_augment(tf, x, augment_options, tf.stack([random, random + 7]))
        if with_track_ids and not training:
            return x, label, track_id
        return x, label

    def random_stream(offset):
        return tf.data.Dataset.random(seed=seed + offset, rerandomize_each_iteration=True)

    files = [os.path.join(manifest["directory"], s["file"]) for s in manifest["shards"]]
    ds = tf.data.Dataset.from_tensor_slices(files)
    if training:
        ds = ds.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)
    ds = ds.interleave(
        tf.data.TFRecordDataset,
        cycle_length=min(len(files), 4),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=not training,
    )
    if tracks is not None:
        wanted = tf.constant(sorted(tracks))
        id_only = {"track_id": parse_spec["track_id"]}

        def selected(serialized):
            track_id = tf.io.parse_single_example(serialized, id_only)["track_id"]
            return tf.reduce_any(tf.equal(wanted, track_id))

        ds = ds.filter(selected)
    if cache:
        ds = ds.cache()
    ds = tf.data.Dataset.zip(ds, random_stream(0))
    if training:
        ds = ds.interleave(
            to_clips, cycle_length=8, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False
        )
        ds = ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    else:
        ds = ds.flat_map(to_clips)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=training, num_parallel_calls=tf.data.AUTOTUNE)
    if not repeat:
        # Known length: Keras shows a complete progress bar and needs no end-of-data probe.
        clips = _clip_count(
            manifest, training, clips_per_track, clip_length, hop_length, tail, tracks
        )
        batches = clips // batch_size if training else -(-clips // batch_size)
        ds = ds.apply(tf.data.experimental.assert_cardinality(batches))
    ds = tf.data.Dataset.zip(ds, random_stream(1))
    ds = ds.map(finish, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
