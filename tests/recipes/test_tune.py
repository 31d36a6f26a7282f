import json
import os
import runpy

import pytest

RECIPE = os.path.join(os.path.dirname(__file__), "..", "..", "recipes", "tune.py")


def test_tune_smoke_runs_a_search_and_writes_best(tmp_path):
    main = runpy.run_path(RECIPE)["main"]
    out = str(tmp_path / "tune")
    result = main(["--smoke", "--output-dir", out])
    assert result["num_trials"] == 2
    assert set(result["best_hyperparameters"]) == {"filters", "kernel_size", "learning_rate"}
    assert 0.0 <= result["best_score"] <= 1.0
    with open(os.path.join(out, "best.json")) as f:
        assert json.load(f)["genres"] == ["techno", "house", "trance"]


def test_tune_missing_data_file_is_a_clear_error(tmp_path):
    main = runpy.run_path(RECIPE)["main"]
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        main(["--smoke", "--output-dir", str(tmp_path), "--data", str(tmp_path / "nope.npz")])
