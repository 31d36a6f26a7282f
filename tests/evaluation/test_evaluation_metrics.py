import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import f1_score

from kgenre.evaluation import (
    accuracy,
    classification_metrics,
    confusion_matrix,
    macro_f1,
    track_labels,
    track_predictions,
)


def test_clip_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    scores = rng.random((200, 4))
    scores[np.arange(200)[:120], y[:120]] += 1.0
    pred = scores.argmax(1)
    assert accuracy(y, scores) == pytest.approx(np.mean(pred == y))
    assert macro_f1(y, pred, 4) == pytest.approx(f1_score(y, pred, average="macro"))
    np.testing.assert_array_equal(
        confusion_matrix(y, pred, 4), sk_confusion(y, pred, labels=range(4))
    )


def test_track_vote_and_mean_differ_where_they_should():
    # Track 0: two weak votes for class 1, one confident clip for class 0.
    scores = np.array(
        [[0.45, 0.55], [0.45, 0.55], [0.99, 0.01], [0.2, 0.8], [0.9, 0.1], [0.1, 0.9]]
    )
    tracks = np.array([7, 7, 7, 3, 3, 3])
    ids, vote = track_predictions(scores, tracks, "vote")
    _, mean = track_predictions(scores, tracks, "mean")
    assert ids.tolist() == [3, 7]
    assert vote.argmax(1).tolist() == [1, 1]
    assert mean.argmax(1).tolist() == [1, 0]
    np.testing.assert_allclose(mean[1], scores[:3].mean(0))


def test_track_vote_ties_go_to_the_lowest_class_like_majority_vote():
    from kgenre.models import majority_vote

    # one vote each for classes 0 and 2; the mean probability would pick class 2
    scores = np.array([[0.6, 0.0, 0.4], [0.05, 0.0, 0.95]])
    _, vote = track_predictions(scores, np.zeros(2), "vote")
    assert vote.argmax(1).tolist() == [0] == [majority_vote(scores)]


def test_classification_metrics_track_level():
    scores = np.array(
        [[0.45, 0.55], [0.45, 0.55], [0.99, 0.01], [0.2, 0.8], [0.9, 0.1], [0.1, 0.9]]
    )
    labels = np.array([0, 0, 0, 1, 1, 1])
    tracks = np.array([7, 7, 7, 3, 3, 3])
    m = classification_metrics(labels, scores, tracks)
    assert m["clip_accuracy"] == pytest.approx(3 / 6)
    assert m["track_accuracy_vote"] == 0.5 and m["track_accuracy_mean"] == 1.0
    assert m["track_confusion"] == [[1, 0], [0, 1]]
    assert track_labels(labels, tracks).tolist() == [1, 0]


def test_bad_inputs():
    with pytest.raises(ValueError, match="lengths differ"):
        accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="method"):
        track_predictions(np.ones((2, 2)), [0, 0], "max")
    with pytest.raises(ValueError, match="different labels"):
        track_labels([0, 1], [5, 5])
