import keras

from kgenre import backend_ops


@keras.saving.register_keras_serializable(package="kgenre")
class MaxPooling2D(keras.layers.MaxPooling2D):
    """`keras.layers.MaxPooling2D`, pooling channels-last maps in place on PyTorch.

    Same arguments, maths and saved configuration as Keras' layer. On the torch backend,
    channels-last `"valid"` pooling goes through `kgenre.backend_ops.max_pool_channels_last`
    (PyTorch's channels-last kernel on the maps as they are, instead of Keras' channels-first
    copy; BENCHMARKS.md). Everything else is Keras' own code.
    `tests/layers/test_max_pooling2d.py` checks outputs and gradients against Keras' layer.
    """

    def call(self, inputs):
        if self.data_format == "channels_last":
            outputs = backend_ops.max_pool_channels_last(
                inputs, self.pool_size, self.strides, self.padding
            )
            if outputs is not None:
                return outputs
        return super().call(inputs)
