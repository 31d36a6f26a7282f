"""Training-time augmentation in tf.data: random gain, additive noise, SpecAugment masks.

The defaults are defined here, once, and are the papers' values:

- waveforms: gain x U[0.9, 1.1] and zero-mean Gaussian noise of standard deviation 0.02
  (full scale 1), MS-SincResNet's augmentation (Chang et al., ICMR 2021, Sec. 2.3);
  `kgenre.training.presets.AUGMENTATION_PRESETS["ms_sincresnet"]` uses these constants;
- spectrograms: SpecAugment's LD policy (Park et al., Interspeech 2019, Table 1).
"""

from __future__ import annotations

import numpy as np

from kgenre.audio.checks import check_count, check_number
from kgenre.data._tf import tf

GAIN_RANGE = (0.9, 1.1)
"""Random gain interval of MS-SincResNet (Chang et al. 2021, Sec. 2.3)."""

NOISE_STDDEV = 0.02
"""Standard deviation of the added Gaussian noise, MS-SincResNet (Chang et al. 2021, Sec. 2.3)."""

SPEC_AUGMENT_DEFAULTS = {
    "freq_masks": 2,
    "freq_width": 27,
    "time_masks": 2,
    "time_width": 100,
    "max_time_fraction": 0.2,
}
"""SpecAugment's LD policy (Park et al., Interspeech 2019, Table 1): two frequency masks of up to
F=27 bands, two time masks of up to T=100 frames and at most p=0.2 of the frames."""


def check_gain_range(gain_range: tuple) -> tuple[float, float]:
    """`(low, high)` with `0 < low <= high <= 100`, as floats."""
    try:
        low, high = gain_range
    except (TypeError, ValueError):
        raise ValueError(f"gain_range must be (low, high), got {gain_range!r}") from None
    low = check_number(low, "gain_range low", 0.0, 100.0, include_minimum=False)
    high = check_number(high, "gain_range high", low, 100.0)
    return low, high


def spec_augment_options(spec_augment: bool | dict) -> dict:
    """The SpecAugment settings `spec_augment` (`True` or a dict of overrides) asks for.

    Raises:
        ValueError: an unknown option, or a count or width that is not a whole number `>= 0`,
            or a time fraction outside [0, 1].
    """
    options = dict(SPEC_AUGMENT_DEFAULTS)
    if isinstance(spec_augment, dict):
        unknown = sorted(set(spec_augment) - set(SPEC_AUGMENT_DEFAULTS))
        if unknown:
            raise ValueError(
                f"unknown spec_augment options {unknown}; known: {sorted(SPEC_AUGMENT_DEFAULTS)}"
            )
        options.update(spec_augment)
    for key in ("freq_masks", "freq_width", "time_masks", "time_width"):
        options[key] = check_count(options[key], f"spec_augment {key}", minimum=0)
    fraction = options["max_time_fraction"]
    options["max_time_fraction"] = check_number(fraction, "spec_augment max_time_fraction", 0, 1)
    return options


def noise_table(noise_stddev: float, size: int, seed: int) -> tf.Tensor:
    """A constant table of `size` N(0, noise_stddev^2) samples (see `gain_and_noise`)."""
    rng = np.random.default_rng(seed)
    return tf.constant(rng.standard_normal(size).astype(np.float32) * noise_stddev)


def gain_and_noise(
    x: tf.Tensor, gain_range: tuple, table: tf.Tensor | None, key: tf.Tensor
) -> tf.Tensor:
    """Random gain per clip and Gaussian noise on waveforms `(batch, S)` or `(batch, S, C)`.

    The noise is one contiguous window, at a random offset, of a fixed table of
    N(0, noise_stddev^2) samples twice the size of a batch (`noise_table`): drawing fresh
    normals for every sample was 3x slower than the rest of the pipeline, and a window of
    white Gaussian noise is white Gaussian noise (clips of one batch get disjoint parts of
    it). `table=None` adds no noise. `key` is a stateless-random seed (shape `[2]`).
    """
    batch = tf.shape(x)[0]
    ones = [1] * (len(x.shape) - 1)
    low, high = gain_range
    gain = low + (high - low) * tf.random.stateless_uniform(tf.concat([[batch], ones], 0), key)
    x = x * gain
    if table is None:
        return x
    stems = len(x.shape) == 3
    flat = tf.reshape(tf.transpose(x, [0, 2, 1]), [-1, tf.shape(x)[1]]) if stems else x
    rows, length = tf.shape(flat)[0], tf.shape(flat)[1]
    span = tf.shape(table)[0] - rows * length + 1
    offset = tf.random.stateless_uniform([], key + 1, 0, span, dtype=tf.int32)
    flat = flat + tf.reshape(tf.slice(table, [offset], [rows * length]), [rows, length])
    if stems:
        return tf.transpose(tf.reshape(flat, [batch, -1, length]), [0, 2, 1])
    return flat


def _keep_mask(count, max_width, axis_len, batch, key):
    """`(batch, axis_len)` booleans: False inside `count` random spans of up to `max_width`."""
    keep = tf.ones([batch, axis_len], tf.bool)
    positions = tf.range(axis_len)[None, :]
    for i in range(count):
        draw = tf.random.stateless_uniform([2, batch, 1], key + i)
        width = tf.cast(draw[0] * tf.cast(max_width + 1, tf.float32), tf.int32)
        start = tf.cast(draw[1] * tf.cast(axis_len - width + 1, tf.float32), tf.int32)
        keep &= ~((positions >= start) & (positions < start + width))
    return keep


def spec_augment(x: tf.Tensor, options: dict, key: tf.Tensor) -> tf.Tensor:
    """Masks random bands and frames of `(batch, bands, frames, channels)` with each example's mean.

    `options` as `spec_augment_options` returns them; `key` is a stateless-random seed (shape
    `[2]`), drawn afresh for every batch.
    """
    batch, bands, frames = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    max_time = tf.minimum(
        options["time_width"],
        tf.cast(options["max_time_fraction"] * tf.cast(frames, tf.float32), tf.int32),
    )
    max_freq = tf.minimum(options["freq_width"], bands)
    keep_f = _keep_mask(options["freq_masks"], max_freq, bands, batch, key)
    keep_t = _keep_mask(options["time_masks"], max_time, frames, batch, key + 100)
    keep = keep_f[:, :, None, None] & keep_t[:, None, :, None]
    return tf.where(keep, x, mean)
