import keras

from kgenre import backend_ops


@keras.saving.register_keras_serializable(package="kgenre")
class Conv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D`, convolving channels-last maps in place on PyTorch.

    Same arguments, weights, maths and saved configuration as Keras' layer. On the torch
    backend, a channels-last convolution goes through `kgenre.backend_ops.conv_channels_last`:
    the same PyTorch kernel as Keras' own path, without its two copies of the activations per
    call (BENCHMARKS.md). Everything else (TensorFlow, JAX, channels first, `"same"` padding
    with strides) is Keras' own code. `tests/layers/test_conv2d.py` checks outputs and
    gradients against Keras' layer.
    """

    def convolution_op(self, inputs, kernel):
        if self.data_format == "channels_last":
            outputs = backend_ops.conv_channels_last(
                inputs, kernel, self.strides, self.padding, self.dilation_rate
            )
            if outputs is not None:
                return outputs
        return super().convolution_op(inputs, kernel)
