"""Run by test_distribution.py in a fresh process with two virtual CPU devices.

JAX gets them from `XLA_FLAGS=--xla_force_host_platform_device_count=2` (set by the test);
TensorFlow from `tf.config.set_logical_device_configuration`, called here before anything
starts its runtime. Prints one JSON object with what the test asserts.
"""

import json
import os
import sys
import tempfile

import numpy as np

BACKEND = os.environ["KERAS_BACKEND"]
if BACKEND == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402

from kgenre.training import AdaptiveGradientBlending, BlendedModel  # noqa: E402
from kgenre.training.distribution import distribution_scope, resolve_distribution  # noqa: E402

STEPS, BATCH = 3, 8


def data(n, seed=0):
    """Clips whose class follows from their mean (a learnable task: validation losses fall,
    so the blending weights move)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 32, 2)).astype("float32")
    x += rng.normal(size=(n, 1, 2)).astype("float32")
    y = np.argmax(x.mean(axis=1) @ np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]]), axis=1)
    return x, y


def plain_model():
    """Convolution, pooling, dense, an L2 penalty; no BatchNormalization or dropout (whose
    per-replica statistics and draws would legitimately differ)."""
    keras.utils.set_random_seed(1)
    l2 = keras.regularizers.L2(1e-2)
    return keras.Sequential(
        [
            keras.Input((32, 2)),
            keras.layers.Conv1D(4, 5, activation="relu", kernel_regularizer=l2),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


def train_plain():
    x, y = data(STEPS * BATCH)
    model = plain_model()
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    return [np.asarray(w) for w in model.get_weights()], history.history["loss"][-1]


def blended_model():
    keras.utils.set_random_seed(2)
    x = keras.Input((32, 2))
    h = keras.layers.Flatten()(x)
    l2 = keras.regularizers.L2(1e-2)
    outputs = {
        "a": keras.layers.Dense(3, activation="softmax", name="a", kernel_regularizer=l2)(h),
        "b": keras.layers.Dense(3, activation="softmax", name="b")(keras.layers.Dense(4)(h)),
    }
    return BlendedModel(x, outputs)


def train_blended():
    x, y = data(3 * BATCH, seed=3)
    val = data(13, seed=4)  # 13: odd, so the callback's batches need padding on 2 devices
    model = blended_model()
    model.compile(keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    blend = AdaptiveGradientBlending(val, data(13, seed=5), update_every=1, window=1)
    history = model.fit(
        x, y, batch_size=BATCH, epochs=1, shuffle=False, callbacks=[blend], verbose=0
    )
    return {
        "weights": [np.asarray(w) for w in model.get_weights()],
        "blend": [r["weight_a"] for r in blend.records],
        "val_losses": [[r["val_loss_a"], r["val_loss_b"]] for r in blend.records],
        "logged_a_loss": history.history["a_loss"][-1],
    }


def runner_wiring(run_dir):
    """A one-split plan through `run_plan` with `distribute="data_parallel"` settings and the
    shared fitting helpers, on sizes that do not divide by 2 (27 training, 9 test clips)."""
    import dataclasses

    from kgenre.experiments import fitting
    from kgenre.experiments.options import RunOptions
    from kgenre.experiments.runner import Candidate, Outcome, Plan, run_plan
    from kgenre.training.distribution import current_distribution

    @dataclasses.dataclass
    class Settings(RunOptions):
        epochs: int = 2

    x, y = data(36, seed=6)
    pool = fitting.ModelPool(
        lambda m: m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    )
    seen = {}

    class Split:
        index, name, seed, grouped = 0, "trial1", 0, False
        train, test = np.arange(27), np.arange(27, 36)

        def to_dict(self):
            return {"index": 0, "name": "trial1"}

    def fit(split):
        seen["replicas"] = current_distribution().replicas
        model = pool.get("plain", plain_model, split.seed)
        history, epoch = fitting.fit_and_select(
            model,
            x[split.train],
            y[split.train],
            (x[split.test], y[split.test]),
            epochs=2,
            batch_size=BATCH,
            class_weight=fitting.balanced_class_weight(y[split.train], 3),
        )
        probabilities = fitting.predict(model, x[split.test], batch_size=4)
        seen["steps"] = len(history["loss"])
        seen["model"], seen["probabilities"] = model, probabilities
        seen["same_as_predict"] = bool(
            np.allclose(probabilities, model.predict(x[split.test], verbose=0), atol=1e-6)
            if BACKEND == "tensorflow"
            else True  # JAX's predict itself needs even batches; predict_in_batches pads them
        )
        return Outcome(probabilities, y[split.test], history=history)

    plan = Plan(
        recipe="wiring",
        title="wiring",
        config=Settings(distribute="data_parallel"),
        class_names=["a", "b", "c"],
        splits=[Split()],
        candidates=[Candidate("plain", fit)],
        primary="plain",
        metrics=("clip_accuracy",),
    )
    run_plan(plan, run_dir, progress=False)
    # Outside the scope a TensorFlow model keeps its strategy; predictions stay exact.
    again = fitting.predict(seen.pop("model"), x[27:], batch_size=4)
    seen["same_outside"] = bool(np.allclose(again, seen.pop("probabilities"), atol=1e-6))
    with open(os.path.join(run_dir, "report.md")) as handle:
        seen["report_devices"] = [line for line in handle if line.startswith("- Devices:")]
    return seen


def main():
    auto = resolve_distribution("auto")
    one, one_loss = train_plain()
    blended_one = train_blended()
    with distribution_scope("data_parallel") as distribution:
        two, two_loss = train_plain()
        blended_two = train_blended()
    with tempfile.TemporaryDirectory() as tmp:
        wiring = runner_wiring(os.path.join(tmp, "run"))

    def max_difference(a, b):
        return max(float(np.max(np.abs(p - q))) for p, q in zip(a, b))

    initial = blended_model().get_weights()
    result = {
        "auto_mode": auto.mode,
        "replicas": distribution.replicas,
        "engine": distribution.engine,
        "plain_max_difference": max_difference(one, two),
        "plain_moved": max_difference(one, plain_model().get_weights()),
        "plain_loss": [one_loss, two_loss],
        "blended_max_difference": max_difference(blended_one["weights"], blended_two["weights"]),
        "blended_moved": max_difference(blended_two["weights"], initial),
        "blend_weights": [blended_one["blend"], blended_two["blend"]],
        "val_losses": [blended_one["val_losses"], blended_two["val_losses"]],
        "logged_a_loss": [blended_one["logged_a_loss"], blended_two["logged_a_loss"]],
        "wiring": wiring,
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
