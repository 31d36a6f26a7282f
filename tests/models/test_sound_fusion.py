import numpy as np
import pytest

from kgenre.models import (
    NNet1,
    NNet2,
    ResNet,
    ResNet1D,
    SimpleCNN,
    SoundFusion,
    VGG16Transfer,
)
from kgenre.models.sound_fusion import DecisionWeighting
from kgenre.testing.model_checks import random_inputs, to_numpy, trainable_count


def test_simple_cnn_has_the_slides_parameter_count():
    model = SimpleCNN()
    assert trainable_count(model) == 25_472  # SoundFusion slides
    assert model.output_shape == (None, 8)


def test_resnet1d_reproduces_the_table():
    model = ResNet1D()
    assert trainable_count(model) == 4_086_794  # SoundFusion slides / Allamy & Koerich
    assert model.get_layer("conv_in").output.shape == (None, 36_750, 128)
    lengths = [model.get_layer(f"pool{i}").output.shape[1:] for i in range(1, 10)]
    assert lengths == [
        (12_250, 128),
        (4_083, 128),
        (1_361, 256),
        (453, 256),
        (151, 256),
        (50, 256),
        (16, 256),
        (5, 256),
        (1, 512),
    ]
    assert model.output_shape == (None, 10)


@pytest.mark.slow
def test_resnet1d_width_scaling():
    counts = [trainable_count(ResNet1D.from_preset(f"soundfusion_{s}")) for s in "sml"]
    assert counts[0] < counts[1] < counts[2]
    # the slides' "ResNet 1D (70k param.)" is the small width, F = 16
    assert 60_000 < counts[0] < 75_000


@pytest.mark.slow
def test_resnet2d_is_resnet34_with_width_scaling():
    large = ResNet.from_preset("soundfusion_l")
    # ResNet-34 with an 8-class head and a one-channel stem: torchvision's count adjusted
    assert trainable_count(large) == 21_797_672 - 513_000 - 7 * 7 * 2 * 64 + 512 * 8 + 8
    assert large.output_shape == (None, 8)


@pytest.mark.slow
def test_nnet_shapes():
    nnet1, nnet2 = NNet1(), NNet2()
    assert nnet1.get_layer("time_major").output.shape == (None, 216, 64)
    assert nnet1.get_layer("max_avg_pool").output.shape == (None, 1024)
    assert nnet2.get_layer("shortcut_add").output.shape == (None, 54, 256)
    assert nnet1.output_shape == nnet2.output_shape == (None, 8)


@pytest.mark.slow
def test_vgg16_transfer_shapes_and_missing_weights():
    model = VGG16Transfer()
    assert model.output_shape == (None, 8)
    # VGG16's convolutional base: 14,714,688 parameters
    assert trainable_count(model) == 14_714_688 + 512 * 8 + 8
    with pytest.raises(FileNotFoundError, match="no_such"):
        VGG16Transfer(weights="no_such_weights.h5")


def test_decision_weighting_fixed_weights():
    layer = DecisionWeighting(2, initial_weights=[3, 1], learn_weights=False)
    a = np.array([[1.0, 0.0], [0.5, 0.5]], "float32")
    b = np.array([[0.0, 1.0], [0.1, 0.9]], "float32")
    np.testing.assert_allclose(to_numpy(layer([a, b])), 0.75 * a + 0.25 * b, rtol=1e-6)
    assert not layer.trainable_weights
    with pytest.raises(ValueError, match="initial_weights"):
        DecisionWeighting(2, initial_weights=[1, 0])


@pytest.mark.parametrize(
    "cls", [SimpleCNN, NNet1, NNet2, VGG16Transfer, ResNet1D], ids=lambda c: c.__name__
)
@pytest.mark.slow
def test_small_trains_and_saves(cls, train_and_save):
    train_and_save(cls.from_preset("small"))


@pytest.mark.slow
def test_sound_fusion_paper_branches():
    concat = SoundFusion()
    assert set(concat.input) == {"waveform", "log_mel"}
    # ResNet1D-m features (4F = 128) + ResNet2D-s features (8F = 128)
    assert concat.get_layer("fused_features").output.shape == (None, 256)
    decision = SoundFusion.from_preset("paper_decision")
    assert decision.output_shape == (None, 8)
    weights = to_numpy(decision.get_layer("predictions").branch_weights())
    np.testing.assert_allclose(weights, [0.5, 0.5], rtol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("fusion", ["concat", "decision"])
def test_sound_fusion_small_trains_and_saves(fusion, train_and_save):
    model = SoundFusion.from_preset("small", fusion=fusion)
    x = random_inputs(model)
    train_and_save(model, x)
    if fusion == "decision":
        learned = to_numpy(model.get_layer("predictions").branch_weights())
        assert not np.allclose(learned, [0.5, 0.5])
        np.testing.assert_allclose(learned.sum(), 1.0, rtol=1e-6)


def test_simple_cnn_small_trains_and_saves(train_and_save):
    train_and_save(SimpleCNN.from_preset("small"))


def test_decision_weighting_learns_inside_a_model(train_and_save):
    import keras

    inputs = keras.Input((6,))
    branches = [keras.layers.Dense(3, activation="softmax")(inputs) for _ in range(2)]
    layer = DecisionWeighting(2, name="fusion")
    model = keras.Model(inputs, layer(branches))
    train_and_save(model)
    learned = to_numpy(layer.branch_weights())
    assert not np.allclose(learned, [0.5, 0.5])
    np.testing.assert_allclose(learned.sum(), 1.0, rtol=1e-6)


def test_nnet_paper_parameter_counts():
    # the README's table; NNet2 is NNet1 with nnet2's residual block
    assert trainable_count(NNet1()) == 7_166_984
    assert trainable_count(NNet2()) == 5_855_496
    residual = NNet1(filters=(256, 256, 256), pool_sizes=(4,), residual=True)
    assert trainable_count(residual) == 5_855_496
    with pytest.raises(ValueError, match="filters\\[0\\] must equal filters\\[2\\]"):
        NNet1(filters=(8, 8, 16), pool_sizes=(4,), residual=True)
    with pytest.raises(ValueError, match="nnet1 has three convolutions and 2 pooling"):
        NNet1(pool_sizes=(4,))


def test_nnet1_files_saved_before_the_residual_argument_load(load_as_older_file):
    def without_residual(config):
        del config["residual"]
        return config

    restored = load_as_older_file(NNet1.from_preset("small"), without_residual)
    assert restored.get_config()["residual"] is False
    nnet2 = NNet2.from_preset("small")
    assert {"filters": 8, "pool_size": 4}.items() <= nnet2.get_config().items()
    assert "residual" not in nnet2.get_config()
