import json
import os

import keras
import numpy as np
import pytest

from kgenre.evaluation import (
    cross_validate,
    keras_fit_predict,
    kfold_splits,
    paired_tests,
    random_splits,
    repeated_trials,
)


def _oracle(labels, num_classes, noise, seed_offset):
    """A fake model: correct with probability 1 - noise, deterministic given the seed."""

    def fit_predict(train_index, test_index, seed):
        rng = np.random.default_rng(seed + seed_offset)
        y = labels[test_index]
        pred = np.where(rng.random(len(y)) < noise, rng.integers(0, num_classes, len(y)), y)
        probs = np.full((len(y), num_classes), 0.1 / num_classes)
        probs[np.arange(len(y)), pred] += 0.9
        history = {
            "loss": list(np.linspace(1, 0.5, 4) + noise),
            "val_loss": list(np.linspace(1.1, 0.7, 4)),
        }
        return {"probabilities": probs, "history": history}

    return fit_predict


def test_splits_are_disjoint_and_grouped():
    labels = np.repeat(np.arange(4), 30)
    tracks = np.arange(120) // 3
    folds = kfold_splits(labels, 5, groups=tracks, seed=0)
    tested = np.concatenate([t for _, t in folds])
    assert sorted(tested.tolist()) == list(range(120))
    for train, test in folds:
        assert not set(tracks[train]) & set(tracks[test])
    trials = random_splits(labels, n_trials=3, test_fraction=0.2, seed=5)
    again = random_splits(labels, n_trials=3, test_fraction=0.2, seed=5)
    for (a, b), (c, d) in zip(trials, again):
        assert np.array_equal(a, c) and np.array_equal(b, d) and len(b) == 24
    assert not np.array_equal(trials[0][1], trials[1][1])


def test_paired_tests_against_scipy_and_degenerate():
    a = np.array([0.5, 0.6, 0.7, 0.65, 0.8])
    b = a - np.array([0.05, 0.02, 0.04, 0.03, 0.06])
    t = paired_tests(a, b)
    assert t["mean_difference"] == pytest.approx(0.04)
    assert t["t_pvalue"] < 0.01 and 0 < t["wilcoxon_pvalue"] <= 0.0625 + 1e-9
    assert np.isnan(paired_tests(a, a)["t_pvalue"])


def test_repeated_trials_writes_run_folder(tmp_path):
    labels = np.repeat(np.arange(3), 40)
    tracks = np.arange(120) // 2
    models = {"good": _oracle(labels, 3, 0.2, 0), "bad": _oracle(labels, 3, 0.7, 1000)}
    run_dir = os.path.join(tmp_path, "run")
    result = repeated_trials(
        models,
        labels,
        n_trials=12,
        track_ids=tracks,
        seed=3,
        class_names=["a", "b", "c"],
        run_dir=run_dir,
        title="toy",
    )
    s = result.summary
    assert s["good"]["clip_accuracy"]["mean"] > s["bad"]["clip_accuracy"]["mean"] + 0.2
    assert result.comparisons["good vs bad"]["clip_macro_f1"]["t_pvalue"] < 1e-3
    for name in (
        "metrics.json",
        "report.md",
        "f1_distribution.png",
        "confusion_good.png",
        "loss_bad.png",
    ):
        assert os.path.getsize(os.path.join(run_dir, name)) > 0
    with open(os.path.join(run_dir, "metrics.json")) as f:
        payload = json.load(f)
    assert payload["num_splits"] == 12 and len(payload["per_split"]["good"]) == 12
    report = open(os.path.join(run_dir, "report.md")).read()
    assert "| good |" in report and "Wilcoxon" in report and "![" in report


def test_cross_validate_with_keras_model(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(2), 20)
    x = (labels[:, None] * 2.0 - 1.0 + 0.3 * rng.normal(size=(40, 3))).astype("float32")

    def build(seed):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
        return model

    fp = keras_fit_predict(
        build, x, labels, {"epochs": 5, "batch_size": 8}, validation_fraction=0.2
    )
    result = cross_validate(
        {"linear": fp}, labels, n_splits=4, run_dir=os.path.join(tmp_path, "cv")
    )
    assert len(result.per_split["linear"]) == 4
    assert result.summary["linear"]["clip_accuracy"]["mean"] > 0.9
    assert os.path.exists(os.path.join(tmp_path, "cv", "loss_linear.png"))


def test_bad_fit_predict_output():
    labels = np.repeat(np.arange(2), 10)
    with pytest.raises(ValueError, match="probabilities"):
        cross_validate({"m": lambda tr, te, s: np.ones((1, 2))}, labels, n_splits=2)
