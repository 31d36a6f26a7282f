import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgenre")
class SpatialPyramidPooling(keras.layers.Layer):
    """Spatial pyramid pooling: pools a feature map on grids of several sizes and concatenates.

    For each level `l` the map is split into an `l x l` grid of adaptive bins (PyTorch's
    adaptive pooling bins: bin `i` spans `floor(i H / l)` to `ceil((i + 1) H / l)`), each bin
    is averaged (or max-pooled) per channel, and all levels are flattened and concatenated.
    MS-SincResNet applies levels (1, 2) with average pooling to the 512@5x32 output of
    ResNet-18's conv5_2, giving 512 * (1 + 4) = 2,560 features (Sec. 2.2.4, Fig. 3).

    Args:
        levels: grid sizes, each >= 1. Defaults to `(1, 2)` (MS-SincResNet).
        pooling: `"avg"` or `"max"`. Defaults to `"avg"`.
        **kwargs: base layer arguments.

    Input shape:
        `(batch, height, width, channels)` with height and width >= `max(levels)`.

    Output shape:
        `(batch, channels * sum(l * l for l in levels))`, ordered level by level, and within a
        level bin by bin (row major) with the channels innermost.

    Example:

    >>> spp = SpatialPyramidPooling(levels=(1, 2))
    >>> tuple(spp(np.zeros((2, 5, 32, 512), "float32")).shape)
    (2, 2560)

    References:
        - He et al., "Spatial Pyramid Pooling in Deep Convolutional Networks for Visual
          Recognition", TPAMI 2015.
        - Chang, Chen & Lee, MS-SincResNet, ICMR 2021, Sec. 2.2.4.
    """

    def __init__(self, levels=(1, 2), pooling="avg", **kwargs):
        super().__init__(**kwargs)
        levels = tuple(int(level) for level in levels)
        if not levels:
            raise ValueError("levels must name at least one pyramid level, got ()")
        for level in levels:
            if level <= 0:
                raise ValueError(f"every pyramid level must be >= 1, got {level} in {levels}")
        if pooling not in ("avg", "max"):
            raise ValueError(f'pooling must be "avg" or "max", got {pooling!r}')
        self.levels = levels
        self.pooling = pooling
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def _check(self, input_shape):
        largest = max(self.levels)
        for axis, size in (("height", input_shape[1]), ("width", input_shape[2])):
            if size is not None and size < largest:
                raise ValueError(
                    f"SpatialPyramidPooling with levels {self.levels} needs {axis} >= "
                    f"{largest}, got input shape {tuple(input_shape)}"
                )

    def build(self, input_shape):
        self._check(input_shape)

    def call(self, inputs):
        self._check(inputs.shape)
        batch = ops.shape(inputs)[0]
        pooled = [ops.reshape(self._pool(inputs, level), (batch, -1)) for level in self.levels]
        return ops.concatenate(pooled, axis=-1)

    def _pool(self, inputs, level):
        if level == 1:
            # a global reduction; Keras' TensorFlow adaptive pooling crashes (SIGFPE) on a 1x1
            # output because its larger window exceeds the input
            reduce = ops.mean if self.pooling == "avg" else ops.max
            return reduce(inputs, axis=(1, 2))
        pool = ops.adaptive_average_pool if self.pooling == "avg" else ops.adaptive_max_pool
        return pool(inputs, output_size=(level, level), data_format="channels_last")

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        channels = input_shape[-1]
        features = None if channels is None else channels * sum(lv * lv for lv in self.levels)
        return (input_shape[0], features)

    def get_config(self):
        config = super().get_config()
        config.update({"levels": list(self.levels), "pooling": self.pooling})
        return config
