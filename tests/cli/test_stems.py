import os

import numpy as np
import soundfile

from kgenre.cli.main import main
from kgenre.stems import STEM_NAMES


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


def write_tone(path, seconds=0.5, sample_rate=22050):
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    soundfile.write(path, (0.3 * np.sin(2 * np.pi * 55 * t)).astype(np.float32), sample_rate)
    return str(path)


def test_same_named_inputs_keep_apart_and_nothing_is_overwritten(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_tone(tmp_path / folder / "song.wav")
    write_tone(tmp_path / "a" / "other.flac")
    (tmp_path / "a" / "broken.wav").write_bytes(b"RIFF0000WAVE")
    out = tmp_path / "out"
    args = ["stems", "separate", str(tmp_path / "a"), str(tmp_path / "b" / "song.wav")]
    args += ["--separator", "hpss", "--out", str(out), "--no-cache"]
    assert main(args) == 1  # one bad file: reported, the rest separated
    printed = capsys.readouterr()
    assert f"FAILED {tmp_path / 'a' / 'broken.wav'}" in printed.err
    assert "3 of 4 files separated" in printed.out and "1 failed" in printed.out
    for folder in ("a/song", "b/song", "a/other"):
        assert sorted(os.listdir(out / folder)) == [f"{s}.wav" for s in STEM_NAMES]
    before = os.stat(out / "a" / "song" / "bass.wav").st_mtime_ns
    (tmp_path / "a" / "broken.wav").unlink()
    assert main(args) == 0
    printed = capsys.readouterr()
    assert "0 of 3 files separated" in printed.out and "3 skipped" in printed.out
    assert os.stat(out / "a" / "song" / "bass.wav").st_mtime_ns == before
    assert main([*args, "--overwrite"]) == 0
    assert "3 of 3 files separated" in capsys.readouterr().out


def test_output_folders():
    from kgenre.stems.separate_files import output_folders

    assert output_folders(["x/song.wav"], "o") == {"x/song.wav": os.path.join("o", "song")}
    folders = output_folders(["x/a/s.wav", "x/b/s.wav", "x/a/s.mp3"], "o")
    assert folders == {
        "x/a/s.wav": os.path.join("o", "a", "s.wav"),
        "x/b/s.wav": os.path.join("o", "b", "s"),
        "x/a/s.mp3": os.path.join("o", "a", "s.mp3"),
    }
