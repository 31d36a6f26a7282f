"""The real Spleeter code path, offline, on an untrained 4stems checkpoint.

The Spleeter environment is built once in the user cache (about 2 minutes) and reused; the
checkpoint is written by Spleeter's own graph builder. Skipped only when no Python 3.8-3.11
interpreter exists to build the environment with.
"""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from kgenre.stems import (
    STEM_NAMES,
    CachedSeparator,
    SpleeterModelMissingError,
    SpleeterSeparator,
    get_separator,
    si_sdr,
)


@pytest.fixture(scope="module")
def spleeter_setup(spleeter_untrained):
    return spleeter_untrained


@pytest.fixture(scope="module")
def separator(spleeter_setup):
    env_dir, model_path = spleeter_setup
    with SpleeterSeparator(model_path=model_path, env_dir=env_dir) as separator:
        yield separator
    assert separator._process is None


def _tones(sample_rate, seconds, channels=None):
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    mono = 0.3 * np.sin(2 * np.pi * 110 * t) + 0.2 * np.sin(2 * np.pi * 1234 * t)
    if channels is None:
        return mono.astype(np.float32)
    return np.stack([mono * (c + 1) / channels for c in range(channels)]).astype(np.float32)


def test_separates_mono_at_the_input_rate(separator, caplog):
    mix = _tones(22050, 3.0)
    stems = separator.separate(mix, 22050)
    assert tuple(stems) == STEM_NAMES
    for stem in stems.values():
        assert stem.shape == mix.shape and stem.dtype == np.float32
        assert np.all(np.isfinite(stem))
    # Spleeter's ratio masks sum to one below 11 kHz, trained or not: the stems add up to
    # the mix, so resampling, channel handling and alignment are right.
    total = sum(stems.values())
    assert si_sdr(total, mix) > 40
    assert np.abs(total - mix).max() < 0.02


def test_stereo_other_rate_odd_length_and_one_model_load(separator):
    pid = separator._process.pid
    mix = _tones(16000, 2.0, channels=2)[:, :31999]
    stems = separator.separate(mix, 16000)
    for stem in stems.values():
        assert stem.shape == (2, 31999)
    total = sum(stems.values())
    assert si_sdr(total[1], mix[1]) > 40
    assert np.abs(total[0]).max() < 0.75 * np.abs(total[1]).max()
    # Same worker: the model was loaded once.
    assert separator._process.pid == pid


def test_cache_keys_on_the_checkpoint(separator, tmp_path):
    config = separator.get_config()
    assert config["model_name"] == "4stems"
    assert len(config["checkpoint_sha256"]) == 64
    cached = CachedSeparator(separator, str(tmp_path))
    mix = _tones(22050, 1.0)
    first = cached.separate(mix, 22050)
    second = cached.separate(mix, 22050)
    assert (cached.hits, cached.misses) == (1, 1)
    np.testing.assert_array_equal(first["drums"], second["drums"])


def test_auto_picks_spleeter_when_set_up(spleeter_setup):
    env_dir, model_path = spleeter_setup
    separator = get_separator("auto", cache=False, env_dir=env_dir, model_path=model_path)
    assert isinstance(separator, SpleeterSeparator)
    separator.close()


def test_missing_model_without_download_fails_at_once(spleeter_setup, tmp_path):
    env_dir, _ = spleeter_setup
    separator = SpleeterSeparator(model_path=str(tmp_path), env_dir=env_dir, allow_download=False)
    with pytest.raises(SpleeterModelMissingError) as error:
        separator.separate(_tones(22050, 0.5), 22050)
    message = str(error.value)
    assert os.path.join(str(tmp_path), "4stems") in message
    assert "pretrained_models/4stems" in message and "MODEL_PATH" in message


def test_failed_download_fails_fast_with_one_message(spleeter_setup, tmp_path, monkeypatch):
    env_dir, _ = spleeter_setup
    # Nothing listens on the discard port: the download fails as it would offline,
    # and never reaches the real GitHub even where there is internet.
    monkeypatch.setenv("GITHUB_HOST", "http://127.0.0.1:9")
    separator = SpleeterSeparator(model_path=str(tmp_path / "models"), env_dir=env_dir)
    start = time.monotonic()
    with pytest.raises(SpleeterModelMissingError, match="download failed") as error:
        separator.separate(_tones(22050, 0.5), 22050)
    assert time.monotonic() - start < 120
    assert "pretrained_models/4stems" in str(error.value)
    assert separator._process is None
    # No half-made model folder is left for Spleeter to mistake for a model.
    assert not os.path.exists(tmp_path / "models" / "4stems")


# A second worker start in a fresh interpreter (~15-40 s on 2 busy cores).
@pytest.mark.slow
def test_worker_is_stopped_at_interpreter_exit(spleeter_setup, tmp_path):
    env_dir, model_path = spleeter_setup
    script = tmp_path / "leave_open.py"
    script.write_text(
        "import sys, numpy as np\n"
        "from kgenre.stems import SpleeterSeparator\n"
        f"s = SpleeterSeparator(model_path={model_path!r}, env_dir={env_dir!r})\n"
        "s.separate(np.zeros(2205, np.float32), 22050)\n"
        "print(s._process.pid, s._workdir)\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Fatal" not in result.stderr
    pid, workdir = result.stdout.split()
    assert not os.path.exists(workdir)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid), 0)
