"""Hyper-parameter search with keras-tuner over what the papers vary, on one machine or many.

    python -m kgenre.experiments.tune --architecture ms_sincresnet --max-trials 10
    python -m kgenre.experiments.tune --input gtzan/ --space "filters=80|160" "spp=true|false"
    python -m kgenre.experiments.tune --smoke          # a tiny run (< 2 min on 2 cores)

Steps:

1. the tracks (the synthetic corpus, or `--input`) go into TFRecords and are cut into
   non-overlapping clips (`kgenre.experiments.data`);
2. one train / validation / test split of the tracks (`kgenre.datasets.holdout_split`,
   grouped by artist where the tracks name one);
3. a keras-tuner random search over `GenreHyperModel`'s space (`kgenre.training.hypermodel`:
   the sinc filter count and lengths, SPP, width, dropout and learning rate the papers vary):
   each trial trains on the training clips and is scored on the validation clips; each
   finished trial is appended to `results.jsonl`;
4. the best trial's network (its best epoch) is scored on the test tracks, which the search
   never saw, and saved as `model.keras`; `best.json`, `metrics.json`, `report.md` and
   `search.png` (the objective over trials) complete the run folder.

Resuming: the search state is keras-tuner's own project under `RUN/tuner/` (opened with
`overwrite=False`): a rerun skips the finished trials and reruns the one that was in progress.

Many machines: keras-tuner's distributed mode. Start one chief and any number of workers with
the same flags; keras-tuner reads `KERASTUNER_TUNER_ID` (`chief` for the chief, a distinct
id such as `tuner0` per worker), `KERASTUNER_ORACLE_IP` and `KERASTUNER_ORACLE_PORT` (where
the chief serves its oracle over gRPC). The chief hands out trials, writes `results.jsonl`,
and once every trial is done scores the best one and writes the report; the workers train.
The trials' checkpoints are written by the workers under `RUN/tuner/`, so the chief can load
the best one only when `--run-dir` is on a file system that every process shares.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import sys
import time
from typing import ClassVar

from kgenre.experiments.options import Settings, check_settings

NAME = "tune"
BEST = "best.json"
PLOT = "search.png"
ROLES = ("single", "chief", "worker")


@dataclasses.dataclass
class Config(Settings):
    """Settings of one search.

    Attributes:
        input: a folder per genre or a CSV of path,label[,group]; none: the synthetic corpus.
        family: synthetic corpus family: gtzan (GTZAN's ten genres) or edm.
        genres: a subset of the synthetic family's genres (default: all).
        tracks_per_genre: synthetic tracks per genre.
        track_seconds: synthetic track length.
        sample_rate: sample rate of the clips (16 kHz, MS-SincResNet's).
        clip_seconds: clip length (3 s, MS-SincResNet's); clips do not overlap.
        architecture: the searched network: ms_sincresnet, sincnet or resnet1d
            (`kgenre.training.hypermodel.DEFAULT_SPACES` lists each one's choices).
        space: choices replacing the defaults, as name=a|b|c (e.g. filters=80|160).
        fixed: other constructor arguments, as name=value (e.g. output_length=256).
        max_trials: trials of the random search.
        epochs: epochs per trial (keras-tuner keeps each trial's best epoch).
        batch_size: minibatch.
        objective: the logged quantity the search maximises (or minimises, for a loss).
        holdout_fractions: train, validation and test shares of the tracks.
        group_by: auto (artist when the tracks name one), artist or none.
        seed: seed of the corpus, the split and the search.
    """

    recipe: ClassVar[str] = NAME
    # A 2-trial SincNet search on 3 genres x 5 two-second tracks at 8 kHz, 0.5-s clips.
    #
    # The 36 training clips fill 3 batches of 12 and the 12 validation and test clips one,
    # so JAX compiles each step once. Not grouped: each genre is one synthetic artist.
    SMOKE: ClassVar[dict] = dict(
        genres=("blues", "classical", "metal"),
        tracks_per_genre=5,
        track_seconds=2.0,
        sample_rate=8000,
        clip_seconds=0.5,
        architecture="sincnet",
        space=("filters=8|16", "kernel_size=31|51", "learning_rate=0.001|0.01"),
        fixed=("conv_filters=4", "dense_units=16"),
        max_trials=2,
        epochs=1,
        batch_size=12,
        holdout_fractions=(0.6, 0.2, 0.2),
        group_by="none",
    )

    family: str = dataclasses.field(default="gtzan", metadata={"choices": ("gtzan", "edm")})
    genres: tuple | None = None
    tracks_per_genre: int = 10
    track_seconds: float = 10.0
    sample_rate: int = 16000
    clip_seconds: float = 3.0
    architecture: str = "ms_sincresnet"
    space: tuple = ()
    fixed: tuple = ()
    max_trials: int = 10
    epochs: int = 10
    batch_size: int = 32
    objective: str = "val_accuracy"
    holdout_fractions: tuple = dataclasses.field(
        default=(0.8, 0.1, 0.1), metadata={"item_type": float}
    )
    group_by: str = dataclasses.field(
        default="auto", metadata={"choices": ("auto", "artist", "none")}
    )

    def __post_init__(self):
        super().__post_init__()
        check_settings(
            self,
            positive=("track_seconds", "sample_rate", "clip_seconds"),
            integers=("tracks_per_genre", "max_trials", "epochs", "batch_size"),
        )
        fractions = tuple(self.holdout_fractions)
        if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
            raise ValueError(
                f"holdout_fractions must be 3 positive shares summing to 1, got {fractions}"
            )
        parse_assignments(self.space, "space", choices=True)
        parse_assignments(self.fixed, "fixed")


def _literal(text: str):
    """A number or a boolean when `text` spells one (`true`/`false` in any case), else the
    text itself (so `251,501,1001` stays the string `GenreHyperModel` expects)."""
    if text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text.strip()
    return value if isinstance(value, (int, float)) else text.strip()


def parse_assignments(items, what: str, choices: bool = False) -> dict:
    """`("name=value", ...)` as a dict; with `choices`, each value is a `|`-separated list."""
    out = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        if not sep or not name.strip() or not value.strip():
            form = "name=a|b|c" if choices else "name=value"
            raise ValueError(f"{what} entries look like {form}, got {item!r}")
        if choices:
            out[name.strip()] = [_literal(v) for v in value.split("|")]
        else:
            out[name.strip()] = _literal(value)
    return out


def role() -> str:
    """This process's part in a search: `"single"`, or keras-tuner's `"chief"` or `"worker"`
    (from `KERASTUNER_ORACLE_IP` and `KERASTUNER_TUNER_ID`)."""
    if "KERASTUNER_ORACLE_IP" not in os.environ:
        return "single"
    for variable in ("KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID"):
        if not os.environ.get(variable):
            raise ValueError(f"KERASTUNER_ORACLE_IP is set, so {variable} must be set too")
    return "chief" if "chief" in os.environ["KERASTUNER_TUNER_ID"] else "worker"


@dataclasses.dataclass
class TuneResult:
    """The run folder and what the search found (`best` is empty on a worker)."""

    run_dir: str
    role: str
    rows: list
    best: dict
    model_path: str | None


def _make_tuner(config: Config, hypermodel, folder):
    """keras-tuner's `Tuner` with a random-search oracle that logs each finished trial."""
    import keras_tuner

    logged = {row["trial"] for row in folder.results()}

    class LoggingOracle(keras_tuner.oracles.RandomSearchOracle):
        """Appends each finished trial to `results.jsonl`; on the chief of a distributed
        search this is the one process that sees every trial."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.started = {}

        @keras_tuner.synchronized
        def create_trial(self, tuner_id):
            trial = super().create_trial(tuner_id)
            if trial.status == "RUNNING":
                self.started[trial.trial_id] = (tuner_id, time.monotonic())
            return trial

        @keras_tuner.synchronized
        def end_trial(self, trial):
            super().end_trial(trial)
            self.log(self.trials[trial.trial_id])

        def log(self, trial):
            """Appends `trial` once it is over (not when it is sent for a retry)."""
            if trial.status not in ("COMPLETED", "FAILED") or trial.trial_id in logged:
                return
            tuner_id, began = self.started.get(trial.trial_id, (None, None))
            folder.append(
                {
                    "trial": trial.trial_id,
                    "status": trial.status,
                    "score": trial.score,
                    "best_step": trial.best_step,
                    "hyperparameters": trial.hyperparameters.values,
                    "metrics": {
                        name: trial.metrics.get_best_value(name) for name in trial.metrics.metrics
                    },
                    "tuner": tuner_id,
                    "seconds": None if began is None else time.monotonic() - began,
                    "message": trial.message,
                }
            )
            logged.add(trial.trial_id)

    class Tuner(keras_tuner.Tuner):
        def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
            # Under TensorFlow keras-tuner imports tensorboard (not a kgenre dependency)
            # just to patch TensorBoard callbacks; skip that when there are none.
            if any(type(c).__name__ == "TensorBoard" for c in callbacks):
                super()._configure_tensorboard_dir(callbacks, trial, execution)

    oracle = LoggingOracle(
        objective=config.objective, max_trials=config.max_trials, seed=config.seed
    )
    tuner = Tuner(
        oracle=oracle,
        hypermodel=hypermodel,
        directory=os.path.join(folder.path, "tuner"),
        project_name=config.architecture,
        overwrite=False,
    )
    # a run killed between keras-tuner saving a trial and the log line: log it now
    for trial in oracle.trials.values():
        oracle.log(trial)
    return tuner


def _notes(config, tracks, split, clip_split, space, fixed, part, rows):
    source = (
        f"the built-in synthetic corpus, family {config.family!r} ({len(tracks)} tracks of "
        f"{config.track_seconds:g} s, seed {config.seed})"
        if config.input is None
        else f"{config.input} ({len(tracks)} tracks)"
    )
    train, validation, test = (len(i) for i in clip_split)
    notes = [
        f"Data: {source}; non-overlapping {config.clip_seconds:g}-s clips at "
        f"{config.sample_rate} Hz.",
        f"Split: {len(split.train)} training, {len(split.validation)} validation and "
        f"{len(split.test)} test tracks ({train} / {validation} / {test} clips), "
        f"{'grouped by artist' if split.grouped else 'not grouped'}. The search scores trials "
        "on the validation clips; only the best trial's network sees the test clips.",
        f"Search: keras-tuner random search over `GenreHyperModel({config.architecture!r})`, "
        f"{config.max_trials} trials of {config.epochs} epochs, batch {config.batch_size}, "
        f"objective {config.objective} (each trial's best epoch).",
        f"Space: {space}.",
    ]
    if fixed:
        notes.append(f"Fixed arguments: {fixed}.")
    if part == "chief":
        workers = sorted({r["tuner"] for r in rows if r["tuner"]})
        notes.append(
            "Distributed (keras-tuner's chief and workers): this chief served the oracle over "
            f"gRPC; the trials were trained by {', '.join(workers) or 'earlier runs'}."
        )
    return notes


def _report(folder, config, notes, rows, best, test, direction):
    from kgenre.evaluation import plots
    from kgenre.experiments.run_folder import REPORT, write_text_atomic

    lines = [f"# keras-tuner search: {config.architecture}", "", "## What ran", ""]
    lines += [f"- {note}" for note in notes]
    lines += ["", "## Best trial", ""]
    lines.append(
        f"Trial {best['trial']}: {config.objective} {best['score']:.4f} on the validation clips."
    )
    lines += ["", "| hyper-parameter | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in best["hyperparameters"].items()]
    lines += ["", "Its network on the test tracks (never seen by the search):", ""]
    lines += ["| metric | value |", "|---|---|"]
    lines += [
        f"| {k} | {test[k]:.3f} |"
        for k in ("clip_accuracy", "clip_macro_f1", "track_accuracy_mean", "track_macro_f1")
    ]
    lines += ["", "## Trials", ""]
    names = sorted({k for r in rows for k in r["hyperparameters"]})
    lines.append("| trial | tuner | status | " + " | ".join([config.objective, *names]) + " | s |")
    lines.append("|---|---|---|" + "---|" * (len(names) + 2))
    rows = sorted(rows, key=lambda r: r["trial"])  # keras-tuner pads the ids: text order works
    for r in rows:
        score = "" if r["score"] is None else f"{r['score']:.4f}"
        values = [str(r["hyperparameters"].get(n, "")) for n in names]
        seconds = "" if r["seconds"] is None else f"{r['seconds']:.0f}"
        lines.append(
            f"| {r['trial']} | {r['tuner'] or ''} | {r['status']} | {score} | "
            + " | ".join(values)
            + f" | {seconds} |"
        )
    finished = [r for r in rows if r["status"] == "COMPLETED"]
    if finished:
        plots.plot_search(
            [r["score"] for r in rows],
            folder.file(PLOT),
            config.objective,
            direction,
        )
        lines += ["", "## Figure", "", f"![{config.objective} over the trials]({PLOT})"]
    write_text_atomic(folder.file(REPORT), "\n".join(lines) + "\n")


def run(config: Config) -> TuneResult:
    """Runs (or resumes) the search, or this process's part of a distributed one."""
    from kgenre.datasets import make_splits
    from kgenre.experiments import data
    from kgenre.experiments.run_folder import METRICS, RunFolder, write_json_atomic
    from kgenre.training.hypermodel import DEFAULT_SPACES, GenreHyperModel

    if config.architecture not in DEFAULT_SPACES:
        raise ValueError(
            f"architecture must be one of {sorted(DEFAULT_SPACES)}, got {config.architecture!r}"
        )
    space = parse_assignments(config.space, "space", choices=True)
    fixed = parse_assignments(config.fixed, "fixed")
    part = role()
    folder = RunFolder(config.run_dir, NAME, config)

    manifest, kept, _, clips = data.prepare_clips(config)
    grouped = {"auto": None, "artist": True, "none": False}[config.group_by]
    (split,) = make_splits(
        kept,
        "holdout",
        fractions=tuple(config.holdout_fractions),
        seed=config.seed,
        grouped=grouped,
    )
    train, validation, test = clips.split_index(kept, split)
    hypermodel = GenreHyperModel(
        config.architecture,
        num_classes=len(manifest["class_names"]),
        input_length=clips.audio.shape[1],
        sample_rate=config.sample_rate,
        space=space,
        fixed=fixed,
    )
    tuner = _make_tuner(config, hypermodel, folder)
    tuner.search(
        clips.audio[train],
        clips.labels[train],
        validation_data=(clips.audio[validation], clips.labels[validation]),
        epochs=config.epochs,
        batch_size=config.batch_size,
        verbose=1 if config.progress else 0,
    )
    rows = folder.results()
    if part == "worker":
        return TuneResult(folder.path, part, rows, {}, None)
    if not any(r["status"] == "COMPLETED" for r in rows):
        raise RuntimeError(
            f"no trial completed in {folder.path}; see the tracebacks keras-tuner printed"
        )
    summary, scores, model_path = _save_best(tuner, config, folder, clips, test, manifest, rows)
    write_json_atomic(
        folder.file(METRICS),
        {
            "recipe": NAME,
            "class_names": manifest["class_names"],
            "split": split.to_dict(),
            **summary,
            "test_confusion": {k: v for k, v in scores.items() if k.endswith("confusion")},
            "trials": rows,
        },
    )
    notes = _notes(config, kept, split, (train, validation, test), space, fixed, part, rows)
    best = next(r for r in rows if r["trial"] == summary["best_trial"])
    _report(folder, config, notes, rows, best, scores, tuner.oracle.objective.direction)
    return TuneResult(folder.path, part, rows, summary, model_path)


def _save_best(tuner, config, folder, clips, test, manifest, rows):
    """Scores the best trial's network on the test clips and saves it as `model.keras`;
    writes `best.json`. Returns `(summary, test scores, model path)`."""
    from kgenre.evaluation.metrics import classification_metrics
    from kgenre.experiments import fitting
    from kgenre.experiments.run_folder import MODEL, write_json_atomic
    from kgenre.inference import InputSpec, ModelInfo, save_model

    best = next(r for r in rows if r["trial"] == tuner.oracle.get_best_trials(1)[0].trial_id)
    model = tuner.get_best_models(1)[0]
    class_names = manifest["class_names"]
    probabilities = fitting.predict(model, clips.audio[test], config.batch_size)
    scores = classification_metrics(
        clips.labels[test], probabilities, clips.track_ids[test], len(class_names)
    )
    test_metrics = {k: v for k, v in scores.items() if not k.endswith("confusion")}
    info = ModelInfo(
        class_names,
        config.sample_rate,
        config.clip_seconds,
        config.clip_seconds,
        inputs=[InputSpec()],
        aggregation="mean",
        recipe=NAME,
        training={
            "recipe": NAME,
            "architecture": config.architecture,
            "trial": best["trial"],
            "hyperparameters": best["hyperparameters"],
            "epochs": config.epochs,
            "objective": config.objective,
        },
        metrics={"validation": {config.objective: best["score"]}, "test": test_metrics},
    )
    model_path = save_model(model, folder.file(MODEL), info)
    summary = {
        "architecture": config.architecture,
        "objective": config.objective,
        "best_trial": best["trial"],
        "best_score": best["score"],
        "best_hyperparameters": best["hyperparameters"],
        "num_trials": len(rows),
        "test": test_metrics,
    }
    write_json_atomic(folder.file(BEST), summary)
    return summary, scores, model_path


def main(argv=None) -> int:
    """`python -m kgenre.experiments.tune [flags]`; prints the run folder and the best trial."""
    from kgenre.experiments.options import parse_config

    config = parse_config(
        Config, argv, prog=f"python -m kgenre.experiments.{NAME}", description=__doc__
    )
    result = run(config)
    if result.best:
        print(
            f"best trial {result.best['best_trial']}: {config.objective} "
            f"{result.best['best_score']:.4f}, {result.best['best_hyperparameters']}"
        )
    print(f"run folder ({result.role}): {os.path.abspath(result.run_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
