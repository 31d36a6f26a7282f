"""Worker processes (`--workers`): every pair fitted once, resumable, killed runs, failures."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from kgenre.datasets import Track, trial_splits
from kgenre.experiments import edm_stems, workers
from kgenre.experiments.run_folder import RunFolder
from kgenre.experiments.runner import Candidate, Plan


def _keys(run_dir):
    lines = (run_dir / "results.jsonl").read_text().splitlines()
    return [(json.loads(line)["split"], json.loads(line)["model"]) for line in lines]


def _worker_pids(settings_path):
    """Processes whose command line names this run's worker settings file."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as stream:
                command = stream.read().decode(errors="replace")
        except OSError:
            continue
        if str(settings_path) in command and "kgenre.experiments.workers" in command:
            pids.append(int(entry))
    return pids


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No Spleeter model anywhere; stems and excerpts cached under tmp_path (inherited by
    the worker processes)."""
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "no-models"))
    monkeypatch.setenv("KGENRE_STEM_CACHE", str(tmp_path / "stem-cache"))
    return tmp_path


@pytest.mark.slow  # two worker processes per backend: run once, on TensorFlow, in CI
def test_two_workers_fit_every_pair_once_and_resume(offline, recipe_flags):
    run = offline / "run"
    flags = recipe_flags(offline, "--workers", "2")
    assert edm_stems.main(flags) == 0
    keys = _keys(run)
    assert len(keys) == 2 * 4 and len(set(keys)) == 8
    report = (run / "report.md").read_text()
    assert "Workers: 2 processes with" in report
    assert sorted(p.name for p in (run / "workers").glob("worker-*.log")) == [
        "worker-0.log",
        "worker-1.log",
    ]
    from kgenre.inference import load_model

    _, info = load_model(run / "model.keras")
    assert info.training["model"] == edm_stems.PRIMARY
    # the saved model is the primary's best split, as in a serial run
    rows = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    primary = [r for r in rows if r["model"] == edm_stems.PRIMARY]
    best = max(primary, key=lambda r: r["metrics"]["clip_macro_f1"])
    assert info.metrics["split"] == best["split_name"]
    # a rerun, serial this time (workers is not a result-changing setting), fits nothing
    before = (run / "results.jsonl").read_bytes()
    assert edm_stems.main(recipe_flags(offline, "--workers", "1")) == 0
    assert (run / "results.jsonl").read_bytes() == before


def _pairs(n_splits=2, names=("a", "b")):
    tracks = [Track(f"{i}.wav", "xy"[i % 2], f"t{i}") for i in range(10)]
    splits = trial_splits(tracks, n_trials=n_splits, seed=0)
    return [(s, Candidate(n, None)) for s in splits for n in names]


def test_claims_hand_out_each_unfinished_pair_once(tmp_path):
    todo = _pairs()
    done = {(todo[0][0].index, "a")}
    claimed = []
    while (pair := workers.claim_next(str(tmp_path), todo, done)) is not None:
        claimed.append((pair[0].index, pair[1].name))
    assert claimed == [(0, "b"), (1, "a"), (1, "b")]
    # another worker finds nothing left
    assert workers.claim_next(str(tmp_path), todo, done) is None


def test_worker_count(offline):
    assert edm_stems.Config.smoke().workers == 1  # smoke runs stay in one process
    assert workers.resolve_workers(edm_stems.Config(workers=3)) == 3
    auto = workers.resolve_workers(edm_stems.Config())
    assert auto == min(workers.AUTO_MAX, os.cpu_count())  # the test machines have no GPU
    assert workers.resolve_workers({"not": "RunOptions"}) == 1
    with pytest.raises(ValueError, match="workers must be an integer >= 0"):
        edm_stems.Config(workers=-1)
    with pytest.raises(ValueError, match="--distribute data_parallel"):
        workers.resolve_workers(edm_stems.Config(workers=2, distribute="data_parallel"))


def test_a_failing_worker_stops_the_run_with_its_log(tmp_path):
    config = edm_stems.Config.smoke(run_dir=str(tmp_path / "run"), progress=False)
    plan = Plan(
        recipe="no_such_recipe",
        title="t",
        config=config,
        class_names=["x", "y"],
        splits=[s for s, _ in _pairs(1, ("a",))],
        candidates=[Candidate("a", None)],
        primary="a",
    )
    folder = RunFolder(config.run_dir, plan.recipe, config)

    class Bar:
        def write(self, text):
            pass

        def update(self, n):
            pass

    with pytest.raises(RuntimeError, match=r"worker \d stopped with exit code 1(.|\n)*no_such"):
        workers.run_workers(plan, folder, 2, Bar(), lambda rows: None)


@pytest.mark.slow
def test_a_killed_run_stops_its_workers_and_resumes(offline, recipe_flags):
    run = offline / "run"
    command = [
        sys.executable,
        "-m",
        "kgenre.experiments.edm_stems",
        *recipe_flags(offline, "--workers", "2", "--trials", "4"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = run / "results.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 3:
            break
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    settings = run / "workers" / "settings.json"
    deadline = time.monotonic() + 15
    while _worker_pids(settings) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _worker_pids(settings), "the workers outlived their killed parent"
    before = results.read_text()
    assert 3 <= len(before.splitlines()) < 16, "the run finished before it could be killed"
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = results.read_text()
    assert after.startswith(before)  # nothing rewritten
    keys = _keys(run)
    assert len(keys) == 16 and len(set(keys)) == 16
