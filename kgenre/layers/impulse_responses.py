"""Pure maths behind the sinc filters: mel grids and windowed-sinc band-pass kernels.

Kept apart from the layers (as leaf-audio keeps `impulse_responses.py`) so the formulas can be
tested against numpy directly. Every function here follows the SincNet parametrization of
Ravanelli & Bengio (2018) exactly as the MS-SincResNet reference code (`SincConv_fast`) uses it.
"""

import numpy as np
from keras import ops


def hz_to_mel(hz):
    """HTK mel scale: mel = 2595 * log10(1 + f / 700)."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype="float64") / 700.0)


def mel_to_hz(mel):
    """Inverse of `hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype="float64") / 2595.0) - 1.0)


def odd_kernel_size(kernel_size):
    """SincNet kernels are symmetric around a centre tap, so an even length is rounded up."""
    return kernel_size + 1 if kernel_size % 2 == 0 else kernel_size


def initial_cutoffs(filters, sample_rate, min_low_hz=50.0, min_band_hz=50.0, low_hz=30.0):
    """Initial raw (`low_hz`, `band_hz`) parameters of a SincNet filter bank.

    `filters + 1` points equally spaced on the mel scale between `low_hz` (30 Hz in SincNet
    and MS-SincResNet) and `sample_rate / 2 - (min_low_hz + min_band_hz)`; the low cutoffs are
    the first `filters` points and the bandwidths their successive differences.

    Returns:
        Two float64 numpy arrays of shape `(filters,)`.
    """
    high_hz = sample_rate / 2.0 - (min_low_hz + min_band_hz)
    mel = np.linspace(hz_to_mel(low_hz), hz_to_mel(high_hz), filters + 1)
    hz = mel_to_hz(mel)
    return hz[:-1], np.diff(hz)


def half_time_axis(kernel_size, sample_rate):
    """Angular time axis of the left half of a kernel: 2*pi*n/fs for n = -(K-1)/2 .. -1."""
    n = (kernel_size - 1) / 2.0
    return 2.0 * np.pi * np.arange(-n, 0.0) / sample_rate


def half_hamming_window(kernel_size):
    """Left half of the Hamming window as `SincConv_fast` builds it.

    `0.54 - 0.46 cos(2 pi n / K)` with `n = linspace(0, K/2 - 1, floor(K/2))`, which is
    the reference code's sampling of the window (it rises from 0.08 at the edge to ~1 next to
    the centre tap).
    """
    n_lin = np.linspace(0.0, kernel_size / 2.0 - 1.0, kernel_size // 2)
    return 0.54 - 0.46 * np.cos(2.0 * np.pi * n_lin / kernel_size)


def effective_cutoffs(low_hz, band_hz, sample_rate, min_low_hz, min_band_hz):
    """Maps raw parameters to cutoffs that are always valid, whatever their sign.

    low = min_low_hz + |low_hz|; high = clip(low + min_band_hz + |band_hz|, min_low_hz, fs/2).
    Works on numpy arrays and backend tensors alike (it uses `keras.ops`).
    """
    low = min_low_hz + ops.abs(low_hz)
    high = ops.clip(low + min_band_hz + ops.abs(band_hz), min_low_hz, sample_rate / 2.0)
    return low, high


def sinc_kernels(low, high, time_axis, window):
    """Band-pass kernels as the difference of two windowed sincs, centre tap normalised to 1.

    Args:
        low, high: cutoffs in Hz, shape `(filters,)`.
        time_axis: `half_time_axis(kernel_size, sample_rate)`, shape `(K // 2,)`.
        window: `half_hamming_window(kernel_size)`, shape `(K // 2,)`.

    Returns:
        Kernels of shape `(K, filters)` (time first, ready for a channels-last `ops.conv`).
        Each is `(sin(2 pi f2 t) - sin(2 pi f1 t)) / (pi t)`, windowed, with the centre tap
        `2 (f2 - f1)`, all divided by `2 (f2 - f1)`.
    """
    band = high - low
    t = ops.expand_dims(time_axis, 0)
    left = (
        (ops.sin(ops.expand_dims(high, 1) * t) - ops.sin(ops.expand_dims(low, 1) * t))
        / (t / 2.0)
        * ops.expand_dims(window, 0)
    )
    centre = 2.0 * ops.expand_dims(band, 1)
    kernels = ops.concatenate([left, centre, ops.flip(left, axis=1)], axis=1)
    kernels = kernels / (2.0 * ops.expand_dims(band, 1))
    return ops.transpose(kernels)
