"""The one protocol runner: every model of an experiment on every split, resumably.

A recipe describes its experiment as a `Plan`: the splits (k-fold, repeated trials or a fixed
split, from `kgenre.datasets.splits`), the candidate models (each a `fit(split) -> Outcome`
function that trains on the split's training tracks and predicts its test clips), which one is
the main model and which the baseline, and what the report must say about the data. The
runner does the rest, the same way for every recipe:

- trains each (split, candidate) not yet in the run folder's `results.jsonl`, in split order,
  with a progress bar and an ETA, and appends its metrics and history as soon as it finishes;
- saves the main model of the best split so far as `model.keras`, with its `ModelInfo`;
- summarises (mean and standard deviation over splits), runs paired tests against the
  baseline (flagging comparisons of identical inputs and tests on fewer than 10 splits), and
  writes `metrics.json`, `history.csv`, `report.md` and the plots.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kgenre.evaluation.metrics import classification_metrics, paired_tests
from kgenre.experiments.options import RunOptions
from kgenre.experiments.run_folder import (
    METRICS,
    MODEL,
    REPORT,
    RunFolder,
    slug,
    write_json_atomic,
    write_text_atomic,
)

MIN_SPLITS_FOR_TESTS = 10
"""Below this many splits the report marks p-values as unreliable."""

SUMMARY_METRICS = (
    "clip_accuracy",
    "clip_macro_f1",
    "track_accuracy_mean",
    "track_accuracy_vote",
    "track_macro_f1",
)
LABELS = {
    "clip_accuracy": "clip accuracy",
    "clip_macro_f1": "clip macro F1",
    "track_accuracy_mean": "track accuracy (mean prob.)",
    "track_accuracy_vote": "track accuracy (vote)",
    "track_macro_f1": "track macro F1",
}


@dataclasses.dataclass
class Outcome:
    """What one fit returns: test predictions, and how to export the fitted model.

    Args:
        probabilities: `(test clips, classes)` class probabilities.
        labels: `(test clips,)` true labels.
        track_ids: `(test clips,)` the track of each clip; `None` when each clip is a track.
        history: Keras `History.history` of the fit.
        extras: anything else worth logging (selected epoch, blending records, ...).
        export: `() -> (model, ModelInfo)`, the model to save if this split is the best one;
            called only then.
    """

    probabilities: np.ndarray
    labels: np.ndarray
    track_ids: np.ndarray | None = None
    history: dict = dataclasses.field(default_factory=dict)
    extras: dict = dataclasses.field(default_factory=dict)
    export: Callable[[], tuple[Any, Any]] | None = None


@dataclasses.dataclass
class Candidate:
    """One model of an experiment: a name and `fit(split) -> Outcome`."""

    name: str
    fit: Callable[[Any], Outcome]


@dataclasses.dataclass
class Plan:
    """An experiment, as the runner needs it.

    Args:
        recipe: the recipe's name (`kgenre.experiments.RECIPES`).
        title: report title.
        config: the recipe's settings (a dataclass), saved in `config.json`.
        class_names: the classes, in label order.
        splits: `kgenre.datasets.Split`s.
        candidates: the models, in report order.
        primary: the candidate saved as `model.keras` (its best split).
        baseline: the candidate the others are tested against, or `None`.
        notes: lines for the report's "What ran" section: data, separator, grouping, epoch
            selection and anything optimistic about the protocol.
        identical_inputs: `(a, b, why)` for candidates fed identical inputs: their comparison
            is reported as such, not as a finding.
        select_metric: the metric that picks the best split's model.
        paper: `{candidate: {"label": metric name, "value": ...}}` numbers from the paper,
            shown beside kgenre's.
        validation_label: what `val_loss` measured, for the loss plots.
        metrics: the metrics the report's tables show (all are in `metrics.json`); a recipe
            whose clips are whole tracks shows the clip metrics only.
        figures: the recipe's own figures, `(run folder) -> [(caption, file name)]`, drawn
            after the runner's plots (when `model.keras` exists, from the saved model).
    """

    recipe: str
    title: str
    config: Any
    class_names: list
    splits: list
    candidates: list
    primary: str
    baseline: str | None = None
    notes: list = dataclasses.field(default_factory=list)
    identical_inputs: list = dataclasses.field(default_factory=list)
    select_metric: str = "track_accuracy_mean"
    paper: dict = dataclasses.field(default_factory=dict)
    validation_label: str = "validation"
    metrics: tuple = SUMMARY_METRICS
    figures: Callable[[str], list] | None = None

    def __post_init__(self):
        names = [c.name for c in self.candidates]
        if len(set(names)) != len(names):
            raise ValueError(f"candidate names must be unique, got {names}")
        for role, name in (("primary", self.primary), ("baseline", self.baseline)):
            if name is not None and name not in names:
                raise ValueError(f"{role} {name!r} is not a candidate ({names})")
        if not self.splits:
            raise ValueError("a plan needs at least one split")


@dataclasses.dataclass
class RunResult:
    """The run folder and what was written to it."""

    run_dir: str
    summary: dict
    comparisons: dict
    rows: list
    model_path: str | None


def _score(outcome: Outcome, num_classes: int) -> dict:
    probabilities = np.asarray(outcome.probabilities, dtype=float)
    labels = np.asarray(outcome.labels).astype(int)
    if probabilities.shape != (len(labels), num_classes):
        raise ValueError(
            f"a fit returned probabilities of shape {probabilities.shape} for {len(labels)} "
            f"test clips and {num_classes} classes"
        )
    if not np.all(np.isfinite(probabilities)):
        raise ValueError("a fit returned non-finite probabilities (did the training diverge?)")
    track_ids = outcome.track_ids
    if track_ids is None:
        track_ids = np.arange(len(labels))
    return classification_metrics(labels, probabilities, np.asarray(track_ids), num_classes)


def summarise(rows: list, names: list) -> dict:
    """`{model: {metric: {"mean", "std", "n"}}}` over the finished splits."""
    summary = {}
    for name in names:
        mine = [r["metrics"] for r in rows if r["model"] == name]
        if not mine:
            continue
        summary[name] = {
            m: {
                "mean": float(np.mean([r[m] for r in mine])),
                "std": float(np.std([r[m] for r in mine])),
                "n": len(mine),
            }
            for m in SUMMARY_METRICS
            if m in mine[0]
        }
    return summary


def _tested_metrics(plan: Plan) -> list:
    """The macro F1s the report shows, and its first accuracy."""
    f1 = [m for m in plan.metrics if m.endswith("macro_f1")]
    return f1 + [m for m in plan.metrics if "accuracy" in m][:1]


def compare(rows: list, plan: Plan) -> dict:
    """Paired tests of every candidate against the baseline, on the splits both finished."""
    if plan.baseline is None:
        return {}
    identical = {frozenset((a, b)): why for a, b, why in plan.identical_inputs}
    by_split = {}
    for r in rows:
        by_split.setdefault(r["split"], {})[r["model"]] = r["metrics"]
    out = {}
    for candidate in plan.candidates:
        name = candidate.name
        if name == plan.baseline:
            continue
        splits = [s for s, m in sorted(by_split.items()) if name in m and plan.baseline in m]
        if not splits:
            continue
        tests = {}
        for metric in _tested_metrics(plan):
            a = [by_split[s][name][metric] for s in splits]
            b = [by_split[s][plan.baseline][metric] for s in splits]
            tests[metric] = paired_tests(a, b)
        why = identical.get(frozenset((name, plan.baseline)))
        notes = []
        if why:
            notes.append(f"identical inputs ({why}): not a finding")
        if len(splits) < MIN_SPLITS_FOR_TESTS:
            notes.append(f"only {len(splits)} splits: p-values are unreliable")
        out[f"{name} vs {plan.baseline}"] = {"tests": tests, "notes": notes, "identical": bool(why)}
    return out


def _fmt(stat):
    return f"{stat['mean']:.3f} ± {stat['std']:.3f}"


def _p(value, identical):
    if identical:
        return "— (same input)"
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.3g}"


def write_report(folder: RunFolder, plan: Plan, rows, summary, comparisons, figures, seconds):
    """`report.md`: what ran, results, tests, per-split results and figures."""
    done = sorted({r["split"] for r in rows})
    grouped = plan.splits[0].grouped
    lines = [f"# {plan.title}", "", "## What ran", ""]
    lines += [f"- {note}" for note in plan.notes]
    lines.append(
        f"- Protocol: {len(plan.splits)} split(s) ({plan.splits[0].name} ...), "
        f"{'grouped by artist' if grouped else 'not grouped'}; the same splits and seeds for "
        f"every model. Finished: {len(done)} of {len(plan.splits)} splits."
    )
    lines.append(f"- Models: {', '.join(c.name for c in plan.candidates)}.")
    lines.append(f"- `model.keras`: {plan.primary}, the split with the best {plan.select_metric}.")
    lines.append(f"- Time: {seconds / 60:.1f} min in this invocation.")
    lines += ["", "## Results (mean ± std over splits)", ""]
    metrics = [m for m in plan.metrics if any(m in s for s in summary.values())]
    header = ["model", *(LABELS[m] for m in metrics)] + (["paper"] if plan.paper else [])
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for name, stats in summary.items():
        cells = [name] + [_fmt(stats[m]) if m in stats else "" for m in metrics]
        if plan.paper:
            ref = plan.paper.get(name)
            cells.append(f"{ref['label']} {ref['value']}" if ref else "")
        lines.append("| " + " | ".join(cells) + " |")
    if comparisons:
        lines += ["", f"## Paired tests against the baseline ({plan.baseline})", ""]
        lines.append("| comparison | metric | mean difference | t-test p | Wilcoxon p | note |")
        lines.append("|---|---|---|---|---|---|")
        for pair, entry in comparisons.items():
            for metric, t in entry["tests"].items():
                lines.append(
                    f"| {pair} | {metric} | {t['mean_difference']:+.3f} | "
                    f"{_p(t['t_pvalue'], entry['identical'])} | "
                    f"{_p(t['wilcoxon_pvalue'], entry['identical'])} | "
                    f"{'; '.join(entry['notes'])} |"
                )
    lines += ["", "## Per split", ""]
    lines.append("| split | model | " + " | ".join(LABELS[m] for m in metrics) + " | seconds |")
    lines.append("|---|---|" + "---|" * (len(metrics) + 1))
    for r in rows:
        cells = [f"{r['metrics'][m]:.3f}" if m in r["metrics"] else "" for m in metrics]
        lines.append(
            f"| {r['split_name']} | {r['model']} | "
            + " | ".join(cells)
            + f" | {r['seconds']:.0f} |"
        )
    if figures:
        lines += ["", "## Figures", ""]
        lines += [f"![{caption}]({name})" for caption, name in figures]
    write_text_atomic(folder.file(REPORT), "\n".join(lines) + "\n")


def write_plots(folder: RunFolder, plan: Plan, rows) -> list:
    """The run's PNGs; returns `(caption, file name)` pairs for the report."""
    from kgenre.evaluation import plots

    figures = []
    level = "track" if any(m.startswith("track") for m in plan.metrics) else "clip"
    names = [c.name for c in plan.candidates if any(r["model"] == c.name for r in rows)]
    for name in names:
        mine = [r for r in rows if r["model"] == name]
        cm = np.sum([np.asarray(r["metrics"][f"{level}_confusion"]) for r in mine], axis=0)
        file = f"confusion_{slug(name)}.png"
        caption = f"{name}: {level}-level confusion, summed over {len(mine)} test set(s)"
        plots.plot_confusion_matrix(cm, plan.class_names, folder.file(file), caption)
        figures.append((caption, file))
        histories = [r["history"] for r in mine if r.get("history", {}).get("loss")]
        if histories:
            file = f"loss_{slug(name)}.png"
            plots.plot_loss_curves(
                histories, folder.file(file), f"{name}: loss", plan.validation_label
            )
            figures.append((f"{name}: loss per epoch", file))
        blends = [r["extras"]["blend_records"] for r in mine if r["extras"].get("blend_records")]
        if blends:
            file = f"blend_weights_{slug(name)}.png"
            plots.plot_blend_weights(
                blends[0], folder.file(file), f"{name}: blending weights, {mine[0]['split_name']}"
            )
            figures.append((f"{name}: adaptive gradient-blending weights", file))
    unit = "folds" if plan.splits[0].name.startswith("fold") else "splits"
    accuracy = "track_accuracy_mean" if level == "track" else "clip_accuracy"
    for metric, label in ((f"{level}_macro_f1", "F1"), (accuracy, "accuracy")):
        values = {n: [r["metrics"][metric] for r in rows if r["model"] == n] for n in names}
        file = f"{label.lower()}_distribution.png"
        plots.plot_metric_distributions(
            values, folder.file(file), f"{level}-level {label}", unit=unit
        )
        figures.append((f"{level}-level {label} across {unit}", file))
    return figures


def _save_best(folder, plan, outcome, row, best):
    """Saves the primary model when this split beats the best so far; returns the best."""
    from kgenre.inference import save_model

    score = row["metrics"].get(plan.select_metric)
    if outcome.export is None or score is None or (best is not None and score <= best):
        return best
    model, info = outcome.export()
    info.metrics = {
        "split": row["split_name"],
        **{k: v for k, v in row["metrics"].items() if not k.endswith("confusion")},
    }
    info.recipe = plan.recipe
    save_model(model, folder.file(MODEL), info)
    row["saved_model"] = True
    return score


def run_plan(plan: Plan, run_dir: str, progress: bool = True) -> RunResult:
    """Runs (or resumes) `plan` in `run_dir`; see the module docstring.

    With `RunOptions.workers` above 1 (or `auto` on a machine without accelerators) the fits
    run in worker processes (`kgenre.experiments.workers`) and this process follows them; in
    a worker process, this call fits the pairs the worker claims and returns.
    """
    from tqdm.auto import tqdm

    from kgenre.experiments import workers as parallel

    start = time.monotonic()
    folder = RunFolder(run_dir, plan.recipe, plan.config)
    worker = parallel.worker_share() is not None
    # a worker reads the log under the lock: another may be appending to it
    with parallel.folder_lock(folder.path) if worker else contextlib.nullcontext():
        rows = folder.results()
    done = {(r["split"], r["model"]) for r in rows}
    todo = [(s, c) for s in plan.splits for c in plan.candidates if (s.index, c.name) not in done]
    if worker:
        parallel.setup_done()
        with _devices(plan) as plan:
            rows = _claim_and_fit(plan, folder, todo, done)
        return RunResult(folder.path, {}, {}, rows, None)
    count = parallel.resolve_workers(plan.config) if todo else 1
    total = len(plan.splits) * len(plan.candidates)
    bar = tqdm(
        total=total, initial=total - len(todo), desc=plan.recipe, unit="fit", disable=not progress
    )
    if done and todo:
        bar.write(f"resuming {run_dir}: {len(done)} of {total} fits already done")
    if count > 1:
        threads = parallel.threads_per_worker(count)
        plan = dataclasses.replace(
            plan,
            notes=[
                *plan.notes,
                f"Workers: {count} processes with {threads} CPU thread(s) each fitted the "
                "models side by side (`--workers`); a fit's seconds are its own wall time.",
            ],
        )

        def on_split_done(rows):
            _write_summaries(folder, plan, rows, figures=[], seconds=time.monotonic() - start)

        with _devices(plan) as plan:
            parallel.run_workers(plan, folder, count, bar, on_split_done)
        rows = folder.results()
    else:
        with _devices(plan) as plan:
            rows = _fit_all(plan, folder, todo, rows, _best_saved(folder, plan, rows), bar, start)
    bar.close()
    figures = write_plots(folder, plan, rows) if rows else []
    if rows and plan.figures is not None:
        figures += plan.figures(folder.path)
    summary, comparisons = _write_summaries(folder, plan, rows, figures, time.monotonic() - start)
    model = folder.file(MODEL)
    if os.path.exists(model):
        _record_summary(model, summary.get(plan.primary, {}))
    return RunResult(
        folder.path, summary, comparisons, rows, model if os.path.exists(model) else None
    )


def _best_saved(folder, plan, rows):
    """The `select_metric` of the saved `model.keras`'s split, or `None` (none saved yet)."""
    best = max(
        (
            r["metrics"].get(plan.select_metric, -np.inf)
            for r in rows
            if r["model"] == plan.primary and r.get("saved_model")
        ),
        default=None,
    )
    if best is not None and not os.path.exists(folder.file(MODEL)):
        best = None  # the model file was removed: save the next best split again
    return best


@contextlib.contextmanager
def _devices(plan: Plan):
    """The plan's devices: models are built and fit inside the distribution that the
    settings' `RunOptions.distribute` names (`kgenre.training.distribution`), and the report
    says which; settings without `RunOptions` train on one device."""
    if not isinstance(plan.config, RunOptions):
        yield plan
        return
    from kgenre.training.distribution import distribution_scope

    with distribution_scope(plan.config.distribute) as distribution:
        yield dataclasses.replace(plan, notes=[*plan.notes, f"Devices: {distribution.describe()}."])


def _fit_one(plan, split, candidate):
    """Fits one (split, candidate); returns its results row and its `Outcome`."""
    began, cpu = time.monotonic(), time.process_time()
    outcome = candidate.fit(split)
    row = {
        "split": split.index,
        "split_name": split.name,
        "seed": split.seed,
        "model": candidate.name,
        "metrics": _score(outcome, len(plan.class_names)),
        "history": {k: [float(v) for v in vs] for k, vs in (outcome.history or {}).items()},
        "extras": outcome.extras or {},
        "seconds": time.monotonic() - began,
        "cpu_seconds": time.process_time() - cpu,
    }
    return row, outcome


def _fit_all(plan, folder, todo, rows, best, bar, start):
    """Trains each (split, candidate) of `todo`, appending its row as soon as it finishes."""
    for split, candidate in todo:
        bar.set_postfix_str(f"{split.name}, {candidate.name}")
        row, outcome = _fit_one(plan, split, candidate)
        if candidate.name == plan.primary:
            best = _save_best(folder, plan, outcome, row, best)
        folder.append(row)
        rows.append(row)
        bar.update(1)
        last_of_split = candidate is plan.candidates[-1]
        if last_of_split:
            _write_summaries(folder, plan, rows, figures=[], seconds=time.monotonic() - start)
    return rows


def _claim_and_fit(plan, folder, todo, done):
    """A worker's loop: claims unfinished pairs one at a time and fits them; the best-split
    check and the append happen under the run folder's lock, so workers never save over a
    better model or interleave lines."""
    from kgenre.experiments.workers import claim_next, folder_lock

    while (pair := claim_next(folder.path, todo, done)) is not None:
        split, candidate = pair
        row, outcome = _fit_one(plan, split, candidate)
        with folder_lock(folder.path):
            if candidate.name == plan.primary:
                _save_best(folder, plan, outcome, row, _best_saved(folder, plan, folder.results()))
            folder.append(row)
    return folder.results()


def _write_summaries(folder, plan, rows, figures, seconds):
    summary = summarise(rows, [c.name for c in plan.candidates])
    comparisons = compare(rows, plan)
    folder.write_history(rows)
    write_json_atomic(
        folder.file(METRICS),
        {
            "recipe": plan.recipe,
            "class_names": plan.class_names,
            "splits": [s.to_dict() for s in plan.splits],
            "summary": summary,
            "comparisons": comparisons,
            "per_split": [
                {k: r[k] for k in ("split", "split_name", "seed", "model", "metrics", "seconds")}
                for r in rows
            ],
        },
    )
    write_report(folder, plan, rows, summary, comparisons, figures, seconds)
    return summary, comparisons


def _record_summary(model_path, summary):
    """Adds the run's summary over all splits to the saved model's `ModelInfo.metrics`."""
    import json
    import zipfile

    from kgenre.inference.model_file import INFO_MEMBER, ModelInfo

    with zipfile.ZipFile(model_path) as archive:
        members = [(entry, archive.read(entry)) for entry in archive.infolist()]
    tmp = f"{model_path}.{os.getpid()}.tmp"
    with zipfile.ZipFile(tmp, "w") as archive:
        for entry, data in members:
            if entry.filename == INFO_MEMBER:
                info = ModelInfo.from_dict(json.loads(data))
                info.metrics = {**info.metrics, "over_splits": summary}
                data = json.dumps(info.to_dict(), indent=2).encode("utf-8")
            archive.writestr(entry, data)  # keeps each member's compression
    os.replace(tmp, model_path)
