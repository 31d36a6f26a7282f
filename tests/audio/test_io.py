import os

import numpy as np
import pytest
import soundfile

from kgenre.audio import AudioDecodeError, clip_starts, load, segment


def test_load_ogg_fixture_resamples(shared_audio_dir):
    path = os.path.join(shared_audio_dir, "sorohan_solo_trumpet.ogg")
    y22, sr22 = load(path)
    y16, sr16 = load(path, 16000)
    assert (sr22, sr16) == (22050, 16000)
    assert y16.dtype == np.float32 and y16.ndim == 1
    assert abs(len(y16) - len(y22) * 16000 / 22050) <= 1
    assert np.abs(y16).max() <= 1.0 and np.abs(y16).max() > 0.05


def test_resampling_is_band_limited(tmp_path):
    sr = 22050
    t = np.arange(sr) / sr
    # 1 kHz is kept; 10 kHz lies above the new Nyquist (8 kHz) and must be removed, not aliased.
    y = 0.4 * np.sin(2 * np.pi * 1000 * t) + 0.4 * np.sin(2 * np.pi * 10000 * t)
    path = tmp_path / "two_tones.wav"
    soundfile.write(path, y, sr, subtype="FLOAT")
    out, _ = load(path, 16000)
    spectrum = np.abs(np.fft.rfft(out[1000:-1000]))
    freqs = np.fft.rfftfreq(len(out) - 2000, 1 / 16000)
    alias = spectrum[np.abs(freqs - 6000) < 20].max()  # 10 kHz would alias to 6 kHz
    kept = spectrum[np.abs(freqs - 1000) < 20].max()
    assert alias < 1e-3 * kept


@pytest.mark.parametrize("fmt,ext", [("WAV", "wav"), ("AU", "au"), ("FLAC", "flac")])
def test_load_formats_and_stereo(tmp_path, fmt, ext):
    rng = np.random.default_rng(0)
    stereo = (rng.uniform(-0.5, 0.5, (8000, 2))).astype(np.float32)
    path = tmp_path / f"x.{ext}"
    soundfile.write(path, stereo, 8000, format=fmt, subtype="PCM_16")
    mono, sr = load(path)
    both, _ = load(path, mono=False)
    assert sr == 8000 and both.shape == (2, 8000) and mono.shape == (8000,)
    np.testing.assert_allclose(mono, stereo.mean(axis=1), atol=1 / 32768 + 1e-6)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        load(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match="empty"):
        load(empty)
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n" * 50)
    with pytest.raises(AudioDecodeError, match="notes.wav"):
        load(text)
    no_samples = tmp_path / "zero.wav"
    soundfile.write(no_samples, np.zeros(0, np.float32), 8000)
    with pytest.raises(AudioDecodeError, match="no samples"):
        load(no_samples)
    with pytest.raises(ValueError, match="sample_rate"):
        load(empty, sample_rate=0)


def test_segment_ms_sincresnet_clips():
    sr = 16000
    y = np.arange(30 * sr, dtype=np.float32)
    clips = segment(y, sr, 3.0, 0.5)
    # 30-s track, 3-s clips, 0.5-s hop: (30 - 3) / 0.5 + 1 = 55 clips.
    assert clips.shape == (55, 48000)
    np.testing.assert_array_equal(clips[3], y[3 * 8000 : 3 * 8000 + 48000])


def test_segment_tail_and_short_policy():
    y = np.ones(25, np.float32)
    assert segment(y, 10, 1.0, 1.0).shape == (2, 10)
    padded = segment(y, 10, 1.0, 1.0, tail="pad")
    assert padded.shape == (3, 10)
    np.testing.assert_array_equal(padded[2], [1] * 5 + [0] * 5)
    # No extra clip when the clips already end exactly at the end.
    assert segment(np.ones(30), 10, 1.0, tail="pad").shape == (3, 10)
    short = segment(np.ones(4), 10, 1.0)
    np.testing.assert_array_equal(short, [[1] * 4 + [0] * 6])
    with pytest.raises(ValueError, match="shorter than one clip"):
        segment(np.ones(4), 10, 1.0, pad_short=False)
    with pytest.raises(ValueError, match="tail"):
        clip_starts(10, 5, 5, tail="wrap")
    stereo = segment(np.ones((2, 25)), 10, 1.0, 0.5)
    assert stereo.shape == (4, 2, 10)


def test_load_mp3(tmp_path):
    # libsndfile >= 1.1 encodes and decodes mp3; the decoder must give back the tone.
    sr = 22050
    y = 0.3 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    path = tmp_path / "tone.mp3"
    soundfile.write(path, y, sr, format="MP3", subtype="MPEG_LAYER_III")
    out, rate = load(path)
    assert rate == sr and abs(len(out) - sr) < 2000
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * sr / len(out) - 440) < 2


def test_kgenre_data_imports_without_loading_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys, kgenre.audio, kgenre.datasets, kgenre.data; "
        "sys.exit('tensorflow' in sys.modules)"
    )
    env = dict(os.environ, KERAS_BACKEND="jax")
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0
