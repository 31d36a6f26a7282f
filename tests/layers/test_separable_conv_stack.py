import keras
import numpy as np
import pytest

from kgenre.layers import SeparableConvStack
from kgenre.testing import run_layer_test
from kgenre.testing.model_checks import to_numpy


def test_layer_contract():
    run_layer_test(
        SeparableConvStack,
        {"filters": (4, 6), "kernel_size": 3, "l1": 1e-5, "l2": 1e-4},
        input_shape=(2, 16, 12, 3),
        expected_output_shape=(2, 4, 3, 6),
        symbolic_input_shape=(16, None, 3),
        expected_symbolic_shape=(None, 4, None, 6),
        saving_atol=1e-5,
    )


def test_separable_parameter_count():
    # depthwise 3x3 on 3 channels (27) + pointwise 3->8 (24) + bias (8) + BN (4 * 8)
    stack = SeparableConvStack(filters=(8,), kernel_size=3)
    stack.build((None, 32, 32, 3))
    assert stack.count_params() == 27 + 24 + 8 + 32


def test_penalties_added_as_losses():
    stack = SeparableConvStack(filters=(4,), l1=1e-3, l2=1e-3)
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, stack(inputs))
    model(np.ones((1, 8, 8, 3), "float32"))
    assert len(model.losses) == 2  # depthwise and pointwise kernels
    assert not SeparableConvStack(filters=(4,)).losses


@pytest.mark.parametrize(
    "kwargs,match",
    [({"filters": ()}, "filters"), ({"filters": (4, 0)}, "got \\(4, 0\\)"), ({"l1": -1}, "got -1")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SeparableConvStack(**kwargs)


def _numpy_stack(x, stack):
    """SeparableConv2D ('same') -> BN (inference) -> ReLU -> MaxPool2D, written in numpy."""
    for sepconv, bn, _, pool in stack.blocks:
        depthwise, pointwise, bias = (to_numpy(w) for w in sepconv.weights)
        k, mult = depthwise.shape[0], depthwise.shape[3]
        batch, height, width, channels = x.shape
        padded = np.pad(x, ((0, 0), (k // 2, k // 2), (k // 2, k // 2), (0, 0)))
        # depthwise: channel c with multiplier m gives output channel c * mult + m
        depth = np.zeros((batch, height, width, channels * mult))
        for c in range(channels):
            for m in range(mult):
                for i in range(k):
                    for j in range(k):
                        depth[..., c * mult + m] += (
                            padded[:, i : i + height, j : j + width, c] * depthwise[i, j, c, m]
                        )
        y = depth @ pointwise[0, 0] + bias
        gamma, beta, mean, variance = (to_numpy(w) for w in bn.weights)
        y = gamma * (y - mean) / np.sqrt(variance + bn.epsilon) + beta
        y = np.maximum(y, 0.0)
        p = pool.pool_size[0]
        h, w = height // p, width // p
        x = y[:, : h * p, : w * p].reshape(batch, h, p, w, p, -1).max(axis=(2, 4))
    return x


def test_matches_a_numpy_reference():
    rng = np.random.default_rng(0)
    stack = SeparableConvStack(filters=(5, 4), kernel_size=3, depth_multiplier=2)
    x = rng.standard_normal((2, 9, 11, 3)).astype("float32")
    stack.build(x.shape)
    for weight in stack.weights:
        low = 0.5 if "variance" in weight.path else -1.0
        weight.assign(rng.uniform(low, 1.0, weight.shape).astype("float32"))
    expected = _numpy_stack(x.astype("float64"), stack)
    assert expected.shape == (2, 2, 2, 4)
    np.testing.assert_allclose(to_numpy(stack(x, training=False)), expected, rtol=1e-4, atol=1e-5)
