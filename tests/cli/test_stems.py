import os

import numpy as np
import soundfile

from kgenre.cli.main import main


def test_status_reports_what_is_missing(tmp_path, capsys):
    status = main(
        ["stems", "status", "--env", str(tmp_path / "env"), "--model-path", str(tmp_path)]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "(not set up)" in out
    assert f"{tmp_path / '4stems'} (missing)" in out
    assert "separator auto -> hpss" in out


def test_separate_writes_one_wav_per_stem(tmp_path, capsys):
    sample_rate = 22050
    t = np.arange(sample_rate) / sample_rate
    audio = (0.3 * np.sin(2 * np.pi * 55 * t)).astype(np.float32)
    path = tmp_path / "song.wav"
    soundfile.write(path, audio, sample_rate)
    out_dir = tmp_path / "out"
    status = main(
        ["stems", "separate", str(path), "--separator", "hpss", "--out", str(out_dir), "--no-cache"]
    )
    assert status == 0
    assert sorted(os.listdir(out_dir / "song")) == [
        "bass.wav",
        "drums.wav",
        "other.wav",
        "vocals.wav",
    ]
    bass, rate = soundfile.read(out_dir / "song" / "bass.wav")
    assert rate == sample_rate and bass.shape == audio.shape
    # A 55 Hz note is bass.
    assert np.sum(bass**2) > 0.8 * np.sum(audio.astype(np.float64) ** 2)


def test_errors_are_one_line_and_exit_1(tmp_path, capsys):
    status = main(["stems", "make-untrained-model", str(tmp_path), "--env", str(tmp_path / "e")])
    assert status == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("kgenre: error: no Spleeter environment at")
    assert "kgenre stems setup" in err
    assert (
        main(["stems", "setup", "--python", str(tmp_path / "no-python"), "--env", str(tmp_path)])
        == 1
    )
    assert "cannot run" in capsys.readouterr().err


def test_separate_refuses_a_missing_file(tmp_path, capsys):
    status = main(["stems", "separate", str(tmp_path / "nope.wav"), "--separator", "hpss"])
    assert status == 1
    assert "not found" in capsys.readouterr().err
