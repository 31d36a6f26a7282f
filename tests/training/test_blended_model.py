import os

import keras
import numpy as np
import pytest
from keras import layers

from kgenre.training import BlendedModel, self_ensemble


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    x = keras.Input((6,), name="x")
    h = layers.Dense(5, activation="tanh", name="trunk")(x)
    outputs = {
        "a": layers.Dense(3, activation="softmax", name="a")(h),
        "b": layers.Dense(3, activation="softmax", name="b")(layers.Dense(4, name="hb")(h)),
    }
    return BlendedModel(x, outputs, name="toy")


def _data(n=16, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)).astype("float32"), rng.integers(0, 3, n)


def _xent(p, y):
    return float(np.mean(-np.log(p[np.arange(len(y)), y])))


def _sgd_delta(model, w0, x, y, weights):
    model.set_weights(w0)
    model.set_blend_weights(weights)
    model.compile(keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    loss = model.train_on_batch(x, y)
    return [w - v for w, v in zip(model.get_weights(), w0)], float(np.ravel(loss)[0])


def test_blend_weights_are_non_trainable_variables_with_equal_start():
    model = _model()
    assert model.branches == ["a", "b"]
    assert any(v is model.blend_weights for v in model.non_trainable_variables)
    assert all(v is not model.blend_weights for v in model.trainable_variables)
    assert model.get_blend_weights() == {"a": 0.5, "b": 0.5}


def test_blended_gradient_is_weighted_sum_of_branch_gradients():
    model = _model()
    x, y = _data()
    w0 = model.get_weights()
    probs = model.predict(x, verbose=0)
    expected_loss = 0.3 * _xent(probs["a"], y) + 0.7 * _xent(probs["b"], y)

    delta_a, loss_a = _sgd_delta(model, w0, x, y, {"a": 1.0, "b": 0.0})
    delta_b, _ = _sgd_delta(model, w0, x, y, {"a": 0.0, "b": 1.0})
    delta, loss = _sgd_delta(model, w0, x, y, {"a": 0.3, "b": 0.7})

    # A plain SGD step is -lr * grad, so the blended step must be the weighted sum.
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert loss_a == pytest.approx(_xent(probs["a"], y), rel=1e-5)
    for d, da, db in zip(delta, delta_a, delta_b):
        np.testing.assert_allclose(d, 0.3 * da + 0.7 * db, rtol=1e-4, atol=1e-6)
    # Branch "b"'s own layer gets no gradient from branch "a".
    hb = [i for i, v in enumerate(model.weights) if "hb" in v.path]
    assert hb and all(np.all(delta_a[i] == 0) for i in hb)
    assert any(np.abs(delta_a[i]).max() > 0 for i in range(len(delta_a)) if i not in hb)


def test_weight_set_by_callback_changes_next_step_loss():
    # lr=0 freezes the parameters, so each step's loss is known in advance; the
    # schedule changes the weights between steps, inside one epoch (the JAX
    # stateless-state case).
    model = _model()
    x, y = _data(n=32)
    probs = model.predict(x, verbose=0)
    schedule = [(1.0, 0.0), (0.0, 1.0), (0.25, 0.75), (0.9, 0.1)]
    seen = []

    class Setter(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(logs["loss"])
            # The captured model, not `self.model`: Keras' Callback.model property
            # syncs the JAX state itself, set_blend_weights must not rely on it.
            model.set_blend_weights(schedule[batch])

    model.compile(keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, callbacks=[Setter()], verbose=0)

    weights = [(0.5, 0.5)] + schedule[:3]
    step_losses = []
    for t, (wa, wb) in enumerate(weights):
        s = slice(8 * t, 8 * t + 8)
        step_losses.append(wa * _xent(probs["a"][s], y[s]) + wb * _xent(probs["b"][s], y[s]))
    running = np.cumsum(step_losses) / np.arange(1, 5)
    np.testing.assert_allclose(seen, running, rtol=1e-5)
    assert model.get_blend_weights() == pytest.approx({"a": 0.9, "b": 0.1})


def test_weights_and_compile_survive_keras_save_load(tmp_path):
    model = _model()
    x, y = _data()
    model.compile("adam", loss="sparse_categorical_crossentropy", metrics={"a": ["accuracy"]})
    model.fit(x, y, epochs=1, verbose=0)
    model.set_blend_weights({"a": 0.125, "b": 0.875})
    path = os.path.join(tmp_path, "blended.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, BlendedModel)
    assert loaded.branches == ["a", "b"]
    assert loaded.get_blend_weights() == pytest.approx({"a": 0.125, "b": 0.875})
    np.testing.assert_allclose(
        loaded.predict_self_ensemble(x), model.predict_self_ensemble(x), rtol=1e-5, atol=1e-6
    )
    # The restored compile config blends with the restored weights.
    probs = loaded.predict(x, verbose=0)
    expected = 0.125 * _xent(probs["a"], y) + 0.875 * _xent(probs["b"], y)
    assert loaded.evaluate(x, y, verbose=0, return_dict=True)["loss"] == pytest.approx(
        expected, rel=1e-4
    )


def test_self_ensemble_is_weighted_sum_of_probabilities():
    p = {"a": np.array([[0.9, 0.1], [0.2, 0.8]]), "b": np.array([[0.3, 0.7], [0.4, 0.6]])}
    out = self_ensemble(p, {"a": 0.25, "b": 0.75})
    np.testing.assert_allclose(out, [[0.45, 0.55], [0.35, 0.65]])
    with pytest.raises(ValueError, match="same branches"):
        self_ensemble(p, {"a": 1.0})


def test_self_ensemble_model_is_a_plain_model_that_predicts_the_self_ensemble(tmp_path):
    model = _model()
    x, _ = _data()
    model.set_blend_weights({"a": 0.3, "b": 0.7})
    single = model.self_ensemble_model()
    assert not isinstance(single, BlendedModel) and len(single.outputs) == 1
    expected = model.predict_self_ensemble(x)
    np.testing.assert_allclose(single.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    # fixed weights: later changes to the blended model's weights do not leak in
    model.set_blend_weights({"a": 1.0, "b": 0.0})
    path = os.path.join(tmp_path, "self_ensemble.keras")
    single.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        model.self_ensemble_model({"a": 0.5, "b": 0.5}).predict(x, verbose=0),
        model.predict_self_ensemble(x, weights={"a": 0.5, "b": 0.5}),
        rtol=1e-5,
        atol=1e-6,
    )


def test_bad_arguments_raise_clear_errors():
    model = _model()
    with pytest.raises(ValueError, match="branches"):
        BlendedModel(model.inputs, model.output, branches=["c"])
    with pytest.raises(ValueError, match="loss_weights"):
        model.compile("adam", loss="sparse_categorical_crossentropy", loss_weights=[1, 1])
    with pytest.raises(ValueError, match=">= 0"):
        model.set_blend_weights([0.5, -0.5])
    with pytest.raises(ValueError, match="one entry per branch"):
        model.set_blend_weights({"a": 1.0})


@pytest.mark.slow  # 20-30 s on JAX/TensorFlow: compiling five recurrent subnetworks
def test_wraps_multiview_crnn_and_trains():
    from kgenre.models import MultiViewCRNN

    mv = MultiViewCRNN.from_preset("small", num_classes=3)
    model = BlendedModel.from_model(mv)
    assert sorted(model.branches) == ["cqt", "gammatone", "mel", "multiview", "raw"]
    assert model.get_blend_weights()["raw"] == pytest.approx(0.2)
    rng = np.random.default_rng(0)
    x = {
        "mel_spectrogram": rng.normal(size=(8, 16, 4, 1)).astype("float32"),
        "gammatone_spectrogram": rng.normal(size=(8, 16, 4, 1)).astype("float32"),
        "cqt_spectrogram": rng.normal(size=(8, 8, 4, 1)).astype("float32"),
        "waveform": rng.normal(size=(8, 1200)).astype("float32"),
    }
    y = rng.integers(0, 3, 8)
    model.compile("adam", loss="sparse_categorical_crossentropy")
    model.set_blend_weights(
        {"mel": 0.4, "gammatone": 0.1, "cqt": 0.1, "raw": 0.1, "multiview": 0.3}
    )
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert "raw_loss" in history.history and "multiview_loss" in history.history
    probs = model.predict_self_ensemble(x)
    assert probs.shape == (8, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
