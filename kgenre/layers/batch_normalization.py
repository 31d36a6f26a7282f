import keras
from keras import ops

from kgenre import backend_ops


@keras.saving.register_keras_serializable(package="kgenre")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization`, by the backends' own batch norm kernels where they
    apply.

    Same arguments, weights, maths and saved configuration as Keras' layer. A 4-D
    channels-last input (with `center` and `scale`, no mask, `renorm` or `synchronized`) goes
    through one kernel instead of Keras' separate ops:

    - TensorFlow, training: `kgenre.backend_ops.fused_batch_norm`, TensorFlow's fused kernel,
      one pass forward and one backward (about a third of a training step of Mersy's stem
      CNN on a CPU, see BENCHMARKS.md);
    - PyTorch, training and inference: `kgenre.backend_ops.batch_norm_channels_last`,
      PyTorch's kernel on a channels-first view of the maps.

    Everything else (TensorFlow's inference, JAX, other ranks or axes) is Keras' own code.
    Batch statistics and the moving averages match Keras' to float32 round-off
    (`tests/layers/test_batch_normalization.py`).
    """

    def call(self, inputs, training=None, mask=None):
        plain = (
            mask is None
            and not self.renorm
            and not self.synchronized
            and self.center
            and self.scale
            and len(inputs.shape) == 4
            and self.axis in (3, -1)
        )
        if not plain:
            return super().call(inputs, training=training, mask=mask)
        batch = bool(training and self.trainable)  # Keras' layer: batch statistics
        x = ops.cast(inputs, "float32")
        result = None
        if batch:
            gamma, beta = ops.cast(self.gamma, "float32"), ops.cast(self.beta, "float32")
            result = backend_ops.fused_batch_norm(x, gamma, beta, self.epsilon)
        if result is None:
            statistics = (None, None) if batch else (self.moving_mean, self.moving_variance)
            result = backend_ops.batch_norm_channels_last(
                x, self.gamma, self.beta, *statistics, self.epsilon
            )
        if result is None:
            return super().call(inputs, training=training, mask=mask)
        outputs, mean, variance = result
        if batch:
            self.update_moving_statistics(mean, variance)
        return ops.cast(outputs, self.compute_dtype)

    def update_moving_statistics(self, mean, variance):
        """Moves the moving mean and variance towards a batch's, as Keras' layer does in
        training (`moving * momentum + batch * (1 - momentum)`); for callers that compute the
        batch statistics themselves (the fused kernel here, `MultiScaleSincNet`'s FFT path)."""
        moving_mean = ops.cast(self.moving_mean, "float32")
        moving_variance = ops.cast(self.moving_variance, "float32")
        self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(
            moving_variance * self.momentum + variance * (1.0 - self.momentum)
        )
