"""Clip- and track-level classification metrics."""

import numpy as np


def _labels(y, what="y_true"):
    y = np.asarray(y)
    if y.ndim == 2:
        y = np.argmax(y, axis=-1)
    if y.ndim != 1:
        raise ValueError(f"{what} must be labels (n,) or scores (n, classes), got shape {y.shape}")
    return y.astype(int)


def _check_same_length(a, b, what):
    if len(a) != len(b):
        raise ValueError(f"{what}: lengths differ, got {len(a)} and {len(b)}")


def accuracy(y_true, y_pred):
    """Fraction of correct labels; `y_pred` may be labels or class scores `(n, C)`."""
    y_true, y_pred = _labels(y_true), _labels(y_pred, "y_pred")
    _check_same_length(y_true, y_pred, "accuracy")
    if len(y_true) == 0:
        raise ValueError("accuracy of an empty set")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Counts `cm[i, j]` of examples of class `i` predicted as `j`."""
    y_true, y_pred = _labels(y_true), _labels(y_pred, "y_pred")
    _check_same_length(y_true, y_pred, "confusion_matrix")
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)) + 1)
    cm = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def macro_f1(y_true, y_pred, num_classes=None):
    """Unweighted mean over classes of F1 = 2PR / (P + R); a class absent from both
    truth and prediction is left out, one with no correct prediction scores 0."""
    cm = confusion_matrix(y_true, y_pred, num_classes)
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    present = (support + predicted) > 0
    denom = support + predicted
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    return float(np.mean(f1[present]))


def track_predictions(clip_scores, track_ids, method="mean"):
    """Aggregates clip-level class scores into one decision per track.

    Args:
        clip_scores: `(num_clips, num_classes)` probabilities.
        track_ids: `(num_clips,)` track of each clip.
        method: `"vote"` (majority of clip argmaxes, MS-SincResNet's voting, seed 000;
            ties go to the lowest class index, as in `kgenre.models.majority_vote` and the
            reference code) or `"mean"`
            (argmax of the mean probability, Phan et al.'s averaging, seed 003).

    Returns:
        `(tracks, scores)`: the sorted unique track ids and `(num_tracks, num_classes)`
        scores (vote counts, or mean probabilities).
    """
    scores = np.asarray(clip_scores, dtype=float)
    track_ids = np.asarray(track_ids)
    if scores.ndim != 2:
        raise ValueError(f"clip_scores must be (clips, classes), got shape {scores.shape}")
    _check_same_length(scores, track_ids, "track_predictions")
    if method not in ("vote", "mean"):
        raise ValueError(f"method must be 'vote' or 'mean', got {method!r}")
    tracks, inverse = np.unique(track_ids, return_inverse=True)
    num_classes = scores.shape[1]
    sums = np.zeros((len(tracks), num_classes))
    np.add.at(sums, inverse, scores)
    counts = np.bincount(inverse, minlength=len(tracks))[:, None]
    means = sums / counts
    if method == "mean":
        return tracks, means
    votes = np.zeros((len(tracks), num_classes))
    np.add.at(votes, (inverse, np.argmax(scores, axis=1)), 1.0)
    return tracks, votes


def track_labels(labels, track_ids):
    """One label per track (sorted track ids); raises if a track's clips disagree."""
    labels = _labels(labels)
    track_ids = np.asarray(track_ids)
    tracks, inverse = np.unique(track_ids, return_inverse=True)
    out = np.full(len(tracks), -1)
    out[inverse] = labels
    if not np.array_equal(out[inverse], labels):
        raise ValueError("clips of one track have different labels")
    return out


def classification_metrics(y_true, clip_scores, track_ids=None, num_classes=None):
    """Clip-level and, with `track_ids`, track-level accuracy and macro F1.

    Returns:
        dict with `clip_accuracy`, `clip_macro_f1`, `clip_confusion` and, with tracks,
        `track_accuracy_vote`, `track_accuracy_mean`, `track_macro_f1` (mean rule) and
        `track_confusion` (mean rule). Confusion matrices are nested lists.
    """
    scores = np.asarray(clip_scores, dtype=float)
    if num_classes is None:
        num_classes = scores.shape[1]
    y = _labels(y_true)
    out = {
        "clip_accuracy": accuracy(y, scores),
        "clip_macro_f1": macro_f1(y, scores, num_classes),
        "clip_confusion": confusion_matrix(y, scores, num_classes).tolist(),
    }
    if track_ids is not None:
        truth = track_labels(y, track_ids)
        _, vote = track_predictions(scores, track_ids, "vote")
        _, mean = track_predictions(scores, track_ids, "mean")
        out["track_accuracy_vote"] = accuracy(truth, vote)
        out["track_accuracy_mean"] = accuracy(truth, mean)
        out["track_macro_f1"] = macro_f1(truth, mean, num_classes)
        out["track_confusion"] = confusion_matrix(truth, mean, num_classes).tolist()
    return out
