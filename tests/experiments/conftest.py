"""What the recipe tests share: the flags of a quiet smoke run into a temporary folder."""

import pytest


def smoke_flags(tmp_path, *extra) -> list:
    """`--smoke` with the records and the run folder under `tmp_path`, no progress bars."""
    return [
        "--smoke",
        "--no-progress",
        "--records-dir",
        str(tmp_path / "records"),
        "--run-dir",
        str(tmp_path / "run"),
        *extra,
    ]


@pytest.fixture(scope="session")
def recipe_flags():
    """`smoke_flags`, for tests and module-scoped fixtures."""
    return smoke_flags


def _predict_saved(model_path, audio_path):
    """`(model, info, inputs, probabilities)` for every clip of `audio_path`, cut at the saved
    model's own clip and hop and fed through `make_inputs`, as `kgenre predict` does."""
    import numpy as np

    from kgenre.audio import load, segment
    from kgenre.inference import load_model, make_inputs

    model, info = load_model(model_path)
    y, _ = load(audio_path, info.sample_rate)
    clips = segment(y, info.sample_rate, info.clip_seconds, info.hop_seconds)
    x = make_inputs(info.inputs, info.sample_rate, clips)
    probabilities = np.asarray(model.predict(x, verbose=0))
    assert probabilities.shape == (len(clips), len(info.class_names))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    return model, info, x, probabilities


def _assert_resumes(main, flags, run_dir):
    """Reruns a finished recipe into its run folder: nothing is refitted."""
    before = (run_dir / "results.jsonl").read_bytes()
    assert main(flags) == 0
    assert (run_dir / "results.jsonl").read_bytes() == before


@pytest.fixture(scope="session")
def predict_saved():
    """`_predict_saved`: a saved model's predictions for the clips of one audio file."""
    return _predict_saved


@pytest.fixture(scope="session")
def assert_resumes():
    """`_assert_resumes`: a rerun into a finished run folder fits nothing."""
    return _assert_resumes


def _check_run_folder(run_dir, figures):
    """The run folder's files are all there (`figures`: PNG names without `.png`), and no
    fit left resumable state behind; returns the rows of `results.jsonl`."""
    import json

    for name in ("config.json", "results.jsonl", "history.csv", "metrics.json", "report.md"):
        assert (run_dir / name).stat().st_size > 0, name
    for name in figures:
        assert (run_dir / f"{name}.png").stat().st_size > 5000, name
    assert not (run_dir / "backup").exists()
    return [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]


@pytest.fixture(scope="session")
def check_run_folder():
    """`_check_run_folder`: the run folder is complete; its result rows."""
    return _check_run_folder
