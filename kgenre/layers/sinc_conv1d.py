import keras
import numpy as np
from keras import ops

from kgenre.layers import impulse_responses as ir
from kgenre.layers.fft_convolution import fft_correlate
from kgenre.layers.sinc_implementation import sinc_implementation


@keras.saving.register_keras_serializable(package="kgenre")
class SincConv1D(keras.layers.Layer):
    """1D convolution with learnable band-pass sinc kernels (SincNet).

    Each of the `filters` kernels is a Hamming-windowed band-pass filter with two learnable
    parameters, its low cutoff and its bandwidth, in Hz. The parametrization is SincNet's
    (Ravanelli & Bengio, 2018) exactly as the MS-SincResNet reference code (`SincConv_fast`)
    implements it:

    - weights `low_hz` and `band_hz`, shape `(filters,)`, initialised from `filters + 1` points
      equally spaced on the mel scale (`2595 log10(1 + f / 700)`) between 30 Hz and
      `sample_rate / 2 - (min_low_hz + min_band_hz)`: `low_hz` the first `filters` points,
      `band_hz` their successive differences;
    - forward: `low = min_low_hz + |low_hz|`,
      `high = clip(low + min_band_hz + |band_hz|, min_low_hz, sample_rate / 2)`;
    - kernel: `(sin(2 pi high t) - sin(2 pi low t)) / (pi t)` times a Hamming window, centre tap
      `2 (high - low)`, all divided by `2 (high - low)` so the centre tap is 1.

    Kernels are odd and symmetric: an even `kernel_size` is rounded up to the next odd number
    (as `SincConv_fast` does); `get_config` keeps the value given.

    Args:
        filters: number of band-pass filters (MS-SincResNet: 160 per scale; SincNet: 80).
        kernel_size: kernel length in samples (MS-SincResNet: 251, 501 and 1001; SincNet: 251).
        sample_rate: sampling rate of the input in Hz. Defaults to 16000 (MS-SincResNet
            resamples everything to 16 kHz).
        min_low_hz: smallest low cutoff in Hz. Defaults to 50.
        min_band_hz: smallest bandwidth in Hz. Defaults to 50.
        strides: convolution stride. Defaults to 1.
        padding: `"valid"` or `"same"`. Defaults to `"valid"`.
        implementation: `"direct"` (`ops.conv`), `"fft"` (overlap-save FFT blocks, equal
            within float32 rounding: max abs difference ~1e-4 on unit-variance input) or
            `"auto"` (the default): `sinc_implementation(..., shared_spectrum=False)`, which
            is `"direct"` for a bank alone on every backend (the faster on a 2-core CPU,
            BENCHMARKS.md; FFT needs far fewer FLOPs for long kernels).
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Input shape:
        `(batch, time)` or `(batch, time, 1)`.

    Output shape:
        `(batch, time', filters)`, channels last, `time' = (time - K) // strides + 1` for
        `"valid"` and `ceil(time / strides)` for `"same"` (K the odd kernel size).

    Example:

    >>> layer = SincConv1D(filters=8, kernel_size=251)
    >>> y = layer(np.zeros((2, 16000), "float32"))
    >>> tuple(y.shape)
    (2, 15750, 8)
    >>> low, high = layer.cutoffs_hz()

    References:
        - Ravanelli & Bengio, "Speaker Recognition from Raw Waveform with SincNet", SLT 2018.
        - Chang, Chen & Lee, "MS-SincResNet: Joint learning of 1D and 2D kernels using
          multi-scale SincNet and ResNet for music genre classification", ICMR 2021, Sec. 2.1.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        sample_rate=16000,
        min_low_hz=50,
        min_band_hz=50,
        strides=1,
        padding="valid",
        implementation="auto",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(filters, (int, np.integer)) or filters < 1:
            raise ValueError(f"filters must be an integer >= 1, got {filters!r}")
        if not isinstance(kernel_size, (int, np.integer)) or kernel_size < 3:
            raise ValueError(f"kernel_size must be an integer >= 3, got {kernel_size!r}")
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be > 0, got {sample_rate!r}")
        if min_low_hz < 0 or min_band_hz < 0:
            raise ValueError(
                f"min_low_hz and min_band_hz must be >= 0, got {min_low_hz!r} and {min_band_hz!r}"
            )
        if min_low_hz + min_band_hz >= sample_rate / 2:
            raise ValueError(
                f"min_low_hz + min_band_hz must be below the Nyquist frequency "
                f"{sample_rate / 2}, got {min_low_hz + min_band_hz}"
            )
        if not isinstance(strides, (int, np.integer)) or strides < 1:
            raise ValueError(f"strides must be an integer >= 1, got {strides!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f'padding must be "valid" or "same", got {padding!r}')
        self._implementation = sinc_implementation(implementation, shared_spectrum=False)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.sample_rate = sample_rate
        self.min_low_hz = min_low_hz
        self.min_band_hz = min_band_hz
        self.strides = int(strides)
        self.padding = padding
        self.implementation = implementation
        self._kernel_length = ir.odd_kernel_size(self.kernel_size)
        self.input_spec = keras.layers.InputSpec(min_ndim=2, max_ndim=3)

    def _check_input_shape(self, input_shape):
        if len(input_shape) == 3 and input_shape[-1] not in (None, 1):
            raise ValueError(
                f"SincConv1D expects mono input (batch, time) or (batch, time, 1), "
                f"got shape {tuple(input_shape)}"
            )
        length = input_shape[1]
        if self.padding == "valid" and length is not None and length < self._kernel_length:
            raise ValueError(
                f"input of {length} samples is shorter than the kernel ({self._kernel_length}) "
                f'with padding="valid"'
            )

    def build(self, input_shape):
        self._check_input_shape(input_shape)
        low, band = ir.initial_cutoffs(
            self.filters, self.sample_rate, self.min_low_hz, self.min_band_hz
        )
        self.low_hz = self.add_weight(
            name="low_hz",
            shape=(self.filters,),
            initializer=keras.initializers.Constant(low.astype("float32")),
        )
        self.band_hz = self.add_weight(
            name="band_hz",
            shape=(self.filters,),
            initializer=keras.initializers.Constant(band.astype("float32")),
        )
        self._time_axis = ir.half_time_axis(self._kernel_length, self.sample_rate).astype("float32")
        self._window = ir.half_hamming_window(self._kernel_length).astype("float32")

    def cutoffs_hz(self):
        """The current (low, high) cutoffs in Hz, as numpy arrays of shape `(filters,)`."""
        low, high = ir.effective_cutoffs(
            self.low_hz, self.band_hz, self.sample_rate, self.min_low_hz, self.min_band_hz
        )
        return ops.convert_to_numpy(low), ops.convert_to_numpy(high)

    def kernels(self):
        """The current kernels, shape `(kernel_size, filters)`, float32."""
        low, high = ir.effective_cutoffs(
            ops.cast(self.low_hz, "float32"),
            ops.cast(self.band_hz, "float32"),
            self.sample_rate,
            self.min_low_hz,
            self.min_band_hz,
        )
        return ir.sinc_kernels(low, high, self._time_axis, self._window)

    def call(self, inputs):
        if len(inputs.shape) == 2:
            inputs = ops.expand_dims(inputs, -1)
        self._check_input_shape(inputs.shape)
        if self._implementation == "fft":
            return self._fft_call(inputs)
        kernels = ops.cast(ops.expand_dims(self.kernels(), 1), self.compute_dtype)
        return ops.conv(
            ops.cast(inputs, self.compute_dtype),
            kernels,
            strides=self.strides,
            padding=self.padding,
            data_format="channels_last",
        )

    def _fft_call(self, inputs):
        # FFTs run in float32 whatever the policy: backends have no bf16 FFT
        x = ops.cast(inputs[..., 0], "float32")
        if self.padding == "same":
            # the split `ops.conv` uses: (out - 1) * stride + K - T zeros, the extra one right
            length = x.shape[1]
            out = -(-length // self.strides)
            total = max((out - 1) * self.strides + self._kernel_length - length, 0)
            x = ops.pad(x, ((0, 0), (total // 2, total - total // 2)))
        y = fft_correlate(x, self.kernels())
        if self.strides > 1:
            y = y[:, :: self.strides]
        return ops.cast(y, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        length = input_shape[1]
        if length is not None:
            if self.padding == "valid":
                length = (length - self._kernel_length) // self.strides + 1
            else:
                length = -(-length // self.strides)
        return (input_shape[0], length, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "sample_rate": self.sample_rate,
                "min_low_hz": self.min_low_hz,
                "min_band_hz": self.min_band_hz,
                "strides": self.strides,
                "padding": self.padding,
                "implementation": self.implementation,
            }
        )
        return config
