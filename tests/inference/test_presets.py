import json
import os
import shutil

import numpy as np
import pytest

from kgenre.cli.main import main
from kgenre.inference import count_parameters
from kgenre.inference.presets import (
    PresetError,
    export_preset,
    load_preset,
    read_preset_info,
    resolve_preset,
    save_preset,
)
from kgenre.models import MSSincResNet, StemConvNet
from kgenre.testing.saved_models import CLASSES


@pytest.fixture(scope="module")
def preset(saved_models, tmp_path_factory):
    _, model, info = saved_models["waveform"]
    return save_preset(model, tmp_path_factory.mktemp("presets") / "waveform", info), model


def outputs(model, seed=0):
    x = np.random.default_rng(seed).uniform(-0.5, 0.5, (2, 4000)).astype("float32")
    return np.asarray(model.predict_on_batch(x))


def test_preset_round_trip(preset):
    directory, model = preset
    assert sorted(os.listdir(directory)) == ["config.json", "metadata.json", "model.weights.h5"]
    metadata = json.load(open(os.path.join(directory, "metadata.json")))
    assert metadata["class_names"] == CLASSES and metadata["preset_format"] == "kgenre-preset-v1"
    assert "compile_config" not in json.load(open(os.path.join(directory, "config.json")))
    loaded, info = load_preset(directory)
    np.testing.assert_allclose(outputs(loaded), outputs(model), atol=1e-6)
    assert info.class_names == CLASSES and info.sample_rate == 16000 and info.kgenre_version
    assert count_parameters(directory) == model.count_params()
    with pytest.raises(FileExistsError):
        save_preset(model, directory, info)


def test_from_preset_loads_weights_and_still_builds_architectures(preset, tmp_path):
    directory, model = preset
    loaded = MSSincResNet.from_preset(directory)
    assert isinstance(loaded, MSSincResNet)
    np.testing.assert_allclose(outputs(loaded, 1), outputs(model, 1), atol=1e-6)
    url = MSSincResNet.from_preset("file://" + directory)
    np.testing.assert_allclose(outputs(url, 1), outputs(model, 1), atol=1e-6)
    assert MSSincResNet.from_preset("small").count_params() == model.count_params()
    assert MSSincResNet.from_architecture("small", num_classes=3).outputs[0].shape[-1] == 3
    with pytest.raises(ValueError, match="holds a MSSincResNet, not a StemConvNet"):
        StemConvNet.from_preset(directory)
    with pytest.raises(ValueError, match="loaded as saved"):
        MSSincResNet.from_preset(directory, num_classes=3)
    with pytest.raises(ValueError, match="unknown preset .no_such_thing.: neither a preset folder"):
        MSSincResNet.from_preset("no_such_thing")
    with pytest.raises(ValueError, match="unknown architecture"):
        MSSincResNet.from_architecture("huge")


def test_hugging_face_handle_through_the_hub_cache(preset, tmp_path, monkeypatch):
    constants = pytest.importorskip("huggingface_hub.constants")
    directory, model = preset
    # the layout huggingface_hub keeps after a download; offline it resolves from there
    repo = tmp_path / "hub" / "models--kgenre--ms-sincresnet-small"
    shutil.copytree(directory, repo / "snapshots" / "0123abcd" / "gtzan")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    handle = "hf://kgenre/ms-sincresnet-small/gtzan"
    assert resolve_preset(handle).endswith(os.path.join("0123abcd", "gtzan"))
    loaded = MSSincResNet.from_preset(handle)
    np.testing.assert_allclose(outputs(loaded, 2), outputs(model, 2), atol=1e-6)
    with pytest.raises(PresetError, match="hf://kgenre/absent"):
        resolve_preset("hf://kgenre/absent")


def test_kaggle_handle_through_the_kagglehub_cache(preset, tmp_path, monkeypatch):
    pytest.importorskip("kagglehub")
    from kagglehub.cache import Cache
    from kagglehub.handle import parse_model_handle

    directory, model = preset
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kaggle"))
    handle = parse_model_handle("kgenre/ms-sincresnet/keras/small/3")
    cache = Cache()
    shutil.copytree(directory, cache.get_path(handle))
    cache.mark_as_complete(handle)
    loaded, info = load_preset("kaggle://kgenre/ms-sincresnet/keras/small/3")
    np.testing.assert_allclose(outputs(loaded, 3), outputs(model, 3), atol=1e-6)
    with pytest.raises(PresetError, match="expected kaggle://OWNER/MODEL/FRAMEWORK/VARIATION"):
        resolve_preset("kaggle://kgenre/ms-sincresnet")


def test_folders_that_are_not_presets(tmp_path, preset):
    with pytest.raises(PresetError, match="is not a kgenre preset: no"):
        resolve_preset(str(tmp_path))
    broken = tmp_path / "broken"
    shutil.copytree(preset[0], broken)
    (broken / "config.json").write_text('{"class_name": "NoSuchModel", "config": {}}')
    with pytest.raises(PresetError, match="could not be loaded"):
        load_preset(broken)
    (broken / "metadata.json").write_text("{}")
    with pytest.raises(PresetError, match="unreadable preset metadata"):
        read_preset_info(broken)


def test_export_preset_from_a_run_folder(saved_models, tmp_path, capsys):
    path, model, _ = saved_models["log_mel"]
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(path, run / "model.keras")
    (run / "metrics.json").write_text(json.dumps({"track_accuracy": 0.5}))
    assert main(["export-preset", str(run), str(tmp_path / "preset")]) == 0
    assert "preset written" in capsys.readouterr().out
    info = read_preset_info(tmp_path / "preset")
    assert info.metrics == {"track_accuracy": 0.5} and info.input_kind == "features"
    assert main(["export-preset", str(run), str(tmp_path / "preset")]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["export-preset", str(tmp_path), str(tmp_path / "p2")]) == 1
    assert "without a model.keras" in capsys.readouterr().err
    plain = tmp_path / "plain.keras"
    model.save(plain)
    with pytest.raises(ValueError, match="carries no kgenre metadata"):
        export_preset(plain, tmp_path / "p3")
