import keras

from kgenre.layers.batch_normalization import BatchNormalization
from kgenre.layers.max_pooling2d import MaxPooling2D


@keras.saving.register_keras_serializable(package="kgenre")
class SeparableConvStack(keras.layers.Layer):
    """A stack of depthwise separable convolution blocks for stem spectrograms.

    Each block is SeparableConv2D -> BatchNormalization -> ReLU -> MaxPooling2D. Mersy (seed
    002) uses two such blocks on a (128 mel, T, 3 stems) image, with batch normalization after
    each convolution and L1 + L2 penalties on the kernels. The paper does not give filter counts
    or kernel sizes; the defaults here (32 and 64 filters, 3x3 kernels, 2x2 pooling) are the
    Keras example conventions for small image CNNs that the paper's model was built from.

    Args:
        filters: number of output filters of each block; its length is the number of blocks.
            Defaults to `(32, 64)`.
        kernel_size: kernel size of the separable convolutions. Defaults to 3.
        pool_size: max-pooling size after each block. Defaults to 2.
        depth_multiplier: depthwise channel multiplier. Defaults to 1.
        l1: L1 penalty on the depthwise and pointwise kernels. Defaults to 0.
        l2: L2 penalty on the depthwise and pointwise kernels. Defaults to 0.
        **kwargs: base layer arguments.

    Input shape:
        `(batch, height, width, channels)`.

    Output shape:
        `(batch, height', width', filters[-1])`, each spatial size floor-divided by
        `pool_size` once per block.

    Example:

    >>> stack = SeparableConvStack(filters=(8, 16))
    >>> tuple(stack(np.zeros((2, 128, 64, 3), "float32")).shape)
    (2, 32, 16, 16)

    References:
        - Mersy, "Efficient robust music genre classification with depthwise separable
          convolutions and source separation", AAAI 2021 student abstract.
        - Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions", CVPR 2017.
    """

    def __init__(
        self,
        filters=(32, 64),
        kernel_size=3,
        pool_size=2,
        depth_multiplier=1,
        l1=0.0,
        l2=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        filters = tuple(int(f) for f in filters)
        if not filters or min(filters) < 1:
            raise ValueError(f"filters must be a non-empty list of integers >= 1, got {filters}")
        if kernel_size < 1 or pool_size < 1 or depth_multiplier < 1:
            raise ValueError(
                f"kernel_size, pool_size and depth_multiplier must be >= 1, got "
                f"{kernel_size}, {pool_size} and {depth_multiplier}"
            )
        if l1 < 0 or l2 < 0:
            raise ValueError(f"l1 and l2 must be >= 0, got {l1} and {l2}")
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.depth_multiplier = depth_multiplier
        self.l1 = l1
        self.l2 = l2
        self.blocks = []
        for i, width in enumerate(filters):
            reg = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
            self.blocks.append(
                [
                    keras.layers.SeparableConv2D(
                        width,
                        kernel_size,
                        padding="same",
                        depth_multiplier=depth_multiplier,
                        depthwise_regularizer=reg,
                        pointwise_regularizer=reg,
                        dtype=self.dtype_policy,
                        name=f"block{i + 1}_sepconv",
                    ),
                    BatchNormalization(dtype=self.dtype_policy, name=f"block{i + 1}_bn"),
                    keras.layers.ReLU(dtype=self.dtype_policy, name=f"block{i + 1}_relu"),
                    MaxPooling2D(pool_size, dtype=self.dtype_policy, name=f"block{i + 1}_pool"),
                ]
            )
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        shape = input_shape
        for block in self.blocks:
            for layer in block:
                layer.build(shape)
                shape = layer.compute_output_shape(shape)

    def call(self, inputs, training=None):
        x = inputs
        for sepconv, bn, relu, pool in self.blocks:
            x = pool(relu(bn(sepconv(x), training=training)))
        return x

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for block in self.blocks:
            for layer in block:
                shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": list(self.filters),
                "kernel_size": self.kernel_size,
                "pool_size": self.pool_size,
                "depth_multiplier": self.depth_multiplier,
                "l1": self.l1,
                "l2": self.l2,
            }
        )
        return config
