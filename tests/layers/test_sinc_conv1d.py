import keras
import numpy as np
import pytest
from keras import ops

from kgenre.layers import SincConv1D
from kgenre.testing import run_layer_test, value_and_gradients

SR = 16000


def reference_kernels(low_raw, band_raw, kernel_size, sample_rate, min_low=50.0, min_band=50.0):
    """Independent numpy version of the SincNet kernels, written from the formulas."""
    low = min_low + np.abs(low_raw)
    high = np.clip(low + min_band + np.abs(band_raw), min_low, sample_rate / 2)
    half = (kernel_size - 1) // 2
    kernels = np.empty((kernel_size, len(low)))
    n_lin = np.linspace(0, kernel_size / 2 - 1, kernel_size // 2)
    window = 0.54 - 0.46 * np.cos(2 * np.pi * n_lin / kernel_size)
    for j, (f1, f2) in enumerate(zip(low, high)):
        taps = np.empty(kernel_size)
        for i in range(kernel_size):
            n = i - half
            if n == 0:
                taps[i] = 2 * (f2 - f1)
            else:
                t = n / sample_rate
                w = window[i] if n < 0 else window[kernel_size - 1 - i]
                taps[i] = (
                    (np.sin(2 * np.pi * f2 * t) - np.sin(2 * np.pi * f1 * t)) / (np.pi * t) * w
                )
        kernels[:, j] = taps / (2 * (f2 - f1))
    return kernels


def mel(f):
    return 2595 * np.log10(1 + f / 700)


def test_initial_cutoffs_on_mel_grid():
    layer = SincConv1D(20, 101, sample_rate=SR)
    layer.build((None, 2000))
    low_raw = ops.convert_to_numpy(layer.low_hz)
    band_raw = ops.convert_to_numpy(layer.band_hz)
    edges = np.concatenate([low_raw, [low_raw[-1] + band_raw[-1]]])
    assert edges[0] == pytest.approx(30.0, abs=1e-3)
    assert edges[-1] == pytest.approx(SR / 2 - 100, rel=1e-5)
    np.testing.assert_allclose(
        np.diff(mel(edges.astype("float64"))), np.diff(mel(edges))[0], rtol=1e-4
    )


@pytest.mark.parametrize("kernel_size", [101, 251])
def test_kernels_match_numpy_reference(kernel_size):
    layer = SincConv1D(12, kernel_size, sample_rate=SR)
    layer.build((None, 4000))
    expected = reference_kernels(
        ops.convert_to_numpy(layer.low_hz), ops.convert_to_numpy(layer.band_hz), kernel_size, SR
    )
    actual = ops.convert_to_numpy(layer.kernels())
    np.testing.assert_allclose(actual, expected, atol=2e-5)
    np.testing.assert_allclose(actual[(kernel_size - 1) // 2], 1.0, atol=1e-6)
    np.testing.assert_allclose(actual, actual[::-1], atol=1e-6)


@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 1), ("valid", 3)])
def test_convolution_matches_numpy(padding, strides):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1500)).astype("float32")
    layer = SincConv1D(6, 65, sample_rate=SR, padding=padding, strides=strides)
    y = ops.convert_to_numpy(layer(x))
    k = reference_kernels(
        ops.convert_to_numpy(layer.low_hz), ops.convert_to_numpy(layer.band_hz), 65, SR
    )
    if padding == "same":
        x_pad = np.pad(x, ((0, 0), (32, 32)))
    else:
        x_pad = x
    expected = np.stack(
        [
            np.stack([np.correlate(x_pad[b], k[:, j], mode="valid") for j in range(6)], -1)
            for b in range(2)
        ]
    )[:, ::strides]
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, atol=2e-4, rtol=1e-4)


@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 2)])
def test_fft_implementation_matches_direct(padding, strides):
    x = np.random.default_rng(3).standard_normal((2, 5000)).astype("float32")
    direct = SincConv1D(10, 251, padding=padding, strides=strides)
    fft = SincConv1D(10, 251, padding=padding, strides=strides, implementation="fft")
    y_direct = ops.convert_to_numpy(direct(x))
    y_fft = ops.convert_to_numpy(fft(x))
    assert y_fft.shape == y_direct.shape
    np.testing.assert_allclose(y_fft, y_direct, atol=2e-4)


def test_fft_correlate_matches_numpy_for_asymmetric_kernels():
    from kgenre.layers.fft_convolution import fft_correlate

    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3000)).astype("float32")
    k = rng.standard_normal((101, 3)).astype("float32")
    y = ops.convert_to_numpy(fft_correlate(x, k, fft_length=256))
    expected = np.stack(
        [np.stack([np.correlate(x[b], k[:, j], "valid") for j in range(3)], -1) for b in range(2)]
    )
    np.testing.assert_allclose(y, expected, atol=1e-3)


def test_fft_correlate_one_block_matches_numpy():
    from kgenre.layers.fft_convolution import fft_correlate

    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 1001)).astype("float32")  # 1001 = 7 x 11 x 13: padded to 1024
    k = rng.standard_normal((201, 3)).astype("float32")
    y = ops.convert_to_numpy(fft_correlate(x, k))
    expected = np.stack(
        [np.stack([np.correlate(x[b], k[:, j], "valid") for j in range(3)], -1) for b in range(2)]
    )
    assert y.shape == expected.shape == (2, 801, 3)
    np.testing.assert_allclose(y, expected, atol=1e-3)


def test_fast_fft_length_is_the_next_5_smooth_size():
    from kgenre.layers.fft_convolution import fast_fft_length

    def smooth(n):
        for p in (2, 3, 5):
            while n % p == 0:
                n //= p
        return n == 1

    for length in (1, 7, 97, 1001, 47000, 48000, 48001, 132301):
        size = fast_fft_length(length)
        assert size >= length and smooth(size)
        assert not any(smooth(m) for m in range(length, size))
    with pytest.raises(ValueError, match="got 0"):
        fast_fft_length(0)


def test_constraints_hold_for_arbitrary_raw_weights():
    layer = SincConv1D(50, 51, sample_rate=SR)
    layer.build((None, 1000))
    rng = np.random.default_rng(1)
    layer.low_hz.assign(rng.normal(0, 20000, 50).astype("float32"))
    layer.band_hz.assign(rng.normal(0, 20000, 50).astype("float32"))
    low, high = layer.cutoffs_hz()
    assert np.all(low >= 50)
    assert np.all(high <= SR / 2 + 1e-3)
    assert np.all(high >= 50)
    kernels = ops.convert_to_numpy(layer.kernels())
    # a cutoff above Nyquist clips high to fs/2; the band can then be empty (low >= high) but
    # the kernels must stay finite wherever the band is open
    open_band = high > low
    assert np.all(np.isfinite(kernels[:, open_band]))


def test_even_kernel_rounded_up():
    layer = SincConv1D(4, 250)
    y = layer(np.zeros((1, 1000), "float32"))
    assert tuple(y.shape) == (1, 1000 - 251 + 1, 4)
    assert layer.get_config()["kernel_size"] == 250
    assert ops.convert_to_numpy(layer.kernels()).shape == (251, 4)


def test_input_with_channel_axis():
    layer = SincConv1D(4, 31)
    x = np.random.default_rng(0).standard_normal((2, 500)).astype("float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer(x)), ops.convert_to_numpy(layer(x[..., None])), atol=1e-6
    )


def test_gradients_wrt_cutoffs_finite_and_nonzero():
    layer = SincConv1D(8, 65, sample_rate=SR)
    x = np.random.default_rng(2).standard_normal((2, 800)).astype("float32")
    layer.build(x.shape)

    def loss():
        return ops.mean(ops.square(layer(x) - 0.1))

    value, grads = value_and_gradients(loss, [layer.low_hz, layer.band_hz])
    assert np.isfinite(value)
    for g in grads:
        assert g.shape == (8,)
        assert np.all(np.isfinite(g))
        assert np.all(g != 0)


@pytest.mark.parametrize("implementation", ["direct", "fft"])
def test_layer_contract(implementation):
    run_layer_test(
        SincConv1D,
        {"filters": 4, "kernel_size": 31, "sample_rate": 8000, "implementation": implementation},
        input_shape=(2, 300),
        expected_output_shape=(2, 270, 4),
        symbolic_input_shape=(300,) if implementation == "fft" else (None,),
        expected_symbolic_shape=(None, 270, 4) if implementation == "fft" else (None, None, 4),
        saving_atol=1e-5,
    )


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"filters": 4, "kernel_size": 1}, "kernel_size must be an integer >= 3, got 1"),
        ({"filters": 0, "kernel_size": 31}, "filters must be an integer >= 1, got 0"),
        ({"filters": 4, "kernel_size": 31, "sample_rate": 0}, "sample_rate must be > 0, got 0"),
        ({"filters": 4, "kernel_size": 31, "sample_rate": -8}, "got -8"),
        ({"filters": 4, "kernel_size": 31, "padding": "causal"}, "causal"),
        ({"filters": 4, "kernel_size": 31, "implementation": "winograd"}, "winograd"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SincConv1D(**kwargs)


def test_input_shorter_than_kernel():
    layer = SincConv1D(4, 251)
    with pytest.raises(ValueError, match="100 samples is shorter than the kernel"):
        layer(np.zeros((1, 100), "float32"))
    with pytest.raises(ValueError, match="shorter than the kernel"):
        SincConv1D(4, 251)(keras.Input((100,)))


def test_stereo_input_rejected():
    with pytest.raises(ValueError, match="mono"):
        SincConv1D(4, 31)(np.zeros((1, 100, 2), "float32"))
