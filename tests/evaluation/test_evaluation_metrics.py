import numpy as np
import pytest
from sklearn.metrics import f1_score

from kgenre.evaluation import classification_metrics, paired_tests, track_labels
from kgenre.models import majority_vote, track_scores


def test_clip_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    scores = rng.random((200, 4))
    scores[np.arange(120), y[:120]] += 1.0
    pred = scores.argmax(1)
    m = classification_metrics(y, scores)
    assert m["clip_accuracy"] == pytest.approx(np.mean(pred == y))
    assert m["clip_macro_f1"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert np.trace(np.array(m["clip_confusion"])) == np.sum(pred == y)


def test_track_vote_and_mean_differ_where_they_should():
    # Track 7: two weak votes for class 1, one confident clip for class 0.
    scores = np.array(
        [[0.45, 0.55], [0.45, 0.55], [0.99, 0.01], [0.2, 0.8], [0.9, 0.1], [0.1, 0.9]]
    )
    tracks = np.array([7, 7, 7, 3, 3, 3])
    ids, vote = track_scores(tracks, scores, "vote")
    _, mean = track_scores(tracks, scores, "mean")
    assert ids.tolist() == [7, 3]  # first appearance
    assert vote.argmax(1).tolist() == [1, 1]
    assert mean.argmax(1).tolist() == [0, 1]
    np.testing.assert_allclose(mean[0], scores[:3].mean(0))
    labels = np.array([0, 0, 0, 1, 1, 1])
    m = classification_metrics(labels, scores, tracks)
    assert m["clip_accuracy"] == pytest.approx(3 / 6)
    assert m["track_accuracy_vote"] == 0.5 and m["track_accuracy_mean"] == 1.0
    assert m["track_confusion"] == [[1, 0], [0, 1]]
    assert track_labels(labels, tracks).tolist() == [0, 1]


def test_track_vote_ties_go_to_the_lowest_class_like_majority_vote():
    # one vote each for classes 0 and 2; the mean probability would pick class 2
    scores = np.array([[0.6, 0.0, 0.4], [0.05, 0.0, 0.95]])
    _, vote = track_scores(np.zeros(2), scores, "vote")
    assert vote.argmax(1).tolist() == [0] == [majority_vote(scores)]


def test_paired_tests_against_scipy_and_degenerate():
    from scipy import stats

    a = np.array([0.5, 0.6, 0.7, 0.65, 0.8])
    b = a - np.array([0.05, 0.02, 0.04, 0.03, 0.06])
    t = paired_tests(a, b)
    assert t["mean_difference"] == pytest.approx(0.04)
    assert t["t_pvalue"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert t["wilcoxon_pvalue"] == pytest.approx(stats.wilcoxon(a, b).pvalue)
    assert np.isnan(paired_tests(a, a)["t_pvalue"])
    assert np.isnan(paired_tests(a, a - 0.1)["t_pvalue"])  # constant differences


def test_bad_inputs():
    with pytest.raises(ValueError, match="labels for"):
        classification_metrics([0, 1], np.ones((1, 2)))
    with pytest.raises(ValueError, match="method"):
        track_scores([0, 0], np.ones((2, 2)), "max")
    with pytest.raises(ValueError, match="different labels"):
        track_labels([0, 1], [5, 5])
    with pytest.raises(ValueError, match="same length"):
        paired_tests([1, 2], [1])
