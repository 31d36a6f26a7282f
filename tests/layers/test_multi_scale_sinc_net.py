import keras
import numpy as np
import pytest
from keras import ops

from kgenre import backend_ops
from kgenre.layers import MultiScaleSincNet, multi_scale_sinc_net
from kgenre.testing import run_layer_test, value_and_gradients


def test_paper_shape_and_parameters():
    front = MultiScaleSincNet()
    assert front.compute_output_shape((None, 48000)) == (None, 160, 1024, 3)
    front.build((None, 48000))
    # 2 cutoffs per sinc filter + BN (4 per channel) per scale + the input LayerNorm
    assert front.count_params() == 3 * (160 * 2 + 160 * 4) + 2 * 48000


def test_small_output_and_order():
    front = MultiScaleSincNet(filters=8, kernel_sizes=(31, 63), output_length=16)
    x = np.random.default_rng(0).standard_normal((2, 640)).astype("float32")
    y = ops.convert_to_numpy(front(x, training=False))
    assert y.shape == (2, 8, 16, 2)
    assert np.all(y >= 0)  # ReLU comes before the pooling
    # channel s holds scale s: rebuild scale 0 by hand (layer norm, sinc, inference BN, ReLU)
    xn = ops.convert_to_numpy(front.input_norm(x))
    s0 = ops.convert_to_numpy(front.sinc[0](xn))
    bn = front.norms[0]
    mean, var = ops.convert_to_numpy(bn.moving_mean), ops.convert_to_numpy(bn.moving_variance)
    s0 = np.maximum((s0 - mean) / np.sqrt(var + 1e-5), 0)
    length = s0.shape[1]
    pooled = np.stack(
        [s0[:, (i * length) // 16 : -(-((i + 1) * length) // 16)].mean(axis=1) for i in range(16)],
        axis=1,
    )
    np.testing.assert_allclose(y[..., 0], pooled.transpose(0, 2, 1), atol=1e-4)


@pytest.mark.parametrize("implementation", ["direct", "fft"])
def test_paper_pooling_uses_exact_pytorch_bins(implementation):
    # 48,000 samples through 251 taps -> 47,750 frames pooled to 1,024: the size at which
    # Keras 3.15's float32 bin edges go one sample off (bins 874 on) on TensorFlow and JAX
    front = MultiScaleSincNet(filters=2, kernel_sizes=(251,), implementation=implementation)
    x = np.random.default_rng(4).standard_normal((1, 48000)).astype("float32")
    y = ops.convert_to_numpy(front(x, training=False))[..., 0]
    s0 = ops.convert_to_numpy(front.sinc[0](front.input_norm(x)))  # (1, 47750, 2)
    s0 = np.maximum(s0 / np.sqrt(1 + 1e-5), 0)  # fresh batch norm in inference mode
    length = s0.shape[1]
    pooled = np.stack(
        [
            s0[:, (i * length) // 1024 : -(-((i + 1) * length) // 1024)].mean(axis=1)
            for i in range(1024)
        ],
        axis=2,
    )
    np.testing.assert_allclose(y, pooled, atol=2e-4)


def _direct_and_fft(**kwargs):
    direct = MultiScaleSincNet(**kwargs, implementation="direct")
    fft = MultiScaleSincNet(**kwargs, implementation="fft")
    direct.build((None, 3000))
    fft.build((None, 3000))
    fft.set_weights(direct.get_weights())  # same weights whatever the implementation
    return direct, fft


@pytest.fixture(params=["one group", "groups of 3 filters", "scan, 2 groups of 1 per step"])
def filter_groups(request, monkeypatch):
    """The FFT path with every bank's filters in one group, in uneven groups of filters one
    after the other (as PyTorch runs it on a CPU), and in a scan over steps of two groups (as
    JAX runs it on a CPU; a loop of single filters on the other backends), whatever the
    backend."""
    groups = {"groups of 3 filters": (3, None), "scan, 2 groups of 1 per step": (1, 2)}
    if request.param in groups:
        plan = groups[request.param]
        monkeypatch.setattr(multi_scale_sinc_net, "filter_groups", lambda *args, **kwargs: plan)


def test_filter_groups():
    # MS-SincResNet's 48,000-point maps, float32
    def groups(batch, filters=160, length=48000):
        return backend_ops.filter_groups(ops.zeros((batch, 8)), filters, length)

    backend = keras.backend.backend()
    if backend == "torch":  # under backend_ops.CHUNK_BYTES (16 MiB), one after the other
        assert groups(8) == (10, None)  # 8 x 10 x 48,000 x 4 bytes = 15.4 MB
        assert groups(512) == (1, None)  # at least one filter
        assert groups(1, 16, 4000) == (16, None)  # at most all of them
        assert 1 <= groups(0)[0] <= 160  # an empty batch is not a division by zero
    elif backend == "jax":  # a scan; both numbers divide the filters
        assert groups(8) == (4, 4)  # 6.1 MB per group, 10 steps
        assert groups(1) == (32, 1)  # 160 = 5 x 32: one group per bank and step
        assert groups(512) == (1, 4)
        assert groups(8, 7) == (1, 1)  # a prime number of filters
    else:  # TensorFlow: inference in groups of at most 32 filters, training in one
        assert groups(8) == (32, None)
        assert groups(8, 30) == (30, None)
        assert groups(8, 7) == (7, None)
        assert backend_ops.filter_groups(ops.zeros((8, 8)), 160, 48000, training=True) == (
            160,
            None,
        )


@pytest.mark.parametrize("plan", [(6, None), (4, None), (1, 2), (3, 2), (4, 1)])
def test_map_filter_groups(plan):
    # two banks of 6 filters; (4, 1) cannot scan (6 is no multiple of 4) and loops instead
    banks = [
        (np.arange(12, dtype="float32").reshape(6, 2), None, np.ones(6, "float32")),
        (np.full((6, 2), 5.0, "float32"), None, np.arange(6, dtype="float32")),
    ]
    seen = []

    def function(bank, values, nothing, weights):
        assert nothing is None
        seen.append(values.shape[0])
        return ops.convert_to_tensor(values) * 2 + bank, ops.subtract(weights, ops.min(weights))

    results = backend_ops.map_filter_groups(function, banks, *plan)
    for index, (bank, (doubled, shifted)) in enumerate(zip(banks, results)):
        np.testing.assert_allclose(ops.convert_to_numpy(doubled), bank[0] * 2 + index)
        # each group's weights less the group's smallest: the groups, in order
        size = plan[0]
        expected = [
            w - bank[2][i - i % size : i - i % size + size].min() for i, w in enumerate(bank[2])
        ]
        np.testing.assert_allclose(ops.convert_to_numpy(shifted), expected)
    assert set(seen) == {plan[0]} or plan == (4, None) or plan == (4, 1)


def test_fft_implementation_matches_direct(filter_groups):
    x = np.random.default_rng(1).standard_normal((2, 3000)).astype("float32")
    direct, fft = _direct_and_fft(filters=6, kernel_sizes=(101, 201), output_length=32)
    # inference (XLA-compiled on TensorFlow) and training (batch statistics) alike
    for training in (False, True):
        np.testing.assert_allclose(
            ops.convert_to_numpy(fft(x, training=training)),
            ops.convert_to_numpy(direct(x, training=training)),
            atol=1e-4,
        )
    # a training call moved both layers' batch-norm statistics the same way
    for a, b in zip(direct.norms, fft.norms):
        np.testing.assert_allclose(
            ops.convert_to_numpy(a.moving_mean), ops.convert_to_numpy(b.moving_mean), atol=1e-5
        )
        np.testing.assert_allclose(
            ops.convert_to_numpy(a.moving_variance),
            ops.convert_to_numpy(b.moving_variance),
            rtol=1e-4,
        )


def test_fft_gradients_match_direct(filter_groups):
    x = np.random.default_rng(2).standard_normal((2, 3000)).astype("float32")
    direct, fft = _direct_and_fft(filters=4, kernel_sizes=(51, 101), output_length=16)
    target = ops.convert_to_tensor(np.random.default_rng(3).random((2, 4, 16, 2)), "float32")

    def loss_of(front):
        return lambda: ops.mean((front(x, training=True) - target) ** 2)

    # every weight: the cutoffs, batch norm's scale and offset, the input layer norm's
    assert len(direct.trainable_weights) == 4 + 4 + 2
    _, grads_direct = value_and_gradients(loss_of(direct), direct.trainable_weights)
    _, grads_fft = value_and_gradients(loss_of(fft), fft.trainable_weights)
    for g_direct, g_fft in zip(grads_direct, grads_fft):
        assert np.abs(g_direct).max() > 0
        np.testing.assert_allclose(g_fft, g_direct, rtol=1e-3, atol=1e-5 * np.abs(g_direct).max())


def test_auto_implementation():
    front = MultiScaleSincNet(filters=4, kernel_sizes=(15,), output_length=8)
    assert front._implementation == "fft"
    assert front.get_config()["implementation"] == "auto"  # re-resolved where it is loaded
    with pytest.raises(ValueError, match="winograd"):
        MultiScaleSincNet(implementation="winograd")


@pytest.mark.parametrize("implementation", ["direct", "fft"])
def test_layer_contract(implementation):
    run_layer_test(
        MultiScaleSincNet,
        {
            "filters": 4,
            "kernel_sizes": (15, 31),
            "output_length": 8,
            "sample_rate": 8000,
            "implementation": implementation,
        },
        input_shape=(2, 200),
        expected_output_shape=(2, 4, 8, 2),
        saving_atol=1e-5,
    )


def test_clip_shorter_than_longest_kernel():
    front = MultiScaleSincNet(filters=4, kernel_sizes=(31, 1001), output_length=8)
    with pytest.raises(ValueError, match="shorter than the kernel"):
        front(np.zeros((1, 500), "float32"))
