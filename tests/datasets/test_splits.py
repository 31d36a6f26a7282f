from collections import Counter

import numpy as np
import pytest

from kgenre.datasets import (
    Track,
    holdout_split,
    kfold_splits,
    make_splits,
    official_splits,
    trial_splits,
)


def _tracks(n_per_class=20, classes=("a", "b", "c", "d", "e"), artists_per_class=None):
    out = []
    for c in classes:
        for i in range(n_per_class):
            group = f"{c}-artist{i % artists_per_class}" if artists_per_class else None
            out.append(Track(path=f"{c}{i}.wav", label=c, track_id=f"{c}{i}", group=group))
    return out


def _labels(tracks, index):
    return Counter(tracks[i].label for i in index)


def test_kfold_covers_every_track_once_and_stratifies():
    tracks = _tracks()
    folds = kfold_splits(tracks, n_splits=10, seed=3)
    assert len(folds) == 10 and [f.seed for f in folds] == list(range(3, 13))
    tested = np.concatenate([f.test for f in folds])
    assert sorted(tested.tolist()) == list(range(len(tracks)))
    for fold in folds:
        assert len(fold.train) == 90 and len(fold.test) == 10 and not fold.grouped
        assert set(_labels(tracks, fold.test).values()) == {2}
        assert not set(fold.train) & set(fold.test)


def test_kfold_keeps_groups_inside_one_fold_and_carves_validation():
    tracks = _tracks(artists_per_class=5)
    groups = np.array([t.group for t in tracks])
    folds = kfold_splits(tracks, n_splits=5, seed=0, validation_fraction=0.2)
    for fold in folds:
        assert fold.grouped
        sides = [set(groups[fold.train]), set(groups[fold.validation]), set(groups[fold.test])]
        assert not sides[0] & sides[1] and not sides[0] & sides[2] and not sides[1] & sides[2]
        assert len(fold.train) + len(fold.validation) + len(fold.test) == len(tracks)
    ungrouped = kfold_splits(tracks, n_splits=5, seed=0, grouped=False)
    assert not ungrouped[0].grouped
    with pytest.raises(ValueError, match="groups cannot fill"):
        kfold_splits(_tracks(artists_per_class=1, classes=("a", "b")), n_splits=3)


def test_holdout_80_10_10():
    tracks = _tracks(n_per_class=40, classes=("a", "b"))
    (split,) = holdout_split(tracks, seed=1)
    assert (len(split.train), len(split.validation), len(split.test)) == (64, 8, 8)
    assert _labels(tracks, split.validation) == {"a": 4, "b": 4}
    assert len(set(split.train) | set(split.validation) | set(split.test)) == 80
    (again,) = holdout_split(tracks, seed=1)
    assert np.array_equal(again.test, split.test)
    with pytest.raises(ValueError, match="fractions"):
        holdout_split(tracks, fractions=(0.8, 0.3, 0.1))
    artists = _tracks(n_per_class=40, classes=("a", "b"), artists_per_class=8)
    (grouped,) = holdout_split(artists)
    groups = np.array([t.group for t in artists])
    sides = [set(groups[grouped.train]), set(groups[grouped.validation]), set(groups[grouped.test])]
    assert grouped.grouped and 55 <= len(grouped.train) <= 70
    assert not sides[0] & sides[1] and not sides[0] & sides[2] and not sides[1] & sides[2]


def test_trials_one_seed_per_trial():
    tracks = _tracks(n_per_class=11, classes=("a", "b", "c", "d", "e", "f"))  # 66 songs
    trials = trial_splits(tracks, n_trials=50, seed=100)
    assert [t.seed for t in trials] == list(range(100, 150))
    assert all(len(t.train) + len(t.test) == 66 and len(t.test) == 14 for t in trials)
    assert len({tuple(t.test) for t in trials}) == 50
    again = trial_splits(tracks, n_trials=3, seed=101)
    assert np.array_equal(again[0].test, trials[1].test)
    grouped = trial_splits(_tracks(n_per_class=10, artists_per_class=5), n_trials=3)
    groups = np.array([t.group for t in _tracks(n_per_class=10, artists_per_class=5)])
    for t in grouped:
        assert t.grouped and not set(groups[t.train]) & set(groups[t.test])
    with pytest.raises(ValueError, match="test_fraction"):
        trial_splits(tracks, test_fraction=1.0)
    with pytest.raises(ValueError, match="n_trials"):
        trial_splits(tracks, n_trials=0)


def test_official_and_dispatch():
    tracks = [
        Track("a", "x", "1", split="training"),
        Track("b", "y", "2", split="test"),
        Track("c", "y", "3", split="validation"),
    ]
    (split,) = official_splits(tracks)
    assert split.train.tolist() == [0] and split.test.tolist() == [1]
    assert split.validation.tolist() == [2]
    with pytest.raises(ValueError, match="official split"):
        official_splits([Track("a", "x", "1")])
    assert make_splits(tracks, "official")[0].name == "official"
    with pytest.raises(ValueError, match="protocol"):
        make_splits(tracks, "leave-one-out")
