from collections import Counter

import pytest

from kgenre.datasets import (
    Track,
    official_split,
    random_trials,
    stratified_kfold,
    stratified_split,
)


def _tracks(n_per_class=20, classes=("a", "b", "c", "d", "e"), artists_per_class=None):
    out = []
    for c in classes:
        for i in range(n_per_class):
            group = f"{c}-artist{i % artists_per_class}" if artists_per_class else None
            out.append(Track(path=f"{c}{i}.wav", label=c, track_id=f"{c}{i}", group=group))
    return out


def test_kfold_covers_every_track_once_and_stratifies():
    tracks = _tracks()
    folds = stratified_kfold(tracks, n_splits=10, seed=3)
    assert len(folds) == 10
    tested = [t.track_id for _, test in folds for t in test]
    assert sorted(tested) == sorted(t.track_id for t in tracks)
    for train, test in folds:
        assert len(train) == 90 and len(test) == 10
        assert set(Counter(t.label for t in test).values()) == {2}
        assert not {t.track_id for t in train} & {t.track_id for t in test}


def test_kfold_keeps_groups_inside_one_fold():
    tracks = _tracks(artists_per_class=5)
    folds = stratified_kfold(tracks, n_splits=5, seed=0)
    for train, test in folds:
        assert not {t.group for t in train} & {t.group for t in test}
    with pytest.raises(ValueError, match="groups"):
        stratified_kfold(_tracks(artists_per_class=1, classes=("a", "b")), n_splits=3)


def test_80_10_10():
    tracks = _tracks(n_per_class=40, classes=("a", "b"))
    train, val, test = stratified_split(tracks, seed=1)
    assert (len(train), len(val), len(test)) == (64, 8, 8)
    assert Counter(t.label for t in val) == {"a": 4, "b": 4}
    ids = [t.track_id for part in (train, val, test) for t in part]
    assert len(set(ids)) == 80
    assert stratified_split(tracks, seed=1) == (train, val, test)
    with pytest.raises(ValueError, match="fractions"):
        stratified_split(tracks, fractions=(0.8, 0.3, 0.1))


def test_random_trials_one_seed_per_trial():
    tracks = _tracks(n_per_class=11, classes=("a", "b", "c", "d", "e", "f"))  # 66 songs
    trials = random_trials(tracks, n_trials=50, seed=100)
    assert [s for _, _, s in trials] == list(range(100, 150))
    assert all(len(tr) + len(te) == 66 and len(te) == 14 for tr, te, _ in trials)
    assert len({tuple(t.track_id for t in te) for _, te, _ in trials}) == 50
    again = random_trials(tracks, n_trials=3, seed=101)
    assert again[0][1] == trials[1][1]


def test_official_split():
    tracks = [Track("a", "x", "1", split="training"), Track("b", "y", "2", split="test")]
    assert {k: len(v) for k, v in official_split(tracks).items()} == {"training": 1, "test": 1}
    with pytest.raises(ValueError, match="official split"):
        official_split([Track("a", "x", "1")])
