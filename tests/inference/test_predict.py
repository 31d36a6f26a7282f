import json

import keras
import numpy as np
import pytest
import soundfile

from kgenre.audio import segment
from kgenre.inference import make_inputs
from kgenre.inference.predict import (
    as_probabilities,
    find_audio_files,
    load_predictor,
    predict_file,
    separator_for,
    with_sinc_implementation,
)
from kgenre.models import MSSincResNet, track_scores
from kgenre.stems import HPSSSeparator
from kgenre.testing.saved_models import CLASSES, write_audio


def model_outputs(model, x):
    return np.asarray(model.predict_on_batch(x), dtype="float64")


def test_find_audio_files_searches_folders(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    for name in ("b/deep/z.wav", "a/y.MP3", "a/x.flac", "a/notes.txt", "a/.hidden.wav"):
        (tmp_path / name).write_bytes(b"x")
    missing = str(tmp_path / "missing.wav")
    files = find_audio_files([str(tmp_path), missing])
    assert files == [
        str(tmp_path / "a" / "x.flac"),
        str(tmp_path / "a" / "y.MP3"),
        str(tmp_path / "b" / "deep" / "z.wav"),
        missing,  # kept, so it is reported as a failed file
    ]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no audio files"):
        find_audio_files([str(tmp_path / "empty")])


def test_waveform_prediction_matches_the_model_on_the_clips(saved_models, tmp_path):
    path, model, info = saved_models["waveform"]
    track = write_audio(tmp_path / "t.wav", 1.0, 16000, seed=1)
    result = predict_file(model, track, info, batch_size=3)
    audio, _ = soundfile.read(track, dtype="float32")
    clips = segment(audio, 16000, 0.25, 0.125)
    assert len(clips) == 1 + (16000 - 4000) // 2000 == len(result.clip_starts)
    expected = model_outputs(model, clips)
    np.testing.assert_allclose(result.clip_probabilities, expected, atol=1e-5)
    np.testing.assert_allclose(result.scores, expected.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(result.clip_starts, np.arange(7) * 0.125)
    assert result.label == CLASSES[int(np.argmax(result.scores))] and result.warnings == []
    vote = predict_file(model, track, info, method="vote")
    np.testing.assert_allclose(vote.scores, track_scores([0] * 7, expected, "vote")[1][0])
    summary = vote.to_dict(top_k=2, timeline=True)
    assert summary["score_kind"] == "vote_share" and len(summary["top"]) == 2
    assert len(summary["timeline"]) == 7 and summary["timeline"][1]["start"] == 0.125
    json.dumps(summary)


def test_short_silent_and_non_finite_audio(saved_models, tmp_path):
    _, model, info = saved_models["waveform"]
    short = predict_file(model, write_audio(tmp_path / "s.wav", 0.1, 16000), info)
    assert len(short.clip_starts) == 1
    assert any("shorter than one clip (0.10 s < 0.25 s)" in w for w in short.warnings)
    silent = predict_file(model, write_audio(tmp_path / "z.wav", 1.0, 16000, amplitude=0), info)
    assert any(w.startswith("silent") for w in silent.warnings)
    nan = tmp_path / "nan.wav"
    y = np.zeros(16000, "float32")
    y[100:200] = np.nan
    soundfile.write(nan, y, 16000, subtype="FLOAT")
    with pytest.raises(ValueError, match="NaN or infinite"):
        predict_file(model, nan, info)


def test_log_mel_model_is_fed_its_spectrogram(saved_models, tmp_path):
    _, model, info = saved_models["log_mel"]
    track = write_audio(tmp_path / "t.wav", 2.2, 8000, seed=2)
    result = predict_file(model, track, info)
    audio, _ = soundfile.read(track, dtype="float32")
    clips = segment(audio, 8000, 0.5, 0.5)
    assert len(result.clip_starts) == 4
    x = make_inputs(info.inputs, 8000, clips)
    assert x.shape == (4, 32, 16, 1)
    np.testing.assert_allclose(result.clip_probabilities, model_outputs(model, x), atol=1e-5)


def test_stem_model_separates_the_whole_track_first(saved_models, tmp_path):
    _, model, info = saved_models["stems"]
    track = write_audio(tmp_path / "t.wav", 1.6, 8000, seed=3)
    separator = HPSSSeparator()
    result = predict_file(model, track, info, separator=separator)
    audio, _ = soundfile.read(track, dtype="float32")
    stems = separator.separate(audio, 8000)
    stem_clips = {name: segment(stems[name], 8000, 0.5, 0.5) for name in info.stems}
    x = make_inputs(info.inputs, 8000, segment(audio, 8000, 0.5, 0.5), stem_clips)
    assert x.shape == (3, 32, 16, 3)
    np.testing.assert_allclose(result.clip_probabilities, model_outputs(model, x), atol=1e-5)
    with pytest.raises(ValueError, match="pass a separator"):
        predict_file(model, track, info)


def test_no_vocals_source_is_the_sum_of_three_stems(tmp_path):
    from kgenre.inference import InputSpec, ModelInfo
    from kgenre.models import StemConvNet
    from kgenre.testing.saved_models import LOG_MEL

    model = StemConvNet.from_architecture("small", input_shape=(32, 16, 1))
    spec = InputSpec(sources=("no_vocals",), feature="log_mel", options=LOG_MEL)
    info = ModelInfo(CLASSES, 8000, 0.5, 0.5, [spec], separator="hpss")
    track = write_audio(tmp_path / "t.wav", 1.0, 8000, seed=4)
    separator = HPSSSeparator()
    result = predict_file(model, track, info, separator=separator)
    stems = separator.separate(soundfile.read(track, dtype="float32")[0], 8000)
    no_vocals = segment(stems["bass"] + stems["drums"] + stems["other"], 8000, 0.5, 0.5)
    x = make_inputs(info.inputs, 8000, no_vocals, {"no_vocals": no_vocals})
    np.testing.assert_allclose(result.clip_probabilities, model_outputs(model, x), atol=1e-4)


def test_separator_follows_training(saved_models, monkeypatch, tmp_path):
    import dataclasses

    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "no-models"))
    info = saved_models["stems"][2]
    assert separator_for(saved_models["waveform"][2]) == (None, [])
    separator, notes = separator_for(info, cache=False)
    assert separator.name == "hpss" and notes == []
    separator, notes = separator_for(dataclasses.replace(info, separator="oracle"), cache=False)
    assert separator.name == "hpss" and "oracle" in notes[0]
    with pytest.raises(ValueError, match="trained on Spleeter stems"):
        separator_for(dataclasses.replace(info, separator="spleeter"), cache=False)
    separator, notes = separator_for(
        dataclasses.replace(info, separator="spleeter"), "hpss", cache=False
    )
    assert separator.name == "hpss" and "trained on spleeter stems" in notes[0]


def test_plain_keras_files_fall_back_to_sidecar_or_indices(tmp_path):
    model = MSSincResNet.from_architecture("small", sinc_implementation="direct")
    path = tmp_path / "plain.keras"
    model.save(path)
    loaded, info, notes = load_predictor(str(path), sinc="saved")
    assert info.class_names == ["0", "1", "2", "3"] and "names no classes" in notes[0]
    assert info.sample_rate == 16000 and info.clip_samples == 4000
    (tmp_path / "plain.classes.json").write_text(json.dumps(["w", "x", "y", "z"]))
    assert load_predictor(str(path))[1].class_names == ["w", "x", "y", "z"]
    assert load_predictor(str(path), "p,q,r,s")[1].class_names == ["p", "q", "r", "s"]
    with pytest.raises(ValueError, match="2 class names for a model with 4 outputs"):
        load_predictor(str(path), "p,q")
    dense = keras.Sequential([keras.Input((3, 5)), keras.layers.Dense(2)])
    dense.save(tmp_path / "dense.keras")
    with pytest.raises(ValueError, match="not one fixed-length waveform"):
        load_predictor(str(tmp_path / "dense.keras"))


def test_logits_become_probabilities():
    p = as_probabilities(np.array([[2.0, -1.0], [0.0, 0.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], [0.5, 0.5])
    already = np.array([[0.25, 0.75]])
    np.testing.assert_allclose(as_probabilities(already), already)
    with pytest.raises(ValueError, match="several outputs"):
        as_probabilities([already, already])


def test_sinc_implementation_switch_keeps_the_predictions(saved_models, tmp_path):
    from kgenre.layers import sinc_implementation

    _, _, info = saved_models["waveform"]
    track = write_audio(tmp_path / "t.wav", 0.6, 16000)
    direct = MSSincResNet.from_architecture("small", sinc_implementation="direct")
    fft = with_sinc_implementation(direct, "fft")
    assert fft is not direct and fft.get_config()["sinc_implementation"] == "fft"
    np.testing.assert_allclose(
        predict_file(fft, track, info).clip_probabilities,
        predict_file(direct, track, info).clip_probabilities,
        atol=1e-4,
    )
    assert with_sinc_implementation(direct, "saved") is direct
    auto = with_sinc_implementation(direct, "auto")
    best = sinc_implementation("auto", training=False)
    assert (auto is direct) == (best == "direct")
    assert auto.get_layer("ms_sincnet")._implementation == best
    assert with_sinc_implementation(direct, "direct") is direct
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert with_sinc_implementation(plain, "fft") is plain
    with pytest.raises(ValueError, match="winograd"):
        with_sinc_implementation(direct, "winograd")
