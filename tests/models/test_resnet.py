import numpy as np
import pytest

from kgenre.models import MelResNet, MSSincResNet, ResNet
from kgenre.models._resnet_blocks import load_keras_hub_resnet
from kgenre.testing.model_checks import to_numpy, trainable_count


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


@pytest.fixture(scope="module")
def resnet18_preset(tmp_path_factory):
    """A keras-hub ResNet-18 saved as a local preset: resnet_18_imagenet's architecture, with
    random weights (random batch norm statistics too), so nothing is downloaded."""
    keras_hub = pytest.importorskip("keras_hub")
    backbone = keras_hub.models.ResNetBackbone(
        input_conv_filters=[64],
        input_conv_kernel_sizes=[7],
        stackwise_num_filters=[64, 128, 256, 512],
        stackwise_num_blocks=[2, 2, 2, 2],
        stackwise_num_strides=[1, 2, 2, 2],
        block_type="basic_block",
        use_pre_activation=False,
    )
    imagenet = keras_hub.models.ResNetBackbone.presets["resnet_18_imagenet"]
    assert backbone.count_params() == imagenet["metadata"]["params"]
    rng = np.random.default_rng(0)
    for weight in backbone.weights:
        value = rng.uniform(0.5, 1.5, weight.shape) if "variance" in weight.path else None
        weight.assign(rng.normal(0, 0.05, weight.shape) if value is None else value)
    path = tmp_path_factory.mktemp("resnet_18_preset")
    backbone.save_to_preset(str(path))
    return str(path), backbone


def test_imagenet_weights_load_from_a_keras_hub_preset(resnet18_preset):
    path, backbone = resnet18_preset
    model = ResNet(
        depth=18, input_shape=(32, 32, 3), include_top=False, pooling=None, backbone_weights=path
    )
    # same names, same architecture: the trunk computes what keras-hub's backbone computes
    x = np.random.default_rng(1).standard_normal((2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(
        to_numpy(model(x, training=False)), to_numpy(backbone(x, training=False)), atol=1e-4
    )
    assert model.get_config()["backbone_weights"] is None  # the weights travel with the file


def test_imagenet_stem_is_summed_for_one_channel(resnet18_preset):
    path, backbone = resnet18_preset
    model = ResNet(depth=18, input_shape=(32, 32, 1), num_classes=3, backbone_weights=path)
    np.testing.assert_allclose(
        to_numpy(model.get_layer("resnet_conv1_conv").kernel),
        to_numpy(backbone.get_layer("conv1_conv").kernel).sum(axis=2, keepdims=True),
        rtol=1e-6,
    )


@pytest.mark.parametrize("cls", [MSSincResNet, MelResNet], ids=lambda c: c.__name__)
def test_sinc_and_mel_resnets_start_from_the_preset(cls, resnet18_preset):
    path, backbone = resnet18_preset
    model = cls.from_preset("small", backbone_width=64, backbone_weights=path)
    np.testing.assert_array_equal(
        to_numpy(model.get_layer("resnet_stack3_block1_2_conv").kernel),
        to_numpy(backbone.get_layer("stack3_block1_2_conv").kernel),
    )


def test_imagenet_weights_reject_another_depth_or_width(resnet18_preset):
    path, _ = resnet18_preset
    with pytest.raises(ValueError, match="depth"):
        ResNet(depth=34, input_shape=(32, 32, 3), backbone_weights=path)
    with pytest.raises(ValueError, match="cannot copy ImageNet weights"):
        ResNet(depth=18, width=16, input_shape=(32, 32, 3), backbone_weights=path)


def test_imagenet_names_keras_hubs_preset(monkeypatch, resnet18_preset):
    import keras_hub

    path, _ = resnet18_preset
    asked = []
    real = keras_hub.models.Backbone.from_preset
    monkeypatch.setattr(
        keras_hub.models.Backbone,
        "from_preset",
        lambda preset, **kwargs: asked.append(preset) or real(path),
    )
    assert load_keras_hub_resnet("imagenet", depth=18) is not None
    assert asked == ["resnet_18_imagenet"]
    with pytest.raises(ValueError, match="no ImageNet ResNet-34"):
        load_keras_hub_resnet("imagenet", depth=34)
    assert load_keras_hub_resnet(None) is None


def test_backbone_weights_without_keras_hub_is_a_clear_error():
    try:
        import keras_hub  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="keras-hub"):
            load_keras_hub_resnet("/nonexistent/resnet_18_imagenet")
    else:
        with pytest.raises(FileNotFoundError):
            load_keras_hub_resnet("/nonexistent/resnet_18_imagenet")
