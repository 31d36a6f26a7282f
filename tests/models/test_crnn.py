import numpy as np
import pytest

from kgenre.models import CRNN
from kgenre.testing.model_checks import to_numpy, trainable_count


@pytest.mark.slow
def test_paper_size_shapes():
    model = CRNN()
    assert model.input_shape == (None, None, 64, 1)
    assert model.output_shape == (None, 10)
    # six (1, 2) poolings: 64 bands -> 1, time kept
    assert model.get_layer("conv6_pool").output.shape == (None, None, 1, 256)
    assert model.get_layer("attention").output.shape == (None, 512)
    assert model.get_layer("conv1_dropout").rate == 0.25


@pytest.mark.slow
def test_paper_size_parameters():
    model = CRNN()
    convs, channels = 0, 1
    for filters in (64, 64, 128, 128, 256, 256):
        convs += 9 * channels * filters + filters + 2 * filters  # kernel, bias, BN gamma/beta
        channels = filters
    gru = 2 * 3 * (256 * 256 + 256 * 256 + 2 * 256)  # Keras GRU, reset_after=True
    attention = (512 + 1) + (512 * 512 + 512)
    head = (512 * 512 + 512) * 2 + 512 * 10 + 10
    assert trainable_count(model) == convs + gru + attention + head


@pytest.mark.slow
def test_time_is_kept_for_any_length():
    model = CRNN.from_preset("small")
    for frames in (7, 33):
        y = model(np.zeros((1, frames, 16, 1), "float32"))
        assert tuple(y.shape) == (1, 4)
        np.testing.assert_allclose(to_numpy(y).sum(), 1.0, rtol=1e-5)


def test_too_few_bands_is_an_error():
    with pytest.raises(ValueError, match="frequency axis"):
        CRNN(input_shape=(None, 16, 1))


@pytest.mark.slow
def test_small_trains_and_saves(train_and_save):
    model = CRNN.from_preset("small")
    train_and_save(model, np.random.default_rng(0).standard_normal((2, 12, 16, 1)).astype("f4"))
