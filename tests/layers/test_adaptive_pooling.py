import keras
import numpy as np
import pytest
from keras import ops

from kgenre.layers.adaptive_pooling import adaptive_average_pool, adaptive_bins
from kgenre.testing.gradients import value_and_gradients


def numpy_adaptive_average_pool(x, n):
    """PyTorch's AdaptiveAvgPool1d, written from its bin formula."""
    length = x.shape[-1]
    return np.stack(
        [x[..., (i * length) // n : -(-((i + 1) * length) // n)].mean(-1) for i in range(n)], -1
    )


@pytest.mark.parametrize(
    "length,n", [(47750, 1024), (1000, 7), (100, 100), (37, 64), (5, 1), (9973, 64)]
)
def test_matches_pytorch_bins(length, n):
    x = np.random.default_rng(length).standard_normal((2, 3, length)).astype("float32")
    expected = numpy_adaptive_average_pool(x, n)
    y = ops.convert_to_numpy(adaptive_average_pool(ops.convert_to_tensor(x), n))
    assert y.shape == (2, 3, n)
    np.testing.assert_allclose(y, expected, atol=1e-5)
    # channels last: pool the middle axis
    y = ops.convert_to_numpy(
        adaptive_average_pool(ops.convert_to_tensor(x.transpose(0, 2, 1)), n, 1)
    )
    np.testing.assert_allclose(y, expected.transpose(0, 2, 1), atol=1e-5)


def test_matches_keras_adaptive_pool_where_keras_is_exact():
    # small sizes, where Keras' float32 bin edges are still exact integers
    x = np.random.default_rng(0).random((2, 4, 3000)).astype("float32")
    ours = adaptive_average_pool(ops.convert_to_tensor(x), 64)
    keras_pool = ops.adaptive_average_pool(x, 64, data_format="channels_first")
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours), ops.convert_to_numpy(keras_pool), atol=1e-5
    )


def test_bins_cover_the_signal():
    starts, ends = adaptive_bins(47750, 1024)
    assert starts[0] == 0 and ends[-1] == 47750
    assert np.all(ends > starts) and np.all(starts[1:] <= ends[:-1])
    with pytest.raises(ValueError, match="output_size"):
        adaptive_bins(10, 0)


@pytest.mark.parametrize(
    "total,length,n", [(48000, 47750, 1024), (48000, 47000, 1024), (9973, 9000, 64)]
)
def test_pools_the_first_length_samples_only(total, length, n):
    x = np.random.default_rng(total).standard_normal((2, 3, total)).astype("float32")
    expected = numpy_adaptive_average_pool(x[..., :length], n)
    y = adaptive_average_pool(ops.convert_to_tensor(x), n, length=length)
    np.testing.assert_allclose(ops.convert_to_numpy(y), expected, atol=1e-5)


def test_gradient_is_the_transposed_pooling():
    # each sample gets 1/width of every bin it falls in; samples past `length` get nothing
    total, length, n = 2000, 1900, 64
    upstream = np.random.default_rng(1).standard_normal((1, 2, n)).astype("float32")
    starts, ends = adaptive_bins(length, n)
    expected = np.zeros((1, 2, total), "float32")
    for i in range(n):
        expected[..., starts[i] : ends[i]] += upstream[..., i : i + 1] / (ends[i] - starts[i])
    x = keras.Variable(np.ones((1, 2, total), "float32"))
    _, (gradient,) = value_and_gradients(
        lambda: ops.sum(
            adaptive_average_pool(x, n, length=length) * ops.convert_to_tensor(upstream)
        ),
        [x],
    )
    np.testing.assert_allclose(gradient, expected, atol=1e-6)


def test_bad_length_is_refused():
    with pytest.raises(ValueError, match="length must be in"):
        adaptive_average_pool(ops.ones((1, 10)), 2, length=11)
