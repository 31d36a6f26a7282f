import csv
import os
import runpy

import pytest

RECIPE = os.path.join(os.path.dirname(__file__), "..", "..", "recipes", "multiview_blending.py")


@pytest.mark.slow  # compiles a five-branch CRNN: 30-60 s on 2 CPU cores
def test_multiview_blending_smoke_writes_weights_and_report(tmp_path):
    out_dir = str(tmp_path / "blend")
    out = runpy.run_path(RECIPE)["main"](["--smoke", "--output-dir", out_dir])
    with open(os.path.join(out_dir, "blend_weights.csv")) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(out["records"]) > 0
    weights = out["final_weights"]
    assert sorted(weights) == ["cqt", "gammatone", "mel", "multiview", "raw"]
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-5)
    for name in ("report.md", "metrics.json", "blend_weights_self_ensemble.png"):
        assert os.path.exists(os.path.join(out_dir, name))
