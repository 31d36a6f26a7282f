import keras
import numpy as np
import pytest
from keras import ops

from kgenre import backend_ops
from kgenre.layers import MaxPooling2D
from kgenre.testing import run_layer_test
from kgenre.testing.gradients import value_and_gradients


@pytest.mark.parametrize(
    "pool_size, strides, padding",
    [(3, 2, "valid"), (2, None, "valid"), ((2, 3), (1, 2), "valid"), (3, 2, "same")],
)
def test_matches_keras_max_pooling2d(pool_size, strides, padding, monkeypatch):
    calls = []
    max_pool_channels_last = backend_ops.max_pool_channels_last

    def counted(*args):
        result = max_pool_channels_last(*args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(backend_ops, "max_pool_channels_last", counted)
    arguments = dict(pool_size=pool_size, strides=strides, padding=padding)
    reference, layer = keras.layers.MaxPooling2D(**arguments), MaxPooling2D(**arguments)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 11, 13, 4)).astype("float32")
    target = rng.standard_normal(tuple(layer.compute_output_shape(x.shape))).astype("float32")
    target = ops.convert_to_tensor(target)

    results = []
    for pool in (reference, layer):
        inputs = keras.Variable(x)
        loss, grads = value_and_gradients(
            lambda pool=pool, inputs=inputs: ops.sum((pool(inputs.value) - target) ** 2),
            [inputs],
        )
        results.append((ops.convert_to_numpy(pool(x)), loss, grads[0]))
    (want, want_loss, want_grad), (got, got_loss, got_grad) = results
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
