import pytest

from kgenre.training import AUGMENTATION_PRESETS, db_to_gain


def test_soundfusion_gain_is_plus_minus_12_db():
    sf = AUGMENTATION_PRESETS["soundfusion"]
    low, high = sf.gain_range
    assert low == pytest.approx(0.2512, abs=1e-4) and high == pytest.approx(3.981, abs=1e-3)
    assert sf.noise_stddev == 0.02 and 0.3 <= sf.dropout <= 0.5
    kwargs = sf.dataset_kwargs()
    assert kwargs["augment"] and kwargs["spec_augment"]["time_masks"] == 2


def test_ms_sincresnet_preset_and_none():
    ms = AUGMENTATION_PRESETS["ms_sincresnet"].dataset_kwargs()
    assert ms["gain_range"] == (0.9, 1.1) and ms["noise_stddev"] == 0.02
    assert ms["clips_per_track"] == 4 and ms["spec_augment"] is False
    assert AUGMENTATION_PRESETS["none"].dataset_kwargs()["augment"] is False
    assert db_to_gain(-20.0) == pytest.approx(0.1)
