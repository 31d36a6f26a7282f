import numpy as np
import pytest

from kgenre.models import MelResNet, MSSincResNet, SincNet, SincResNet
from kgenre.testing.model_checks import to_numpy, trainable_count

# ResNet-18 without its 1000-class head (torchvision: 11,689,512 - 512 * 1000 - 1000)
RESNET18_TRUNK = 11_689_512 - 513_000


def ms_sinc_front_end(filters, scales, length):
    # layer norm over the waveform (gamma, beta) + per scale: sinc (low, band) and BN (gamma, beta)
    return 2 * length + scales * (2 * filters + 2 * filters)


def test_paper_size_shapes_and_parameters():
    model = MSSincResNet()
    assert model.input_shape == (None, 48000)
    assert model.output_shape == (None, 10)
    assert model.get_layer("ms_sincnet").output.shape == (None, 160, 1024, 3)
    # conv5_2 is 512@5x32 and SPP gives 2,560 features (Sec. 2.2.3-2.2.4, Fig. 3)
    assert model.get_layer("resnet_stack3_block1_out").output.shape == (None, 5, 32, 512)
    assert model.get_layer("spp").output.shape == (None, 2560)
    head = (2560 * 512 + 512) + (512 * 10 + 10)
    expected = ms_sinc_front_end(160, 3, 48000) + RESNET18_TRUNK + head
    assert trainable_count(model) == expected == 12_590_794


@pytest.mark.slow
def test_spp_off_uses_global_average_pooling():
    model = MSSincResNet.from_preset("paper_no_spp")
    assert model.get_layer("pool").output.shape == (None, 512)
    head = 512 * 512 + 512 + 512 * 10 + 10
    assert trainable_count(model) == ms_sinc_front_end(160, 3, 48000) + RESNET18_TRUNK + head


@pytest.mark.slow
def test_sinc_resnet_uses_one_kernel_length():
    model = SincResNet(kernel_size=501)
    front = model.get_layer("ms_sincnet")
    assert front.kernel_sizes == (501, 501, 501)
    assert model.get_config()["kernel_size"] == 501
    assert "kernel_sizes" not in model.get_config()
    with pytest.raises(ValueError, match="one kernel_size"):
        SincResNet(kernel_sizes=(251, 501, 1001))


@pytest.mark.slow
def test_mel_resnet_paper_shapes():
    model = MelResNet()
    # window 512, hop 128 on 48,000 samples (Sec. 4.1), 128 mel bands
    assert model.get_layer("to_image").output.shape == (None, 128, 376, 1)
    assert model.output_shape == (None, 10)
    stem_one_channel = RESNET18_TRUNK - 7 * 7 * 2 * 64  # the stem sees 1 channel, not 3
    head = 512 * 512 + 512 + 512 * 10 + 10
    assert trainable_count(model) == stem_one_channel + head


@pytest.mark.slow
def test_sinc_net_timit_parameters():
    model = SincNet.from_preset("timit")
    # 3200 -> sinc 251 -> 2950 -> pool 983 -> conv5 979 -> 326 -> conv5 322 -> 107
    assert model.get_layer("act2").output.shape == (None, 107, 60)
    flat = 107 * 60
    expected = (
        2 * 3200  # input layer norm
        + 2 * 80  # sinc cutoffs
        + 2 * 983  # layer norm after the sinc block (affine over time)
        + (5 * 80 * 60 + 60)
        + 2 * 326
        + (5 * 60 * 60 + 60)
        + 2 * 107
        + 2 * flat  # layer norm on the flattened features
        + flat * 2048
        + 2 * 2048  # fc0 without bias + its batch norm
        + 2 * (2048 * 2048 + 2 * 2048)
        + 2048 * 462
        + 462
    )
    assert trainable_count(model) == expected


@pytest.mark.slow
def test_sinc_net_paper_size():
    model = SincNet()
    assert model.get_layer("flatten").output.shape == (None, 60 * 1766)
    assert model.output_shape == (None, 10)


@pytest.mark.slow
@pytest.mark.parametrize("cls", [SincResNet, MelResNet, SincNet])
def test_small_trains_and_saves(cls, train_and_save):
    train_and_save(cls.from_preset("small"))


def test_backbone_weights_need_keras_hub_or_fail_clearly():
    try:
        import keras_hub  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="keras-hub"):
            MSSincResNet.from_preset("small", backbone_weights="./no_such_preset")
    else:
        with pytest.raises(FileNotFoundError):
            MSSincResNet.from_preset("small", backbone_weights="./no_such_preset")


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_classes"):
        MSSincResNet(num_classes=0)
    with pytest.raises(ValueError, match="unknown preset"):
        MSSincResNet.from_preset("huge")


def test_ms_sinc_resnet_small_trains_saves_and_shows_its_maps(train_and_save):
    model = MSSincResNet.from_preset("small")
    x = np.random.default_rng(0).standard_normal((2, 4000)).astype("float32")
    train_and_save(model, x)
    # the three learned 2D maps of Fig. 4
    maps = model.learned_representations(x)
    assert maps.shape == (2, 3, 64, 64)
    assert np.all(maps >= 0)  # after ReLU
    sub = model.representation_model()
    assert sub.output_shape == (None, 64, 64, 3)
    np.testing.assert_allclose(
        np.transpose(to_numpy(sub(x, training=False)), (0, 3, 1, 2)), maps, rtol=1e-5, atol=1e-5
    )
    cutoffs = model.sinc_cutoffs_hz()
    assert len(cutoffs) == 3 and all(np.all(high > low) for low, high in cutoffs)


def test_config_is_plain_data():
    # Keras' attribute trackers once wrapped the recorded config, so every get_config
    # deep-copied (pickled) the whole model: 1-2 s per call, paid by every predicted track
    model = MSSincResNet.from_preset("small")
    config = model.get_config()
    assert type(model._init_config) is dict
    assert type(config["kernel_sizes"]) is list and type(config["spp_levels"]) is list
    assert MSSincResNet.from_config(config).count_params() == model.count_params()
