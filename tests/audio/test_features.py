import os

import librosa
import numpy as np
import pytest

from kgenre.audio import (
    cqt_spectrogram,
    gammatone_filterbank,
    gammatone_spectrogram,
    hpss_spectrograms,
    load,
    log_mel_spectrogram,
    mel_filterbank,
)
from kgenre.audio.features import erb_bandwidth, hz_to_erb_rate, hz_to_mel, mel_to_hz


@pytest.fixture(scope="module")
def trumpet():
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "audio")
    y, sr = load(os.path.join(path, "sorohan_solo_trumpet.ogg"))
    return y[: 3 * sr], sr


@pytest.mark.parametrize("htk", [False, True])
def test_mel_scale_matches_librosa(htk):
    f = np.array([0.0, 100.0, 999.0, 1000.0, 4000.0, 11025.0])
    np.testing.assert_allclose(hz_to_mel(f, htk), librosa.hz_to_mel(f, htk=htk), rtol=1e-10)
    m = hz_to_mel(f, htk)
    np.testing.assert_allclose(mel_to_hz(m, htk), f, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "sr,n_fft,n_mels,fmin,fmax",
    [(22050, 1024, 128, 0.0, None), (44100, 1024, 64, 0.0, None), (16000, 512, 40, 50.0, 7000.0)],
)
def test_mel_filterbank_matches_librosa(sr, n_fft, n_mels, fmin, fmax):
    ours = mel_filterbank(sr, n_fft, n_mels, fmin, fmax)
    ref = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-8)


def test_filterbank_arguments_are_validated():
    with pytest.raises(ValueError, match="fmax"):
        mel_filterbank(16000, 512, 40, fmax=9000)
    with pytest.raises(ValueError, match="bands"):
        gammatone_filterbank(16000, 512, 0)


def test_log_mel_matches_librosa(trumpet):
    y, sr = trumpet
    ours = log_mel_spectrogram(y, sr, n_fft=1024, hop_length=512, n_mels=64)
    mel = librosa.feature.melspectrogram(
        y=y, sr=sr, n_fft=1024, hop_length=512, n_mels=64, pad_mode="constant"
    )
    ref = librosa.power_to_db(mel, ref=1.0, top_db=None)
    assert ours.shape == (64, 1 + len(y) // 512)
    np.testing.assert_allclose(ours, ref, atol=1e-3)


def test_erb_scale_values():
    # Glasberg & Moore 1990: ERB(1 kHz) = 132.6 Hz, about 15.6 ERBs below 1 kHz.
    assert erb_bandwidth(1000.0) == pytest.approx(132.639, abs=1e-3)
    assert hz_to_erb_rate(1000.0) == pytest.approx(15.62, abs=0.01)


def test_gammatone_weights_match_impulse_response():
    # The analytic response must equal the spectrum of the 4th-order gammatone impulse
    # response t^3 exp(-2 pi b t) cos(2 pi fc t), computed here independently by FFT.
    sr, n_fft = 16000, 1024
    weights = gammatone_filterbank(sr, n_fft, n_bands=16, fmin=200.0, fmax=6000.0)
    centers = librosa.fft_frequencies(sr=sr, n_fft=n_fft)[weights.argmax(axis=1)]
    assert np.all(np.diff(centers) > 0)
    fc = 1000.0
    band = int(np.argmin(np.abs(centers - fc)))
    fc = float(
        (10 ** (np.linspace(hz_to_erb_rate(200.0), hz_to_erb_rate(6000.0), 16) / 21.4) - 1)[band]
        / 0.00437
    )
    b = 1.019 * erb_bandwidth(fc)
    t = np.arange(sr) / sr
    ir = t**3 * np.exp(-2 * np.pi * b * t) * np.cos(2 * np.pi * fc * t)
    spec = np.abs(np.fft.rfft(ir, n=16 * sr)) ** 2
    freqs = np.fft.rfftfreq(16 * sr, 1 / sr)
    ref = np.interp(librosa.fft_frequencies(sr=sr, n_fft=n_fft), freqs, spec / spec.max())
    ours = weights[band]
    near = ref > 1e-3  # within 30 dB of the peak, where the negative-frequency image is negligible
    np.testing.assert_allclose(ours[near], ref[near], rtol=0.05, atol=1e-4)


def test_gammatone_spectrogram_energy_follows_a_tone():
    sr = 16000
    t = np.arange(sr) / sr
    for f0 in (300.0, 3000.0):
        y = np.sin(2 * np.pi * f0 * t).astype(np.float32)
        spec = gammatone_spectrogram(y, sr, n_fft=1024, hop_length=320, win_length=640)
        weights = gammatone_filterbank(sr, 1024)
        peak_band = spec[:, 10:-10].mean(axis=1).argmax()
        expected = weights[:, int(round(f0 * 1024 / sr))].argmax()
        assert peak_band == expected


def test_cqt_matches_librosa(trumpet):
    y, sr = trumpet
    ours = cqt_spectrogram(y, sr)
    ref = librosa.amplitude_to_db(
        np.abs(librosa.cqt(y, sr=sr, hop_length=512)), ref=1.0, top_db=None
    )
    assert ours.shape == (84, 1 + len(y) // 512)
    np.testing.assert_allclose(ours, ref, atol=1e-2)


def test_hpss_splits_tone_from_clicks():
    sr = 16000
    t = np.arange(sr) / sr
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    clicks = np.zeros(sr)
    clicks[::2000] = 1.0
    harmonic, percussive = hpss_spectrograms((tone + clicks).astype(np.float32))
    assert harmonic.shape == percussive.shape == (257, 1 + sr // 128)
    tone_bin = int(round(440 * 512 / sr))
    assert harmonic[tone_bin].mean() > percussive[tone_bin].mean() + 10
    high = slice(150, 250)  # clicks are broadband; the tone has nothing up there
    assert percussive[high].mean() > harmonic[high].mean() + 10
