"""The protocol runner: metrics, resume, the run folder, and a run killed with SIGKILL."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from kgenre.datasets import Track, trial_splits
from kgenre.experiments.run_folder import RunFolder
from kgenre.experiments.runner import Candidate, Outcome, Plan, run_plan

CLASSES = ["a", "b", "c"]


def _tracks(n=30):
    return [Track(f"{i}.wav", CLASSES[i % 3], f"t{i}", group=f"g{i // 2}") for i in range(n)]


def _fake(noise, calls=None, clips_per_track=2):
    """A model that is right with probability 1 - noise; two clips per test track."""
    labels = np.array([i % 3 for i in range(30)])

    def fit(split):
        if calls is not None:
            calls.append(split.index)
        rng = np.random.default_rng(split.seed)
        test = np.repeat(split.test, clips_per_track)
        truth = labels[test]
        guess = np.where(rng.random(len(test)) < noise, rng.integers(0, 3, len(test)), truth)
        probabilities = np.full((len(test), 3), 0.1)
        probabilities[np.arange(len(test)), guess] = 0.8
        history = {"loss": [1.0, 0.8, 0.7], "val_loss": [1.1, 0.9, 1.0]}
        return Outcome(probabilities, truth, test, history, {"selected_epoch": 2})

    return fit


def _plan(calls=None, n_trials=3, identical=()):
    return Plan(
        recipe="fake",
        title="Fake experiment",
        config={"noise": 0.3, "run_dir": "ignored"},
        class_names=CLASSES,
        splits=trial_splits(_tracks(), n_trials=n_trials, seed=4),
        candidates=[
            Candidate("good", _fake(0.1, calls)),
            Candidate("base", _fake(0.6)),
            Candidate("twin", _fake(0.6)),
        ],
        primary="good",
        baseline="base",
        notes=["Data: fake."],
        identical_inputs=list(identical),
    )


def test_run_writes_the_run_folder_and_resumes(tmp_path):
    calls = []
    result = run_plan(_plan(calls, identical=[("twin", "base", "same input")]), tmp_path, False)
    assert calls == [0, 1, 2]
    for name in ("config.json", "results.jsonl", "history.csv", "metrics.json", "report.md"):
        assert (tmp_path / name).stat().st_size > 0
    for png in ("confusion_good.png", "loss_good.png", "f1_distribution.png"):
        assert (tmp_path / png).stat().st_size > 1000
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [(r["split"], r["model"]) for r in rows][:3] == [(0, "good"), (0, "base"), (0, "twin")]
    assert result.summary["good"]["track_accuracy_mean"]["mean"] > 0.7
    assert result.summary["good"]["track_accuracy_mean"]["n"] == 3
    report = (tmp_path / "report.md").read_text()
    assert "Data: fake." in report and "grouped by artist" in report
    assert "— (same input)" in report and "only 3 splits" in report
    twin = result.comparisons["twin vs base"]
    assert twin["identical"] and "not a finding" in twin["notes"][0]
    history = (tmp_path / "history.csv").read_text().splitlines()
    assert history[0].split(",")[:3] == ["split", "model", "epoch"] and len(history) == 1 + 27

    again = run_plan(_plan(calls), tmp_path, False)  # everything done: nothing is refitted
    assert calls == [0, 1, 2]
    assert again.summary == result.summary
    more = run_plan(_plan(calls, n_trials=5), tmp_path / "other", False)
    assert len(more.rows) == 15


def test_other_settings_are_refused(tmp_path):
    run_plan(_plan(n_trials=1), tmp_path, False)
    plan = _plan(n_trials=1)
    plan.config = {"noise": 0.5, "run_dir": "ignored"}
    with pytest.raises(ValueError, match="noise: 0.3 -> 0.5"):
        run_plan(plan, tmp_path, False)


def test_a_torn_last_line_is_dropped(tmp_path):
    folder = RunFolder(tmp_path, "fake", {"x": 1})
    folder.append({"split": 0, "model": "m", "metrics": {}})
    with open(folder.file("results.jsonl"), "a") as stream:
        stream.write('{"split": 1, "mod')
    assert [r["split"] for r in folder.results()] == [0]
    assert (tmp_path / "results.jsonl").read_text().endswith("}\n")


def test_non_finite_predictions_stop_the_run_without_losing_work(tmp_path):
    plan = _plan(n_trials=2)

    def diverged(split):
        if split.index == 1:
            return Outcome(np.full((2, 3), np.nan), np.zeros(2, int))
        return _fake(0.1)(split)

    plan.candidates = [Candidate("good", diverged)]
    plan.baseline = None
    with pytest.raises(ValueError, match="non-finite"):
        run_plan(plan, tmp_path, False)
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 1


SLOW_RUN = """
import sys, time
import numpy as np
sys.path.insert(0, {tests!r})
from test_runner import _plan, _fake
from kgenre.experiments.runner import Candidate, run_plan

def slow(split):
    time.sleep(0.6)
    return _fake(0.1)(split)

plan = _plan(n_trials=6)
plan.candidates = [Candidate("good", slow), Candidate("base", _fake(0.6))]
run_plan(plan, {run_dir!r}, progress=False)
"""


def test_a_killed_run_resumes_with_nothing_lost(tmp_path):
    run_dir = tmp_path / "run"
    script = tmp_path / "run.py"
    script.write_text(SLOW_RUN.format(tests=os.path.dirname(__file__), run_dir=str(run_dir)))
    process = subprocess.Popen([sys.executable, str(script)])
    results = run_dir / "results.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 5:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = results.read_text()
    finished = len(before.splitlines())
    assert 5 <= finished < 12, "the run finished before it could be killed"
    subprocess.run([sys.executable, str(script)], check=True)
    after = results.read_text()
    assert after.startswith(before)  # nothing rewritten
    keys = [(json.loads(line)["split"], json.loads(line)["model"]) for line in after.splitlines()]
    assert len(keys) == 12 and len(set(keys)) == 12
