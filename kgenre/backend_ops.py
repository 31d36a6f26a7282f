"""The one place where kgenre's layers reach past `keras.ops` to a backend, for speed only.

Layers stay `keras.ops` code; where one backend has a much faster way to do the same
computation, the layer calls a function here, which chooses once per call by
`keras.backend.backend()` and falls back to `keras.ops` on the others (as Keras keeps one
trainer per backend). Three things live here, each measured in BENCHMARKS.md:

- `compile_with_xla` (for the FFT sinc front end, `kgenre.layers.MultiScaleSincNet`): TensorFlow runs Keras steps as plain `tf.function`s on CPUs
  (`jit_compile="auto"` means no XLA there), so every elementwise op over the
  `(batch, 160, 48,000)` maps is its own pass over memory. The front end's inference alone
  is compiled with XLA, so those passes fuse (about 2x faster); the ResNet stays on oneDNN's
  convolutions, which beat XLA's on CPUs. (In training, XLA made the front end slower on
  this CPU, so it is not used there.) JAX compiles whole steps already; PyTorch is left
  eager (`jit_compile=True` is `torch.compile` there, for the whole step).
- `correlate_spectra` (also for the FFT sinc front end): PyTorch and TensorFlow have complex tensors, so `X * conj(K)` is one
  pass; through `keras.ops` (real and imaginary parts) it is six real products and sums,
  then the backend re-assembles a complex tensor for the inverse FFT, each a pass over the
  whole `(batch, filters, bins)` product. On PyTorch the front end trains about 1.4x and
  infers about 1.8x faster this way; on TensorFlow it trains about 1.1x faster. XLA (JAX)
  fuses the real-part arithmetic by itself.
- `fused_batch_norm` (for `kgenre.layers.BatchNormalization`): Keras 3 normalises a batch
  in training as separate `keras.ops` (moments, then `(x - mean) * rsqrt(var + eps)`), each
  a pass over the activations and its own gradient; TensorFlow's fused kernel (oneDNN's on
  CPUs) does the forward and the backward pass in one each. On this CPU a training step of
  Mersy's stem CNN took about a third less time.

- `batch_norm_relu_channels_first` (also for the FFT sinc front end, PyTorch): batch norm
  of `(batch, filters, time)` maps by PyTorch's own kernel (`BatchNorm1d`'s), statistics,
  normalisation and their gradients each one pass, instead of Keras' separate ops, then ReLU.
- `filters_per_chunk` (also for the FFT sinc front end, PyTorch): how many filters' maps to
  compute at once, so that each eager intermediate stays below glibc's mmap threshold.

TensorFlow, JAX and PyTorch are imported lazily, only when they are the active backend.
"""

import keras
from keras import ops


def compile_with_xla(function):
    """`function` compiled with XLA on TensorFlow; unchanged on JAX and PyTorch."""
    if keras.backend.backend() != "tensorflow":
        return function
    import tensorflow as tf

    return tf.function(function, jit_compile=True, reduce_retracing=True)


def correlate_spectra(x_spectrum, k_spectrum, fft_length):
    """`irfft(X * conj(K))`: every signal correlated with every kernel, through their spectra.

    Args:
        x_spectrum: `(real, imag)`, each `(batch, 1, bins)`.
        k_spectrum: `(real, imag)`, each `(filters, bins)`.
        fft_length: the inverse transform's length.

    Returns:
        Float32 tensor `(batch, filters, fft_length)`.
    """
    (xr, xi), (kr, ki) = x_spectrum, k_spectrum
    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        product = torch.complex(xr, xi) * torch.complex(kr, -ki)
        return torch.fft.irfft(product, n=fft_length)
    if backend == "tensorflow":
        import tensorflow as tf

        product = tf.complex(xr, xi) * tf.complex(kr, -ki)
        return tf.signal.irfft(product, fft_length=[fft_length])
    return ops.irfft((xr * kr + xi * ki, xi * kr - xr * ki), fft_length=fft_length)


FUSED_MIN_EPSILON = 1.001e-5
"""cuDNN's smallest epsilon (TensorFlow raises smaller ones to it on GPUs); with a smaller
epsilon and a visible GPU the fused kernel is not used, so the result never changes."""


def fused_batch_norm(x, scale, offset, epsilon: float):
    """Training-mode batch normalisation of a channels-last 4-D float32 `x` over all axes
    but the last, by TensorFlow's fused kernel.

    Computes what `keras.layers.BatchNormalization` computes in training: `(x - mean) /
    sqrt(variance + epsilon) * scale + offset` with the batch's mean and (biased) variance.

    Returns:
        `(outputs, mean, variance)`, the variance biased as `keras.ops.moments` gives it; or
        `None` where the fused kernel does not apply (another backend, or an epsilon below
        `FUSED_MIN_EPSILON` with a GPU visible): the caller then uses `keras.ops`.
    """
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    if epsilon < FUSED_MIN_EPSILON and tf.config.list_logical_devices("GPU"):
        return None
    empty = tf.constant([], dtype=x.dtype)
    outputs, mean, variance = tf.raw_ops.FusedBatchNormV3(
        x=x,
        scale=scale,
        offset=offset,
        mean=empty,
        variance=empty,
        epsilon=float(epsilon),
        exponential_avg_factor=1.0,
        data_format="NHWC",
        is_training=True,
    )[:3]
    # the kernel returns the unbiased (n - 1) variance, for moving averages; Keras' moments
    # are biased
    count = tf.cast(tf.size(x, out_type=tf.int64) // tf.cast(tf.shape(x)[-1], tf.int64), x.dtype)
    variance = variance * (tf.maximum(count, 2.0) - 1.0) / tf.maximum(count, 2.0)
    return outputs, mean, variance


def batch_norm_relu_channels_first(x, gamma, beta, mean, variance, epsilon: float):
    """`relu(batch_norm(x))` over axis 1 of a float32 `(batch, channels, time)` `x`, by
    PyTorch's batch norm kernel.

    Args:
        x: the maps.
        gamma, beta: the scale and offset, `(channels,)`.
        mean, variance: the statistics to normalise with, or both `None` for the batch's
            (over batch and time; the variance biased, as Keras' layer computes it).
        epsilon: added to the variance.

    Returns:
        `(outputs, mean, variance)`, or `None` on TensorFlow and JAX (the caller then uses
        `keras.ops`, which XLA fuses there).
    """
    if keras.backend.backend() != "torch":
        return None
    import torch

    if mean is None:
        outputs, mean, inverse_std = torch.ops.aten.native_batch_norm(
            x, gamma, beta, None, None, True, 0.0, float(epsilon)
        )
        variance = inverse_std.pow(-2) - epsilon
    else:
        outputs = torch.nn.functional.batch_norm(
            x, mean, variance, gamma, beta, training=False, eps=float(epsilon)
        )
    return torch.relu_(outputs), mean, variance  # batch norm's gradient needs no outputs


CHUNK_BYTES = 16 * 2**20
"""The largest `(batch, filters, time)` float32 intermediate `filters_per_chunk` aims for:
half of glibc's largest automatic mmap threshold (32 MiB on 64-bit Linux)."""


def filters_per_chunk(inputs, filters: int, length: int):
    """How many filters' `(batch, filters, length)` float32 maps to compute at once.

    PyTorch runs eagerly and allocates every intermediate on its own. glibc serves an
    allocation above its mmap threshold (at most 32 MiB) with fresh pages from the kernel,
    which are zero-filled on first touch and returned when freed, so every step pays the page
    faults again; below it, freed memory is reused. A batch of 8 of MS-SincResNet's
    `(160, 48,000)` maps is 246 MB per scale: on this project's 2-core VM the PyTorch front
    end spent most of its time in those page faults (BENCHMARKS.md). In chunks of
    `CHUNK_BYTES`, every intermediate stays on the heap (and in cache for longer).

    Args:
        inputs: the `(batch, ...)` tensor the maps are computed from.
        filters: filters in the bank.
        length: samples per map.

    Returns:
        `filters` (one chunk) on TensorFlow and JAX, whose graphs plan their own buffers, on
        GPUs (PyTorch's caching allocator keeps device memory; chunks would only cost
        parallelism), or where the batch is not known; on PyTorch on a CPU the most filters
        whose maps fit `CHUNK_BYTES`, at least one.
    """
    batch = inputs.shape[0]
    if keras.backend.backend() != "torch" or batch is None or inputs.device.type != "cpu":
        return filters
    return max(1, min(filters, CHUNK_BYTES // (4 * max(1, int(batch)) * max(1, int(length)))))
