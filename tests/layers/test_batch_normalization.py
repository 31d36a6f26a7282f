import keras
import numpy as np
import pytest
from keras import ops

from kgenre.layers import BatchNormalization
from kgenre.testing import run_layer_test


def _twin_models(epsilon, momentum):
    """The same small network with Keras' and kgenre's batch normalisation, equal weights."""
    models = []
    for layer in (keras.layers.BatchNormalization, BatchNormalization):
        inputs = keras.Input((12, 10, 3))
        x = keras.layers.Conv2D(5, 3, padding="same")(inputs)
        x = layer(epsilon=epsilon, momentum=momentum, name="bn")(x)
        x = keras.layers.ReLU()(x)
        outputs = keras.layers.Dense(4)(keras.layers.Flatten()(x))
        models.append(keras.Model(inputs, outputs))
    models[1].set_weights(models[0].get_weights())
    return models


@pytest.mark.parametrize("epsilon, momentum", [(1e-3, 0.99), (1e-5, 0.9)])
def test_training_matches_keras(epsilon, momentum, backend_paths):
    calls = backend_paths("fused_batch_norm", "batch_norm_channels_last")
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((6, 12, 10, 3)) * 3 + 1).astype("float32")
    y = rng.integers(0, 4, size=6)
    reference, fused = _twin_models(epsilon, momentum)
    for model in (reference, fused):
        model.compile(
            keras.optimizers.SGD(0.1),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
    # training-mode outputs
    np.testing.assert_allclose(
        ops.convert_to_numpy(fused(x, training=True)),
        ops.convert_to_numpy(reference(x, training=True)),
        rtol=1e-5,
        atol=1e-5,
    )
    # three SGD steps: the gradients and the moving statistics agree
    for _ in range(3):
        loss_reference = reference.train_on_batch(x, y)
        loss_fused = fused.train_on_batch(x, y)
        np.testing.assert_allclose(loss_fused, loss_reference, rtol=1e-5)
    for got, want in zip(fused.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    moving = fused.get_layer("bn").moving_variance
    assert not np.allclose(ops.convert_to_numpy(moving), 1.0)  # the statistics did move
    np.testing.assert_allclose(
        fused.predict_on_batch(x), reference.predict_on_batch(x), rtol=1e-4, atol=1e-5
    )
    # TensorFlow's fused kernel trained on TensorFlow, PyTorch's kernel trained and predicted
    # on PyTorch; elsewhere Keras' own code ran
    assert any(calls["fused_batch_norm"]) == (keras.backend.backend() == "tensorflow")
    assert any(calls["batch_norm_channels_last"]) == (keras.backend.backend() == "torch")


def test_layer_contract():
    run_layer_test(
        BatchNormalization,
        {"momentum": 0.9},
        input_shape=(2, 6, 5, 3),
        expected_output_shape=(2, 6, 5, 3),
        expect_trainable_weights=True,
    )


def test_saved_config_is_keras_one():
    config = BatchNormalization(epsilon=1e-5, momentum=0.9).get_config()
    assert config == keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9).get_config() | {
        "name": config["name"]
    }
