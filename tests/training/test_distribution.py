"""`kgenre.training.distribution`: the switch, the global batch, and two virtual devices.

The two-device checks run `two_devices_script.py` in a fresh process (devices must be set up
before the backend starts): JAX with `XLA_FLAGS=--xla_force_host_platform_device_count=2`,
TensorFlow with two logical CPUs. Tolerance: after a few SGD steps the weights on two devices
equal those on one device with the same global batch to 2e-5 (float32; only the order of the
reductions differs; about 5e-6 is seen).
"""

import dataclasses
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from kgenre.experiments.options import RunOptions, build_parser, parse_config
from kgenre.training import distribution as dist

BACKEND = keras.backend.backend()
SCRIPT = os.path.join(os.path.dirname(__file__), "two_devices_script.py")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_global_batch_must_split_evenly():
    assert dist.per_replica_batch(64, 4) == 16
    assert dist.per_replica_batch(8, 1) == 8
    with pytest.raises(ValueError, match="batch_size=6 is the global batch, split across 4"):
        dist.per_replica_batch(6, 4)
    with pytest.raises(ValueError, match="batch_size must be an integer"):
        dist.per_replica_batch(None, 2)
    with pytest.raises(ValueError, match="distribute must be one of"):
        dist.resolve_distribution("all_of_them")


def test_padding_and_even_batches():
    x = {"a": np.arange(5), "b": np.arange(10).reshape(5, 2)}
    padded, extra = dist.pad_to_replicas(x, 4)
    assert extra == 3 and padded["a"].tolist() == [0, 1, 2, 3, 4, 4, 4, 4]
    assert dist.pad_to_replicas(np.zeros(8), 4)[1] == 0
    batches = dist.EvenBatches(np.arange(11), np.arange(11) * 10, 4, seed=0)
    assert len(batches) == 2  # the incomplete last batch is dropped
    seen = [batches[i] for i in range(2)]
    assert all(len(bx) == 4 and np.array_equal(by, bx * 10) for bx, by in seen)
    assert len(np.unique(np.concatenate([bx for bx, _ in seen]))) == 8
    first = batches[0][0].copy()
    batches.on_epoch_end()
    assert not all(np.array_equal(first, batches[i][0]) for i in range(2))  # reshuffled
    with pytest.raises(ValueError, match="no full batch of batch_size=16"):
        dist.EvenBatches(np.arange(11), np.arange(11), 16)


def test_one_device_by_default_here():
    """No accelerators in CI: `auto` means one device, and so does no scope at all."""
    assert dist.resolve_distribution("auto").mode == "none"
    assert dist.resolve_distribution("none").replicas == 1
    assert dist.current_distribution().mode == "none"
    with dist.distribution_scope("none") as active:
        assert dist.current_distribution() is active
        assert active.describe() == f"one device ({BACKEND})"
    assert dist.replicas_in_sync() == 1


def test_predict_in_batches_matches_predict():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    x = np.random.default_rng(0).normal(size=(7, 3)).astype("float32")
    np.testing.assert_allclose(
        dist.predict_in_batches(model, x, batch_size=3), model.predict(x, verbose=0), atol=1e-6
    )


def test_run_options_give_every_recipe_the_flag():
    @dataclasses.dataclass
    class Config(RunOptions):
        """A recipe's settings.

        Attributes:
            epochs: epochs.
        """

        epochs: int = 2

    text = build_parser(Config, "recipe", "").format_help()
    assert "--distribute {auto,none,data_parallel}" in text
    assert "the backend's own engine" in " ".join(text.split())
    parsed = parse_config(Config, ["--distribute", "none", "--epochs", "3"])
    assert parsed == Config(distribute="none", epochs=3)
    assert "--mixed-precision {float32,mixed_bfloat16,mixed_float16}" in text
    with pytest.raises(SystemExit):
        parse_config(Config, ["--distribute", "everywhere"])


@pytest.mark.skipif(BACKEND != "torch", reason="the torch backend's refusal")
def test_torch_refuses_data_parallel_and_auto_means_one_device():
    with pytest.raises(ValueError, match="not supported on the torch backend"):
        dist.resolve_distribution("data_parallel")
    assert dist.resolve_distribution("auto").mode == "none"


@pytest.mark.skipif(
    BACKEND == "torch",
    reason=f"torch trains on one device: {dist.TORCH_NOT_SUPPORTED[:80]}... (asserted above)",
)
def test_two_devices_train_as_one_device_does():
    env = dict(os.environ, KERAS_BACKEND=BACKEND, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    if BACKEND == "jax":
        env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    done = subprocess.run(
        [sys.executable, SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2 and result["auto_mode"] == "none"  # CPUs are not accelerators
    assert (
        result["engine"]
        == {
            "jax": "keras.distribution.DataParallel",
            "tensorflow": "tf.distribute.MirroredStrategy",
        }[BACKEND]
    )
    # A plain model: the same weights and loss after 3 steps of the same global batch.
    assert result["plain_moved"] > 1e-2
    assert result["plain_max_difference"] < 2e-5
    np.testing.assert_allclose(*result["plain_loss"], rtol=1e-5)
    # Adaptive gradient blending: the weights move, and move alike on one and two devices.
    assert result["blended_moved"] > 1e-2
    assert result["blended_max_difference"] < 2e-5
    one, two = result["blend_weights"]
    assert any(abs(w - 0.5) > 0.05 for w in two)
    np.testing.assert_allclose(one, two, atol=1e-3)
    np.testing.assert_allclose(*result["val_losses"], rtol=1e-4)
    np.testing.assert_allclose(*result["logged_a_loss"], rtol=1e-5)  # not divided by replicas
    # The runner: settings with distribute="data_parallel" fit on both devices, odd sizes too.
    wiring = result["wiring"]
    assert wiring["replicas"] == 2 and wiring["steps"] == 2 and wiring["same_as_predict"]
    assert wiring["same_outside"]
    assert "data_parallel over 2 replicas" in wiring["report_devices"][0]


def test_dataset_options_for_a_worker():
    from kgenre.data import DatasetOptions

    options = DatasetOptions(batch_size=8)
    one = dist.Distribution("data_parallel", "tensorflow", "strategy", replicas=2)
    assert one.dataset_options(options) is options
    tf_worker = dist.Distribution("data_parallel", "tensorflow", "s", 4, workers=2, worker_index=1)
    sharded = tf_worker.dataset_options(options)
    assert (sharded.num_shards, sharded.shard_index, sharded.batch_size) == (2, 1, 8)

    class Handle:
        auto_shard_dataset = True

    jax_worker = dist.Distribution("data_parallel", "jax", "d", 4, 2, 0, handle=Handle())
    sharded = jax_worker.dataset_options(options)
    assert (sharded.num_shards, sharded.shard_index, sharded.batch_size) == (2, 0, 4)
    assert jax_worker.handle.auto_shard_dataset is False  # kgenre shards; Keras must not
    with pytest.raises(ValueError, match="split across 4 replicas"):
        jax_worker.dataset_options(DatasetOptions(batch_size=6))
