import json
import zipfile

import keras
import numpy as np
import pytest

from kgenre.audio.features import log_mel_spectrogram
from kgenre.inference import (
    InputSpec,
    ModelFileError,
    ModelInfo,
    load_model,
    make_inputs,
    read_info,
    save_model,
)


def tiny_model(num_classes=3, samples=800):
    inputs = keras.Input((samples,))
    outputs = keras.layers.Dense(num_classes, activation="softmax")(inputs)
    return keras.Model(inputs, outputs)


def test_save_and_load_round_trip(tmp_path):
    info = ModelInfo(["a", "b", "c"], sample_rate=8000, clip_seconds=0.1, hop_seconds=0.05)
    model = tiny_model()
    path = save_model(model, tmp_path / "m.keras", info)
    loaded, read = load_model(path)
    assert read.class_names == ["a", "b", "c"]
    assert read.input_kind == "waveform" and read.clip_samples == 800
    assert read.kgenre_version and read.created
    x = np.random.default_rng(0).standard_normal((2, 800)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    # plain keras still opens the file
    keras.saving.load_model(path)


def test_plain_keras_file_has_no_info(tmp_path):
    path = tmp_path / "plain.keras"
    tiny_model().save(path)
    assert read_info(path) is None


def test_class_count_must_match_outputs(tmp_path):
    info = ModelInfo(["a", "b"], 8000, 0.1, 0.1)
    with pytest.raises(ValueError, match="3 outputs but ModelInfo names 2"):
        save_model(tiny_model(3), tmp_path / "m.keras", info)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not a .keras model"),
        (b"hello, not a zip", "not a .keras model"),
    ],
)
def test_bad_files_are_named(tmp_path, content, message):
    path = tmp_path / "bad.keras"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message) as error:
        load_model(path)
    assert "bad.keras" in str(error.value)


def test_zip_without_config_and_truncated_archive(tmp_path):
    path = tmp_path / "noconfig.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("something.txt", "x")
    with pytest.raises(ModelFileError, match="no config.json"):
        load_model(path)
    good = save_model(
        tiny_model(), tmp_path / "good.keras", ModelInfo(["a", "b", "c"], 8000, 0.1, 0.1)
    )
    data = open(good, "rb").read()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="truncated.keras"):
        load_model(truncated)
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_model(tmp_path / "missing.keras")


def test_bad_info_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sample_rate"):
        ModelInfo(["a"], float("nan"), 1.0, 1.0)
    with pytest.raises(ValueError, match="duplicates"):
        ModelInfo(["a", "a"], 8000, 1.0, 1.0)
    with pytest.raises(ValueError, match="feature"):
        InputSpec(feature="mfcc")
    with pytest.raises(ValueError, match="sources"):
        InputSpec(sources=("mix", "bass"))
    path = save_model(
        tiny_model(), tmp_path / "m.keras", ModelInfo(["a", "b", "c"], 8000, 0.1, 0.1)
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("kgenre.json", json.dumps({"format": "something-else"}))
    with pytest.raises(ModelFileError, match="kgenre.json"):
        read_info(path)


def test_make_inputs_shapes_and_values():
    rng = np.random.default_rng(0)
    clips = rng.standard_normal((2, 4000)).astype("float32") * 0.1
    stems = {
        n: rng.standard_normal((2, 4000)).astype("float32") * 0.1
        for n in ("bass", "drums", "other")
    }
    options = {"n_mels": 16, "n_fft": 256, "hop_length": 128}
    mel = make_inputs([InputSpec(feature="log_mel", options=options)], 8000, clips)
    assert mel.shape == (2, 16, 32, 1)
    np.testing.assert_allclose(mel[..., 0], log_mel_spectrogram(clips, 8000, **options), rtol=1e-6)
    stacked = make_inputs(
        [InputSpec(sources=("bass", "drums", "other"), feature="log_mel", options=options)],
        8000,
        clips,
        stems,
    )
    assert stacked.shape == (2, 16, 32, 3)
    np.testing.assert_allclose(
        stacked[..., 1], log_mel_spectrogram(stems["drums"], 8000, **options), rtol=1e-6
    )
    views = make_inputs(
        [
            InputSpec("mel", feature="log_mel", options=options, layout="frames_bands"),
            InputSpec("raw"),
            InputSpec("drums", sources=("drums",)),
        ],
        8000,
        clips,
        stems,
    )
    assert views["mel"].shape == (2, 32, 16, 1)
    assert views["raw"].shape == (2, 4000)
    assert views["drums"].shape == (2, 4000, 1)
    with pytest.raises(ValueError, match="needs stems"):
        make_inputs([InputSpec(sources=("vocals",))], 8000, clips, stems)
    with pytest.raises(ValueError, match="unknown log_mel options"):
        make_inputs([InputSpec(feature="log_mel", options={"n_bands": 3})], 8000, clips)
