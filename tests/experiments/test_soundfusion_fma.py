"""SoundFusion's experiment (Ausilio et al.) end to end, in smoke size."""

import csv
import json

import numpy as np
import pytest
import soundfile

from kgenre.experiments import soundfusion_fma as recipe


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, recipe_flags):
    """One default smoke run: SoundFusion (concatenation) and the ResNet2D baseline."""
    tmp_path = tmp_path_factory.mktemp("soundfusion")
    assert recipe.main(recipe_flags(tmp_path)) == 0
    return tmp_path


def test_smoke_writes_the_run_folder_and_resumes(
    smoke_run, recipe_flags, assert_resumes, check_run_folder
):
    run = smoke_run / "run"
    figures = ("loss_soundfusion_concat", "confusion_resnet2d_s", "f1_distribution")
    rows = {r["model"]: r for r in check_run_folder(run, figures)}
    assert list(rows) == ["soundfusion_concat", "resnet2d_s"]
    # 3 test tracks of 6 s: 2 clips of 3 s each at the 2.25-s hop
    fused = rows["soundfusion_concat"]["metrics"]
    assert np.sum(fused["clip_confusion"]) == 6 and np.sum(fused["track_confusion"]) == 3
    for row in rows.values():
        assert len(row["history"]["val_loss"]) == 2 and row["extras"]["selected_epoch"] in (1, 2)
    report = (run / "report.md").read_text()
    assert "standing in for FMA-small's 8" in report and "stratified 80/10/10" in report
    assert "0.528 / 0.567" in report and "SF-1 0.535" in report
    assert "Paired tests against the baseline (resnet2d_s)" in report
    assert_resumes(recipe.main, recipe_flags(smoke_run), run)


def test_the_saved_model_takes_waveforms(smoke_run, predict_saved):
    from kgenre.datasets.synthetic import synthetic

    track = synthetic(
        family="gtzan", tracks_per_genre=1, seconds=6.0, genres=["rock"], progress=False
    )[0]
    model, info, x, probabilities = predict_saved(smoke_run / "run" / "model.keras", track.path)
    assert info.recipe == "soundfusion_fma" and info.input_kind == "waveform"
    assert (info.sample_rate, info.clip_seconds, info.hop_seconds) == (22050, 3.0, 2.25)
    assert info.aggregation == "mean" and info.training["model"] == "soundfusion_concat"
    assert {"log_mel", "standardise_log_mel", "spec_augment"} <= {x.name for x in model.layers}
    assert probabilities.shape == (2, 3)
    # the masks act in training only: inference is deterministic
    np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)), probabilities, atol=1e-6)


def test_every_model_of_the_slides_builds_on_waveforms():
    from kgenre.experiments import fitting

    config = recipe.Config.smoke()
    samples = int(config.clip_seconds * config.sample_rate)
    # one of each kind the smoke run does not train, built symbolically: the front end fits
    # every model's inputs
    for name in ("simple_cnn", "nnet1", "nnet2", "vgg16", "resnet1d_s", "soundfusion_decision"):
        network = recipe.build_network(name, 3, samples, config)
        model = fitting.waveform_model(
            network, samples, config.sample_rate, recipe.LOG_MEL, (np.zeros(1), np.ones(1))
        )
        assert tuple(model.input.shape) == (None, samples) and model.output.shape == (None, 3)
    paper = recipe.build_network("simple_cnn", 8, 110250, recipe.Config())
    assert paper.input.shape[1:] == (64, 216, 1)
    # one mono channel: the slides' 25,472 parameters less a 5x5x8 kernel for a second channel
    assert sum(int(np.prod(w.shape)) for w in paper.trainable_weights) == 25472 - 200


def _write_fma(root, rendered):
    """A tiny FMA tree: `fma_metadata/tracks.csv` with its three-row header and MP3 audio."""
    meta, audio = root / "fma_metadata", root / "fma_small"
    meta.mkdir(parents=True)
    genres = {"classical": "Instrumental", "hiphop": "Hip-Hop", "rock": "Rock"}
    sides = ["training", "training", "validation", "test"]
    with open(meta / "tracks.csv", "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["", "artist", "set", "set", "track"])
        writer.writerow(["", "id", "split", "subset", "genre_top"])
        writer.writerow(["track_id", "", "", "", ""])
        for number, track in enumerate(rendered, start=1):
            index = int(track.track_id[-5:])
            writer.writerow([number, index, sides[index], "small", genres[track.label]])
            folder = audio / f"{number:06d}"[:3]
            folder.mkdir(parents=True, exist_ok=True)
            y, rate = soundfile.read(track.path)
            soundfile.write(folder / f"{number:06d}.mp3", y, rate, format="MP3")
    return meta, audio


def test_fma_small_with_its_own_split_on_a_fake_tree(tmp_path, recipe_flags):
    from kgenre.datasets.synthetic import synthetic

    rendered = synthetic(
        tmp_path / "synth",
        family="gtzan",
        tracks_per_genre=4,
        seconds=4.0,
        genres=["classical", "hiphop", "rock"],
        progress=False,
    )
    meta, audio = _write_fma(tmp_path, rendered)
    data = ["--dataset", "fma_small", "--input", str(audio), "--metadata", str(meta)]
    model = ["--models", "simple_cnn", "--epochs", "1", "--batch-size", "4"]
    assert recipe.main(recipe_flags(tmp_path, *data, *model)) == 0
    (row,) = map(json.loads, (tmp_path / "run" / "results.jsonl").open())
    assert row["split_name"] == "official" and row["model"] == "simple_cnn"
    assert len(row["history"]["loss"]) == 1  # 6 whole tracks: one epoch of one batch of 4
    # SimpleCNN runs "w/o segmentation": one whole-track input per test track
    assert row["extras"]["clip_seconds"] == 6 and np.sum(row["metrics"]["clip_confusion"]) == 3
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["class_names"] == ["Hip-Hop", "Instrumental", "Rock"]
    report = (tmp_path / "run" / "report.md").read_text()
    assert "the dataset's own training / validation / test split (6 / 3 / 3 tracks)" in report
    assert "on FMA-small" in report.splitlines()[0]


def test_bad_settings_name_the_setting(tmp_path):
    with pytest.raises(SystemExit) as shown:
        recipe.main(["--help"])
    assert shown.value.code == 0
    with pytest.raises(SystemExit):
        recipe.main(["--epochs", "0"])
    with pytest.raises(ValueError, match="models must be"):
        recipe.Config(models=("soundfusion_concat", "resnet50"))
    with pytest.raises(ValueError, match="needs --input"):
        recipe.Config(dataset="fma_small", input="fma_small")
    with pytest.raises(ValueError, match="dropout"):
        recipe.Config(dropout=1.5)
    with pytest.raises(ValueError, match="vgg16_weights"):
        recipe.Config(vgg16_weights=str(tmp_path / "missing.weights.h5"))
    with pytest.raises(ValueError, match="split must be one of"):
        recipe.Config(split="kfold")
