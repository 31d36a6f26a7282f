"""Bad numbers fail at once with the parameter's name, never hang, exhaust memory or divide by 0."""

import os
import subprocess
import sys

import numpy as np
import pytest

from kgenre.audio import (
    LogMelSpectrogram,
    check_count,
    check_sample_rate,
    check_seconds,
    clip_starts,
    load,
    log_mel_spectrogram,
    seconds_to_samples,
    segment,
)
from kgenre.data import DatasetOptions, make_dataset, write_records

BAD_RATES = [float("nan"), float("inf"), -1, 0, 22050.5, True, "22050", 10**7]
BAD_SECONDS = [float("nan"), float("inf"), -1.0, 0.0, 7200.0, None, "3"]


@pytest.mark.parametrize("value", BAD_RATES)
def test_sample_rates(value, tmp_path):
    with pytest.raises(ValueError, match="sample_rate"):
        check_sample_rate(value)
    with pytest.raises(ValueError, match="sample_rate"):
        load(tmp_path / "whatever.wav", sample_rate=value)
    with pytest.raises(ValueError, match="sample_rate"):
        segment(np.zeros(100), value, 1.0)
    with pytest.raises(ValueError, match="sample_rate"):
        write_records([], tmp_path / "rec", sample_rate=value)
    with pytest.raises(ValueError, match="sample_rate"):
        log_mel_spectrogram(np.zeros(4096), value)
    with pytest.raises(ValueError, match="sample_rate"):
        LogMelSpectrogram(sample_rate=value)
    assert not (tmp_path / "rec").exists()


@pytest.mark.parametrize("value", BAD_SECONDS)
def test_durations(value):
    with pytest.raises(ValueError, match="clip_seconds"):
        check_seconds(value, "clip_seconds")
    with pytest.raises(ValueError, match="clip_seconds"):
        DatasetOptions(clip_seconds=value)
    with pytest.raises(ValueError, match="hop_seconds"):
        segment(np.zeros(100), 10, 1.0, hop_seconds=value if value is not None else "x")


def test_durations_shorter_than_one_sample(tmp_path):
    with pytest.raises(ValueError, match=r"hop_seconds=1e-09 is less than one sample at 16000 Hz"):
        seconds_to_samples(1e-9, 16000, "hop_seconds")
    with pytest.raises(ValueError, match="hop_seconds=1e-09 is less than one sample"):
        segment(np.zeros(100), 16000, 0.001, hop_seconds=1e-9)
    with pytest.raises(FileNotFoundError):  # hop 1e-9 is a valid duration until a rate is known
        make_dataset(tmp_path / "nothing", "eval", hop_seconds=1e-9)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"batch_size": 0}, "batch_size must be"),
        ({"batch_size": 2.5}, "batch_size must be a whole number"),
        ({"clips_per_track": float("nan")}, "clips_per_track"),
        ({"shuffle_buffer": -1}, "shuffle_buffer"),
        ({"seed": -3}, "seed"),
        ({"noise_stddev": float("inf")}, "noise_stddev"),
        ({"noise_stddev": -0.1}, "noise_stddev"),
        ({"gain_range": (1.2, 0.8)}, "gain_range high"),
        ({"gain_range": (0.0, 1.0)}, "gain_range low"),
        ({"gain_range": 3}, r"gain_range must be \(low, high\)"),
        ({"mode": "test"}, "mode must be one of"),
        ({"tail": "wrap"}, "tail must be one of"),
        ({"spec_augment": {"freq_masks": -1}}, "spec_augment freq_masks"),
        ({"spec_augment": {"freq_mask": 1}}, "unknown spec_augment options"),
        ({"feature_options": {"n_mels": 8}}, "feature_options apply to feature='log_mel'"),
    ],
)
def test_reader_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DatasetOptions(**kwargs)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"tracks_per_shard": 0}, "tracks_per_shard"),
        ({"min_seconds": float("nan")}, "min_seconds"),
        ({"workers": 0}, "workers"),
        ({"nonfinite": "keep"}, "nonfinite must be one of"),
        ({"name": "../escape"}, "name must be a plain file name"),
        ({"stems": ("bass", "bass")}, "stems must be distinct"),
        ({"features": {"x": (len, 0)}}, r"features\['x'\] hop_length"),
    ],
)
def test_writer_options(kwargs, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        write_records([], tmp_path / "rec", **kwargs)


def test_counts_and_clip_positions():
    with pytest.raises(ValueError, match="hop_length must be >= 1, got 0"):
        clip_starts(100, 10, 0)
    with pytest.raises(ValueError, match="clip_length must be a whole number"):
        clip_starts(100, float("inf"), 10)
    assert check_count(4.0, "n") == 4


def test_nan_and_inf_rates_do_not_reach_the_resampler(tmp_path):
    # Before validation, nan hung soxr at 100% CPU and inf raised a raw MemoryError: run in a
    # child with a deadline so a regression fails instead of hanging the suite.
    import soundfile

    path = tmp_path / "x.wav"
    soundfile.write(path, np.zeros(800), 8000)
    code = (
        "import sys\nfrom kgenre.audio import load\n"
        "for rate in (float('nan'), float('inf')):\n"
        "    try:\n        load(sys.argv[1], rate)\n"
        "    except ValueError as e:\n        print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=os.getcwd()),
    )
    assert result.stdout.splitlines() == [
        "sample_rate must be a whole number, got nan",
        "sample_rate must be a whole number, got inf",
    ], result.stderr
