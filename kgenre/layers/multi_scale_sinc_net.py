import keras
from keras import ops

from kgenre.layers.sinc_conv1d import SincConv1D


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
        implementation: how the sinc banks convolve, `"direct"` or `"fft"` (see
            `SincConv1D`). Defaults to `"direct"`.
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
        implementation="direct",
        **kwargs,
    ):
        super().__init__(**kwargs)
        kernel_sizes = tuple(int(k) for k in kernel_sizes)
        if not kernel_sizes:
            raise ValueError("kernel_sizes must name at least one kernel length, got ()")
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
                implementation=implementation,
                dtype=self.dtype_policy,
                name=f"sinc_{k}",
            )
            for k in kernel_sizes
        ]
        self.norms = [
            keras.layers.BatchNormalization(
                epsilon=1e-5, momentum=0.9, dtype=self.dtype_policy, name=f"bn_{k}"
            )
            for k in kernel_sizes
        ]
        self.input_spec = keras.layers.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        wave_shape = (input_shape[0], input_shape[1])
        self.input_norm.build(wave_shape)
        for sinc, norm in zip(self.sinc, self.norms):
            sinc.build(wave_shape)
            norm.build(sinc.compute_output_shape(wave_shape))

    def call(self, inputs, training=None):
        x = inputs
        if len(x.shape) == 3:
            x = ops.squeeze(x, -1)
        x = self.input_norm(x)
        maps = []
        for sinc, norm in zip(self.sinc, self.norms):
            y = ops.relu(norm(sinc(x), training=training))
            y = ops.adaptive_average_pool(
                y, output_size=self.output_length, data_format="channels_last"
            )
            # (batch, frames, filters) -> (batch, filters, frames): frequency as height
            maps.append(ops.transpose(y, (0, 2, 1)))
        return ops.stack(maps, axis=-1)

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
