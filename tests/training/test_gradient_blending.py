import csv
import os

import keras
import numpy as np
import pytest
from keras import layers

from kgenre.training import AdaptiveGradientBlending, BlendedModel, fixed_subset


def _noise_and_signal(n, centers, rng):
    y = rng.integers(0, 3, n)
    x = {
        "signal": (centers[y] + 1.5 * rng.normal(size=(n, 8))).astype("float32"),
        "noise": rng.normal(size=(n, 32)).astype("float32"),
    }
    return x, y


def _two_view_model():
    s = keras.Input((8,), name="signal")
    n = keras.Input((32,), name="noise")
    outputs = {
        "signal_view": layers.Dense(3, activation="softmax", name="signal_view")(s),
        # A wide hidden layer on pure noise: it can only memorise the training set.
        "noise_view": layers.Dense(3, activation="softmax", name="noise_view")(
            layers.Dense(64, activation="relu")(n)
        ),
    }
    return BlendedModel({"signal": s, "noise": n}, outputs)


def test_overfitting_branch_loses_weight(tmp_path):
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 8))
    x, y = _noise_and_signal(128, centers, rng)
    x_val, y_val = _noise_and_signal(128, centers, rng)
    model = _two_view_model()
    model.compile(keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    csv_path = os.path.join(tmp_path, "blend.csv")
    blend = AdaptiveGradientBlending(
        (x_val, y_val),
        fixed_subset(x, y, len(y_val)),
        update_every=4,
        warmup_steps=4,
        window=3,
        csv_path=csv_path,
    )
    history = model.fit(
        x, y, batch_size=32, epochs=8, validation_data=(x_val, y_val), callbacks=[blend], verbose=0
    )

    final = model.get_blend_weights()
    assert final["noise_view"] < final["signal_view"]
    after_warmup = [r for r in blend.records if r["step"] > 4]
    assert np.mean([r["weight_noise_view"] for r in after_warmup]) < 0.2
    assert blend.records[0]["weight_noise_view"] == 0.5  # warm-up
    # The noise branch overfits: its training loss falls below its validation loss.
    last = blend.records[-1]
    assert last["train_loss_noise_view"] < last["val_loss_noise_view"]

    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(blend.records) == 8
    assert float(rows[-1]["weight_noise_view"]) == pytest.approx(final["noise_view"])
    assert history.history["blend_weight_signal_view"][-1] == pytest.approx(final["signal_view"])
    assert len(history.history["blend_weight_noise_view"]) == 8


def test_epoch_updates_and_validation():
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(3, 8))
    x, y = _noise_and_signal(64, centers, rng)
    model = _two_view_model()
    model.compile("adam", loss="sparse_categorical_crossentropy")
    blend = AdaptiveGradientBlending((x, y), (x, y), update_every="epoch", window=2)
    model.fit(x, y, batch_size=32, epochs=2, callbacks=[blend], verbose=0)
    assert [r["step"] for r in blend.records] == [2, 4]
    slope = AdaptiveGradientBlending((x, y), (x, y), "epoch", estimator="slope", history=3)
    model.fit(x, y, batch_size=32, epochs=4, callbacks=[slope], verbose=0)
    assert slope.estimator.estimator == "slope" and slope.estimator.history == 3
    assert slope.records[1]["G_signal_view"] == 0.0  # two updates: no line to fit yet
    assert all(
        sum(r[f"weight_{b}"] for b in model.branches) == pytest.approx(1) for r in slope.records
    )

    with pytest.raises(ValueError, match="update_every"):
        AdaptiveGradientBlending((x, y), (x, y), update_every=0)
    with pytest.raises(ValueError, match="pair"):
        AdaptiveGradientBlending(x, (x, y))
    plain = keras.Sequential([keras.Input((8,)), layers.Dense(3, activation="softmax")])
    plain.compile("adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="BlendedModel"):
        plain.fit(
            x["signal"],
            y,
            epochs=1,
            verbose=0,
            callbacks=[AdaptiveGradientBlending((x, y), (x, y))],
        )


def test_fixed_subset_is_reproducible_and_sized():
    x = {"a": np.arange(20), "b": np.arange(20) * 2}
    y = np.arange(20)
    xs, ys = fixed_subset(x, y, 5, seed=3)
    xs2, ys2 = fixed_subset(x, y, 5, seed=3)
    assert len(ys) == 5 and np.array_equal(ys, ys2)
    assert np.array_equal(xs["a"], ys) and np.array_equal(xs["b"], 2 * ys)
    assert len(fixed_subset(x, y, 100)[1]) == 20
