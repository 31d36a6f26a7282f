import numpy as np
import pytest

from kgenre.stems import STEM_NAMES, HPSSSeparator, si_sdr


def _band_energy(x, sample_rate, low, high):
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / sample_rate)
    return spectrum[(freqs >= low) & (freqs < high)].sum()


def _mix(sample_rate=22050, seconds=3.0):
    """A 55 Hz bass note, a 1 kHz lead note and a click every quarter second."""
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    bass = 0.4 * np.sin(2 * np.pi * 55 * t)
    lead = 0.2 * np.sin(2 * np.pi * 1000 * t)
    clicks = np.zeros_like(t)
    clicks[:: sample_rate // 4] = 1.0
    return (bass + lead + clicks).astype(np.float32), bass, lead, clicks


@pytest.mark.parametrize("sample_rate,length", [(22050, 22050 * 2 + 7), (16000, 12345)])
def test_mono_shapes_dtype_and_rate(sample_rate, length):
    mix = np.random.default_rng(1).standard_normal(length).astype(np.float32) * 0.1
    stems = HPSSSeparator().separate(mix, sample_rate)
    assert tuple(stems) == STEM_NAMES
    for stem in stems.values():
        assert stem.shape == (length,)
        assert stem.dtype == np.float32
    np.testing.assert_array_equal(stems["vocals"], 0.0)


def test_multichannel_is_channels_first():
    mix = np.random.default_rng(2).standard_normal((2, 9000)).astype(np.float32)
    mix[1] *= 0.01
    stems = HPSSSeparator().separate(mix, 22050)
    for stem in stems.values():
        assert stem.shape == (2, 9000)
    # Channels are separated independently: the quiet channel stays quiet.
    total = sum(stems.values())
    assert np.abs(total[1]).max() < 0.1 * np.abs(total[0]).max()


def test_stems_sum_to_the_mix():
    mix, *_ = _mix()
    stems = HPSSSeparator().separate(mix, 22050)
    total = stems["bass"] + stems["drums"] + stems["other"] + stems["vocals"]
    assert si_sdr(total, mix) > 40
    np.testing.assert_allclose(total, mix, atol=1e-3)


def test_sources_land_in_their_stems():
    sample_rate = 22050
    mix, bass, lead, clicks = _mix(sample_rate)
    stems = HPSSSeparator().separate(mix, sample_rate)
    # The bass note goes to bass, not other.
    bass_energy = {name: _band_energy(stems[name], sample_rate, 40, 70) for name in STEM_NAMES}
    assert bass_energy["bass"] > 0.8 * sum(bass_energy.values())
    lead_energy = {name: _band_energy(stems[name], sample_rate, 950, 1050) for name in STEM_NAMES}
    assert lead_energy["other"] > 0.8 * sum(lead_energy.values())
    # The clicks' broadband energy (away from both notes) goes to drums.
    click_energy = {name: _band_energy(stems[name], sample_rate, 3000, 8000) for name in STEM_NAMES}
    assert click_energy["drums"] > 0.8 * sum(click_energy.values())
    assert si_sdr(stems["bass"], bass) > 10


def test_cutoff_moves_a_note_between_bass_and_other():
    sample_rate = 22050
    t = np.arange(sample_rate * 2) / sample_rate
    note = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    low = HPSSSeparator(bass_cutoff_hz=200).separate(note, sample_rate)
    high = HPSSSeparator(bass_cutoff_hz=400).separate(note, sample_rate)
    assert np.sum(low["other"] ** 2) > 10 * np.sum(low["bass"] ** 2)
    assert np.sum(high["bass"] ** 2) > 10 * np.sum(high["other"] ** 2)


def test_config_lists_every_setting():
    separator = HPSSSeparator(bass_cutoff_hz=150, n_fft=1024, hop_length=256)
    assert separator.get_config() == {
        "bass_cutoff_hz": 150.0,
        "n_fft": 1024,
        "hop_length": 256,
        "kernel_size": 31,
        "power": 2.0,
    }
    assert "bass_cutoff_hz=150.0" in repr(separator)


@pytest.mark.parametrize(
    "audio,match",
    [
        (np.zeros((2, 3, 100)), "shape"),
        (np.zeros((1000, 2)), "channels first"),
        (np.zeros(0), "no samples"),
        (np.array([0.0, np.nan, 0.0]), "NaN"),
    ],
)
def test_bad_audio_is_refused(audio, match):
    with pytest.raises(ValueError, match=match):
        HPSSSeparator().separate(audio, 22050)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="bass_cutoff_hz must be positive, got 0"):
        HPSSSeparator(bass_cutoff_hz=0)
    with pytest.raises(ValueError, match="hop_length"):
        HPSSSeparator(n_fft=512, hop_length=1024)
    with pytest.raises(ValueError, match="sample_rate"):
        HPSSSeparator().separate(np.zeros(100), 0)
