"""Hyper-parameter search on the synthetic corpus or given clips (used by recipes/tune.py)."""

import dataclasses
import json
import os

import numpy as np

SMOKE_OVERRIDES = {
    "architecture": "sincnet",
    "genres": ("techno", "house", "trance"),
    "tracks_per_genre": 3,
    "track_seconds": 0.5,
    "sample_rate": 8000,
    "clip_seconds": 0.1,
    "max_trials": 2,
    "epochs": 1,
    "batch_size": 16,
    "space": {"filters": [8, 16], "kernel_size": [31, 51], "learning_rate": [1e-3, 1e-2]},
    "fixed": {"conv_filters": 4, "dense_units": 16},
}
"""Tiny settings for `--smoke`: a 2-trial SincNet search on 9 half-second tracks."""


@dataclasses.dataclass
class TuneConfig:
    """Settings of a search.

    Args:
        output_dir: folder for the tuner's trials and `best.json`.
        architecture: `GenreHyperModel` architecture.
        data: optional `.npz` with `x` (clips, samples), `y` (labels) and optionally
            `track_ids`; default: render the synthetic corpus.
        family / genres / tracks_per_genre / track_seconds / seed: synthetic corpus.
        sample_rate: sample rate of the clips.
        clip_seconds: clip length (non-overlapping clips cut from each track).
        validation_fraction: fraction of tracks held out for the objective.
        max_trials / epochs / batch_size: search budget.
        space / fixed: passed to `GenreHyperModel`.
        objective: tuner objective.
    """

    output_dir: str = "runs/tune"
    architecture: str = "ms_sincresnet"
    data: str = None
    family: str = "edm"
    genres: tuple = None
    tracks_per_genre: int = 10
    track_seconds: float = 10.0
    seed: int = 0
    sample_rate: int = 16000
    clip_seconds: float = 3.0
    validation_fraction: float = 0.2
    max_trials: int = 10
    epochs: int = 10
    batch_size: int = 32
    space: dict = None
    fixed: dict = None
    objective: str = "val_accuracy"

    @classmethod
    def smoke(cls, **overrides):
        return cls(**{**SMOKE_OVERRIDES, **overrides})


def synthetic_clips(
    family="edm",
    genres=None,
    tracks_per_genre=10,
    track_seconds=10.0,
    sample_rate=16000,
    clip_seconds=3.0,
    seed=0,
):
    """Renders synthetic tracks in memory and cuts them into non-overlapping clips.

    Returns:
        `(x, y, track_ids, genre_names)`: clips `(n, samples)` float32, labels, the
        track index of each clip, and the genre names.
    """
    from kgenre.datasets.synthetic import FAMILIES, render

    genres = list(FAMILIES[family] if genres is None else genres)
    clip = int(round(clip_seconds * sample_rate))
    if clip < 1 or clip_seconds > track_seconds:
        raise ValueError(
            f"clip_seconds must be in (0, track_seconds={track_seconds}], got {clip_seconds}"
        )
    xs, ys, ids = [], [], []
    for g, genre in enumerate(genres):
        for i in range(int(tracks_per_genre)):
            mix, _ = render(
                family, genre, i, seconds=track_seconds, sample_rate=sample_rate, seed=seed
            )
            n = len(mix) // clip
            xs.append(mix[: n * clip].reshape(n, clip))
            ys += [g] * n
            ids += [g * tracks_per_genre + i] * n
    return np.concatenate(xs).astype("float32"), np.array(ys), np.array(ids), genres


def _load(config):
    if config.data:
        if not os.path.exists(config.data):
            raise FileNotFoundError(f"data file not found: {config.data}")
        arrays = np.load(config.data)
        x, y = arrays["x"].astype("float32"), arrays["y"].astype(int)
        ids = arrays["track_ids"] if "track_ids" in arrays else np.arange(len(y))
        return x, y, ids, [str(c) for c in range(int(y.max()) + 1)]
    return synthetic_clips(
        config.family,
        config.genres,
        config.tracks_per_genre,
        config.track_seconds,
        config.sample_rate,
        config.clip_seconds,
        config.seed,
    )


def _random_search_class():
    import keras_tuner

    class RandomSearch(keras_tuner.RandomSearch):
        def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
            # Under TensorFlow keras-tuner imports tensorboard (not a kgenre dependency)
            # just to patch TensorBoard callbacks; skip that when there are none.
            if any(type(c).__name__ == "TensorBoard" for c in callbacks):
                super()._configure_tensorboard_dir(callbacks, trial, execution)

    return RandomSearch


def run_tune(config):
    """Runs a keras-tuner random search and writes `best.json` into `output_dir`.

    Returns:
        dict with `best_hyperparameters`, `best_score`, `objective`, `num_trials`,
        `num_clips` and `path` (of `best.json`).
    """
    import keras
    from sklearn.model_selection import GroupShuffleSplit

    from kgenre.training.hypermodel import GenreHyperModel

    x, y, ids, genres = _load(config)
    splitter = GroupShuffleSplit(1, test_size=config.validation_fraction, random_state=config.seed)
    train_index, val_index = next(splitter.split(x, y, ids))
    keras.utils.set_random_seed(config.seed)
    hypermodel = GenreHyperModel(
        config.architecture,
        num_classes=len(genres),
        input_length=x.shape[1],
        sample_rate=config.sample_rate,
        space=config.space,
        fixed=config.fixed,
    )
    tuner = _random_search_class()(
        hypermodel,
        objective=config.objective,
        max_trials=config.max_trials,
        seed=config.seed,
        directory=config.output_dir,
        project_name=f"{config.architecture}_search",
        overwrite=True,
    )
    tuner.search(
        x[train_index],
        y[train_index],
        validation_data=(x[val_index], y[val_index]),
        epochs=config.epochs,
        batch_size=config.batch_size,
        verbose=1,
    )
    done = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    if not done:
        raise RuntimeError(
            f"no trial completed in {config.output_dir}; see the tracebacks keras-tuner printed"
        )
    best_trial = tuner.oracle.get_best_trials(1)[0]
    result = {
        "architecture": config.architecture,
        "objective": config.objective,
        "best_score": None if best_trial.score is None else float(best_trial.score),
        "best_hyperparameters": best_trial.hyperparameters.values,
        "num_trials": len(tuner.oracle.trials),
        "num_clips": int(len(y)),
        "genres": list(genres),
    }
    os.makedirs(config.output_dir, exist_ok=True)
    path = os.path.join(config.output_dir, "best.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    result["path"] = path
    return result
