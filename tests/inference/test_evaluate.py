import dataclasses

import numpy as np
import pytest
import soundfile

from kgenre.audio import segment
from kgenre.data import write_records
from kgenre.datasets import Track
from kgenre.inference import make_inputs
from kgenre.inference.evaluate import evaluate_records
from kgenre.inference.predict import predict_file
from kgenre.testing.saved_models import CLASSES, write_audio

STEMS = ("bass", "drums", "other", "vocals")


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """Six 1.2-s tracks of three of the four classes at 8 kHz, with true stems."""
    root = tmp_path_factory.mktemp("audio")
    tracks = []
    for i in range(6):
        label = CLASSES[i % 3]
        path = write_audio(root / f"t{i}.wav", 1.2, 8000, seed=i)
        stems = {
            s: write_audio(root / f"t{i}_{s}.wav", 1.2, 8000, seed=10 * i + k)
            for k, s in enumerate(STEMS)
        }
        tracks.append(Track(path, label, f"t{i}", stems=stems))
    out = tmp_path_factory.mktemp("records")
    write_records(tracks, out, sample_rate=8000, stems=True, progress=False)
    return str(out), tracks


def test_evaluation_agrees_with_predicting_each_file(saved_models, records):
    _, model, info = saved_models["log_mel"]
    folder, tracks = records
    result = evaluate_records(model, info, folder, batch_size=3, progress=False)
    assert result.tracks == 6 and result.clips == 6 * 2  # 1.2 s -> clips at 0 and 0.5 s
    predicted = {"mean": [], "vote": []}
    for track in tracks:
        for rule in predicted:
            label = predict_file(model, track.path, info, method=rule).label
            predicted[rule].append(CLASSES.index(label))
    truth = [CLASSES.index(t.label) for t in tracks]
    for rule, labels in predicted.items():
        expected = np.zeros((4, 4), int)
        for t, p in zip(truth, labels):
            expected[t, p] += 1
        np.testing.assert_array_equal(result.confusion[rule], expected)
        assert result.track_accuracy[rule] == pytest.approx(np.mean(np.equal(truth, labels)))
    assert 0.0 <= result.macro_f1["mean"] <= 1.0
    assert set(result.to_dict()) >= {"clip_accuracy", "track_accuracy", "macro_f1", "confusion"}


def test_stem_models_read_the_stored_stems(saved_models, records):
    _, model, info = saved_models["stems"]
    folder, tracks = records
    result = evaluate_records(model, info, folder, progress=False)

    def clips(path):
        return segment(soundfile.read(path, dtype="float32")[0], 8000, 0.5, 0.5)

    expected = np.zeros((4, 4), int)
    for track in tracks:
        stems = {s: clips(track.stems[s]) for s in info.stems}
        x = make_inputs(info.inputs, 8000, clips(track.path), stems)
        predicted = int(np.argmax(np.asarray(model.predict_on_batch(x)).mean(axis=0)))
        expected[CLASSES.index(track.label), predicted] += 1
    np.testing.assert_array_equal(result.confusion["mean"], expected)


def test_records_that_do_not_fit_the_model(saved_models, records, tmp_path):
    _, model, info = saved_models["log_mel"]
    folder, tracks = records
    with pytest.raises(ValueError, match="records at 8000 Hz, the model takes 16000 Hz"):
        evaluate_records(model, dataclasses.replace(info, sample_rate=16000), folder)
    renamed = dataclasses.replace(info, class_names=["w", "x", "y", "z"])
    with pytest.raises(ValueError, match="classes .* that the model does not know"):
        evaluate_records(model, renamed, folder)
    plain = tmp_path / "plain"
    write_records(tracks[:3], plain, sample_rate=8000, progress=False)
    with pytest.raises(ValueError, match="prepare them with --stems"):
        evaluate_records(saved_models["stems"][1], saved_models["stems"][2], plain)
