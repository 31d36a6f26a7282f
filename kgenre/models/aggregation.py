"""Clip-to-track aggregation: one decision per track from the decisions on its clips.

Plain numpy. MS-SincResNet votes over the 3-s clips of a track (Sec. 2, Fig. 1: majority
vote, ties to the lowest class index as `numpy.argmax` over the vote counts breaks them, the
reference code's rule); the multi-view CRNN and SoundFusion average the clip probabilities.
"""

import numpy as np


def _as_labels(clip_predictions, num_classes):
    clip_predictions = np.asarray(clip_predictions)
    if clip_predictions.size == 0:
        raise ValueError("no clip predictions to aggregate")
    if clip_predictions.ndim == 2:
        if num_classes is not None and clip_predictions.shape[1] != num_classes:
            raise ValueError(
                f"clip probabilities have {clip_predictions.shape[1]} classes, "
                f"num_classes={num_classes}"
            )
        return clip_predictions.argmax(axis=1), clip_predictions.shape[1]
    if clip_predictions.ndim != 1:
        raise ValueError(
            f"expected clip labels (clips,) or probabilities (clips, classes), got shape "
            f"{clip_predictions.shape}"
        )
    labels = clip_predictions.astype(int)
    if not np.array_equal(labels, clip_predictions) or labels.min() < 0:
        raise ValueError(f"clip labels must be non-negative integers, got {clip_predictions}")
    if num_classes is not None and labels.max() >= num_classes:
        raise ValueError(f"clip label {labels.max()} is out of range for {num_classes} classes")
    return labels, num_classes if num_classes is not None else labels.max() + 1


def vote_counts(clip_predictions, num_classes=None):
    """Votes per class, `(num_classes,)`, from clip labels or clip probabilities (argmax)."""
    labels, num_classes = _as_labels(clip_predictions, num_classes)
    return np.bincount(labels, minlength=num_classes)


def majority_vote(clip_predictions, num_classes=None):
    """The track label most clips vote for; ties go to the lowest class index.

    Args:
        clip_predictions: `(clips,)` integer labels or `(clips, classes)` probabilities.
        num_classes: number of classes (inferred if omitted).

    Returns:
        The winning class index (int).

    Example:

    >>> majority_vote([2, 1, 2, 1, 0])
    1
    """
    return int(np.argmax(vote_counts(clip_predictions, num_classes)))


def mean_probability(clip_probabilities):
    """The mean of the clips' class probabilities, `(classes,)`.

    Example:

    >>> mean_probability([[0.6, 0.4], [0.2, 0.8]])
    array([0.4, 0.6])
    """
    probabilities = np.asarray(clip_probabilities, dtype="float64")
    if probabilities.ndim != 2 or probabilities.shape[0] == 0:
        raise ValueError(
            f"expected clip probabilities of shape (clips, classes), got {probabilities.shape}"
        )
    return probabilities.mean(axis=0)


def track_scores(track_ids, clip_probabilities, method="mean"):
    """Class scores per track from clip probabilities: the one clip-to-track rule in kgenre.

    Args:
        track_ids: `(clips,)` the track of each clip.
        clip_probabilities: `(clips, classes)`.
        method: `"mean"`: the mean clip probability (Phan et al.'s averaging, seed 003;
            SoundFusion's clip aggregation, seed 001); `"vote"`: the share of clips whose
            argmax is each class (MS-SincResNet's voting, seed 000). The track's label is the
            argmax of its scores, so vote ties go to the lowest class index, as
            `majority_vote` and the reference code break them.

    Returns:
        `(tracks, scores)`: the distinct track ids in order of first appearance, and
        `(tracks, classes)` float64 scores, each row summing to 1.

    Example:

    >>> tracks, scores = track_scores(["a", "a", "b"], [[0.6, 0.4], [0.2, 0.8], [1.0, 0.0]], "vote")
    >>> tracks.tolist(), scores.tolist()
    (['a', 'b'], [[0.5, 0.5], [1.0, 0.0]])
    """
    if method not in ("vote", "mean"):
        raise ValueError(f'method must be "vote" or "mean", got {method!r}')
    track_ids = np.asarray(track_ids)
    probabilities = np.asarray(clip_probabilities, dtype="float64")
    if probabilities.ndim != 2 or len(track_ids) != len(probabilities):
        raise ValueError(
            f"expected {len(track_ids)} clip probability rows (clips, classes), got shape "
            f"{probabilities.shape}"
        )
    if len(track_ids) == 0:
        raise ValueError("no clip predictions to aggregate")
    _, first, inverse = np.unique(track_ids, return_index=True, return_inverse=True)
    order = np.argsort(first)  # unique (sorted) position -> first-appearance rank
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    row = rank[inverse.reshape(-1)]
    sums = np.zeros((len(order), probabilities.shape[1]))
    if method == "mean":
        np.add.at(sums, row, probabilities)
    else:
        np.add.at(sums, (row, probabilities.argmax(axis=1)), 1.0)
    counts = np.bincount(row, minlength=len(order))[:, None]
    return track_ids[np.sort(first)], sums / counts


def aggregate_tracks(track_ids, clip_probabilities, method="vote"):
    """One label per track: the argmax of `track_scores`.

    Returns:
        `(tracks, labels)`: the distinct track ids in order of first appearance and their
        labels, as numpy arrays.
    """
    tracks, scores = track_scores(track_ids, clip_probabilities, method)
    return tracks, scores.argmax(axis=1)
