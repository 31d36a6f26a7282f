"""Training pieces every recipe shares: standardisation, class weights, epoch selection,
models compiled once per run, and the exported model with its standardisation inside.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import numpy as np

EPSILON = 1e-7
"""Floor of the standard deviation: `keras.layers.Normalization`'s, so an exported model
standardises exactly as training did."""


def channel_statistics(x: np.ndarray, axis: int | None = -1) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of `x` per channel (`axis`, default the last), over everything else;
    with `axis=None`, one scalar mean and variance over all of `x`.

    Mersy (seed 002) does not say how inputs were scaled. Log-mel values in dB around -80
    would dominate the first convolution's scale, and the bass, drums and other stems have
    different level distributions, so kgenre standardises each channel with training
    statistics: one global scale left the 3-spectrogram models at F1 0.07-0.18 against
    0.25-0.37 per channel (2 trials on the synthetic corpus with HPSS stems).
    """
    x = np.asarray(x, dtype=np.float64)
    if axis is None:
        return np.asarray(x.mean()), np.asarray(x.var())
    axis = axis % x.ndim
    reduce = tuple(i for i in range(x.ndim) if i != axis)
    return x.mean(axis=reduce), x.var(axis=reduce)


def standardise(x: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """`(x - mean) / max(sqrt(variance), EPSILON)`, per channel on the last axis, as float32:
    exactly what `keras.layers.Normalization(mean=..., variance=...)` computes."""
    scale = np.maximum(np.sqrt(variance), EPSILON)
    return (
        (np.asarray(x, np.float32) - mean.astype(np.float32)) / scale.astype(np.float32)
    ).astype(np.float32)


def with_standardisation(model, statistics: dict):
    """`model` behind `keras.layers.Normalization` layers holding training statistics.

    Args:
        model: a Keras model trained on standardised inputs.
        statistics: `{input name: (mean, variance)}` (key `None` for a single input): arrays
            per channel (the last axis), or scalars for one mean and variance over the input.

    Returns:
        A functional model taking raw inputs, for saving and prediction.
    """
    import keras

    named = isinstance(model.input, dict) or len(model.inputs) > 1
    inputs, standardised = {}, {}
    for tensor in model.inputs:
        name = tensor.name if named else None
        raw = keras.Input(tensor.shape[1:], name=tensor.name)
        inputs[tensor.name] = raw
        if name in statistics:
            mean, variance = statistics[name]
            layer = keras.layers.Normalization(
                axis=-1 if np.ndim(mean) else None,
                mean=mean,
                variance=variance,
                name=f"standardise_{tensor.name}",
            )
            standardised[tensor.name] = layer(raw)
        else:
            standardised[tensor.name] = raw
    if named:
        outputs = model(standardised)
        return keras.Model(inputs, outputs, name=f"{model.name}_standardised")
    (only,) = standardised.values()
    return keras.Model(next(iter(inputs.values())), model(only), name=f"{model.name}_standardised")


def feature_statistics(dataset, feature, max_batches: int) -> tuple[np.ndarray, np.ndarray]:
    """`channel_statistics` of `feature(clips)[..., None]` over the first batches of a stream.

    Args:
        dataset: batches of `(clips, labels)` (un-augmented training clips).
        feature: `(batch, samples) -> (batch, bands, frames)`, e.g. a log-mel function.
        max_batches: batches to read at most (a sample is enough for a mean and a variance).
    """
    values = [feature(x) for x, _ in dataset.take(max_batches).as_numpy_iterator()]
    if not values:
        raise ValueError("no training clips to compute standardisation statistics from")
    return channel_statistics(np.concatenate(values)[..., None])


def waveform_model(
    network,
    clip_samples: int,
    sample_rate: int,
    log_mel: dict,
    statistics: tuple | None = None,
    spec_augment: dict | None = None,
):
    """`network` fed waveform clips: its spectrogram inputs are computed inside the model.

    Every input of `network` shaped `(bands, frames, 1)` gets the clip's
    `kgenre.audio.LogMelSpectrogram(sample_rate, **log_mel)` with a channel axis,
    standardised with `statistics` (`(mean, variance)` of training log-mels, held by a
    `keras.layers.Normalization`) and, with `spec_augment` (`kgenre.layers.SpecAugment`'s
    arguments), masked while training; every `(samples,)` input gets the waveform itself. The
    result takes `(batch, clip_samples)` waveforms: it trains on streamed clips, and its saved
    file is a waveform model that `kgenre.inference.make_inputs` feeds with `InputSpec()`.
    """
    import keras

    from kgenre.audio import LogMelSpectrogram
    from kgenre.layers import SpecAugment

    waveform = keras.Input((clip_samples,), name="waveform")
    image = None
    feeds = {}
    for tensor in network.inputs:
        if len(tensor.shape) == 2:
            feeds[tensor.name] = waveform
            continue
        if image is None:
            x = LogMelSpectrogram(sample_rate, **log_mel, name="log_mel")(waveform)
            image = keras.layers.Reshape((*x.shape[1:], 1), name="log_mel_image")(x)
            if statistics is not None:
                mean, variance = statistics
                image = keras.layers.Normalization(
                    axis=-1, mean=mean, variance=variance, name="standardise_log_mel"
                )(image)
            if spec_augment:
                image = SpecAugment(**spec_augment, name="spec_augment")(image)
        feeds[tensor.name] = image
    named = isinstance(network.input, dict) or len(network.inputs) > 1
    outputs = network(feeds if named else next(iter(feeds.values())))
    return keras.Model(waveform, outputs, name=f"{network.name}_on_waveforms")


def balanced_class_weight(labels: np.ndarray, num_classes: int) -> dict:
    """scikit-learn's "balanced" class weights; classes absent from `labels` get 1."""
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(labels)
    present = np.unique(labels)
    weights = compute_class_weight("balanced", classes=present, y=labels)
    out = dict.fromkeys(range(num_classes), 1.0)
    out.update({int(c): float(w) for c, w in zip(present, weights)})
    return out


class ModelPool:
    """Builds and compiles each model once per run, then gives it fresh weights per split.

    A split's model gets newly initialised weights (drawn with the split's seed) and a fresh
    optimizer state, exactly as a newly built model would, but keeps its compiled training
    and prediction functions: under JAX, compiling every model again for every split would
    dominate a 50-trial run.

    Args:
        compile: `model -> None`, compiles a freshly built model.
    """

    def __init__(self, compile):
        self._compile = compile
        self._models = {}

    def get(self, key, build, seed: int):
        """The model for `key` with fresh weights: `build()` makes one (under `seed`)."""
        import keras

        keras.utils.set_random_seed(seed)
        fresh = build()
        if key not in self._models:
            self._compile(fresh)
            fresh.optimizer.build(fresh.trainable_variables)
            initial = [keras.ops.convert_to_numpy(v) for v in fresh.optimizer.variables]
            self._models[key] = (fresh, initial)
            return fresh
        model, initial = self._models[key]
        model.set_weights(fresh.get_weights())
        for variable, value in zip(model.optimizer.variables, initial):
            variable.assign(value)
        return model


def fit_and_select(
    model,
    x,
    y,
    validation,
    epochs: int,
    batch_size: int | None = None,
    class_weight: dict | None = None,
    callbacks: list | None = None,
    verbose: int = 0,
    steps_per_epoch: int | None = None,
    backup_dir: str | None = None,
    monitor: str = "val_loss",
    mode: str = "min",
):
    """Fits `model`; with `validation`, restores the weights of the epoch with the best
    `monitor` (by default the lowest `val_loss`).

    The selection is Keras' `EarlyStopping(restore_best_weights=True)` with a patience of
    the whole run (no early stop: every epoch is trained, the best is kept). Without
    `validation` every epoch is trained and the last one is kept (MS-SincResNet's GTZAN
    protocol has no validation set).

    With `backup_dir`, a killed fit resumes inside itself: Keras' `BackupAndRestore` saves the
    weights, optimizer state and epoch after every epoch (in `backup_dir/state`), `CSVLogger`
    appends each epoch's logs to `backup_dir/history.csv`, and the best epoch's weights are
    kept by `ModelCheckpoint` in `backup_dir/best.weights.h5`, its threshold restored from the
    log, so the selection spans the epochs before and after a restart. The folder is removed
    when the fit finishes.

    Under a `data_parallel` distribution (`kgenre.training.distribution`; the runner enters
    it for recipes whose settings inherit `RunOptions`) `batch_size` is the global batch and
    must be a multiple of the replica count; in-memory training arrays are fed as full
    batches only (`EvenBatches`: reshuffled every epoch, the incomplete last batch dropped),
    and in-memory validation arrays are padded to a multiple of the replica count with
    zero-weight rows.

    Args:
        x, y: training data (arrays, or a dataset as `x` with `y=None`).
        validation: `(x, y)`, a dataset, or `None`; its loss (or `monitor`) selects the epoch.
        steps_per_epoch: batches per epoch (for repeated datasets).
        backup_dir: a folder of its own for this fit's resumable state, or `None`.
        monitor: the logged quantity that selects the epoch (e.g. `"val_accuracy"`).
        mode: `"min"` or `"max"`: whether lower or higher `monitor` is better.

    Returns:
        `(history dict, selected epoch (1-based))`; after a restart the history holds every
        epoch, from the log.
    """
    import keras

    from kgenre.training.distribution import current_distribution

    distribution = current_distribution()
    if distribution.replicas > 1 and y is not None:
        distribution.per_replica_batch(batch_size)
        x, y, batch_size = _even_batches(x, y, batch_size, class_weight), None, None
        class_weight = None  # folded into the batches' sample weights
        if validation is not None:
            validation = _padded_validation(validation, distribution.replicas)
    fit_callbacks = list(callbacks or [])
    keep_best = None
    if backup_dir is None and validation is not None:
        keep_best = keras.callbacks.EarlyStopping(
            monitor=monitor, mode=mode, patience=epochs + 1, restore_best_weights=True
        )
        fit_callbacks.insert(0, keep_best)
    if backup_dir is not None:
        select = (monitor, mode) if validation is not None else None
        log, best = _backup_callbacks(backup_dir, select, fit_callbacks)
    history = model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        validation_data=validation,
        class_weight=class_weight,
        callbacks=fit_callbacks,
        shuffle=y is not None,  # a dataset shuffles itself
        verbose=verbose,
    )
    if backup_dir is None:
        selected = epochs if keep_best is None else int(keep_best.best_epoch) + 1
        return dict(history.history), selected
    history = read_epoch_log(log)
    selected = epochs
    if validation is not None:
        model.load_weights(best)
        pick = np.argmin if mode == "min" else np.argmax
        selected = int(pick(history[monitor])) + 1
    shutil.rmtree(backup_dir)
    with contextlib.suppress(OSError):  # a folder of per-fit backups goes with its last fit
        os.rmdir(os.path.dirname(os.path.abspath(backup_dir)))
    return history, selected


def _backup_callbacks(backup_dir: str, select, callbacks: list) -> tuple[str, str]:
    """Adds `fit_and_select`'s resume callbacks to `callbacks`; returns the log and
    best-weights paths. `select`: `(monitor, mode)` of the epoch selection, or `None`. A folder
    without a backup to resume from is cleared first."""
    import keras

    state = os.path.join(backup_dir, "state")
    log = os.path.join(backup_dir, "history.csv")
    best = os.path.join(backup_dir, "best.weights.h5")
    resuming = os.path.exists(os.path.join(state, "training_metadata.json"))
    if not resuming and os.path.exists(backup_dir):
        shutil.rmtree(backup_dir)  # the leftovers of a fit that had finished: start afresh
    os.makedirs(backup_dir, exist_ok=True)
    earlier = read_epoch_log(log) if resuming else {}
    if select:
        monitor, mode = select
        best_so_far = min if mode == "min" else max
        callbacks.insert(
            0,
            keras.callbacks.ModelCheckpoint(
                best,
                monitor=monitor,
                mode=mode,
                save_best_only=True,
                save_weights_only=True,
                initial_value_threshold=best_so_far(earlier.get(monitor, []), default=None),
            ),
        )
    # the log is written before the backup, so a restart never misses an epoch's row
    callbacks += [
        keras.callbacks.CSVLogger(log, append=True),
        keras.callbacks.BackupAndRestore(state),
    ]
    return log, best


def read_epoch_log(path: str) -> dict:
    """`{key: per-epoch values}` from a `CSVLogger` file; an epoch logged twice (a restart
    between the log and the backup) keeps its last row, and the `val_*` columns `CSVLogger`
    fills with "NA" when there is no validation are left out."""
    import csv

    if not os.path.exists(path):
        return {}
    with open(path, newline="", encoding="utf-8") as stream:
        rows = {int(row["epoch"]): row for row in csv.DictReader(stream)}
    epochs = sorted(rows)
    keys = [k for k in next(iter(rows.values()), {}) if k != "epoch"]
    return {
        k: [float(rows[e][k]) for e in epochs]
        for k in keys
        if not all(rows[e][k] == "NA" for e in epochs)
    }


def steps_per_epoch(tracks: int, clips_per_track: int, batch_size: int, what: str) -> int:
    """Full batches in one training epoch of `tracks` x `clips_per_track` random clips (the
    reader drops the remainder); a `ValueError` naming `batch_size` when there is none."""
    steps = tracks * clips_per_track // batch_size
    if steps < 1:
        raise ValueError(
            f"batch_size {batch_size} is larger than the {tracks * clips_per_track} training "
            f"clips of {what}: an epoch would train nothing"
        )
    return steps


def fit_on_records(
    model,
    records: str,
    track_ids: np.ndarray,
    split,
    epochs: int,
    clip_seconds: float,
    hop_seconds: float,
    batch_size: int,
    backup_dir: str | None = None,
    **train_options,
) -> tuple[dict, int, np.ndarray, np.ndarray, np.ndarray]:
    """Trains `model` on one split of a records folder, streamed, and predicts its test clips.

    Every stage reads the same records (`kgenre.data.make_dataset(tracks=...)`): training
    clips of `split.train` (`train_options`: clips per track, augmentation), validation clips
    of `split.validation` without overlap (when it has tracks, they pick the epoch; see
    `fit_and_select`), then every clip of `split.test` at `hop_seconds`.

    Args:
        track_ids: the id of every track the split's indices point at.
        split: a `kgenre.datasets.Split`; its seed seeds clip draws and augmentation.

    Returns:
        `(history, selected epoch, probabilities, labels, track ids)`, the last three one
        row per test clip.
    """
    from kgenre.data import DatasetOptions, make_dataset

    def stream(mode, side, **options):
        return make_dataset(
            records,
            mode,
            clip_seconds=clip_seconds,
            batch_size=batch_size,
            seed=split.seed,
            tracks=track_ids[side],
            **options,
        )

    clips_per_track = train_options.get("clips_per_track", DatasetOptions.clips_per_track)
    steps_per_epoch(len(split.train), clips_per_track, batch_size, split.name)
    train = stream("train", split.train, **train_options)
    validation = stream("eval", split.validation) if len(split.validation) else None
    history, epoch = fit_and_select(model, train, None, validation, epochs, backup_dir=backup_dir)
    test = stream("eval", split.test, hop_seconds=hop_seconds, with_track_ids=True)
    return (history, epoch, *predict_stream(model, test))


def predict_stream(model, dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class probabilities of every clip of an evaluation dataset of `(x, label, track_id)`.

    Returns:
        `(probabilities (clips, classes), labels (clips,), track ids (clips,))`, in the
        dataset's order.
    """
    probabilities, labels, track_ids = [], [], []
    for x, label, track_id in dataset.as_numpy_iterator():
        probabilities.append(np.asarray(model.predict_on_batch(x)))
        labels.append(label)
        track_ids.extend(t.decode("utf-8") for t in track_id)
    return (
        np.concatenate(probabilities),
        np.concatenate(labels).astype(int),
        np.array(track_ids),
    )


def _even_batches(x, y, batch_size, class_weight):
    """Training arrays as full batches (`EvenBatches`), class weights as sample weights."""
    from kgenre.training.distribution import EvenBatches

    weights = None
    if class_weight is not None:
        weights = np.asarray([class_weight[int(label)] for label in np.asarray(y)], "float32")
    return EvenBatches(x, y, batch_size, sample_weight=weights)


def _padded_validation(validation, replicas):
    """In-memory `(x, y)` padded to a multiple of `replicas` with zero-weight rows.

    Metrics weigh the padding 0. The loss (Keras' default "sum over batch size") still counts
    it in its denominator: `val_loss` is the data term times `n / (n + padding)`, with
    padding < replicas, plus the regularisation. The factor is the same every epoch, so the
    selected epoch changes only through the regularisation term, and hardly.
    """
    from kgenre.training.distribution import pad_to_replicas

    if not isinstance(validation, tuple) or len(validation) != 2:
        return validation
    vx, vy = validation
    padded, extra = pad_to_replicas(vx, replicas)
    if not extra:
        return validation
    weights = np.ones(len(vy) + extra, "float32")
    weights[len(vy) :] = 0.0
    return padded, pad_to_replicas(vy, replicas)[0], weights


def predict(model, x, batch_size: int = 64) -> np.ndarray:
    """Class probabilities for in-memory inputs (arrays or a dict of arrays), batch by batch
    (`kgenre.training.distribution.predict_in_batches`: exact under `data_parallel` too)."""
    from kgenre.training.distribution import predict_in_batches

    return np.asarray(predict_in_batches(model, x, batch_size))
