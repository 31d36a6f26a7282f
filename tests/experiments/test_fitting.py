"""Shared fitting helpers: a fit killed between epochs resumes inside itself."""

import keras
import numpy as np
import pytest

from kgenre.experiments import fitting


class _Stop(keras.callbacks.Callback):
    """Raises at the start of epoch `at` (0-based), as a killed process would stop there."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("validate", [False, True])
def test_a_fit_resumes_from_its_backup(tmp_path, validate):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, 32)
    validation = (x[:8], y[:8]) if validate else None
    backup = str(tmp_path / "backup")
    model = _model()
    with pytest.raises(KeyboardInterrupt):
        fitting.fit_and_select(
            model, x, y, validation, 5, batch_size=8, backup_dir=backup, callbacks=[_Stop(3)]
        )
    assert (tmp_path / "backup" / "state" / "training_metadata.json").exists()
    stopped_at = model.optimizer.iterations.numpy()
    resumed = _model()  # a fresh process: new weights, the backup brings the old ones back
    history, selected = fitting.fit_and_select(
        resumed, x, y, validation, 5, batch_size=8, backup_dir=backup
    )
    assert len(history["loss"]) == 5 and stopped_at == 3 * 4
    assert resumed.optimizer.iterations.numpy() == 5 * 4  # 2 more epochs, not 5
    assert not (tmp_path / "backup").exists()
    if validate:
        assert selected == int(np.argmin(history["val_loss"])) + 1
    else:
        assert selected == 5 and "val_loss" not in history


def test_an_epoch_without_a_full_batch_is_refused():
    assert fitting.steps_per_epoch(10, 4, 8, "fold 0") == 5
    with pytest.raises(ValueError, match="batch_size 16 is larger than the 6 training clips"):
        fitting.steps_per_epoch(6, 1, 16, "holdout")
