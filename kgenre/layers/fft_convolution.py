"""FFT convolution of a mono signal with a bank of long kernels (overlap-save).

For kernels of hundreds of taps a direct convolution costs `K` multiply-adds per output
sample and filter; overlap-save with FFT blocks of `n` samples costs `O(log n)`. MS-SincResNet's
three sinc banks are about 27 GFLOP per 3-s clip as direct convolutions and about 1.3 GFLOP
through FFTs. Whether that wins depends on the device: see BENCHMARKS.md.
"""

import numpy as np
from keras import ops


def overlap_save_fft_length(kernel_size):
    """Block length: the power of two >= 8 (K - 1), at least 2048, so that at most 1/8 of each
    block is overlap."""
    return max(2048, 1 << int(np.ceil(np.log2(8 * max(kernel_size - 1, 1)))))


def fft_correlate(x, kernels, fft_length=None):
    """Valid cross-correlation of `x` with each kernel, by overlap-save FFT blocks.

    Equal to `ops.conv(x[..., None], kernels[:, None, :], padding="valid")` up to float
    rounding, for any kernels (not only symmetric ones).

    Args:
        x: float tensor `(batch, time)` with a static time length.
        kernels: float tensor `(K, filters)`.
        fft_length: FFT block length (> K); defaults to `overlap_save_fft_length(K)`.

    Returns:
        Tensor `(batch, time - K + 1, filters)`.
    """
    time = x.shape[1]
    size, filters = kernels.shape
    n = fft_length or overlap_save_fft_length(size)
    if n <= size:
        raise ValueError(f"fft_length must exceed the kernel length {size}, got {n}")
    hop = n - size + 1
    out_len = time - size + 1
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
