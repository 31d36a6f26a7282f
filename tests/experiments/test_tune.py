"""The keras-tuner search on the experiment layer: run folder, resume, the saved model, bad
settings, and keras-tuner's distributed mode with a chief and two workers on localhost."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import kgenre
from kgenre.experiments import tune


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, recipe_flags):
    """One 2-trial smoke search shared by the tests of this module."""
    tmp_path = tmp_path_factory.mktemp("tune")
    assert tune.main(recipe_flags(tmp_path)) == 0
    return tmp_path


def _rows(run):
    return [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]


def test_the_search_writes_the_run_folder(smoke_run):
    run = smoke_run / "run"
    rows = _rows(run)
    assert sorted(r["trial"] for r in rows) == ["0", "1"]
    assert all(r["status"] == "COMPLETED" and 0 <= r["score"] <= 1 for r in rows)
    assert all(
        set(r["hyperparameters"]) == {"filters", "kernel_size", "learning_rate"} for r in rows
    )
    best = json.loads((run / "best.json").read_text())
    assert best["best_score"] == max(r["score"] for r in rows)
    assert best["num_trials"] == 2 and set(best["test"]) >= {"clip_accuracy", "track_macro_f1"}
    report = (run / "report.md").read_text()
    assert "## Best trial" in report and "never seen by the search" in report
    assert all(f"| {k} | {v} |" in report for k, v in best["best_hyperparameters"].items())
    assert (run / "search.png").stat().st_size > 1000
    assert json.loads((run / "config.json").read_text())["recipe"] == "tune"
    assert json.loads((run / "metrics.json").read_text())["trials"] == rows


def test_the_best_network_is_saved_and_predicts_a_clip(smoke_run):
    from kgenre.audio import load
    from kgenre.datasets.synthetic import synthetic
    from kgenre.inference import load_model, make_inputs

    model, info = load_model(smoke_run / "run" / "model.keras")
    best = json.loads((smoke_run / "run" / "best.json").read_text())
    assert info.recipe == "tune" and info.training["trial"] == best["best_trial"]
    assert info.input_kind == "waveform" and info.class_names == ["blues", "classical", "metal"]
    track = synthetic(
        family="gtzan", tracks_per_genre=1, seconds=2.0, sample_rate=8000, progress=False
    )[0]
    clip = load(track.path, info.sample_rate)[0][None, : info.clip_samples]
    probabilities = np.asarray(model.predict(make_inputs(info.inputs, 8000, clip), verbose=0))
    assert probabilities.shape == (1, 3) and np.isclose(probabilities.sum(), 1, atol=1e-4)


def test_a_rerun_resumes_with_nothing_refitted(smoke_run, recipe_flags, monkeypatch):
    from kgenre.training.hypermodel import GenreHyperModel

    def no_fitting(*args, **kwargs):
        raise AssertionError("a finished trial was trained again")

    monkeypatch.setattr(GenreHyperModel, "fit", no_fitting)
    before = (smoke_run / "run" / "results.jsonl").read_bytes()
    assert tune.main(recipe_flags(smoke_run)) == 0
    assert (smoke_run / "run" / "results.jsonl").read_bytes() == before


def test_bad_settings_name_the_setting(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit) as help_exit:
        tune.main(["--help"])
    assert help_exit.value.code == 0 and "--space" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        tune.main(["--max-trials", "0"])
    with pytest.raises(ValueError, match="space entries look like name=a"):
        tune.Config(space=("filters",))
    with pytest.raises(ValueError, match="holdout_fractions"):
        tune.Config(holdout_fractions=(0.9, 0.1))
    with pytest.raises(ValueError, match="architecture must be one of"):
        tune.run(tune.Config.smoke(architecture="vgg", run_dir=str(tmp_path)))
    assert tune.parse_assignments(
        ["kernel_sizes=251,501,1001|251", "spp=True|false"], "s", True
    ) == {
        "kernel_sizes": ["251,501,1001", 251],
        "spp": [True, False],
    }
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.delenv("KERASTUNER_ORACLE_PORT", raising=False)
    with pytest.raises(ValueError, match="KERASTUNER_ORACLE_PORT"):
        tune.role()


def test_importing_kgenre_training_leaves_keras_tuner_alone():
    code = "import sys, kgenre.training; print('keras_tuner' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_chief_and_two_workers_share_one_search(smoke_run, recipe_flags, tmp_path):
    """keras-tuner's own distributed mode: the chief serves the oracle on 127.0.0.1, two
    worker processes train the trials; every process stops by itself."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(kgenre.__file__)))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
        "KERASTUNER_ORACLE_IP": "127.0.0.1",
        "KERASTUNER_ORACLE_PORT": str(_free_port()),
    }
    processes = {}
    for tuner_id in ("chief", "tuner0", "tuner1"):
        # each process its own records (the TFRecord writer is not safe for concurrent
        # writers to one folder); one shared run folder
        args = recipe_flags(tmp_path, "--max-trials", "2")
        args[args.index("--records-dir") + 1] = str(tmp_path / f"records_{tuner_id}")
        processes[tuner_id] = subprocess.Popen(
            [sys.executable, "-m", "kgenre.experiments.tune", *args],
            env={**env, "KERASTUNER_TUNER_ID": tuner_id},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    outputs = {}
    try:
        for tuner_id, process in processes.items():
            outputs[tuner_id] = process.communicate(timeout=300)[0]
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    for tuner_id, process in processes.items():
        assert process.returncode == 0, outputs[tuner_id][-3000:]
    assert "run folder (chief)" in outputs["chief"]
    assert "run folder (worker)" in outputs["tuner0"] + outputs["tuner1"]
    rows = _rows(tmp_path / "run")
    assert sorted(r["trial"] for r in rows) == ["0", "1"]
    assert {r["tuner"] for r in rows} <= {"tuner0", "tuner1"}  # the chief trains nothing
    assert all(r["status"] == "COMPLETED" for r in rows)
    best = json.loads((tmp_path / "run" / "best.json").read_text())
    assert best["num_trials"] == 2 and (tmp_path / "run" / "model.keras").exists()
    assert (
        "Distributed (keras-tuner's chief and workers)"
        in (tmp_path / "run" / "report.md").read_text()
    )
