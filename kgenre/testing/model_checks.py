"""Model checks shared by the model tests: parameter counts, random inputs, train-and-save."""

import keras
import numpy as np
from keras import ops

from kgenre.testing.test_case import run_model_saving_test


def trainable_count(model):
    """Trainable parameters of `model` (the figure torchvision and the papers quote)."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def random_inputs(model, batch=2, seed=0):
    """Random inputs matching `model`'s input structure (single tensor or dict)."""
    rng = np.random.default_rng(seed)

    def make(tensor):
        shape = tuple(10 if d is None else d for d in tensor.shape[1:])
        return rng.standard_normal((batch,) + shape).astype("float32")

    if isinstance(model.input, dict):
        return {name: make(t) for name, t in model.input.items()}
    return make(model.input)


def check_train_and_save(model, x=None, batch=2):
    """One `fit` step changes the weights; `.keras` round trip keeps outputs and config.

    `model` has softmax outputs; labels are random class indices for every output.
    """
    x = random_inputs(model, batch) if x is None else x
    outputs = model.output
    num_classes = keras.tree.flatten(outputs)[0].shape[-1]
    labels = np.arange(batch) % num_classes
    if isinstance(outputs, dict):
        y = {name: labels for name in outputs}
        loss = {name: "sparse_categorical_crossentropy" for name in outputs}
    else:
        y, loss = labels, "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss)
    before = [ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    after = [ops.convert_to_numpy(w) for w in model.trainable_weights]
    changed = sum(not np.array_equal(b, a) for b, a in zip(before, after))
    assert changed > len(before) // 2, f"only {changed}/{len(before)} weights changed"
    restored = run_model_saving_test(model, x, atol=1e-5, rtol=1e-5)
    assert type(restored) is type(model)
    from kgenre.models._base import PresetModel

    if isinstance(model, PresetModel):
        assert restored.get_config() == model.get_config()
    return restored


def to_numpy(x):
    """A backend tensor as a numpy array."""
    return ops.convert_to_numpy(x)
