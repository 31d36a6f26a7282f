import csv
import io
import json
import zipfile

import numpy as np
import pytest
import soundfile

from kgenre.cli.main import main
from kgenre.testing.saved_models import CLASSES, write_audio


@pytest.fixture(scope="module")
def audio(tmp_path_factory):
    """A folder of good and bad 16-kHz files."""
    root = tmp_path_factory.mktemp("audio")
    (root / "rock").mkdir()
    files = {
        "good": write_audio(root / "rock" / "good.wav", 1.0, 16000, seed=1),
        "short": write_audio(root / "short.wav", 0.1, 22050, seed=2),
        "silent": write_audio(root / "silent.flac", 1.0, 16000, amplitude=0),
    }
    au = write_audio(root / "full.au", 1.0, 16000, seed=3)
    files["truncated"] = str(root / "truncated.au")
    open(files["truncated"], "wb").write(open(au, "rb").read()[:100])
    (root / "full.au").unlink()
    files["text"] = str(root / "text.mp3")
    open(files["text"], "w").write("not audio at all")
    nan = np.zeros(16000, "float32")
    nan[::7] = np.nan
    files["nan"] = str(root / "nan.wav")
    soundfile.write(files["nan"], nan, 16000, subtype="FLOAT")
    return root, files


def test_good_files_only(saved_models, audio, capsys):
    path = saved_models["waveform"][0]
    root, files = audio
    assert main(["predict", path, files["good"], files["short"], "--sinc", "saved"]) == 0
    out, err = capsys.readouterr()
    good, short = out.strip().splitlines()
    assert good.startswith(f"{files['good']}: ") and "mean probability of 7 clips" in good
    assert short.startswith(f"{files['short']}: ") and "of 1 clip," in short  # not "1 clips"
    assert f"warning: {files['short']}: shorter than one clip" in err
    names = [name for name in CLASSES if name in good]
    assert len(names) == 3  # the top 3 by default


def test_a_folder_with_bad_files_reports_each_and_exits_non_zero(saved_models, audio, capsys):
    path = saved_models["waveform"][0]
    root, files = audio
    status = main(["predict", path, str(root), "--json", "--sinc", "saved"])
    out, err = capsys.readouterr()
    assert status == 1
    results = {r["file"]: r for r in map(json.loads, out.strip().splitlines())}
    assert {files["good"], files["short"], files["silent"]} <= set(results)
    for name in ("text", "nan"):
        assert f"FAILED {files[name]}: " in err
    assert "NaN or infinite" in err
    # 100 bytes of an .au file: refused, or read as the 38 samples it holds, with a warning
    if files["truncated"] in results:
        assert "shorter than one clip" in results[files["truncated"]]["warnings"][0]
        assert "2 of 6 files failed" in err
    else:
        assert f"FAILED {files['truncated']}: " in err and "3 of 6 files failed" in err
    assert any(w.startswith("silent") for w in results[files["silent"]]["warnings"])
    good = results[files["good"]]
    assert good["score_kind"] == "mean_probability" and good["clips"] == 7
    assert set(good["scores"]) == set(CLASSES) and len(good["top"]) == 3
    assert sum(good["scores"].values()) == pytest.approx(1.0, abs=1e-3)
    assert "Traceback" not in err


def test_vote_timeline_and_csv(saved_models, audio, capsys):
    path = saved_models["waveform"][0]
    good = audio[1]["good"]
    assert main(["predict", path, good, "--aggregate", "vote", "--timeline", "--top-k", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "vote shares of 7 clips" in lines[0] and len(lines) == 1 + 7
    assert lines[2].split()[0] == "0.12-0.38"
    assert main(["predict", path, good, good, "--csv", "--sinc", "saved"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["file", "genre", "score_kind", *CLASSES, "clips", "warnings"]
    assert len(rows) == 3 and rows[1][0] == good and rows[1][-2] == "7"
    assert main(["predict", path, good, "--csv", "--timeline", "--sinc", "saved"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["file", "start", "end", "genre", "probability"] and len(rows) == 8


@pytest.mark.parametrize("kind", ["log_mel", "stems"])
def test_spectrogram_and_stem_models(saved_models, tmp_path, kind, capsys):
    path = saved_models[kind][0]
    track = write_audio(tmp_path / "t.wav", 1.5, 22050)
    assert main(["predict", path, track, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["clips"] == 3 and result["genre"] in CLASSES


def test_oracle_stem_model_warns(saved_models, tmp_path, capsys):
    from kgenre.testing.saved_models import save_stem_model

    path = save_stem_model(tmp_path / "oracle.keras", separator="oracle")[0]
    track = write_audio(tmp_path / "t.wav", 0.6, 8000)
    assert main(["predict", path, track]) == 0
    err = capsys.readouterr().err
    assert "trained on true (oracle) stems" in err and "separating with" in err


def test_plain_keras_model_without_classes(saved_models, audio, tmp_path, capsys):
    _, model, _ = saved_models["waveform"]
    plain = tmp_path / "plain.keras"
    model.save(plain)
    good = audio[1]["good"]
    assert main(["predict", str(plain), good, "--json", "--sinc", "saved"]) == 0
    out, err = capsys.readouterr()
    assert set(json.loads(out)["scores"]) == {"0", "1", "2", "3"}
    assert "names no classes" in err and "--classes" in err
    assert main(["predict", str(plain), good, "--classes", "w,x,y,z", "--sinc", "saved"]) == 0
    assert capsys.readouterr().out.split(":")[1].split()[0] in {"w", "x", "y", "z"}


def truncated(path, tmp_path):
    data = open(path, "rb").read()
    out = tmp_path / "truncated.keras"
    out.write_bytes(data[: len(data) // 2])
    return out


def without_config(path, tmp_path):
    out = tmp_path / "noconfig.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name != "config.json":
                dst.writestr(name, src.read(name))
    return out


def wrong_kind(path, tmp_path):
    out = tmp_path / "wrongkind.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "config.json":
                data = json.dumps({"class_name": "NoSuchModel", "config": {}}).encode()
            dst.writestr(name, data)
    return out


def text_file(path, tmp_path):
    out = tmp_path / "text.keras"
    out.write_text("this is not a model")
    return out


def empty_folder(path, tmp_path):
    out = tmp_path / "folder"
    out.mkdir()
    return out


@pytest.mark.parametrize(
    "make, message",
    [
        (text_file, "is not a .keras model"),
        (truncated, "is not a .keras model"),
        (without_config, "no config.json"),
        (wrong_kind, "could not be loaded"),
        (empty_folder, "is not a kgenre preset"),
        (lambda path, tmp_path: tmp_path / "missing.keras", "no model file"),
    ],
)
def test_bad_model_files_get_a_clear_message(saved_models, audio, tmp_path, capsys, make, message):
    bad = make(saved_models["log_mel"][0], tmp_path)
    assert main(["predict", str(bad), audio[1]["good"]]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kgenre: error: ") and message in err and str(bad) in err
    assert "Traceback" not in err
    if make is not wrong_kind:  # info reads the metadata only: it never builds the model
        assert main(["info", str(bad)]) == 1
        assert message in capsys.readouterr().err


def test_bad_arguments(saved_models, audio, tmp_path, capsys):
    path = saved_models["waveform"][0]
    good = audio[1]["good"]
    assert main(["predict", path, good, "--hop", "0"]) == 1
    assert "--hop must be > 0" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["predict", path, str(empty)]) == 1
    assert "holds no audio files" in capsys.readouterr().err
    assert main(["predict", path, good, "--batch-size", "0"]) == 1
    assert "--batch-size must be >= 1" in capsys.readouterr().err
