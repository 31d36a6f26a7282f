import pytest

from kgenre.models import RawCRNN
from kgenre.testing.model_checks import trainable_count


@pytest.mark.slow
def test_paper_size_shapes():
    model = RawCRNN()
    assert model.input_shape == (None, 33330)
    # 33,330 -> conv01 (64, /2) 16,634 -> conv02 (16, /2) 8,310 -> pool02 32 -> 259 frames
    assert model.get_layer("to_image").output.shape == (None, 259, 64, 1)
    # pool1 (4, 2) then five (1, 2) poolings: 64 -> 1, 259 -> 64 frames
    assert model.get_layer("conv6_pool").output.shape == (None, 64, 1, 256)
    assert model.output_shape == (None, 10)
    assert (
        sum(1 for layer in model.layers if "conv" in layer.name and layer.name.endswith("_conv"))
        == 8
    )


@pytest.mark.slow
def test_esc50_preset_uses_envnet_v2_input():
    model = RawCRNN.from_preset("esc50")
    # 66,650 -> 33,294 -> 16,640 -> pool 64 -> 260 frames (EnvNet-v2's 64 x 260 map)
    assert model.get_layer("to_image").output.shape == (None, 260, 64, 1)
    assert model.output_shape == (None, 50)
    assert trainable_count(model) == trainable_count(RawCRNN(num_classes=50))


@pytest.mark.slow
def test_small_trains_and_saves(train_and_save):
    train_and_save(RawCRNN.from_preset("small"))
