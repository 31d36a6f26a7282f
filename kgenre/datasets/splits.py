"""Train / validation / test splits of a track list: kgenre's one split API.

Every protocol returns a list of `Split`s holding index arrays into the track list, so the
same splits serve every model of an experiment (paired comparisons) and whole tracks always
stay on one side. When tracks carry a `group` (an artist), splits keep each group on one side
by default: the "artist filter" of music-genre evaluation; `grouped=False` ignores groups.

- `kfold_splits`: stratified k-fold (MS-SincResNet's GTZAN protocol, 10 folds).
- `trial_splits`: repeated random train/test splits (Mersy 2021: 50 trials of 80/20).
- `holdout_split`: one stratified train/validation/test split (SoundFusion: 80/10/10).
- `official_splits`: the split a dataset assigns itself (FMA's `split` column, ISMIR2004's
  training and evaluation sets).
- `make_splits(tracks, protocol, ...)` dispatches on a protocol name.
"""

from __future__ import annotations

import dataclasses

import numpy as np

PROTOCOLS = ("kfold", "trials", "holdout", "official")


@dataclasses.dataclass(frozen=True)
class Split:
    """One train / validation / test split, as indices into the track list.

    Args:
        name: e.g. `"fold 3"`, `"trial 7"`, `"holdout"`, `"official"`.
        index: position among the protocol's splits (0-based).
        train: training track indices.
        test: test track indices.
        validation: validation track indices (empty when the protocol has none).
        seed: the split's seed; models trained on it use it too, so every model of an
            experiment sees the same split and the same seed.
        grouped: whether groups (artists) were kept on one side.
    """

    name: str
    index: int
    train: np.ndarray
    test: np.ndarray
    validation: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, int))
    seed: int = 0
    grouped: bool = False

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "index": self.index,
            "seed": self.seed,
            "grouped": self.grouped,
            "train": self.train.tolist(),
            "validation": self.validation.tolist(),
            "test": self.test.tolist(),
        }


def labels_and_groups(tracks, grouped=None):
    """`(labels, groups, grouped)` of a track list.

    `grouped=None` groups when any track has a group; a track without one is its own group.
    """
    if not tracks:
        raise ValueError("cannot split an empty track list")
    labels = np.array([t.label for t in tracks])
    has_groups = any(t.group is not None for t in tracks)
    if grouped is None:
        grouped = has_groups
    if grouped and not has_groups:
        raise ValueError("grouped splits need tracks with a group (artist); none has one")
    if not grouped:
        return labels, None, False
    groups = np.array([t.group if t.group is not None else f"\0{t.track_id}" for t in tracks])
    return labels, groups, True


def _carve_validation(train, labels, groups, fraction, seed):
    """Moves `fraction` of `train` (whole groups when grouped) into a validation set."""
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    if not fraction:
        return train, np.zeros(0, int)
    if not 0 < fraction < 1:
        raise ValueError(f"validation_fraction must be in [0, 1), got {fraction}")
    if groups is not None:
        splitter = GroupShuffleSplit(1, test_size=fraction, random_state=seed)
        keep, held = next(splitter.split(train, groups=groups[train]))
        return np.sort(train[keep]), np.sort(train[held])
    counts = np.unique(labels[train], return_counts=True)[1]
    held = int(round(fraction * len(train)))
    stratify = labels[train] if counts.min() >= 2 and held >= len(counts) else None
    keep, held = train_test_split(train, test_size=fraction, stratify=stratify, random_state=seed)
    return np.sort(keep), np.sort(held)


def kfold_splits(tracks, n_splits=10, seed=0, grouped=None, validation_fraction=0.0):
    """Stratified k-fold cross-validation: every track is tested exactly once.

    GTZAN's protocol in MS-SincResNet (Chang et al. 2021, Sec. 3.1): 10-fold cross-validation,
    900 tracks to train and 100 to test per fold. Grouped folds use scikit-learn's
    `StratifiedGroupKFold` (an artist never straddles folds), otherwise `StratifiedKFold`; both
    shuffle with `seed`. Fold `i` has seed `seed + i`.

    Raises:
        ValueError: fewer tracks (or groups) than folds.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    labels, groups, grouped = labels_and_groups(tracks, grouped)
    if int(n_splits) != n_splits or n_splits < 2:
        raise ValueError(f"n_splits must be an integer >= 2, got {n_splits!r}")
    units = len(set(groups)) if grouped else len(tracks)
    if units < n_splits:
        what = "groups" if grouped else "tracks"
        raise ValueError(f"{units} {what} cannot fill {n_splits} folds")
    if grouped:
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        folds = splitter.split(np.zeros(len(tracks)), labels, groups)
    else:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        folds = splitter.split(np.zeros(len(tracks)), labels)
    out = []
    for i, (train, test) in enumerate(folds):
        train, validation = _carve_validation(train, labels, groups, validation_fraction, seed + i)
        out.append(Split(f"fold {i}", i, train, np.sort(test), validation, seed + i, grouped))
    return out


def trial_splits(
    tracks,
    n_trials=50,
    test_fraction=0.2,
    seed=0,
    grouped=None,
    stratify=False,
    validation_fraction=0.0,
):
    """Repeated random train/test splits, trial `i` drawn with seed `seed + i`.

    Mersy 2021 ("Model evaluation"): 50 trials, each an 80/20 split "carried out at a unique
    random seed", so every model sees the same train and test sets in a given trial. The paper
    does not stratify (`stratify=False`); grouped trials draw whole groups
    (`GroupShuffleSplit`), which cannot stratify.
    """
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    if int(n_trials) != n_trials or n_trials < 1:
        raise ValueError(f"n_trials must be an integer >= 1, got {n_trials!r}")
    labels, groups, grouped = labels_and_groups(tracks, grouped)
    if grouped and stratify:
        raise ValueError(
            "grouped trials cannot be stratified; pass grouped=False or stratify=False"
        )
    index = np.arange(len(tracks))
    out = []
    for trial in range(int(n_trials)):
        trial_seed = seed + trial
        if grouped:
            splitter = GroupShuffleSplit(1, test_size=test_fraction, random_state=trial_seed)
            train, test = next(splitter.split(index, groups=groups))
        else:
            train, test = train_test_split(
                index,
                test_size=test_fraction,
                stratify=labels if stratify else None,
                random_state=trial_seed,
            )
        train, validation = _carve_validation(
            np.sort(train), labels, groups, validation_fraction, trial_seed
        )
        out.append(
            Split(f"trial {trial}", trial, train, np.sort(test), validation, trial_seed, grouped)
        )
    return out


def holdout_split(tracks, fractions=(0.8, 0.1, 0.1), seed=0, grouped=None):
    """One train/validation/test split; SoundFusion's stratified 80/10/10 on FMA-small.

    Ausilio et al. (SoundFusion, "Dataset: FMA" slide): "Split the dataset into 80/10/10,
    stratified split". Grouped, whole groups go to each side (`GroupShuffleSplit`, not
    stratified); ungrouped, scikit-learn's stratified `train_test_split`.

    Returns:
        A list holding one `Split` named `"holdout"`.
    """
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"fractions must be 3 positive numbers summing to 1, got {fractions}")
    labels, groups, grouped = labels_and_groups(tracks, grouped)
    index = np.arange(len(tracks))
    if grouped:
        first = GroupShuffleSplit(1, test_size=fractions[0], random_state=seed)
        rest, train = next(first.split(index, groups=groups))
        share = fractions[2] / (fractions[1] + fractions[2])
        second = GroupShuffleSplit(1, test_size=share, random_state=seed + 1)
        val, test = next(second.split(rest, groups=groups[rest]))
        val, test = rest[val], rest[test]
    else:
        train, rest = train_test_split(
            index, train_size=fractions[0], stratify=labels, random_state=seed
        )
        share = fractions[1] / (fractions[1] + fractions[2])
        val, test = train_test_split(
            rest, train_size=share, stratify=labels[rest], random_state=seed
        )
    return [Split("holdout", 0, np.sort(train), np.sort(test), np.sort(val), seed, grouped)]


TRAIN_NAMES = ("training", "train")
VALIDATION_NAMES = ("validation", "val", "valid")
TEST_NAMES = ("test", "evaluation", "eval")


def official_splits(tracks, seed=0):
    """The split the dataset itself assigns (`Track.split`), as one `Split` named "official".

    Accepts FMA's `training`/`validation`/`test` and ISMIR2004's `training`/`evaluation`.

    Raises:
        ValueError: a track has no split or an unknown one, or no training or test tracks.
    """
    parts = {"train": [], "validation": [], "test": []}
    for i, track in enumerate(tracks):
        name = (track.split or "").lower()
        if name in TRAIN_NAMES:
            parts["train"].append(i)
        elif name in VALIDATION_NAMES:
            parts["validation"].append(i)
        elif name in TEST_NAMES:
            parts["test"].append(i)
        else:
            raise ValueError(
                f"track {track.track_id!r} has no usable official split ({track.split!r}); "
                f"expected one of {TRAIN_NAMES + VALIDATION_NAMES + TEST_NAMES}"
            )
    if not parts["train"] or not parts["test"]:
        raise ValueError("the official split needs training and test tracks")
    arrays = {k: np.asarray(v, int) for k, v in parts.items()}
    return [
        Split("official", 0, arrays["train"], arrays["test"], arrays["validation"], seed, False)
    ]


def make_splits(tracks, protocol, **options):
    """`protocol` (`"kfold"`, `"trials"`, `"holdout"` or `"official"`) with its options."""
    functions = {
        "kfold": kfold_splits,
        "trials": trial_splits,
        "holdout": holdout_split,
        "official": official_splits,
    }
    if protocol not in functions:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    return functions[protocol](tracks, **options)
