"""The one place where kgenre's layers reach past `keras.ops` to a backend, for speed only.

Layers stay `keras.ops` code; where one backend has a much faster way to do the same
computation, the layer calls a function here, which chooses once per call by
`keras.backend.backend()` and falls back to `keras.ops` on the others (as Keras keeps one
trainer per backend). What lives here, each measured in BENCHMARKS.md:

- `compile_with_xla` (for the FFT sinc front end, `kgenre.layers.MultiScaleSincNet`):
  TensorFlow runs Keras steps as plain `tf.function`s on CPUs (`jit_compile="auto"` means
  no XLA there), so every elementwise op over the
  `(batch, 160, 48,000)` maps is its own pass over memory. The front end's inference alone
  is compiled with XLA, so those passes fuse (about 2x faster); the ResNet stays on oneDNN's
  convolutions, which beat XLA's on CPUs. (In training, XLA made the front end slower on
  this CPU, so it is not used there.) JAX compiles whole steps already; PyTorch is left
  eager (`jit_compile=True` is `torch.compile` there, for the whole step).
- `correlate_spectra` (also for the FFT sinc front end): the three backends have complex
  tensors, so `X * conj(K)` is one pass; through `keras.ops` (real and imaginary parts) it
  is six real products and sums, then the backend re-assembles a complex tensor for the
  inverse FFT, each a pass over the whole `(batch, filters, bins)` product. On PyTorch the
  front end trains about 1.4x and infers about 1.8x faster this way; on TensorFlow it trains
  about 1.1x faster. On JAX the real arithmetic fused well forwards, but XLA's CPU compiler
  handed the gradients' sums over the batch and over the filters to YNNPACK fusions, which
  took 15-28 ms each for one group of 16 filters (most of a training step).
- `fused_batch_norm` (for `kgenre.layers.BatchNormalization`): Keras 3 normalises a batch
  in training as separate `keras.ops` (moments, then `(x - mean) * rsqrt(var + eps)`), each
  a pass over the activations and its own gradient; TensorFlow's fused kernel (oneDNN's on
  CPUs) does the forward and the backward pass in one each. On this CPU a training step of
  Mersy's stem CNN took about a third less time.
- `batch_norm_relu_channels_first` (also for the FFT sinc front end, PyTorch): batch norm
  of `(batch, filters, time)` maps by PyTorch's own kernel (`BatchNorm1d`'s), statistics,
  normalisation and their gradients each one pass, instead of Keras' separate ops, then ReLU.
- `conv_channels_last` (for `kgenre.layers.Conv2D`, PyTorch): Keras' torch backend turns a
  channels-last input into a contiguous channels-first copy and then back into channels-last
  memory for oneDNN (two copies of the activations per convolution); a permuted view of the
  channels-last tensor already is what PyTorch's channels-last kernels take.
- `batch_norm_channels_last` (for `kgenre.layers.BatchNormalization`, PyTorch): batch norm of
  channels-last maps by PyTorch's own kernel, one pass, instead of Keras' separate ops
  (statistics, then subtract, scale and shift, each a pass over the activations).
- `max_pool_channels_last` (for `kgenre.layers.MaxPooling2D`, PyTorch): Keras' torch backend
  pools a contiguous channels-first copy; PyTorch's channels-last kernel pools the
  channels-last tensor as it is, several times faster on a CPU.
- `filter_groups` and `map_filter_groups` (also for the FFT sinc front end, PyTorch and
  JAX on CPUs): the filters of each bank in groups, one after the other (PyTorch) or in a
  rematerialised scan (JAX), so that the maps' memory is reused instead of page-faulted in
  afresh on every step.

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
    if backend == "jax":
        import jax

        product = jax.lax.complex(xr, xi) * jax.lax.complex(kr, -ki)
        return jax.numpy.fft.irfft(product, n=fft_length)
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

    outputs, mean, variance = _torch_batch_norm(x, gamma, beta, mean, variance, epsilon)
    return torch.relu_(outputs), mean, variance  # batch norm's gradient needs no outputs


def batch_norm_channels_last(x, gamma, beta, mean, variance, epsilon: float):
    """Batch norm over the last axis of a float32 `(batch, height, width, channels)` `x`, by
    PyTorch's kernel on a channels-first view (PyTorch's channels-last memory format, no copy).

    Args:
        x: the activations.
        gamma, beta: the scale and offset, `(channels,)` (variables or tensors, in float32
            here).
        mean, variance: the statistics to normalise with, or both `None` for the batch's
            (over all axes but the last; the variance biased, as Keras' layer computes it).
        epsilon: added to the variance.

    Returns:
        `(outputs, mean, variance)`, or `None` on TensorFlow and JAX (the caller then uses
        Keras' own code: `fused_batch_norm` on TensorFlow, XLA's fusions on JAX).
    """
    if keras.backend.backend() != "torch" or len(x.shape) != 4:
        return None
    gamma, beta, mean, variance = (
        None if v is None else ops.cast(v, "float32") for v in (gamma, beta, mean, variance)
    )
    outputs, mean, variance = _torch_batch_norm(
        x.permute(0, 3, 1, 2), gamma, beta, mean, variance, epsilon
    )
    return outputs.permute(0, 2, 3, 1), mean, variance


def _torch_batch_norm(x, gamma, beta, mean, variance, epsilon):
    """PyTorch's batch norm of `x` over axis 1: `(outputs, mean, variance)`."""
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
    return outputs, mean, variance


def conv_channels_last(inputs, kernel, strides, padding, dilation_rate):
    """A 2-D convolution of channels-last `inputs`, by PyTorch's channels-last kernels.

    Computes what `keras.ops.conv(inputs, kernel, strides, padding, dilation_rate,
    "channels_last")` computes (the same oneDNN or cuDNN kernel runs), without Keras' torch
    backend's two copies of `inputs` (to contiguous channels first, then back to channels-last
    memory): a permuted view of a channels-last tensor already has channels-last strides.
    Grouped kernels (`kernel.shape[2]` dividing the input channels) are grouped convolutions.

    Args:
        inputs: `(batch, height, width, channels)`.
        kernel: `(kernel_height, kernel_width, channels // groups, filters)`.
        strides, dilation_rate: pairs of ints.
        padding: `"valid"` or `"same"`.

    Returns:
        `(batch, out_height, out_width, filters)`, or `None` where this does not apply (not
        PyTorch, not 2-D, or `"same"` padding with strides, which PyTorch refuses, or with an
        even kernel extent, which it pads through a copy): the caller then uses
        `keras.ops.conv`.
    """
    strides, dilation_rate = tuple(strides), tuple(dilation_rate)
    # PyTorch takes "same" only with strides of 1, and pads inside the kernel only where the
    # total padding is even (else through a copy, with a warning)
    uneven = any((k - 1) * d % 2 for k, d in zip(kernel.shape[:2], dilation_rate))
    if (
        keras.backend.backend() != "torch"
        or len(inputs.shape) != 4
        or padding not in ("valid", "same")
        or (padding == "same" and (strides != (1, 1) or uneven))
    ):
        return None
    import torch

    x = inputs.permute(0, 3, 1, 2)
    kernel = ops.convert_to_tensor(kernel)  # a variable's value, cast under mixed precision
    kernel = kernel.permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
    outputs = torch.nn.functional.conv2d(
        x,
        kernel,
        stride=strides,
        padding=padding,
        dilation=dilation_rate,
        groups=x.shape[1] // kernel.shape[1],
    )
    return outputs.permute(0, 2, 3, 1)


def max_pool_channels_last(inputs, pool_size, strides, padding):
    """2-D max pooling of channels-last `inputs`, by PyTorch's channels-last kernel.

    Computes what `keras.ops.max_pool(inputs, pool_size, strides, padding, "channels_last")`
    computes, on a permuted view of `inputs` instead of Keras' contiguous channels-first copy
    (PyTorch's CPU kernel for channels-last memory is also vectorised over the channels).

    Args:
        inputs: `(batch, height, width, channels)`.
        pool_size, strides: pairs of ints.
        padding: `"valid"`; `"same"` is left to Keras.

    Returns:
        `(batch, out_height, out_width, channels)`, or `None` where this does not apply (not
        PyTorch, not 2-D, or `"same"` padding): the caller then uses `keras.ops.max_pool`.
    """
    if keras.backend.backend() != "torch" or len(inputs.shape) != 4 or padding != "valid":
        return None
    import torch

    outputs = torch.nn.functional.max_pool2d(
        inputs.permute(0, 3, 1, 2), tuple(pool_size), tuple(strides)
    )
    return outputs.permute(0, 2, 3, 1)


CHUNK_BYTES = 16 * 2**20
"""The largest `(batch, filters, time)` float32 intermediate of PyTorch's eager groups of
filters (`filter_groups`): half of glibc's largest automatic mmap threshold (32 MiB on
64-bit Linux)."""

SCAN_GROUP_BYTES = 6 * 2**20
"""About the `(batch, filters, time)` float32 maps of one group of filters in JAX's scan on a
CPU (`filter_groups`): 4 filters of MS-SincResNet's 48,000-point maps at batch 8."""

SCAN_GROUPS_PER_STEP = 4
"""At most this many groups of filters per bank in one step of JAX's scan on a CPU."""

XLA_INFERENCE_GROUP = 32
"""At most this many filters per group in TensorFlow's XLA-compiled inference on a CPU."""


def filter_groups(inputs, filters: int, length: int, training: bool = False):
    """How to split a bank of `filters` filters whose `(batch, filters, length)` float32 maps
    are computed from `inputs`: `(size, per_step)` for `map_filter_groups`.

    - PyTorch on a CPU runs eagerly and allocates every intermediate on its own. glibc
      serves an allocation above its mmap threshold (at most 32 MiB) with fresh pages from
      the kernel, zero-filled on first touch and returned when freed, so every step pays
      the page faults again; below it, freed memory is reused. A batch of 8 of
      MS-SincResNet's `(160, 48,000)` maps is 246 MB per bank: on this project's 2-core VM
      the front end spent most of its time in those page faults (BENCHMARKS.md). Groups of
      maps under `CHUNK_BYTES`, one after the other (`per_step` `None`; the last group may
      be smaller).
    - JAX on a CPU compiles the whole step, and XLA allocates one buffer for all of a
      step's intermediates on every execution (983 MB for the paper's front end at batch 8
      in inference, page-faulted afresh each time). In a scan over groups (`per_step`
      groups of `size` filters per bank and step, both dividing `filters`; the step
      rematerialised in the backward pass) the buffer holds one step. Several independent
      groups per step were faster than one larger group (BENCHMARKS.md).
    - TensorFlow on a CPU, inference (the front end compiled with XLA): groups of at most
      `XLA_INFERENCE_GROUP` filters, dividing `filters`, unrolled in the compiled function;
      with MS-SincResNet's 160 filters at batch 8 and 16, 35-37 ms per clip against 52-55
      for one group (measured, not explained). TensorFlow trains in one group (groups
      were not faster).
    - Otherwise one group of all filters (`(filters, None)`): GPUs keep their memory in the
      frameworks' own allocators (groups would only cost parallelism), and an unknown batch
      gives nothing to size groups by.
    """
    batch = inputs.shape[0]
    backend = keras.backend.backend()
    if batch is None:
        return filters, None
    map_bytes = 4 * max(1, int(batch)) * max(1, int(length))
    if backend == "torch" and inputs.device.type == "cpu":
        return max(1, min(filters, CHUNK_BYTES // map_bytes)), None
    if backend == "jax":
        import jax

        if jax.default_backend() == "cpu":
            size = _largest_divisor(filters, SCAN_GROUP_BYTES // map_bytes)
            return size, _largest_divisor(filters // size, SCAN_GROUPS_PER_STEP)
    if backend == "tensorflow" and not training:
        import tensorflow as tf

        if not tf.config.list_logical_devices("GPU"):
            return _largest_divisor(filters, XLA_INFERENCE_GROUP), None
    return filters, None


def _largest_divisor(number, at_most):
    return max(d for d in range(1, max(1, min(number, at_most)) + 1) if number % d == 0)


def map_filter_groups(function, banks, size, per_step=None):
    """`function` over every bank's filters in groups; each bank's results joined.

    Args:
        function: `function(bank, *parts)`, `bank` the bank's index and `parts` its tensors
            for one group of filters (`None` stays `None`); returns a tuple of tensors with
            the group's filters on axis 0.
        banks: a list of tuples of tensors (or `None`), each with the bank's filters on
            axis 0.
        size: filters per group.
        per_step: `None` for a Python loop over groups (the last may be smaller); else, on
            JAX, a `jax.lax.map` over steps of `per_step` groups of every bank, rematerialised
            in the backward pass (`jax.checkpoint`); every bank then needs the same number
            of filters, a multiple of `size * per_step`.

    Returns:
        A list with, per bank, the tuple of `function`'s outputs joined along axis 0.
    """
    filters = [next(t for t in bank if t is not None).shape[0] for bank in banks]
    chunk = size * (per_step or 1)
    scan = per_step is not None and keras.backend.backend() == "jax"
    if not scan or len(set(filters)) != 1 or filters[0] % chunk:
        return _groups_joined(function, banks, filters, size)
    import jax

    steps = filters[0] // chunk
    stacked = [
        tuple(None if t is None else ops.reshape(t, (steps, chunk) + tuple(t.shape[1:])) for t in b)
        for b in banks
    ]
    step = jax.checkpoint(lambda banks: _groups_joined(function, banks, [chunk] * len(banks), size))
    return [
        tuple(ops.reshape(y, (filters[0],) + tuple(y.shape[2:])) for y in bank)
        for bank in jax.lax.map(step, stacked)
    ]


def _groups_joined(function, banks, filters, size):
    """`function` on each bank's groups of `size` filters one after the other, joined."""
    results = []
    for index, (bank, count) in enumerate(zip(banks, filters)):
        parts = [function(index, *_rows(bank, i, i + size)) for i in range(0, count, size)]
        results.append(tuple(_join(list(outputs)) for outputs in zip(*parts)))
    return results


def _rows(tensors, start, stop):
    if start == 0 and all(t is None or t.shape[0] <= stop for t in tensors):
        return tuple(tensors)
    return tuple(None if t is None else t[start:stop] for t in tensors)


def _join(parts, axis=0):
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=axis)
