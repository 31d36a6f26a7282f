"""Training pieces every recipe shares: standardisation, class weights, epoch selection,
models compiled once per run, and the exported model with its standardisation inside.
"""

from __future__ import annotations

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
    monitor: str = "val_loss",
    mode: str = "min",
):
    """Fits `model` and restores the weights of the epoch with the best `monitor` (by default
    the lowest `val_loss`).

    The selection is Keras' `EarlyStopping(restore_best_weights=True)` with a patience of
    the whole run (no early stop: every epoch is trained, the best is kept).

    Args:
        validation: `(x, y)` or a dataset; its loss (or `monitor`) selects the epoch.
        x, y: training data (arrays, or a dataset as `x` with `y=None`).
        monitor: the logged quantity that selects the epoch (e.g. `"val_accuracy"`).
        mode: `"min"` or `"max"`: whether lower or higher `monitor` is better.

    Returns:
        `(history dict, selected epoch (1-based))`.
    """
    import keras

    keep_best = keras.callbacks.EarlyStopping(
        monitor=monitor, mode=mode, patience=epochs + 1, restore_best_weights=True
    )
    history = model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation,
        class_weight=class_weight,
        callbacks=[keep_best, *(callbacks or [])],
        verbose=verbose,
    )
    return dict(history.history), int(keep_best.best_epoch) + 1


def predict(model, x, batch_size: int = 64) -> np.ndarray:
    """Class probabilities for in-memory inputs (arrays or a dict of arrays), batch by batch."""
    first = next(iter(x.values())) if isinstance(x, dict) else x
    out = []
    for start in range(0, len(first), batch_size):
        if isinstance(x, dict):
            batch = {k: v[start : start + batch_size] for k, v in x.items()}
        else:
            batch = x[start : start + batch_size]
        out.append(np.asarray(model.predict_on_batch(batch)))
    return np.concatenate(out)
