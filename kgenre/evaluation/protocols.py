"""Evaluation protocols: k-fold cross-validation and repeated random trials.

The runners know nothing about datasets: they get the labels (one per example), the
optional track id of each example, and one callable per model,

    fit_predict(train_index, test_index, seed) -> probabilities (len(test_index), C)
                                                 or a dict with "probabilities" and
                                                 optionally "history" (Keras History
                                                 .history) and "blend_records"
                                                 (AdaptiveGradientBlending.records).

`keras_fit_predict` builds such a callable from `build_model`, arrays and fit options.
Every model sees the same splits (same seeds), so per-split metrics are paired and
compared with a paired t-test and a Wilcoxon signed-rank test.
"""

import dataclasses
import itertools
import json
import os

import numpy as np
from scipy import stats
from tqdm.auto import tqdm

from kgenre.evaluation import plots
from kgenre.evaluation.metrics import classification_metrics

SCALAR_METRICS = (
    "clip_accuracy",
    "clip_macro_f1",
    "track_accuracy_vote",
    "track_accuracy_mean",
    "track_macro_f1",
)


def kfold_splits(labels, n_splits=10, groups=None, seed=0):
    """Stratified k-fold test folds (grouped by track when `groups` is given).

    GTZAN protocol of MS-SincResNet (seed 000, Sec. 3): 10 folds, each track tested
    once; with clip-level examples pass the track ids as `groups` so that no track has
    clips on both sides.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    labels = np.asarray(labels)
    if n_splits < 2:
        raise ValueError(f"n_splits must be >= 2, got {n_splits}")
    if groups is None:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(labels)), labels))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels, groups))


def random_splits(labels, n_trials=50, test_fraction=0.2, groups=None, seed=0):
    """`n_trials` random train/test splits, trial `i` drawn with seed `seed + i`.

    Mersy (AAAI 2021, seed 002): 50 trials of 80 % train / 20 % test, "at a unique
    random seed to produce identical train and test sets for each model". With
    `groups`, whole tracks go to one side.
    """
    from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit

    labels = np.asarray(labels)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    out = []
    for i in range(n_trials):
        if groups is None:
            splitter = ShuffleSplit(1, test_size=test_fraction, random_state=seed + i)
            out.append(next(splitter.split(np.zeros(len(labels)))))
        else:
            splitter = GroupShuffleSplit(1, test_size=test_fraction, random_state=seed + i)
            out.append(next(splitter.split(np.zeros(len(labels)), labels, groups)))
    return out


def paired_tests(a, b):
    """Paired t-test and Wilcoxon signed-rank test of two per-split metric series.

    Returns:
        dict with `mean_difference` (a - b), `t_statistic`, `t_pvalue`,
        `wilcoxon_statistic`, `wilcoxon_pvalue` (two-sided; NaN when undefined, e.g.
        fewer than 2 pairs or all differences 0).
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"paired series must have the same length, got {a.shape} and {b.shape}")
    out = {"n": int(a.size), "mean_difference": float(np.mean(a - b)) if a.size else float("nan")}
    t_stat = t_p = w_stat = w_p = float("nan")
    d = a - b
    if a.size >= 2 and np.any(d != 0):
        t = stats.ttest_rel(a, b)
        t_stat, t_p = float(t.statistic), float(t.pvalue)
        w = stats.wilcoxon(a, b)
        w_stat, w_p = float(w.statistic), float(w.pvalue)
    out.update(t_statistic=t_stat, t_pvalue=t_p, wilcoxon_statistic=w_stat, wilcoxon_pvalue=w_p)
    return out


def keras_fit_predict(build_model, x, y, fit_kwargs=None, predict_fn=None, validation_fraction=0.0):
    """A `fit_predict` callable from `build_model(seed)` and in-memory arrays.

    Args:
        build_model: `seed -> compiled keras.Model` (a fresh model per split).
        x: array or dict of arrays (first axis: examples).
        y: labels.
        fit_kwargs: passed to `model.fit` (epochs, batch_size, callbacks...).
        predict_fn: `(model, x_test) -> probabilities`; default `model.predict`, or
            `predict_self_ensemble` for a `BlendedModel`.
        validation_fraction: fraction of the training indices held out as
            `validation_data` (drawn with the split's seed).
    """
    fit_kwargs = dict(fit_kwargs or {})

    def take(data, idx):
        if isinstance(data, dict):
            return {k: np.asarray(v)[idx] for k, v in data.items()}
        return np.asarray(data)[idx]

    def fit_predict(train_index, test_index, seed):
        model = build_model(seed)
        train_index = np.asarray(train_index)
        kwargs = dict(fit_kwargs)
        kwargs.setdefault("verbose", 0)
        if validation_fraction > 0:
            perm = np.random.default_rng(seed).permutation(train_index)
            n_val = max(1, int(round(validation_fraction * len(perm))))
            val_index, train_index = perm[:n_val], perm[n_val:]
            kwargs["validation_data"] = (take(x, val_index), take(y, val_index))
        history = model.fit(take(x, train_index), take(y, train_index), **kwargs)
        x_test = take(x, test_index)
        if predict_fn is not None:
            probs = predict_fn(model, x_test)
        elif hasattr(model, "predict_self_ensemble"):
            probs = model.predict_self_ensemble(x_test)
        else:
            probs = model.predict(x_test, verbose=0)
        return {"probabilities": np.asarray(probs), "history": dict(history.history)}

    return fit_predict


@dataclasses.dataclass
class EvaluationResult:
    """Outcome of a protocol run.

    Attributes:
        protocol: `"kfold"` or `"trials"`.
        per_split: `{model: [metrics dict per split]}`.
        summary: `{model: {metric: {"mean", "std"}}}`.
        comparisons: `{"a vs b": {metric: paired_tests(...)}}`.
        run_dir: the folder written, or None.
    """

    protocol: str
    per_split: dict
    summary: dict
    comparisons: dict
    run_dir: str = None


def _normalise_output(out, n_test):
    if isinstance(out, dict):
        if "probabilities" not in out:
            raise ValueError("fit_predict returned a dict without 'probabilities'")
        result = dict(out)
    else:
        result = {"probabilities": out}
    probs = np.asarray(result["probabilities"], dtype=float)
    if probs.ndim != 2 or probs.shape[0] != n_test:
        raise ValueError(
            f"fit_predict must return ({n_test}, num_classes) probabilities, got {probs.shape}"
        )
    result["probabilities"] = probs
    return result


def run_protocol(
    models,
    labels,
    splits,
    protocol,
    track_ids=None,
    class_names=None,
    seed=0,
    run_dir=None,
    title=None,
):
    """Runs every model on every split and (optionally) writes the run folder.

    Args:
        models: dict `{name: fit_predict}` (see the module docstring).
        labels: `(n,)` integer labels.
        splits: list of `(train_index, test_index)`.
        protocol: label for the report (`"kfold"`, `"trials"`).
        track_ids: `(n,)` track of each example, for track-level metrics.
        class_names: names for the confusion matrix.
        seed: split `i` is trained with seed `seed + i` (same for every model).
        run_dir: folder for metrics.json, report.md and PNGs (created).
        title: report title.

    Returns:
        `EvaluationResult`.
    """
    if not models:
        raise ValueError("models must name at least one fit_predict callable")
    labels = np.asarray(labels).astype(int)
    if track_ids is not None:
        track_ids = np.asarray(track_ids)
        if len(track_ids) != len(labels):
            raise ValueError(f"track_ids has {len(track_ids)} entries for {len(labels)} labels")
    num_classes = int(labels.max()) + 1 if class_names is None else len(class_names)
    per_split, extras = {}, {}
    bar = tqdm(total=len(models) * len(splits), desc=f"{protocol} runs", leave=False)
    for name, fit_predict in models.items():
        per_split[name], extras[name] = [], []
        for i, (train_index, test_index) in enumerate(splits):
            out = _normalise_output(fit_predict(train_index, test_index, seed + i), len(test_index))
            metrics = classification_metrics(
                labels[test_index],
                out["probabilities"],
                None if track_ids is None else track_ids[test_index],
                num_classes,
            )
            metrics["split"] = i
            per_split[name].append(metrics)
            extras[name].append({k: v for k, v in out.items() if k != "probabilities"})
            bar.update(1)
    bar.close()

    summary = {}
    for name, rows in per_split.items():
        summary[name] = {
            m: {
                "mean": float(np.mean([r[m] for r in rows])),
                "std": float(np.std([r[m] for r in rows])),
            }
            for m in SCALAR_METRICS
            if m in rows[0]
        }
    comparisons = {}
    for a, b in itertools.combinations(per_split, 2):
        comparisons[f"{a} vs {b}"] = {
            m: paired_tests([r[m] for r in per_split[a]], [r[m] for r in per_split[b]])
            for m in summary[a]
        }
    result = EvaluationResult(protocol, per_split, summary, comparisons)
    if run_dir is not None:
        write_run_folder(result, run_dir, extras, class_names, title)
    return result


def cross_validate(models, labels, n_splits=10, track_ids=None, splits=None, seed=0, **kwargs):
    """k-fold cross-validation (default 10 folds, GTZAN protocol): mean ± std over folds.

    Folds are grouped by `track_ids` when given. Extra arguments go to `run_protocol`.
    """
    if splits is None:
        splits = kfold_splits(labels, n_splits, groups=track_ids, seed=seed)
    return run_protocol(models, labels, splits, "kfold", track_ids=track_ids, seed=seed, **kwargs)


def repeated_trials(
    models, labels, n_trials=50, test_fraction=0.2, track_ids=None, seed=0, **kwargs
):
    """Mersy's protocol (seed 002): `n_trials` random 80/20 splits, paired tests.

    Extra arguments go to `run_protocol`.
    """
    splits = random_splits(labels, n_trials, test_fraction, groups=track_ids, seed=seed)
    return run_protocol(models, labels, splits, "trials", track_ids=track_ids, seed=seed, **kwargs)


def _fmt(stat):
    return f"{stat['mean']:.4f} ± {stat['std']:.4f}"


def write_run_folder(result, run_dir, extras=None, class_names=None, title=None):
    """Writes metrics.json, report.md and PNG plots for `result` into `run_dir`."""
    os.makedirs(run_dir, exist_ok=True)
    extras = extras or {}
    figures = []
    level = "track" if "track_confusion" in next(iter(result.per_split.values()))[0] else "clip"
    for name, rows in result.per_split.items():
        cm = np.sum([np.asarray(r[f"{level}_confusion"]) for r in rows], axis=0)
        fname = f"confusion_{_slug(name)}.png"
        plots.plot_confusion_matrix(
            cm,
            class_names,
            os.path.join(run_dir, fname),
            f"{name}: {level}-level confusion, all {result.protocol} test sets",
        )
        figures.append((f"{name}: confusion matrix ({level} level, summed over splits)", fname))
        histories = [e["history"] for e in extras.get(name, []) if e.get("history")]
        if histories:
            fname = f"loss_{_slug(name)}.png"
            plots.plot_loss_curves(histories, os.path.join(run_dir, fname), f"{name}: loss")
            figures.append((f"{name}: training/validation loss", fname))
        records = [e["blend_records"] for e in extras.get(name, []) if e.get("blend_records")]
        if records:
            fname = f"blend_weights_{_slug(name)}.png"
            plots.plot_blend_weights(
                records[0], os.path.join(run_dir, fname), f"{name}: blending weights (split 0)"
            )
            figures.append((f"{name}: gradient-blending weights, split 0", fname))
    f1_key = f"{level}_macro_f1"
    plots.plot_metric_distributions(
        {n: [r[f1_key] for r in rows] for n, rows in result.per_split.items()},
        os.path.join(run_dir, "f1_distribution.png"),
        metric=f"{level}-level macro F1",
    )
    figures.append((f"{level}-level macro F1 across splits", "f1_distribution.png"))

    payload = {
        "protocol": result.protocol,
        "num_splits": len(next(iter(result.per_split.values()))),
        "summary": result.summary,
        "comparisons": result.comparisons,
        "per_split": result.per_split,
        "class_names": list(class_names) if class_names is not None else None,
    }
    with open(os.path.join(run_dir, "metrics.json"), "w") as f:
        json.dump(_finite(payload), f, indent=2, default=_json_default)

    lines = [f"# {title or 'Evaluation report'}", ""]
    lines.append(
        f"Protocol: {result.protocol}, {payload['num_splits']} splits, "
        "the same splits and seeds for every model. Values: mean ± std over splits."
    )
    lines.append("")
    metrics = list(next(iter(result.summary.values())))
    lines.append("| model | " + " | ".join(metrics) + " |")
    lines.append("|---|" + "---|" * len(metrics))
    for name, s in result.summary.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(s[m]) for m in metrics) + " |")
    if result.comparisons:
        lines += [
            "",
            "## Paired tests",
            "",
            "| comparison | metric | mean difference | t-test p | Wilcoxon p |",
            "|---|---|---|---|---|",
        ]
        for pair, by_metric in result.comparisons.items():
            for m, t in by_metric.items():
                lines.append(
                    f"| {pair} | {m} | {t['mean_difference']:+.4f} | "
                    f"{t['t_pvalue']:.4g} | {t['wilcoxon_pvalue']:.4g} |"
                )
    lines += ["", "## Per split", ""]
    lines.append("| model | split | " + " | ".join(metrics) + " |")
    lines.append("|---|---|" + "---|" * len(metrics))
    for name, rows in result.per_split.items():
        for r in rows:
            lines.append(
                f"| {name} | {r['split']} | " + " | ".join(f"{r[m]:.4f}" for m in metrics) + " |"
            )
    lines += ["", "## Figures", ""]
    lines += [f"![{caption}]({fname})" for caption, fname in figures]
    with open(os.path.join(run_dir, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    result.run_dir = run_dir
    return run_dir


def _slug(name):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(name))


def _finite(o):
    # Strict JSON has no NaN: undefined test statistics become null.
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return o


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")
