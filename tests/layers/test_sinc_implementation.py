import pytest

from kgenre.layers import MultiScaleSincNet, SincConv1D, sinc_implementation


@pytest.mark.parametrize(
    "training, shared, backend, expected",
    [
        (True, True, "tensorflow", "fft"),
        (True, True, "jax", "fft"),
        (True, True, "torch", "fft"),
        (False, True, "tensorflow", "fft"),
        (False, True, "jax", "fft"),
        (False, True, "torch", "direct"),
        (True, False, "tensorflow", "direct"),
        (True, False, "torch", "direct"),
        (False, False, "jax", "direct"),
    ],
)
def test_auto_is_the_measured_faster(training, shared, backend, expected):
    assert sinc_implementation("auto", training, shared, backend) == expected
    # an explicit choice is kept whatever the context
    assert sinc_implementation("direct", training, shared, backend) == "direct"
    assert sinc_implementation("fft", training, shared, backend) == "fft"


def test_layers_resolve_auto_with_the_one_rule():
    front = MultiScaleSincNet(filters=4, kernel_sizes=(31,), output_length=8)
    assert front._implementation == sinc_implementation("auto", training=True)
    assert front.get_config()["implementation"] == "auto"
    bank = SincConv1D(4, 31)
    assert bank.implementation == "auto"
    assert bank._implementation == sinc_implementation("auto", shared_spectrum=False) == "direct"
    with pytest.raises(ValueError, match="winograd"):
        sinc_implementation("winograd")
