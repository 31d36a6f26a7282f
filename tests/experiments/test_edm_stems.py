"""The stems experiment (Mersy 2021) end to end on the synthetic corpus, in smoke size."""

import json

import numpy as np
import pytest

from kgenre.experiments import edm_stems


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No Spleeter model anywhere; stems and excerpts cached under tmp_path."""
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "no-models"))
    monkeypatch.setenv("KGENRE_STEM_CACHE", str(tmp_path / "stem-cache"))
    return tmp_path


def _args(tmp_path, *extra):
    return [
        "--smoke",
        "--no-progress",
        "--records-dir",
        str(tmp_path / "records"),
        "--run-dir",
        str(tmp_path / "run"),
        *extra,
    ]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """One default smoke run (separator auto, no Spleeter model: the true stems)."""
    tmp_path = tmp_path_factory.mktemp("edm")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODEL_PATH", str(tmp_path / "no-models"))
        patch.setenv("KGENRE_STEM_CACHE", str(tmp_path / "stem-cache"))
        assert edm_stems.main(_args(tmp_path)) == 0
    return tmp_path


def test_auto_uses_the_true_stems_and_resumes(smoke_run):
    offline = smoke_run
    run = offline / "run"
    report = (run / "report.md").read_text()
    assert "Separator: **oracle**" in report.split("\n")[4]
    assert "not a finding" not in report  # the oracle's vocals are real: rows differ
    rows = (run / "results.jsonl").read_text().splitlines()
    assert len(rows) == 2 * 4
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics["summary"]) == set(edm_stems.MODELS)
    # the full mix and the no-vocals mix are different inputs
    inputs = sorted((offline / "records" / "oracle" / "inputs").glob("*.npy"))
    arrays = [np.load(p) for p in inputs]
    singles = [a for a in arrays if a.shape[-1] == 1]
    assert len(singles) == 2 and not np.allclose(singles[0], singles[1])

    # a rerun into the same folder resumes: nothing is refitted
    before = (run / "results.jsonl").read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODEL_PATH", str(offline / "no-models"))
        patch.setenv("KGENRE_STEM_CACHE", str(offline / "stem-cache"))
        assert edm_stems.main(_args(offline)) == 0
    assert (run / "results.jsonl").read_bytes() == before


def test_the_saved_model_predicts_from_stems(smoke_run):
    from kgenre.audio import load
    from kgenre.datasets.synthetic import synthetic
    from kgenre.inference import load_model, make_inputs

    model, info = load_model(smoke_run / "run" / "model.keras")
    assert info.separator == "oracle" and info.recipe == "edm_stems"
    assert info.input_kind == "stems" and info.stems == ("bass", "drums", "other")
    assert len(info.class_names) == 6 and "over_splits" in info.metrics
    track = synthetic(family="edm", tracks_per_genre=1, seconds=3.0, progress=False)[0]
    stems = {
        n: load(track.stems[n], info.sample_rate)[0][None, : info.clip_samples] for n in info.stems
    }
    mix = load(track.path, info.sample_rate)[0][None, : info.clip_samples]
    x = make_inputs(info.inputs, info.sample_rate, mix, stems)
    probabilities = np.asarray(model.predict(x, verbose=0))
    assert probabilities.shape == (1, 6) and np.isclose(probabilities.sum(), 1, atol=1e-4)


def test_hpss_says_its_two_spectrogram_rows_are_the_same_input(offline):
    # also trains in mixed bfloat16: the saved model is float32 all the same
    flags = ("--separator", "hpss", "--trials", "1", "--epochs", "1")
    edm_stems.main(_args(offline, *flags, "--mixed-precision", "mixed_bfloat16"))
    from kgenre.inference import load_model

    model, _ = load_model(offline / "run" / "model.keras")
    assert {w.dtype for w in model.weights} == {"float32"}
    report = (offline / "run" / "report.md").read_text()
    assert "Separator: **hpss**" in report
    assert "see the same input" in report and "— (same input)" in report


def test_spleeter_path_on_an_untrained_checkpoint(offline, monkeypatch, spleeter_untrained):
    env_dir, model_path = spleeter_untrained
    monkeypatch.setenv("KGENRE_SPLEETER_ENV", env_dir)
    monkeypatch.setenv("MODEL_PATH", model_path)
    edm_stems.main(_args(offline, "--trials", "1", "--epochs", "1"))  # auto: Spleeter first
    report = (offline / "run" / "report.md").read_text()
    assert "Separator: **spleeter**" in report
    manifest = json.loads((offline / "records" / "spleeter" / "manifest.json").read_text())
    assert manifest["stems"] == list(edm_stems.STEMS) and not manifest["skipped"]


def test_bad_settings_name_the_setting(offline):
    with pytest.raises(SystemExit):
        edm_stems.main(["--trials", "0"])
    with pytest.raises(ValueError, match="test_fraction"):
        edm_stems.Config(test_fraction=1.5)
    with pytest.raises(ValueError, match="separator must be one of"):
        edm_stems.Config(separator="demucs")
    assert edm_stems.excerpt(np.arange(10.0), 4).tolist() == [3, 4, 5, 6]
    assert edm_stems.excerpt(np.arange(2.0), 4).tolist() == [0, 1, 0, 0]
