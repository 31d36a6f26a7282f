import keras
import numpy as np
import pytest

from kgenre.layers import SeparableConvStack
from kgenre.testing import run_layer_test


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
