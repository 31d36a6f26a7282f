"""Clip and track metrics (scikit-learn) and paired tests between models.

Metrics come from scikit-learn; clip-to-track aggregation is `kgenre.models.track_scores`, the
one rule kgenre uses everywhere (mean probability or vote shares, tracks in order of first
appearance).
"""

from __future__ import annotations

import numpy as np

from kgenre.models.aggregation import track_scores


def _labels(y, what="y_true"):
    y = np.asarray(y)
    if y.ndim == 2:
        y = np.argmax(y, axis=-1)
    if y.ndim != 1:
        raise ValueError(f"{what} must be labels (n,) or scores (n, classes), got shape {y.shape}")
    return y.astype(int)


def track_labels(labels, track_ids):
    """One label per track (tracks in order of first appearance); raises if a track's clips
    disagree."""
    labels = _labels(labels)
    track_ids = np.asarray(track_ids)
    if len(labels) != len(track_ids):
        raise ValueError(f"{len(labels)} labels for {len(track_ids)} track ids")
    _, first, inverse = np.unique(track_ids, return_index=True, return_inverse=True)
    per_unique = labels[first]
    if not np.array_equal(per_unique[inverse.reshape(-1)], labels):
        raise ValueError("clips of one track have different labels")
    return per_unique[np.argsort(first)]


def classification_metrics(y_true, clip_scores, track_ids=None, num_classes=None) -> dict:
    """Clip-level and, with `track_ids`, track-level accuracy, macro F1 and confusion.

    Args:
        y_true: `(clips,)` labels.
        clip_scores: `(clips, classes)` probabilities.
        track_ids: `(clips,)` the track of each clip, or `None` (clips are whole tracks).
        num_classes: classes (default: the scores' width).

    Returns:
        dict with `clip_accuracy`, `clip_macro_f1`, `clip_confusion` and, with tracks,
        `track_accuracy_vote`, `track_accuracy_mean`, `track_macro_f1` (mean rule) and
        `track_confusion` (mean rule). Confusion matrices are nested lists, rows true.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    scores = np.asarray(clip_scores, dtype=float)
    if scores.ndim != 2:
        raise ValueError(f"clip_scores must be (clips, classes), got shape {scores.shape}")
    y = _labels(y_true)
    if len(y) != len(scores):
        raise ValueError(f"{len(y)} labels for {len(scores)} rows of scores")
    if len(y) == 0:
        raise ValueError("no examples to score")
    num_classes = scores.shape[1] if num_classes is None else int(num_classes)
    classes = list(range(num_classes))

    def scored(truth, predicted):
        return (
            float(accuracy_score(truth, predicted)),
            float(f1_score(truth, predicted, labels=classes, average="macro", zero_division=0)),
            confusion_matrix(truth, predicted, labels=classes).tolist(),
        )

    out = {}
    out["clip_accuracy"], out["clip_macro_f1"], out["clip_confusion"] = scored(
        y, scores.argmax(axis=1)
    )
    if track_ids is not None:
        truth = track_labels(y, track_ids)
        _, vote = track_scores(track_ids, scores, "vote")
        _, mean = track_scores(track_ids, scores, "mean")
        out["track_accuracy_vote"] = float(accuracy_score(truth, vote.argmax(axis=1)))
        out["track_accuracy_mean"], out["track_macro_f1"], out["track_confusion"] = scored(
            truth, mean.argmax(axis=1)
        )
    return out


def paired_tests(a, b) -> dict:
    """Paired t-test and Wilcoxon signed-rank test of two per-split metric series.

    Returns:
        dict with `n`, `mean_difference` (a - b), `t_statistic`, `t_pvalue`,
        `wilcoxon_statistic`, `wilcoxon_pvalue` (two-sided; NaN when undefined: fewer than 2
        pairs, or differences that do not vary).
    """
    from scipy import stats

    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"paired series must have the same length, got {a.shape} and {b.shape}")
    out = {"n": int(a.size), "mean_difference": float(np.mean(a - b)) if a.size else float("nan")}
    t_stat = t_p = w_stat = w_p = float("nan")
    d = a - b
    # constant differences (all zero, or equal like +0.25, +0.25) leave the t statistic undefined
    if a.size >= 2 and np.std(d) > 1e-12:
        t = stats.ttest_rel(a, b)
        t_stat, t_p = float(t.statistic), float(t.pvalue)
        w = stats.wilcoxon(a, b)
        w_stat, w_p = float(w.statistic), float(w.pvalue)
    out.update(t_statistic=t_stat, t_pvalue=t_p, wilcoxon_statistic=w_stat, wilcoxon_pvalue=w_p)
    return out
