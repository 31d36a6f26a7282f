"""`kgenre info`, `prepare`, `evaluate` and `train` on small models and data made here."""

import json
import os
import sys
import textwrap

import pytest

from kgenre.cli import train
from kgenre.cli.main import main
from kgenre.data import read_manifest
from kgenre.testing.saved_models import CLASSES, write_audio


@pytest.mark.parametrize("kind", ["waveform", "log_mel", "stems"])
def test_info(saved_models, kind, capsys):
    path, model, info = saved_models[kind]
    assert main(["info", path]) == 0
    out = capsys.readouterr().out
    assert f"parameters:   {model.count_params():,}" in out
    assert f"classes:      4: {', '.join(CLASSES)}" in out
    assert f"sample rate:  {info.sample_rate} Hz" in out
    assert f"input kind:   {info.input_kind}" in out and "saved by:     kgenre 0.1.0" in out
    assert main(["info", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parameters"] == model.count_params() and data["info"]["class_names"] == CLASSES


def test_info_on_a_plain_keras_file(saved_models, tmp_path, capsys):
    model = saved_models["log_mel"][1]
    model.save(tmp_path / "plain.keras")
    assert main(["info", str(tmp_path / "plain.keras")]) == 0
    assert "metadata:     none" in capsys.readouterr().out


@pytest.fixture(scope="module")
def genre_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("genres")
    for g, genre in enumerate(CLASSES[:2]):
        (root / genre).mkdir()
        for i in range(3):
            write_audio(root / genre / f"{genre}{i}.wav", 1.2, 8000, seed=10 * g + i)
    (root / CLASSES[0] / "broken.wav").write_bytes(b"RIFF")
    return root


def test_prepare_a_folder_then_resume(genre_folder, tmp_path, capsys):
    out = tmp_path / "records"
    args = ["prepare", str(genre_folder), "--out", str(out), "--sample-rate", "8000"]
    assert main([*args, "--tracks-per-shard", "2"]) == 0
    printed = capsys.readouterr()
    assert "6 tracks written" in printed.out and "1 skipped" in printed.out
    assert "broken.wav" in printed.err
    manifest = read_manifest(out)
    assert manifest["class_counts"] == {"blues": 3, "disco": 3} and len(manifest["shards"]) == 4
    shards = {s["file"]: os.stat(out / s["file"]).st_mtime_ns for s in manifest["shards"]}
    assert main([*args, "--tracks-per-shard", "2"]) == 0  # a rerun keeps finished shards
    assert {f: os.stat(out / f).st_mtime_ns for f in shards} == shards
    capsys.readouterr()
    assert main(["prepare", str(out), "--verify"]) == 0
    assert "all shards verified" in capsys.readouterr().out
    shard = out / next(iter(shards))
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one flipped byte
    shard.write_bytes(bytes(data))
    assert main(["prepare", str(out), "--verify"]) == 1
    assert shard.name in capsys.readouterr().out


def test_prepare_a_csv(genre_folder, tmp_path, capsys):
    listing = tmp_path / "tracks.csv"
    rows = [f"{genre_folder / g / f'{g}{i}.wav'},{g}" for g in CLASSES[:2] for i in range(2)]
    listing.write_text("path,label\n" + "\n".join(rows) + "\n")
    assert (
        main(["prepare", str(listing), "--out", str(tmp_path / "r"), "--sample-rate", "8000"]) == 0
    )
    assert "4 tracks written" in capsys.readouterr().out


def test_prepare_input_errors(tmp_path, capsys):
    assert main(["prepare", str(tmp_path / "nowhere")]) == 1
    assert "neither a folder nor a CSV" in capsys.readouterr().err
    assert main(["prepare", str(tmp_path), "--format", "fma"]) == 1
    assert "--metadata" in capsys.readouterr().err


def test_evaluate(saved_models, genre_folder, tmp_path, capsys):
    records = tmp_path / "records"
    assert main(["prepare", str(genre_folder), "--out", str(records), "--sample-rate", "8000"]) == 0
    capsys.readouterr()
    out = tmp_path / "eval"
    path = saved_models["log_mel"][0]
    assert main(["evaluate", path, str(records), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "6 tracks, 12 clips" in printed and "macro F1" in printed
    result = json.load(open(out / "evaluation.json"))
    assert sum(map(sum, result["confusion"]["mean"])) == 6
    assert (out / "confusion_matrix.png").stat().st_size > 1000
    assert main(["evaluate", saved_models["waveform"][0], str(records)]) == 1
    assert "prepare them with --sample-rate 16000" in capsys.readouterr().err


@pytest.fixture
def fake_recipe(tmp_path, monkeypatch):
    """A recipe module with the experiments' contract: Config, run, main(argv)."""
    (tmp_path / "fake_kgenre_recipe.py").write_text(
        textwrap.dedent(
            """
            import argparse, dataclasses, os

            @dataclasses.dataclass
            class Config:
                run_dir: str = "runs/fake"
                epochs: int = 1

            def run(config):
                os.makedirs(config.run_dir, exist_ok=True)
                open(os.path.join(config.run_dir, "metrics.json"), "w").write(
                    '{"epochs": %d}' % config.epochs
                )
                return config

            def main(argv=None):
                parser = argparse.ArgumentParser(prog="fake")
                parser.add_argument("--run-dir", default=Config.run_dir)
                parser.add_argument("--epochs", type=int, default=1)
                args = parser.parse_args(argv)
                print("run folder:", run(Config(args.run_dir, args.epochs)).run_dir)
                return 0
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(train, "available_recipes", lambda: {"fake": "fake_kgenre_recipe"})
    monkeypatch.chdir(tmp_path)
    yield
    sys.modules.pop("fake_kgenre_recipe", None)


def test_train_dispatches_to_the_recipe(fake_recipe, tmp_path, capsys):
    assert main(["train", "fake", "--run-dir", str(tmp_path / "run"), "--epochs", "3"]) == 0
    assert json.load(open(tmp_path / "run" / "metrics.json")) == {"epochs": 3}
    assert main(["train", "--list"]) == 0
    assert "recipes: fake" in capsys.readouterr().out
    assert main(["train", "nope"]) == 1
    assert "unknown recipe 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "fake", "--help"])
    assert exit_info.value.code == 0 and "--epochs" in capsys.readouterr().out


def test_train_runs_the_real_recipes(capsys):
    from kgenre.experiments import RECIPES

    assert main(["train", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in RECIPES)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "edm_stems", "--help"])
    assert exit_info.value.code == 0 and "--run-dir" in capsys.readouterr().out
