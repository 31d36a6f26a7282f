"""The one place where kgenre's layers reach past `keras.ops` to a backend, for speed only.

Layers stay `keras.ops` code; where one backend has a much faster way to do the same
computation, the layer calls a function here, which chooses once per call by
`keras.backend.backend()` and falls back to `keras.ops` on the others (as Keras keeps one
trainer per backend). Two things live here, both for the FFT sinc front end
(`kgenre.layers.MultiScaleSincNet`), both measured in BENCHMARKS.md:

- `compile_with_xla`: TensorFlow runs Keras steps as plain `tf.function`s on CPUs
  (`jit_compile="auto"` means no XLA there), so every elementwise op over the
  `(batch, 160, 48,000)` maps is its own pass over memory. The front end's inference alone
  is compiled with XLA, so those passes fuse (about 2x faster); the ResNet stays on oneDNN's
  convolutions, which beat XLA's on CPUs. (In training, XLA made the front end slower on
  this CPU, so it is not used there.) JAX compiles whole steps already; PyTorch is left
  eager (`jit_compile=True` is `torch.compile` there, for the whole step).
- `correlate_spectra`: PyTorch and TensorFlow have complex tensors, so `X * conj(K)` is one
  pass; through `keras.ops` (real and imaginary parts) it is six real products and sums,
  then the backend re-assembles a complex tensor for the inverse FFT, each a pass over the
  whole `(batch, filters, bins)` product. On PyTorch the front end trains about 1.4x and
  infers about 1.8x faster this way; on TensorFlow it trains about 1.1x faster. XLA (JAX)
  fuses the real-part arithmetic by itself.

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
