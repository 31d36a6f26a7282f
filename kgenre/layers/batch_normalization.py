import keras
from keras import ops

from kgenre import backend_ops


@keras.saving.register_keras_serializable(package="kgenre")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization`, trained with TensorFlow's fused kernel where it
    applies.

    Same arguments, weights, maths and saved configuration as Keras' layer; only the
    training-mode call of a 4-D channels-last input on the TensorFlow backend goes through
    `kgenre.backend_ops.fused_batch_norm` (one pass forward and one backward instead of
    Keras' separate ops; about a third of a training step of Mersy's stem CNN on a CPU, see
    BENCHMARKS.md). Everything else (inference, other ranks or axes, masks, `renorm`,
    `synchronized`, no `center` or `scale`, JAX and PyTorch) is Keras' own code. Batch
    statistics and the moving averages match Keras' to float32 round-off
    (`tests/layers/test_batch_normalization.py`).
    """

    def call(self, inputs, training=None, mask=None):
        fused = (
            training
            and self.trainable
            and mask is None
            and not self.renorm
            and not self.synchronized
            and self.center
            and self.scale
            and len(inputs.shape) == 4
            and self.axis in (3, -1)
        )
        if not fused:
            return super().call(inputs, training=training, mask=mask)
        x = ops.cast(inputs, "float32")
        result = backend_ops.fused_batch_norm(
            x, ops.cast(self.gamma, "float32"), ops.cast(self.beta, "float32"), self.epsilon
        )
        if result is None:
            return super().call(inputs, training=training, mask=mask)
        outputs, mean, variance = result
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
