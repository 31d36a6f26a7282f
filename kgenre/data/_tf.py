"""The guarded TensorFlow import: `kgenre.data` is the only package that uses TensorFlow."""


def tensorflow():
    """Returns the `tensorflow` module, or raises an `ImportError` saying how to get it."""
    try:
        import tensorflow as tf
    except ImportError as error:
        raise ImportError(
            "kgenre.data needs TensorFlow for TFRecords and tf.data (on every Keras backend): "
            "pip install 'kgenre[tensorflow]'"
        ) from error
    return tf
