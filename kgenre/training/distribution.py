"""Data-parallel training on many devices with each backend's own engine.

kgenre adds no all-reduce of its own: it picks the engine of the active Keras backend, builds
and fits models inside its scope, and keeps every batch evenly divisible across replicas.

| backend | one host, many devices | many hosts |
|---|---|---|
| JAX | `keras.distribution.DataParallel` over `keras.distribution.list_devices()` | the same, after `keras.distribution.initialize()` (`jax.distributed.initialize`) |
| TensorFlow | `tf.distribute.MirroredStrategy` over the visible GPUs (or logical CPUs) | `tf.distribute.MultiWorkerMirroredStrategy` from `TF_CONFIG` |
| torch | not supported (see `TORCH_NOT_SUPPORTED`) | not supported |

Modes (`distribute=`): `"none"` trains on the default device; `"data_parallel"` replicates the
model on every device and splits each batch across them; `"auto"` is `data_parallel` when more
than one accelerator (GPU or TPU; or more than one host) is visible, else `none`.

**The global batch.** `batch_size` is the global batch: each of `R` replicas gets
`batch_size / R` examples per step and the gradients are averaged over the whole batch, so a
step is the step one device would take on the same batch (learning rates need no change).
`batch_size` must be a multiple of `R` (`per_replica_batch`).

Differences from one device: BatchNormalization statistics are per replica under
TensorFlow's `MirroredStrategy` (JAX computes them over the global batch); dropout draws
differ; and a fit on in-memory arrays (`EvenBatches`) drops the incomplete last batch of each
epoch, as `kgenre.data.make_dataset` does in training.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from collections.abc import Iterator

import keras
import numpy as np

from kgenre.training.choices import DISTRIBUTE_MODES as MODES

logger = logging.getLogger(__name__)

TORCH_NOT_SUPPORTED = (
    "distribute='data_parallel' is not supported on the torch backend: Keras' `fit` does not "
    "distribute torch models, and Keras' own multi-GPU guide for torch replaces `fit` with a "
    "hand-written loop around torch's DistributedDataParallel, which would bypass kgenre's "
    "runner (callbacks, epoch selection, gradient blending). Use KERAS_BACKEND=jax or "
    "tensorflow for many devices, or distribute='none'"
)
"""Why torch trains on one device (the error `resolve_distribution` raises)."""

MULTI_HOST_ENV = (
    "KERAS_DISTRIBUTION_JOB_ADDRESSES",
    "KERAS_DISTRIBUTION_NUM_PROCESSES",
    "KERAS_DISTRIBUTION_PROCESS_ID",
)
"""Environment of a multi-host JAX launch, read by `keras.distribution.initialize`."""


@dataclasses.dataclass(frozen=True)
class Distribution:
    """How a run uses its devices (made by `resolve_distribution`).

    Attributes:
        mode: `"none"` or `"data_parallel"` (`"auto"` resolved).
        backend: the Keras backend.
        engine: what does the work (`"keras.distribution.DataParallel"`,
            `"tf.distribute.MirroredStrategy"`, ...; `"one device"` for `none`).
        replicas: model replicas across all hosts (the global batch is split in this many).
        workers: processes (hosts) taking part.
        worker_index: this process's index among them.
        devices: the devices of this process that hold replicas.
        handle: the engine's object (a Keras `Distribution` or a `tf.distribute.Strategy`),
            `None` for `none`.
    """

    mode: str
    backend: str
    engine: str
    replicas: int = 1
    workers: int = 1
    worker_index: int = 0
    devices: tuple = ()
    handle: object = dataclasses.field(default=None, compare=False, repr=False)

    @contextlib.contextmanager
    def scope(self) -> Iterator[Distribution]:
        """Makes this distribution current: build, compile and fit models inside it."""
        _ACTIVE.append(self)
        try:
            if self.handle is None:
                yield self
            else:
                with self.handle.scope():
                    yield self
        finally:
            _ACTIVE.pop()

    def describe(self) -> str:
        """One line for reports: engine, replicas and devices."""
        if self.mode == "none":
            return f"one device ({self.backend})"
        hosts = f" on {self.workers} hosts" if self.workers > 1 else ""
        return (
            f"data_parallel over {self.replicas} replicas{hosts} ({self.engine}; "
            f"devices {', '.join(self.devices)})"
        )

    def per_replica_batch(self, batch_size: int) -> int:
        """The global-batch rule: `batch_size / replicas`, which must be a whole number."""
        return per_replica_batch(batch_size, self.replicas)

    def dataset_options(self, options):
        """`options` (a `kgenre.data.DatasetOptions` with the global batch) for this worker.

        Each worker reads its own part of the shard files (`num_shards`, `shard_index`). Its
        batch is what the engine expects a worker to feed: the global batch on TensorFlow
        (which splits it across the worker's replicas), the worker's share of it on JAX
        (`batch_size / workers`, assembled into the global batch by Keras). With one worker
        the options come back unchanged.
        """
        self.per_replica_batch(options.batch_size)
        if self.workers == 1:
            return options
        batch = options.batch_size
        if self.backend == "jax":
            batch //= self.workers
            # kgenre shards by file: Keras must not shard the batches a second time.
            self.handle.auto_shard_dataset = False
        return dataclasses.replace(
            options, num_shards=self.workers, shard_index=self.worker_index, batch_size=batch
        )


_ACTIVE: list = []
_RESOLVED: dict = {}


def per_replica_batch(batch_size: int, replicas: int) -> int:
    """`batch_size` (the global batch) split across `replicas`.

    Raises:
        ValueError: `batch_size` is not a positive multiple of `replicas`.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"batch_size must be an integer, got {batch_size!r}")
    if batch_size < 1 or batch_size % replicas:
        raise ValueError(
            f"batch_size={batch_size} is the global batch, split across {replicas} replicas: "
            f"it must be a positive multiple of {replicas}"
        )
    return int(batch_size) // replicas


def check_mode(mode: str) -> str:
    """`mode` if it is one of `MODES`, else a `ValueError` naming it."""
    if mode not in MODES:
        raise ValueError(f"distribute must be one of {MODES}, got {mode!r}")
    return mode


def current_distribution() -> Distribution:
    """The distribution of the innermost active `distribution_scope` (one device outside)."""
    if _ACTIVE:
        return _ACTIVE[-1]
    return Distribution("none", keras.backend.backend(), "one device")


def _tf_cluster() -> tuple[int, int]:
    """`(workers, this worker's index)` from `TF_CONFIG` (`(1, 0)` when absent)."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    cluster = config.get("cluster", {})
    workers = len(cluster.get("chief", [])) + len(cluster.get("worker", []))
    task = config.get("task", {})
    index = task.get("index", 0) + (
        len(cluster.get("chief", [])) if task.get("type") == "worker" else 0
    )
    return max(workers, 1), index


def _tensorflow(mode: str) -> Distribution:
    import tensorflow as tf

    workers, index = _tf_cluster()
    gpus = tf.config.list_logical_devices("GPU")
    local = gpus or tf.config.list_logical_devices("CPU")
    if mode == "auto":
        mode = "data_parallel" if len(gpus) > 1 or workers > 1 else "none"
    if mode == "none":
        return Distribution("none", "tensorflow", "one device")
    names = tuple(d.name for d in local)
    if workers > 1:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        engine = "tf.distribute.MultiWorkerMirroredStrategy"
    else:
        strategy = tf.distribute.MirroredStrategy(devices=list(names))
        engine = "tf.distribute.MirroredStrategy"
    return Distribution(
        "data_parallel",
        "tensorflow",
        engine,
        replicas=strategy.num_replicas_in_sync,
        workers=workers,
        worker_index=index,
        devices=names,
        handle=strategy,
    )


def _initialize_jax_hosts() -> None:
    """`keras.distribution.initialize()` once, when a multi-host launch set its variables."""
    import jax

    if any(name in os.environ for name in MULTI_HOST_ENV) and not jax.distributed.is_initialized():
        keras.distribution.initialize()


def _jax(mode: str) -> Distribution:
    import jax

    if mode != "none":
        _initialize_jax_hosts()
    devices = keras.distribution.list_devices()
    accelerators = [d for d in devices if not d.startswith("cpu")]
    if mode == "auto":
        mode = "data_parallel" if len(accelerators) > 1 or jax.process_count() > 1 else "none"
    if mode == "none":
        return Distribution("none", "jax", "one device")
    handle = keras.distribution.DataParallel(devices=devices)
    return Distribution(
        "data_parallel",
        "jax",
        "keras.distribution.DataParallel",
        replicas=handle.num_model_replicas,
        workers=jax.process_count(),
        worker_index=jax.process_index(),
        devices=tuple(str(d) for d in jax.local_devices()),
        handle=handle,
    )


def _torch(mode: str) -> Distribution:
    if mode == "data_parallel":
        raise ValueError(TORCH_NOT_SUPPORTED)
    import torch

    if mode == "auto" and torch.cuda.device_count() > 1:
        logger.warning(
            "kgenre: %d GPUs are visible but the torch backend trains on one (see "
            "kgenre.training.distribution.TORCH_NOT_SUPPORTED)",
            torch.cuda.device_count(),
        )
    return Distribution("none", "torch", "one device")


def resolve_distribution(mode: str = "auto") -> Distribution:
    """The `Distribution` that `mode` means here; the same object for every call.

    Made once per mode and process: models built under one engine object must be fit under
    the same one. On a multi-host JAX launch (`KERAS_DISTRIBUTION_*` set) the first call runs
    `keras.distribution.initialize()`, which must happen before anything else uses JAX; on
    TensorFlow a `MultiWorkerMirroredStrategy` must likewise be made before other TensorFlow
    work, so call this first (the recipes' command lines do, when they parse their flags).

    Raises:
        ValueError: an unknown mode, or `data_parallel` on the torch backend.
    """
    check_mode(mode)
    backend = keras.backend.backend()
    key = (mode, backend)
    if key not in _RESOLVED:
        make = {"jax": _jax, "tensorflow": _tensorflow, "torch": _torch}.get(backend)
        if make is None:
            raise ValueError(f"distribute={mode!r}: unsupported Keras backend {backend!r}")
        _RESOLVED[key] = make(mode)
    return _RESOLVED[key]


@contextlib.contextmanager
def distribution_scope(mode: str = "auto") -> Iterator[Distribution]:
    """Builds, compiles and fits inside the engine that `mode` means (`resolve_distribution`).

    Example:
        >>> with distribution_scope("auto") as distribution:  # doctest: +SKIP
        ...     model = build()
        ...     model.compile(...)
        ...     model.fit(x, y, batch_size=64)  # the global batch
    """
    with resolve_distribution(mode).scope() as distribution:
        yield distribution


def replicas_in_sync() -> int:
    """Replicas whose gradients the active engine sums, where each loss is pre-divided by them.

    TensorFlow's strategies sum the replicas' gradients, so Keras divides every `Loss` by the
    replica count (`keras.losses.Loss` does it in its reduction); a model that adds terms of
    its own or logs losses must do the same. JAX computes one global loss, so it is 1 there
    (and on one device).
    """
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    return tf.distribute.get_strategy().num_replicas_in_sync


def pad_to_replicas(x, replicas: int) -> tuple[object, int]:
    """`(x padded by repeating its last row to a multiple of replicas, rows added)`.

    `x` is an array or a dict of arrays with the same first dimension.
    """
    first = next(iter(x.values())) if isinstance(x, dict) else x
    extra = -len(first) % replicas
    if not extra:
        return x, 0

    def pad(a):
        a = np.asarray(a)
        return np.concatenate([a, np.repeat(a[-1:], extra, axis=0)])

    return ({k: pad(v) for k, v in x.items()} if isinstance(x, dict) else pad(x)), extra


def take_rows(data, rows):
    """`rows` (indices or a slice) of an array, or of each array of a dict, list or tuple."""
    if isinstance(data, dict):
        return {k: np.asarray(v)[rows] for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(np.asarray(v)[rows] for v in data)
    return np.asarray(data)[rows]


def model_replicas(model) -> int:
    """Replicas `model` runs on: under TensorFlow those of the strategy it was built in (a
    model keeps it outside the scope too), elsewhere those of the active distribution."""
    strategy = getattr(model, "distribute_strategy", None)
    if strategy is not None:
        return strategy.num_replicas_in_sync
    return current_distribution().replicas


def predict_in_batches(model, x, batch_size: int = 64):
    """Model outputs for in-memory inputs, batch by batch.

    On one device: `predict_on_batch` per batch. Under `data_parallel`: `model.predict` on
    the inputs padded (by repeating the last row) to a multiple of the replica count, with a
    batch that is one too, and the padding's outputs dropped; so every batch splits evenly
    (JAX's `DataParallel` needs it) and the result is what one device gives.
    (`predict_on_batch` is avoided there: under TensorFlow's `MirroredStrategy`, Keras 3.15
    returns each replica's output for the whole batch, twice the rows on two replicas.)

    Args:
        model: a Keras model.
        x: array or dict of arrays.
        batch_size: examples per call (rounded down to a multiple of the replica count).

    Returns:
        The outputs, concatenated: an array, or a dict/list of arrays for a model with
        several outputs.
    """
    replicas = model_replicas(model)
    if replicas > 1:
        padded, extra = pad_to_replicas(x, replicas)
        batch = max(replicas, batch_size - batch_size % replicas)
        out = model.predict(padded, batch_size=batch, verbose=0)
        return _map_outputs(out, lambda v: np.asarray(v)[: len(v) - extra])
    first = next(iter(x.values())) if isinstance(x, dict) else x
    pieces = [
        _map_outputs(model.predict_on_batch(take_rows(x, slice(i, i + batch_size))), np.asarray)
        for i in range(0, len(first), batch_size)
    ]
    if isinstance(pieces[0], dict):
        return {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}
    if isinstance(pieces[0], (list, tuple)):
        return type(pieces[0])(np.concatenate(parts) for parts in zip(*pieces))
    return np.concatenate(pieces)


def _map_outputs(out, fn):
    if isinstance(out, dict):
        return {k: fn(v) for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return type(out)(fn(v) for v in out)
    return fn(out)


class EvenBatches(keras.utils.PyDataset):
    """In-memory training data as full batches only, reshuffled every epoch.

    The incomplete last batch of each epoch is dropped (as `kgenre.data.make_dataset` does
    in training), so every step splits evenly across replicas.

    Args:
        x: array or dict of arrays.
        y: labels (array, or dict of arrays).
        batch_size: the global batch.
        sample_weight: optional per-example weights.
        seed: shuffling seed; default one drawn from numpy's global generator (which
            `keras.utils.set_random_seed` seeds).
    """

    def __init__(self, x, y, batch_size: int, sample_weight=None, seed: int | None = None):
        super().__init__()
        first = next(iter(x.values())) if isinstance(x, dict) else x
        self.count = len(first)
        if self.count < batch_size:
            raise ValueError(
                f"{self.count} training examples make no full batch of batch_size={batch_size} "
                "(the global batch); use a smaller batch"
            )
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = batch_size
        self.rng = np.random.default_rng(np.random.randint(2**31) if seed is None else seed)
        self.order = self.rng.permutation(self.count)

    def __len__(self):
        return self.count // self.batch_size

    def __getitem__(self, index):
        # Sorted rows: the same examples, read in memory order.
        rows = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
        batch = (take_rows(self.x, rows), take_rows(self.y, rows))
        if self.sample_weight is None:
            return batch
        return (*batch, np.asarray(self.sample_weight)[rows])

    def on_epoch_end(self):
        self.order = self.rng.permutation(self.count)
