"""TensorFlow, imported on first use: `kgenre.data` is the only package that uses it.

`tf` below is a stand-in for the `tensorflow` module that imports it when an attribute is
first read, so every helper of `kgenre.data` can say `tf.io...` at module level while
`import kgenre.data` (and every other kgenre package) still works without TensorFlow.
"""


def tensorflow():
    """Returns the `tensorflow` module, or raises an `ImportError` saying how to get it."""
    try:
        import tensorflow as module
    except ImportError as error:
        raise ImportError(
            "kgenre.data needs TensorFlow for TFRecords and tf.data (on every Keras backend): "
            "pip install 'kgenre[tensorflow]'"
        ) from error
    return module


class _LazyTensorFlow:
    def __getattr__(self, name):
        return getattr(tensorflow(), name)


tf = _LazyTensorFlow()


class TFOps:
    """TensorFlow twins of the `keras.ops` functions `kgenre.audio.features.filterbank_spectrogram`
    calls, so tf.data computes spectrograms with the same code as the Keras layers on every
    Keras backend (only the arguments that function passes are supported)."""

    @staticmethod
    def pad(x, pad_width):
        return tf.pad(x, pad_width)

    @staticmethod
    def stft(x, sequence_length, sequence_stride, fft_length, window, center):
        frames = tf.signal.frame(x, fft_length, sequence_stride, axis=-1)
        spectrum = tf.signal.rfft(frames * window)
        return tf.math.real(spectrum), tf.math.imag(spectrum)

    @staticmethod
    def matmul(x, y):
        # `y` is a 2-D filterbank. tensordot, not tf.linalg.matmul: TensorFlow 2.21's
        # broadcasting batch matmul crashes (segmentation fault) on `(b, 1, frames, bins)`.
        return tf.tensordot(x, tf.constant(y, x.dtype), axes=1)

    @staticmethod
    def log(x):
        return tf.math.log(x)

    @staticmethod
    def maximum(x, y):
        return tf.maximum(x, y)

    @staticmethod
    def transpose(x, axes):
        return tf.transpose(x, axes)
