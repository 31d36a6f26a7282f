"""The one place that decides how sinc band-pass banks convolve: directly or through FFTs."""

from __future__ import annotations

import keras

IMPLEMENTATIONS = ("auto", "direct", "fft")
"""What a sinc layer accepts: `"direct"` (`ops.conv`), `"fft"` (FFT correlation) or `"auto"`."""

_FFT_FASTER = {
    # (banks share one input spectrum, training): backends where FFT measured faster
    (True, True): ("tensorflow", "jax", "torch"),
    (True, False): ("tensorflow", "jax"),
    (False, True): (),
    (False, False): (),
}


def sinc_implementation(
    requested: str = "auto",
    training: bool = True,
    shared_spectrum: bool = True,
    backend: str | None = None,
) -> str:
    """Resolves a sinc implementation to `"direct"` or `"fft"`.

    `"direct"` and `"fft"` come back unchanged (both give the same outputs within float32
    rounding, with the same weights). `"auto"` means one thing everywhere: **the
    implementation measured faster on a CPU for this front end, purpose and backend**
    (BENCHMARKS.md, 2-core CPU):

    | front end | purpose | TensorFlow | JAX | PyTorch |
    |---|---|---|---|---|
    | several banks sharing one spectrum (`MultiScaleSincNet`) | training | fft | fft | fft |
    | several banks sharing one spectrum (`MultiScaleSincNet`) | inference | fft | fft | direct |
    | one bank (`SincConv1D` alone) | both | direct | direct | direct |

    The multi-scale front end trains 2.2-3.9x faster with FFTs on every backend; for
    inference PyTorch's CPU FFTs lose to its convolution (about 17%). A single bank shares
    nothing: direct convolution measured faster on JAX and PyTorch; TensorFlow's one
    measurement (an eager gradient tape, not a compiled `fit` step) favoured FFT, which is
    too little to change the default, so a single bank stays direct everywhere.

    A layer resolves `"auto"` once, when built, for training (a model is built to be
    trained); `kgenre.inference.with_sinc_implementation` re-resolves it for inference.

    Args:
        requested: `"auto"`, `"direct"` or `"fft"`.
        training: resolve for training (forward and backward) rather than inference.
        shared_spectrum: several banks filter one input spectrum (the multi-scale front end)
            rather than one bank alone.
        backend: a Keras backend name; default the active one.

    Returns:
        `"direct"` or `"fft"`.

    Raises:
        ValueError: `requested` is not one of `IMPLEMENTATIONS`.
    """
    if requested not in IMPLEMENTATIONS:
        raise ValueError(f"implementation must be one of {IMPLEMENTATIONS}, got {requested!r}")
    if requested != "auto":
        return requested
    backend = backend or keras.backend.backend()
    return "fft" if backend in _FFT_FASTER[(bool(shared_spectrum), bool(training))] else "direct"
