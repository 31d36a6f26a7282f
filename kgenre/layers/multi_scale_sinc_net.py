import keras
from keras import ops

from kgenre.backend_ops import (
    batch_norm_relu_channels_first,
    compile_with_xla,
    filter_groups,
    map_filter_groups,
)
from kgenre.layers.adaptive_pooling import adaptive_average_pool
from kgenre.layers.batch_normalization import BatchNormalization
from kgenre.layers.fft_convolution import correlate_spectrum, fast_fft_length
from kgenre.layers.sinc_conv1d import SincConv1D
from kgenre.layers.sinc_implementation import sinc_implementation


@keras.saving.register_keras_serializable(package="kgenre")
class MultiScaleSincNet(keras.layers.Layer):
    """Multi-scale SincNet front end: a waveform in, a learned multi-channel 2D map out.

    LayerNormalization over the waveform, then for each kernel length a SincConv1D bank ->
    BatchNormalization -> ReLU -> adaptive average pooling to `output_length` frames; the
    per-scale (filters, frames) maps are stacked as channels. This order and the batch norm
    settings (epsilon 1e-5, momentum 0.9, i.e. PyTorch's defaults) are the MS-SincResNet
    reference code's. With the paper's settings a 3-s clip at 16 kHz (48,000 samples) becomes a
    3@160x1024 representation (Sec. 2.2.2, Fig. 2), stored channels last as (160, 1024, 3).

    Args:
        filters: sinc filters per scale. Defaults to 160 (MS-SincResNet, Sec. 2.2.2).
        kernel_sizes: one kernel length per scale. Defaults to `(251, 501, 1001)`.
        sample_rate: input sampling rate in Hz. Defaults to 16000.
        output_length: frames after adaptive average pooling. Defaults to 1024.
        min_low_hz: smallest low cutoff of the sinc filters. Defaults to 50.
        min_band_hz: smallest bandwidth of the sinc filters. Defaults to 50.
        implementation: how the sinc banks convolve. `"direct"`: `ops.conv` per scale,
            channels last, as the reference code does. `"fft"`: each clip is transformed once
            (`fast_fft_length(time)` points), every scale's 160 filters are applied as
            spectra and transformed back, and batch norm, ReLU and an exact blocked adaptive
            pooling follow channels first (`normalize_relu_pool`); under TensorFlow these
            are compiled with XLA in training, and the whole front end in inference; on
            a CPU, PyTorch computes the filters in groups whose maps stay under 16 MiB, JAX
            in a scan over groups of filters, so that their memory is reused rather than
            page-faulted in, and TensorFlow's inference in groups of at most 32 filters
            (`kgenre.backend_ops.filter_groups`). Equal to `"direct"`
            within float32 rounding (1e-4 on the tests' maps). `"auto"` (the default):
            `sinc_implementation(..., training=True)`, which is `"fft"` on every backend
            (see `sinc_implementation` for the table).
        **kwargs: base layer arguments.

    Input shape:
        `(batch, time)` or `(batch, time, 1)`, time >= the longest kernel.

    Output shape:
        `(batch, filters, output_length, len(kernel_sizes))`.

    Example:

    >>> front = MultiScaleSincNet(filters=16, kernel_sizes=(51, 101), output_length=64)
    >>> tuple(front(np.zeros((2, 4000), "float32")).shape)
    (2, 16, 64, 2)

    References:
        - Chang, Chen & Lee, MS-SincResNet, ICMR 2021, Sec. 2.2.2, Eq. 6-8.
    """

    def __init__(
        self,
        filters=160,
        kernel_sizes=(251, 501, 1001),
        sample_rate=16000,
        output_length=1024,
        min_low_hz=50,
        min_band_hz=50,
        implementation="auto",
        **kwargs,
    ):
        super().__init__(**kwargs)
        kernel_sizes = tuple(int(k) for k in kernel_sizes)
        if not kernel_sizes:
            raise ValueError("kernel_sizes must name at least one kernel length, got ()")
        self._implementation = sinc_implementation(implementation, training=True)
        if output_length < 1:
            raise ValueError(f"output_length must be >= 1, got {output_length}")
        self.filters = filters
        self.kernel_sizes = kernel_sizes
        self.sample_rate = sample_rate
        self.output_length = int(output_length)
        self.min_low_hz = min_low_hz
        self.min_band_hz = min_band_hz
        self.implementation = implementation
        self.input_norm = keras.layers.LayerNormalization(
            axis=1, epsilon=1e-5, dtype=self.dtype_policy, name="input_norm"
        )
        self.sinc = [
            SincConv1D(
                filters,
                k,
                sample_rate=sample_rate,
                min_low_hz=min_low_hz,
                min_band_hz=min_band_hz,
                implementation=self._implementation,
                dtype=self.dtype_policy,
                name=f"sinc_{k}",
            )
            for k in kernel_sizes
        ]
        # the FFT path keeps filters on axis 1; the weights are the same either way
        self.norms = [
            BatchNormalization(
                axis=1 if self._implementation == "fft" else -1,
                epsilon=1e-5,
                momentum=0.9,
                dtype=self.dtype_policy,
                name=f"bn_{k}",
            )
            for k in kernel_sizes
        ]
        self.input_spec = keras.layers.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        wave_shape = (input_shape[0], input_shape[1])
        self.input_norm.build(wave_shape)
        for sinc, norm in zip(self.sinc, self.norms):
            sinc.build(wave_shape)
            maps_shape = sinc.compute_output_shape(wave_shape)
            if self._implementation == "fft":
                maps_shape = (maps_shape[0], maps_shape[2], maps_shape[1])
            norm.build(maps_shape)

    def call(self, inputs, training=None):
        x = inputs
        if len(x.shape) == 3:
            x = ops.squeeze(x, -1)
        x = self.input_norm(x)
        if self._implementation == "fft":
            if training:  # TensorFlow's FFT kernels train faster than XLA's (BENCHMARKS.md)
                return self._fft_maps(x, training=True)
            if getattr(self, "_compiled_fft_maps", None) is None:
                self._compiled_fft_maps = compile_with_xla(self._fft_maps)
            return self._compiled_fft_maps(x)
        maps = []
        for sinc, norm in zip(self.sinc, self.norms):
            y = ops.relu(norm(sinc(x), training=training))
            y = adaptive_average_pool(y, self.output_length, axis=1)
            # (batch, frames, filters) -> (batch, filters, frames): frequency as height
            maps.append(ops.transpose(y, (0, 2, 1)))
        return ops.stack(maps, axis=-1)

    def _fft_maps(self, x, training=False):
        x = ops.cast(x, "float32")  # no backend has bfloat16 FFTs
        time = x.shape[1]
        if time is None:
            raise ValueError('implementation="fft" needs a static clip length')
        n = fast_fft_length(time)
        spectrum = ops.rfft(x, fft_length=n)  # shared by every scale
        # filters in groups where the backend gains by it (`filter_groups`); batch
        # statistics are per filter, so every group's are exact
        statistics = [bool(training and norm.trainable) for norm in self.norms]
        banks = [
            (
                ops.transpose(sinc.kernels()),  # (filters, K)
                norm.gamma,
                norm.beta,
                None if batch else norm.moving_mean,
                None if batch else norm.moving_variance,
            )
            for sinc, norm, batch in zip(self.sinc, self.norms, statistics)
        ]

        def bank_maps(bank, kernels, gamma, beta, mean, variance):
            # (batch, group, n): the valid outputs first, then wrapped-around ones
            y = correlate_spectrum(spectrum, ops.transpose(kernels), n)
            valid = time - self.sinc[bank]._kernel_length + 1
            epsilon = self.norms[bank].epsilon
            pooled, mean, variance = self._normalize_relu_pool(
                y, gamma, beta, mean, variance, epsilon, valid
            )
            return ops.transpose(pooled, (1, 0, 2)), mean, variance  # groups on axis 0

        groups = filter_groups(x, self.filters, n, training=bool(training))
        maps = []
        for (pooled, mean, variance), norm, batch in zip(
            map_filter_groups(bank_maps, banks, *groups), self.norms, statistics
        ):
            if batch:
                norm.update_moving_statistics(mean, variance)
            maps.append(ops.cast(ops.transpose(pooled, (1, 0, 2)), self.compute_dtype))
        return ops.stack(maps, axis=-1)

    def _normalize_relu_pool(self, y, gamma, beta, mean, variance, epsilon, valid):
        if getattr(self, "_compiled_normalize", None) is None:
            self._compiled_normalize = compile_with_xla(normalize_relu_pool)
        return self._compiled_normalize(
            y,
            ops.cast(gamma, "float32"),
            ops.cast(beta, "float32"),
            None if mean is None else ops.cast(mean, "float32"),
            None if variance is None else ops.cast(variance, "float32"),
            float(epsilon),
            int(valid),
            self.output_length,
        )

    def compute_output_shape(self, input_shape):
        for sinc in self.sinc:
            sinc.compute_output_shape((input_shape[0], input_shape[1]))
        return (input_shape[0], self.filters, self.output_length, len(self.kernel_sizes))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_sizes": list(self.kernel_sizes),
                "sample_rate": self.sample_rate,
                "output_length": self.output_length,
                "min_low_hz": self.min_low_hz,
                "min_band_hz": self.min_band_hz,
                "implementation": self.implementation,
            }
        )
        return config


def normalize_relu_pool(y, gamma, beta, mean, variance, epsilon, valid, output_length):
    """Batch norm -> ReLU -> adaptive average pooling of one bank's FFT maps, in float32.

    `y` is `(batch, filters, n)` with its `valid` outputs first (the rest wrapped around);
    statistics and pooling see only those. `mean` and `variance` `None`: the batch's
    (biased, over batch and valid time, as Keras' layer computes them in training), returned
    for the moving averages. Written as one function so that TensorFlow compiles it with XLA
    (`kgenre.backend_ops.compile_with_xla`), which fuses the elementwise passes over the maps,
    while the FFTs stay TensorFlow's own kernels.

    Returns:
        `(pooled, mean, variance)`, pooled `(batch, filters, output_length)`.
    """
    fused = batch_norm_relu_channels_first(y[:, :, :valid], gamma, beta, mean, variance, epsilon)
    if fused is not None:
        z, mean, variance = fused
        return adaptive_average_pool(z, output_length, axis=-1), mean, variance
    if mean is None:
        mean, variance = ops.moments(y[:, :, :valid], axes=(0, 2))
    scale = gamma * ops.rsqrt(variance + epsilon)
    shift = beta - mean * scale
    z = ops.relu(y * scale[:, None] + shift[:, None])
    return adaptive_average_pool(z, output_length, axis=-1, length=valid), mean, variance
