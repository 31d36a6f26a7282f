import keras
import pytest

from kgenre.models import StemConvNet, StemSepConvNet
from kgenre.testing.model_checks import trainable_count


def test_paper_size():
    model = StemSepConvNet()
    assert model.input_shape == (None, 128, 458, 3)
    assert model.get_layer("separable_blocks").output.shape == (None, 32, 114, 64)
    assert model.get_layer("dropout").rate == 0.5
    assert model.output_shape == (None, 6)
    sep = (9 * 3 + 3 * 32 + 32) + 2 * 32 + (9 * 32 + 32 * 64 + 64) + 2 * 64
    assert trainable_count(model) == sep + 32 * 114 * 64 * 6 + 6


def test_penalties_reach_every_kernel():
    model = StemSepConvNet()
    model(keras.ops.ones((1, 128, 458, 3)))
    # depthwise + pointwise of two blocks, plus the dense kernel
    assert len(model.losses) == 5


@pytest.mark.slow
def test_baseline_same_topology_on_one_or_three_channels():
    three = StemConvNet()
    one = StemConvNet.from_preset("paper_one_spectrogram")
    assert three.get_layer("block2_pool").output.shape == (None, 32, 114, 64)
    assert trainable_count(three) - trainable_count(one) == 9 * 2 * 32


@pytest.mark.slow
@pytest.mark.parametrize("cls", [StemSepConvNet, StemConvNet], ids=lambda c: c.__name__)
def test_small_trains_and_saves(cls, train_and_save):
    train_and_save(cls.from_preset("small"))


def test_stem_sep_conv_net_small_trains_and_saves(train_and_save):
    train_and_save(StemSepConvNet.from_preset("small"))


def test_one_model_two_blocks():
    separable = StemConvNet.from_preset("small", input_shape=(32, 24, 3), block="separable")
    named = StemSepConvNet.from_preset("small")
    assert trainable_count(separable) == trainable_count(named)
    assert separable.get_layer("separable_blocks").filters == (4, 8)
    assert named.get_config()["block"] == "separable"
    assert StemConvNet().get_config()["block"] == "conv"
    with pytest.raises(ValueError, match="block must be one of"):
        StemConvNet(block="depthwise")


@pytest.mark.parametrize("cls", [StemSepConvNet, StemConvNet], ids=lambda c: c.__name__)
def test_files_saved_before_the_block_argument_load(cls, load_as_older_file):
    def without_block(config):
        del config["block"]
        return config

    restored = load_as_older_file(cls.from_preset("small"), without_block)
    assert type(restored) is cls
    assert restored.get_config()["block"] == ("separable" if cls is StemSepConvNet else "conv")


def test_readme_parameter_counts():
    assert trainable_count(StemSepConvNet()) == 1_403_585
    assert trainable_count(StemConvNet()) == 1_420_422
    assert trainable_count(StemConvNet.from_preset("paper_one_spectrogram")) == 1_419_846
