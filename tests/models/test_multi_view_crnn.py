import keras
import numpy as np
import pytest

from kgenre.models import CRNN, MultiViewCRNN, RawCRNN, late_fusion
from kgenre.testing.model_checks import random_inputs, to_numpy, trainable_count


@pytest.mark.slow
def test_paper_outputs_and_head():
    model = MultiViewCRNN()
    assert set(model.output) == {"mel", "gammatone", "cqt", "raw", "multiview"}
    assert set(model.input) == {
        "mel_spectrogram",
        "gammatone_spectrogram",
        "cqt_spectrogram",
        "waveform",
    }
    assert model.get_layer("multiview_embedding").output.shape == (None, 4 * 512)
    assert model.get_layer("multiview_fc1").units == 4096
    assert model.get_layer("multiview_fc2").units == 4096
    # the four subnetworks are the single-view CRNNs
    views = 2 * trainable_count(CRNN()) + trainable_count(CRNN(input_shape=(None, 84, 1)))
    views += trainable_count(RawCRNN())
    multiview = (2048 * 4096 + 4096) + (4096 * 4096 + 4096) + 4096 * 10 + 10
    assert trainable_count(model) == views + multiview


@pytest.mark.slow
def test_concat_fusion_has_only_the_multiview_output():
    model = MultiViewCRNN.from_preset("paper_concat")
    assert list(model.output) == ["multiview"]


def test_unknown_view_is_an_error():
    with pytest.raises(ValueError, match="views"):
        MultiViewCRNN(views=("mel", "mfcc"))


def test_small_has_the_named_outputs():
    model = MultiViewCRNN.from_preset("small")
    assert set(model.output) == {"mel", "gammatone", "cqt", "raw", "multiview"}
    assert model.get_layer("mel").output.shape == (None, 4)


def test_two_view_small_trains_with_named_losses_and_saves(train_and_save):
    model = MultiViewCRNN.from_preset("small", views=("mel", "raw"))
    x = random_inputs(model)
    outputs = model(x)
    assert set(outputs) == {"mel", "raw", "multiview"}
    for probabilities in outputs.values():
        np.testing.assert_allclose(to_numpy(probabilities).sum(axis=-1), 1.0, rtol=1e-5)
    train_and_save(model, x)


@pytest.mark.slow
def test_four_view_small_trains_and_saves(train_and_save):
    model = MultiViewCRNN.from_preset("small")
    train_and_save(model)


@pytest.mark.slow
def test_late_fusion_averages_probabilities():
    models = {
        "mel_spectrogram": CRNN.from_preset("small", name="mel_crnn"),
        "waveform": RawCRNN.from_preset("small", name="raw_crnn"),
    }
    fused = late_fusion(models)
    x = random_inputs(fused)
    expected = np.mean([to_numpy(m(x[k])) for k, m in models.items()], axis=0)
    np.testing.assert_allclose(to_numpy(fused(x)["late_fusion"]), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="distinct names"):
        late_fusion({"a": models["waveform"], "b": models["waveform"]})
    assert isinstance(fused, keras.Model)


def test_construction_does_not_take_part_in_keras_object_sharing():
    # load_model's sharing scope keyed temporaries by id(): a reused id once gave a view's
    # forward GRU the previous view's backward one (go_backwards=True twice)
    from keras.src.backend.common import global_state
    from keras.src.saving import serialization_lib

    with serialization_lib.ObjectSharingScope():
        MultiViewCRNN.from_preset("small", views=("mel", "raw"))
        assert global_state.get_global_attribute("shared_objects/id_to_config_map") == {}
        assert global_state.get_global_attribute("shared_objects/id_to_obj_map") == {}
