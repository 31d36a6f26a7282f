import numpy as np
import pytest
from keras import ops

from kgenre.layers import AttentionPooling
from kgenre.testing import run_layer_test


def softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def test_sequence_matches_equations():
    x = np.random.default_rng(0).standard_normal((3, 7, 5)).astype("float32")
    layer = AttentionPooling()
    y = ops.convert_to_numpy(layer(x))
    wa, ba = (ops.convert_to_numpy(v) for v in (layer.temporal_kernel, layer.temporal_bias))
    wb, bb = (ops.convert_to_numpy(v) for v in (layer.spectral_kernel, layer.spectral_bias))
    alpha = softmax((x @ wa)[..., 0] + ba)
    beta = softmax(x.mean(axis=1) @ wb + bb)
    expected = 5 * np.einsum("bt,btf->bf", alpha, x) * beta
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_map_matches_equations():
    x = np.random.default_rng(1).standard_normal((2, 6, 4, 3)).astype("float32")
    layer = AttentionPooling()
    y = ops.convert_to_numpy(layer(x))
    wa, ba = (ops.convert_to_numpy(v) for v in (layer.temporal_kernel, layer.temporal_bias))
    wb, bb = (ops.convert_to_numpy(v) for v in (layer.spectral_kernel, layer.spectral_bias))
    alpha = softmax((x.mean(axis=2) @ wa)[..., 0] + ba)
    beta = softmax((x.mean(axis=1) @ wb)[..., 0] + bb)
    expected = np.einsum("bt,bf,btfc->bc", alpha, beta, x)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(2, 9, 6), (2, 9, 4, 3)])
def test_weights_sum_to_one(shape):
    x = np.random.default_rng(2).standard_normal(shape).astype("float32") * 5
    layer = AttentionPooling()
    layer(x)
    alpha, beta = (ops.convert_to_numpy(w) for w in layer.attention_weights(x))
    np.testing.assert_allclose(alpha.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(beta.sum(-1), 1.0, atol=1e-5)
    outer = alpha[:, :, None] * beta[:, None, :]
    np.testing.assert_allclose(outer.sum(axis=(1, 2)), 1.0, atol=1e-5)


def test_constant_map_pools_to_its_value():
    x = np.full((2, 5, 4, 3), 0.7, "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(AttentionPooling()(x)), 0.7, atol=1e-6)


def test_layer_contract_sequence():
    run_layer_test(
        AttentionPooling,
        {},
        input_shape=(2, 6, 5),
        expected_output_shape=(2, 5),
        symbolic_input_shape=(None, 5),
    )


def test_layer_contract_map():
    run_layer_test(
        AttentionPooling,
        {},
        input_shape=(2, 6, 4, 3),
        expected_output_shape=(2, 3),
        symbolic_input_shape=(None, 4, 3),
    )
