import keras
import numpy as np
import pytest

from kgenre.models import ResNet
from kgenre.models._resnet_blocks import load_keras_hub_resnet, transfer_resnet_weights
from kgenre.testing.model_checks import trainable_count


@pytest.mark.parametrize(
    "depth, expected",
    # torchvision.models.resnet18 / resnet34 parameter counts (1000-class head)
    [(18, 11_689_512), (34, 21_797_672)],
)
def test_parameter_count_equals_torchvision(depth, expected):
    model = ResNet(num_classes=1000, depth=depth)
    assert trainable_count(model) == expected
    assert model.output_shape == (None, 1000)


def test_stage_shapes_follow_torchvision():
    model = ResNet(input_shape=(224, 224, 3))
    assert model.get_layer("resnet_pool1_pool").output.shape == (None, 56, 56, 64)
    assert model.get_layer("resnet_stack3_block1_out").output.shape == (None, 7, 7, 512)


@pytest.mark.slow
def test_width_scaling_and_headless():
    model = ResNet(depth=34, width=16, input_shape=(64, 216, 1), include_top=False, pooling=None)
    assert model.output_shape == (None, 2, 7, 128)


@pytest.mark.slow
def test_small_trains_and_saves(train_and_save):
    train_and_save(ResNet.from_preset("small"))


def test_weight_transfer_by_keras_hub_names():
    # our ResNet with no prefix carries keras-hub's layer names, so it stands in for a preset
    source = keras.Model(*_unprefixed_resnet())
    target = ResNet(depth=18, width=8, input_shape=(32, 32, 1), num_classes=3)
    copied = transfer_resnet_weights(target, source)
    assert copied == 2 * 20  # 20 convolutions and 20 batch norms in ResNet-18
    src = source.get_layer("stack2_block0_1_conv").kernel
    dst = target.get_layer("resnet_stack2_block0_1_conv").kernel
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(dst), keras.ops.convert_to_numpy(src))
    stem = keras.ops.convert_to_numpy(source.get_layer("conv1_conv").kernel)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(target.get_layer("resnet_conv1_conv").kernel),
        stem.sum(axis=2, keepdims=True),
        rtol=1e-6,
    )


def test_weight_transfer_rejects_mismatched_widths():
    source = keras.Model(*_unprefixed_resnet())
    target = ResNet(depth=18, width=16, input_shape=(32, 32, 3), num_classes=3)
    with pytest.raises(ValueError, match="cannot copy ImageNet weights"):
        transfer_resnet_weights(target, source)


def test_backbone_weights_without_keras_hub_is_a_clear_error():
    try:
        import keras_hub  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="keras-hub"):
            load_keras_hub_resnet("/nonexistent/resnet_18_imagenet")
    else:
        with pytest.raises(FileNotFoundError):
            load_keras_hub_resnet("/nonexistent/resnet_18_imagenet")


def _unprefixed_resnet():
    from kgenre.models._resnet_blocks import apply_resnet

    inputs = keras.Input((32, 32, 3))
    return inputs, apply_resnet(inputs, depth=18, width=8, prefix="")
