import numpy as np
import pytest

from kgenre.models import aggregate_tracks, majority_vote, mean_probability, vote_counts


def test_majority_vote_of_labels():
    assert majority_vote([2, 2, 1, 0, 2]) == 2


def test_ties_go_to_the_lowest_class_index():
    assert majority_vote([3, 1, 3, 1]) == 1
    assert majority_vote([4, 0], num_classes=5) == 0


def test_vote_of_probabilities_uses_each_clips_argmax():
    probs = [[0.1, 0.9], [0.6, 0.4], [0.2, 0.8]]
    assert majority_vote(probs) == 1
    np.testing.assert_array_equal(vote_counts(probs), [1, 2])


def test_mean_probability_can_disagree_with_the_vote():
    probs = np.array([[0.0, 1.0], [0.55, 0.45], [0.55, 0.45]])
    assert majority_vote(probs) == 0
    np.testing.assert_allclose(mean_probability(probs), [1.1 / 3, 1.9 / 3])
    assert np.argmax(mean_probability(probs)) == 1


def test_aggregate_tracks_groups_clips():
    tracks = ["b", "a", "b", "a", "b"]
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.8, 0.2], [0.4, 0.6], [0.1, 0.9]])
    ids, labels = aggregate_tracks(tracks, probs, "vote")
    assert list(ids) == ["b", "a"] and list(labels) == [0, 1]
    _, mean_labels = aggregate_tracks(tracks, probs, "mean")
    assert list(mean_labels) == [0, 1]


def test_bad_input():
    with pytest.raises(ValueError, match="no clip"):
        majority_vote([])
    with pytest.raises(ValueError, match="out of range"):
        majority_vote([0, 5], num_classes=3)
    with pytest.raises(ValueError, match="method"):
        aggregate_tracks([0], [[1.0]], "median")
    with pytest.raises(ValueError, match="clips, classes"):
        mean_probability([0.5, 0.5])
