import json

import keras
import numpy as np
import pytest
import soundfile as sf

from kgenre.cli.main import main
from kgenre.cli.predict import aggregate, predict_file, waveform_spec, with_sinc_implementation
from kgenre.models import MSSincResNet


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    model = MSSincResNet.from_preset("small")  # 4000-sample clips at 16 kHz, 4 classes
    path = folder / "small.keras"
    model.save(path)
    (folder / "small.classes.json").write_text(json.dumps(["a", "b", "c", "d"]))
    return str(path)


@pytest.fixture
def track(tmp_path):
    path = tmp_path / "track.wav"
    rng = np.random.default_rng(0)
    sf.write(path, (0.1 * rng.standard_normal(22050 * 2)).astype("float32"), 22050)
    return str(path)


def test_aggregate_vote_and_mean():
    probs = np.array([[0.6, 0.4, 0.0], [0.1, 0.5, 0.4], [0.2, 0.3, 0.5], [0.9, 0.05, 0.05]])
    np.testing.assert_allclose(aggregate(probs, "vote"), [0.5, 0.25, 0.25])
    np.testing.assert_allclose(aggregate(probs, "mean"), probs.mean(0))
    # a tie between classes 0 and 2 goes to the lowest index
    tie = np.array([[0.1, 0.0, 0.9], [0.9, 0.0, 0.1]])
    assert np.argmax(aggregate(tie, "vote")) == 0
    with pytest.raises(ValueError, match="median"):
        aggregate(probs, "median")


def test_predict_file_counts_clips_at_the_hop(small_model, track):
    model = keras.saving.load_model(small_model)
    assert waveform_spec(model) == (4000, 16000)
    track_probs, clip_probs = predict_file(model, track, hop_seconds=0.125, batch_size=8)
    # 2 s at 16 kHz = 32000 samples; 0.25-s clips every 0.125 s -> 1 + (32000 - 4000) // 2000
    assert clip_probs.shape == (15, 4)
    np.testing.assert_allclose(track_probs.sum(), 1.0, atol=1e-6)


def test_cli_prints_json_per_file(small_model, track, tmp_path, capsys):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    status = main(["predict", small_model, track, str(bad), "--hop", "0.25", "--json"])
    out, err = capsys.readouterr()
    assert status == 0
    result = json.loads(out.strip().splitlines()[0])
    assert result["genre"] in {"a", "b", "c", "d"}
    assert set(result["scores"]) == {"a", "b", "c", "d"}
    assert result["clips"] == 1 + (32000 - 4000) // 4000
    assert "skipped" in err and "bad.wav" in err


def test_cli_missing_model(tmp_path, track, capsys):
    assert main(["predict", str(tmp_path / "nope.keras"), track]) == 1
    assert "no model file" in capsys.readouterr().err


def test_sinc_implementation_switch_keeps_the_predictions(track):
    direct = MSSincResNet.from_preset("small", sinc_implementation="direct")
    fft = with_sinc_implementation(direct, "fft")
    assert fft is not direct and fft.get_config()["sinc_implementation"] == "fft"
    np.testing.assert_allclose(
        predict_file(fft, track, hop_seconds=0.5)[1],
        predict_file(direct, track, hop_seconds=0.5)[1],
        atol=1e-4,
    )
    assert with_sinc_implementation(direct, "saved") is direct
    auto = with_sinc_implementation(direct, "auto")  # the faster for inference here
    best = "direct" if keras.backend.backend() == "torch" else "fft"
    assert (auto is direct) == (best == "direct")
    assert auto.get_layer("ms_sincnet")._implementation == best
    assert with_sinc_implementation(direct, "direct") is direct
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert with_sinc_implementation(plain, "fft") is plain
    with pytest.raises(ValueError, match="winograd"):
        with_sinc_implementation(direct, "winograd")
