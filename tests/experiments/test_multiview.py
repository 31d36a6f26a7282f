"""The multi-view experiment (Phan et al., seed 003) end to end on the synthetic corpus, in
smoke size: every Table 3 system, the run folder, resuming, blending weights and the model."""

import dataclasses
import json

import numpy as np
import pytest

from kgenre.experiments import multiview


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, recipe_flags):
    """One smoke run shared by the tests of this module."""
    tmp_path = tmp_path_factory.mktemp("multiview")
    assert multiview.main(recipe_flags(tmp_path)) == 0
    return tmp_path


def _rows(run):
    return [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]


def test_every_system_of_table_3_lands_in_the_run_folder(smoke_run):
    run = smoke_run / "run"
    rows = _rows(run)
    assert [r["model"] for r in rows] == list(multiview.SYSTEMS)
    metrics = json.loads((run / "metrics.json").read_text())
    assert list(metrics["summary"]) == list(multiview.SYSTEMS)
    report = (run / "report.md").read_text()
    results = report.split("## Results")[1].split("##")[0].splitlines()
    table = [line.split(" | ")[0].strip("| ") for line in results if line.startswith("| ")]
    assert table[1:] == list(multiview.SYSTEMS)  # the paper's row order, after the header
    assert "## Paired tests against the baseline (Late fusion)" in report
    for name in ("config.json", "history.csv", "model.keras"):
        assert (run / name).stat().st_size > 0
    for png in ("blend_weights_Multi-view.png", "confusion_Self-ensemble.png", "loss_Raw.png"):
        assert (run / png).stat().st_size > 1000
    # the shared networks of the split are kept for resuming: four views, concat, blended
    kept = sorted(p.name for p in (run / "fits" / "split_0").glob("*.json"))
    assert kept == sorted(f"{k}.json" for k in ("blended", "concat", *multiview.VIEWS))
    # the four views were computed once and cached
    assert len(list((smoke_run / "records" / "inputs").glob("*.npy"))) == 4


def test_blending_weights_move_and_the_self_ensemble_uses_the_final_ones(smoke_run):
    rows = {r["model"]: r for r in _rows(smoke_run / "run")}
    records = rows["Multi-view"]["extras"]["blend_records"]
    assert len(records) == 9  # 3 epochs of 3 steps, one update per step
    branches = ("mel", "gammatone", "cqt", "raw", "multiview")
    weights = np.array([[r[f"weight_{b}"] for b in branches] for r in records])
    assert np.allclose(weights.sum(axis=1), 1, atol=1e-5)
    assert np.abs(weights - 1 / len(branches)).max() > 0.05  # they moved away from 1/K
    final = rows["Self-ensemble"]["extras"]["weights"]
    assert final == rows["Multi-view"]["extras"]["blend_weights"]
    assert set(final) == set(branches)


def test_a_rerun_resumes_with_nothing_refitted(smoke_run, recipe_flags, monkeypatch):
    run = smoke_run / "run"

    def no_fitting(*args, **kwargs):
        raise AssertionError("a finished network was trained again")

    monkeypatch.setattr(multiview._Networks, "_fit", no_fitting)
    before = (run / "results.jsonl").read_bytes()
    assert multiview.main(recipe_flags(smoke_run)) == 0
    assert (run / "results.jsonl").read_bytes() == before

    # a run stopped after some systems: the networks the others need come from RUN/fits
    rows = _rows(run)
    dropped = [r for r in rows if r["model"] == "Multi-view"]
    kept = "".join(json.dumps(r) + "\n" for r in rows if r not in dropped)
    (run / "results.jsonl").write_text(kept)
    assert multiview.main(recipe_flags(smoke_run)) == 0
    again = {r["model"]: r for r in _rows(run)}
    assert len(again) == len(multiview.SYSTEMS)
    for row in dropped:
        for metric in ("clip_accuracy", "track_accuracy_mean"):
            assert again[row["model"]]["metrics"][metric] == row["metrics"][metric]


def test_the_saved_self_ensemble_predicts_a_clip_from_audio(smoke_run):
    from kgenre.audio import load
    from kgenre.datasets.synthetic import synthetic
    from kgenre.inference import load_model, make_inputs

    model, info = load_model(smoke_run / "run" / "model.keras")
    assert info.recipe == "multiview" and info.training["model"] == "Self-ensemble"
    assert [s.name for s in info.inputs] == [
        "mel_spectrogram",
        "gammatone_spectrogram",
        "cqt_spectrogram",
        "waveform",
    ]
    assert info.class_names == ["blues", "classical", "metal"]
    track = synthetic(
        family="gtzan", tracks_per_genre=1, seconds=2.0, sample_rate=8000, progress=False
    )[0]
    clip = load(track.path, info.sample_rate)[0][None, : info.clip_samples]
    x = make_inputs(info.inputs, info.sample_rate, clip)
    assert x["cqt_spectrogram"].shape == (1, 32, 48, 1)
    probabilities = np.asarray(model.predict(x, verbose=0))
    assert probabilities.shape == (1, 3) and np.isclose(probabilities.sum(), 1, atol=1e-4)
    # the standardisation travels inside the model: raw features in, probabilities out
    assert any(layer.name.startswith("standardise_") for layer in model.layers)


def test_bad_settings_name_the_setting(capsys):
    with pytest.raises(SystemExit) as help_exit:
        multiview.main(["--help"])  # help text holds "%" signs ("50% overlap")
    assert help_exit.value.code == 0 and "--blend-estimator" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        multiview.main(["--epochs", "0"])
    with pytest.raises(ValueError, match="folds"):
        multiview.Config(folds=1)
    with pytest.raises(ValueError, match="protocol must be one of"):
        multiview.Config(protocol="trials")
    with pytest.raises(ValueError, match="validation_fraction"):
        multiview.Config(validation_fraction=1.5)
    with pytest.raises(ValueError, match="holdout_fractions"):
        multiview.Config(holdout_fractions=(0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="blend_window"):
        multiview.Config(blend_window=0)
    with pytest.raises(ValueError, match="decay_epochs"):
        multiview.Config(decay_epochs=(100, 50))
    with pytest.raises(ValueError, match="blend_estimator must be one of"):
        multiview.Config(blend_estimator="wang")
    # the flag's choices are the estimators kgenre.training offers
    from kgenre.training.blending_weights import ESTIMATORS

    field = next(f for f in dataclasses.fields(multiview.Config) if f.name == "blend_estimator")
    assert field.metadata["choices"] == ESTIMATORS
