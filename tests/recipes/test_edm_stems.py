import importlib.util
import json
import os

import numpy as np
import pytest

_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "recipes", "edm_stems.py")


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("edm_stems", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_smoke_runs_end_to_end(recipe, tmp_path, monkeypatch):
    monkeypatch.setenv("KGENRE_STEM_CACHE", str(tmp_path / "cache"))
    config = recipe.parse_args(
        [
            "--smoke",
            "--records-dir",
            str(tmp_path / "tf_records"),
            "--run-dir",
            str(tmp_path / "run"),
        ]
    )
    assert (config.trials, config.separator, config.select) == (2, "hpss", "test")
    summary = recipe.run(config)
    with open(tmp_path / "run" / "results.json") as stream:
        saved = json.load(stream)
    assert saved["separator"] == "hpss"
    assert len(saved["trials"]) == 2
    assert set(summary) == set(recipe.MODELS)
    for row in summary.values():
        assert 0 <= row["accuracy"] <= 1 and 0 <= row["f1"] <= 1
    assert "f1_p_value_vs_baseline" in summary["3 spec, DW-2DConv"]
    assert os.path.getsize(tmp_path / "run" / "f1_distribution.png") > 0
    assert "p (F1 vs baseline)" in (tmp_path / "run" / "results.md").read_text()
    # TFRecords hold the excerpts' stems and the no-vocals mix.
    manifest = json.loads((tmp_path / "tf_records" / "hpss" / "manifest.json").read_text())
    assert manifest["stems"] == list(recipe.STEMS)
    assert len(manifest["class_names"]) == 6


def test_smoke_runs_through_real_spleeter_on_an_untrained_checkpoint(
    recipe, tmp_path, monkeypatch, spleeter_untrained
):
    env_dir, model_path = spleeter_untrained
    monkeypatch.setenv("KGENRE_SPLEETER_ENV", env_dir)
    monkeypatch.setenv("MODEL_PATH", model_path)
    monkeypatch.setenv("KGENRE_STEM_CACHE", str(tmp_path / "cache"))
    config = recipe.parse_args(
        [
            "--smoke",
            "--separator",
            "spleeter",
            "--trials",
            "1",
            "--epochs",
            "1",
            "--records-dir",
            str(tmp_path / "tf_records"),
            "--run-dir",
            str(tmp_path / "run"),
        ]
    )
    recipe.run(config)
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved["separator"].startswith("spleeter")
    manifest = json.loads(
        (tmp_path / "tf_records" / saved["separator"] / "manifest.json").read_text()
    )
    assert manifest["stems"] == list(recipe.STEMS)
    assert not manifest.get("skipped")


def test_excerpt_is_the_middle(recipe):
    y = np.arange(10.0)
    np.testing.assert_array_equal(recipe.excerpt(y, 4), [3, 4, 5, 6])
    np.testing.assert_array_equal(recipe.excerpt(y[:2], 4), [0, 1, 0, 0])


def test_p_values_are_paired_t_tests(recipe):
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(0)
    per_trial = [
        {name: {"accuracy": a, "f1": a} for name, a in zip(recipe.MODELS, rng.uniform(size=4))}
        for _ in range(5)
    ]
    summary = recipe.summarise(per_trial)
    f1 = [t["3 spec, 2DConv"]["f1"] for t in per_trial]
    base = [t[recipe.BASELINE]["f1"] for t in per_trial]
    assert summary["3 spec, 2DConv"]["f1_p_value_vs_baseline"] == pytest.approx(
        ttest_rel(f1, base).pvalue
    )
    assert summary[recipe.BASELINE]["f1"] == pytest.approx(np.mean(base))


def test_select_must_be_known(recipe):
    with pytest.raises(ValueError, match="select must be"):
        recipe.run(recipe.Config(select="train"))
