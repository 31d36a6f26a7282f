import keras
import numpy as np
import pytest

from kgenre.layers import Conv2D
from kgenre.testing import outputs_and_gradients, run_layer_test

CASES = [
    # (kernel_size, strides, padding, dilation_rate, groups)
    (3, 1, "same", 1, 1),
    (7, 2, "valid", 1, 1),
    ((2, 4), 1, "same", 1, 1),  # even kernels: "same" pads one more at the end (Keras')
    (3, 1, "same", 2, 1),
    ((3, 1), (2, 3), "valid", 1, 1),
    (3, 1, "valid", 1, 2),
    (3, 2, "same", 1, 1),  # strided "same": Keras' own path
    ((3, 5), 1, "same", (2, 3), 1),
]


@pytest.mark.parametrize("kernel_size, strides, padding, dilation_rate, groups", CASES)
def test_matches_keras_conv2d(kernel_size, strides, padding, dilation_rate, groups, backend_paths):
    calls = backend_paths("conv_channels_last")["conv_channels_last"]
    arguments = dict(
        filters=6,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        dilation_rate=dilation_rate,
        groups=groups,
        activation="relu",
    )
    reference, layer = keras.layers.Conv2D(**arguments), Conv2D(**arguments)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 11, 13, 4)).astype("float32")
    reference.build(x.shape)
    layer.build(x.shape)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in reference.weights]
    reference.set_weights(weights)
    layer.set_weights(weights)
    target = rng.standard_normal(tuple(layer.compute_output_shape(x.shape))).astype("float32")

    want, want_loss, want_grads = outputs_and_gradients(reference, x, target)
    got, got_loss, got_grads = outputs_and_gradients(layer, x, target)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_loss, want_loss, rtol=1e-5)
    for g, w in zip(got_grads, want_grads):  # inputs, kernel, bias
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)
    # PyTorch convolves in place except where "same" padding is uneven or strided; elsewhere
    # Keras' code
    keras_same = padding == "same" and (strides != 1 or kernel_size == (2, 4))
    torch_path = keras.backend.backend() == "torch" and not keras_same
    assert calls and all(calls) == torch_path


def test_layer_contract():
    run_layer_test(
        Conv2D,
        {"filters": 3, "kernel_size": 3, "padding": "same"},
        input_shape=(2, 6, 5, 4),
        expected_output_shape=(2, 6, 5, 3),
        expect_trainable_weights=True,
    )


def test_saved_config_is_keras_one():
    config = Conv2D(4, 3, strides=2).get_config()
    assert config == keras.layers.Conv2D(4, 3, strides=2).get_config() | {"name": config["name"]}
