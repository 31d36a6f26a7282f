import keras
import numpy as np
import pytest

from kgenre.layers import MaxPooling2D
from kgenre.testing import outputs_and_gradients, run_layer_test


@pytest.mark.parametrize(
    "pool_size, strides, padding",
    [(3, 2, "valid"), (2, None, "valid"), ((2, 3), (1, 2), "valid"), (3, 2, "same")],
)
def test_matches_keras_max_pooling2d(pool_size, strides, padding, backend_paths):
    calls = backend_paths("max_pool_channels_last")["max_pool_channels_last"]
    arguments = dict(pool_size=pool_size, strides=strides, padding=padding)
    reference, layer = keras.layers.MaxPooling2D(**arguments), MaxPooling2D(**arguments)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 11, 13, 4)).astype("float32")
    target = rng.standard_normal(tuple(layer.compute_output_shape(x.shape))).astype("float32")

    want, want_loss, (want_grad,) = outputs_and_gradients(reference, x, target)
    got, got_loss, (got_grad,) = outputs_and_gradients(layer, x, target)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(got_loss, want_loss, rtol=1e-6)
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-6, atol=1e-6)
    # PyTorch pools in place with "valid" padding; elsewhere Keras' code
    assert calls and all(calls) == (keras.backend.backend() == "torch" and padding == "valid")


def test_layer_contract():
    run_layer_test(
        MaxPooling2D,
        {"pool_size": 2},
        input_shape=(2, 6, 4, 3),
        expected_output_shape=(2, 3, 2, 3),
        expect_trainable_weights=False,
        run_training=False,  # no weights to train
    )


def test_saved_config_is_keras_one():
    config = MaxPooling2D(3, strides=2).get_config()
    assert config == keras.layers.MaxPooling2D(3, strides=2).get_config() | {"name": config["name"]}
