import keras_tuner
import pytest

from kgenre.training.hypermodel import DEFAULT_SPACES, GenreHyperModel


def test_space_exposes_the_papers_choices():
    ms = DEFAULT_SPACES["ms_sincresnet"]
    assert ms["filters"] == [80, 160] and "251,501,1001" in ms["kernel_sizes"]
    assert set(ms["spp"]) == {True, False} and ms["width"] == [16, 32, 64]


def test_build_uses_the_chosen_values():
    hm = GenreHyperModel(
        "sincnet",
        num_classes=3,
        input_length=1600,
        sample_rate=8000,
        space={"filters": [12], "kernel_size": [41]},
        fixed={"conv_filters": 4, "dense_units": 8},
    )
    hp = keras_tuner.HyperParameters()
    model = hm.build(hp)
    assert hp.values["filters"] == 12 and hp.values["kernel_size"] == 41
    config = model.get_config()
    assert config["filters"] == 12 and config["kernel_size"] == 41
    assert model.optimizer.nesterov
    assert tuple(model.output.shape) == (None, 3)


def test_bad_space():
    with pytest.raises(ValueError, match="architecture"):
        GenreHyperModel("vgg")
    with pytest.raises(ValueError, match="unknown hyper-parameter"):
        GenreHyperModel("sincnet", space={"spp": [True]})
