"""FFT cross-correlation of a mono signal with a bank of long kernels.

For kernels of hundreds of taps a direct convolution costs `K` multiply-adds per output
sample and filter; through FFTs the cost is `O(log n)` per sample. MS-SincResNet's three sinc
banks are about 27 GFLOP per 3-s clip as direct convolutions and about 1.3 GFLOP through FFTs.

Two schemes:

- one block (the default): the whole signal in one transform of `fast_fft_length(time)`
  points. Only "valid" outputs are kept, so the circular wrap-around never reaches them and
  no zero padding to `time + K - 1` is needed. The input's spectrum can be shared by several
  kernel banks (`MultiScaleSincNet` transforms each clip once for its three scales).
- overlap-save: blocks of `fft_length` points, for signals much longer than the kernels.
"""

import numpy as np
from keras import ops

from kgenre.backend_ops import correlate_spectra


def fast_fft_length(length):
    """The smallest `2^a 3^b 5^c >= length`, a size every backend's FFT handles quickly.

    >>> fast_fft_length(48000), fast_fft_length(48001)
    (48000, 48600)
    """
    length = int(length)
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    best = 1 << int(np.ceil(np.log2(length)))
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            size = power35
            while size < length:
                size *= 2
            best = min(best, size)
            power35 *= 3
        power5 *= 5
    return best


def correlate_spectrum(x_spectrum, kernels, fft_length, out_length=None):
    """Valid cross-correlation from a signal's spectrum, channels first.

    Args:
        x_spectrum: `(real, imag)` of `ops.rfft(x, fft_length)`, each `(batch, bins)`.
        kernels: float tensor `(K, filters)`.
        fft_length: the transform length, `>= time` of `x`.
        out_length: outputs to keep, at most `time - K + 1`; `None` (the default) keeps all
            `fft_length`, whose first `time - K + 1` are the valid ones.

    Returns:
        Tensor `(batch, filters, out_length)`: `sum_k kernels[k, f] x[b, t + k]`.
    """
    xr, xi = x_spectrum
    k_spectrum = ops.rfft(ops.transpose(kernels), fft_length=fft_length)  # (filters, bins)
    # correlation: X times the conjugate of the kernel's spectrum
    x_spectrum = (ops.expand_dims(xr, 1), ops.expand_dims(xi, 1))
    y = correlate_spectra(x_spectrum, k_spectrum, fft_length)
    return y if out_length is None else y[:, :, :out_length]


def fft_correlate(x, kernels, fft_length=None):
    """Valid cross-correlation of `x` with each kernel, through FFTs.

    Equal to `ops.conv(x[..., None], kernels[:, None, :], padding="valid")` up to float
    rounding, for any kernels (not only symmetric ones).

    Args:
        x: float tensor `(batch, time)` with a static time length.
        kernels: float tensor `(K, filters)`.
        fft_length: `None` (the default) for one block of `fast_fft_length(time)` points, or
            an overlap-save block length `> K`.

    Returns:
        Tensor `(batch, time - K + 1, filters)`.
    """
    time = x.shape[1]
    size, filters = kernels.shape
    out_len = time - size + 1
    if fft_length is None or fft_length >= time:
        n = fast_fft_length(time) if fft_length is None else fft_length
        y = correlate_spectrum(ops.rfft(x, fft_length=n), kernels, n, out_len)
        return ops.transpose(y, (0, 2, 1))
    n = fft_length
    if n <= size:
        raise ValueError(f"fft_length must exceed the kernel length {size}, got {n}")
    hop = n - size + 1
    blocks = -(-out_len // hop)
    padded = ops.pad(x, ((0, 0), (0, (blocks - 1) * hop + n - time)))
    index = np.arange(blocks)[:, None] * hop + np.arange(n)[None, :]
    frames = ops.take(padded, index.astype("int32"), axis=1)  # (batch, blocks, n)
    xr, xi = ops.rfft(frames, fft_length=n)
    # correlation = convolution with the time-reversed kernel
    kr, ki = ops.rfft(ops.flip(ops.transpose(kernels), axis=-1), fft_length=n)  # (filters, bins)
    xr, xi = ops.expand_dims(xr, 1), ops.expand_dims(xi, 1)
    kr, ki = kr[None, :, None, :], ki[None, :, None, :]
    y = ops.irfft((xr * kr - xi * ki, xr * ki + xi * kr), fft_length=n)
    y = ops.reshape(y[..., size - 1 :], (-1, filters, blocks * hop))[:, :, :out_len]
    return ops.transpose(y, (0, 2, 1))
