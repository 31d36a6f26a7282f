import json
import zipfile

import keras
import numpy as np
import pytest

from kgenre.testing.model_checks import check_train_and_save, random_inputs, to_numpy


@pytest.fixture
def train_and_save():
    return check_train_and_save


@pytest.fixture
def load_as_older_file(tmp_path):
    """Saves a model, rewrites its config as an older kgenre wrote it, loads it back.

    `older_config(config) -> config` edits the model's config (e.g. drops an argument added
    since). Returns the loaded model, after checking that it gives the saved model's outputs.
    """

    def load(model, older_config):
        path, older = tmp_path / "model.keras", tmp_path / "older.keras"
        model.save(path)
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(older, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "config.json":
                    saved = json.loads(data)
                    saved["config"] = older_config(saved["config"])
                    data = json.dumps(saved).encode()
                target.writestr(item, data)
        restored = keras.saving.load_model(older)
        x = random_inputs(model)
        np.testing.assert_allclose(
            to_numpy(restored(x, training=False)), to_numpy(model(x, training=False)), atol=1e-6
        )
        return restored

    return load
