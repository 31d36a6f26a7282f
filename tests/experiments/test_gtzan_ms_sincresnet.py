"""MS-SincResNet's experiment (Chang et al. 2021) end to end, in smoke size."""

import json
import shutil

import numpy as np
import pytest

from kgenre.experiments import gtzan_ms_sincresnet as recipe


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, recipe_flags):
    """One default smoke run: MS-SincResNet and MelResNet, 2 folds."""
    tmp_path = tmp_path_factory.mktemp("gtzan")
    assert recipe.main(recipe_flags(tmp_path)) == 0
    return tmp_path


def test_smoke_writes_the_run_folder_and_resumes(
    smoke_run, recipe_flags, assert_resumes, check_run_folder
):
    run = smoke_run / "run"
    figures = ("learned_representations", "loss_ms_sincresnet", "confusion_melresnet")
    rows = check_run_folder(run, figures)
    assert [(r["split"], r["model"]) for r in rows] == [
        (0, "ms_sincresnet"),
        (0, "melresnet"),
        (1, "ms_sincresnet"),
        (1, "melresnet"),
    ]
    assert all(len(r["history"]["loss"]) == 2 for r in rows)
    # every test track of a fold is scored, from 5 clips (1.5-s tracks, 0.5-s clips, 0.25-s hop)
    metrics = json.loads((run / "metrics.json").read_text())
    assert {m["split_name"] for m in metrics["per_split"]} == {"fold 0", "fold 1"}
    confusion = np.array(rows[0]["metrics"]["clip_confusion"])
    assert confusion.sum() == 8 * 5 and np.array(rows[0]["metrics"]["track_confusion"]).sum() == 8
    report = (run / "report.md").read_text()
    assert "synthetic GTZAN-like corpus" in report and "not grouped" in report
    assert "track acc. 0.9149" in report and "learned_representations.png" in report
    assert_resumes(recipe.main, recipe_flags(smoke_run), run)


def test_the_saved_model_votes_over_clips_of_a_track(smoke_run, predict_saved):
    from kgenre.datasets.synthetic import synthetic
    from kgenre.models import track_scores

    track = synthetic(
        family="gtzan",
        tracks_per_genre=1,
        seconds=1.5,
        sample_rate=8000,
        genres=["metal"],
        progress=False,
    )[0]
    _, info, _, probabilities = predict_saved(smoke_run / "run" / "model.keras", track.path)
    assert info.recipe == "gtzan_ms_sincresnet" and info.input_kind == "waveform"
    assert (info.sample_rate, info.clip_seconds, info.hop_seconds) == (8000, 0.5, 0.25)
    assert info.aggregation == "vote" and info.training["model"] == "ms_sincresnet"
    assert info.class_names == ["blues", "classical", "metal", "reggae"]
    assert len(probabilities) == 5  # 1.5 s: clips at 0, 0.25, ..., 1.0 s
    tracks, scores = track_scores(np.zeros(len(probabilities)), probabilities, "vote")
    assert len(tracks) == 1 and np.isclose(scores.sum(), 1)


def test_ismir2004_protocol_on_a_fake_tree(tmp_path, recipe_flags):
    """The dataset's own lists, 1/10 of training held out to pick the epoch."""
    from kgenre.datasets.synthetic import synthetic

    rendered = synthetic(
        tmp_path / "synth",
        family="gtzan",
        tracks_per_genre=5,
        seconds=1.0,
        sample_rate=8000,
        genres=["classical", "metal"],
        progress=False,
    )
    root = tmp_path / "ismir04_genre"
    names = {"classical": "classical", "metal": "metal_punk"}
    for subset, picks in (("training", range(0, 4)), ("development", range(4, 5))):
        (root / "metadata" / subset).mkdir(parents=True)
        lines = ["class,artist,album,track,tracknumber,filepath"]
        for t in rendered:
            if int(t.track_id[-5:]) in picks:
                file = f"{t.label}/{t.track_id}.wav"
                (root / "audio" / subset / t.label).mkdir(parents=True, exist_ok=True)
                shutil.copy(t.path, root / "audio" / subset / file)
                lines.append(f"{names[t.label]},artist {t.track_id},album,{t.track_id},1,{file}")
        (root / "metadata" / subset / "tracklist.csv").write_text("\n".join(lines) + "\n")
    args = recipe_flags(tmp_path, "--protocol", "ismir2004", "--input", str(root))
    assert recipe.main([*args, "--models", "melresnet", "--epochs", "2"]) == 0
    (row,) = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").open()]
    assert row["split_name"] == "official" and row["model"] == "melresnet"
    assert row["extras"]["selected_epoch"] in (1, 2) and len(row["history"]["val_loss"]) == 2
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    (split,) = metrics["splits"]
    assert (len(split["train"]), len(split["validation"]), len(split["test"])) == (7, 1, 2)
    report = (tmp_path / "run" / "report.md").read_text()
    assert "ISMIR2004's own lists" in report and "track acc. 0.8834" in report
    assert not (tmp_path / "run" / "learned_representations.png").exists()  # no sinc front end


def test_bad_settings_name_the_setting():
    with pytest.raises(SystemExit) as shown:
        recipe.main(["--help"])
    assert shown.value.code == 0
    with pytest.raises(SystemExit):
        recipe.main(["--folds", "0"])
    with pytest.raises(ValueError, match="models must be"):
        recipe.Config(models=("ms_sincresnet", "resnet50"))
    with pytest.raises(ValueError, match="backbone_weights needs model_size 'paper'"):
        recipe.Config.smoke(backbone_weights="imagenet")
    with pytest.raises(ValueError, match="warmup_epochs"):
        recipe.Config(warmup_epochs=-1)
    with pytest.raises(ValueError, match="needs --input"):
        recipe.Config(protocol="ismir2004")
    with pytest.raises(ValueError, match="protocol must be one of"):
        recipe.Config(protocol="loo")
    with pytest.raises(ValueError, match="hop_seconds"):
        recipe.Config.smoke(hop_seconds=float("nan"))
