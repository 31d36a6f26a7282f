"""Train/test splits of track lists: k-fold, 80/10/10, repeated random trials, official."""

import numpy as np


def _labels_and_groups(tracks):
    if not tracks:
        raise ValueError("cannot split an empty track list")
    labels = np.array([t.label for t in tracks])
    groups = [t.group for t in tracks]
    has_groups = any(g is not None for g in groups)
    if has_groups:
        # A track without a group is its own group.
        groups = np.array(
            [g if g is not None else f"\0{t.track_id}" for g, t in zip(groups, tracks)]
        )
    return labels, (groups if has_groups else None)


def stratified_kfold(tracks, n_splits=10, seed=0, use_groups=True):
    """Stratified k-fold cross-validation, keeping each group (artist) inside one fold.

    GTZAN's protocol in MS-SincResNet (Chang et al. 2021, Sec. 3.1) is 10-fold
    cross-validation: 900 tracks to train, 100 to test per fold. When tracks carry a `group`
    and `use_groups`, scikit-learn's `StratifiedGroupKFold` keeps every group on one side
    (so an artist never straddles folds); otherwise `StratifiedKFold`. Both shuffle with
    `seed`.

    Args:
        tracks: list of `Track`.
        n_splits: number of folds (10).
        seed: shuffling seed.
        use_groups: honour `Track.group`.

    Returns:
        List of `n_splits` pairs `(train_tracks, test_tracks)`; every track is in exactly one
        test fold.

    Raises:
        ValueError: fewer tracks (or groups) than folds.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    labels, groups = _labels_and_groups(tracks)
    if n_splits < 2:
        raise ValueError(f"n_splits must be >= 2, got {n_splits}")
    if groups is not None and use_groups:
        if len(set(groups)) < n_splits:
            raise ValueError(f"{len(set(groups))} groups cannot fill {n_splits} folds")
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        folds = splitter.split(np.zeros(len(tracks)), labels, groups)
    else:
        if len(tracks) < n_splits:
            raise ValueError(f"{len(tracks)} tracks cannot fill {n_splits} folds")
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        folds = splitter.split(np.zeros(len(tracks)), labels)
    return [([tracks[i] for i in tr], [tracks[i] for i in te]) for tr, te in folds]


def stratified_split(tracks, fractions=(0.8, 0.1, 0.1), seed=0):
    """Stratified train/validation/test split; SoundFusion's 80/10/10 on FMA-small.

    Ausilio et al. (SoundFusion, "Dataset: FMA" slide): "Split the dataset into 80/10/10,
    stratified split". Groups are not considered (use `official_split` for FMA's own
    artist-aware split).

    Args:
        tracks: list of `Track`.
        fractions: train, validation and test fractions, summing to 1.
        seed: random seed.

    Returns:
        `(train, validation, test)` lists of `Track`.
    """
    from sklearn.model_selection import train_test_split

    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"fractions must be 3 positive numbers summing to 1, got {fractions}")
    labels, _ = _labels_and_groups(tracks)
    index = np.arange(len(tracks))
    train, rest = train_test_split(
        index, train_size=fractions[0], stratify=labels, random_state=seed
    )
    val_share = fractions[1] / (fractions[1] + fractions[2])
    val, test = train_test_split(
        rest, train_size=val_share, stratify=labels[rest], random_state=seed
    )
    pick = lambda idx: [tracks[i] for i in sorted(idx)]  # noqa: E731
    return pick(train), pick(val), pick(test)


def random_trials(tracks, n_trials=50, test_fraction=0.2, seed=0, stratify=False):
    """Repeated random train/test splits, trial `i` drawn with seed `seed + i`.

    Mersy 2021 ("Model evaluation"): 50 trials, each an 80/20 split "carried out at a unique
    random seed", so every model sees the same train and test sets in a given trial.

    Args:
        tracks: list of `Track`.
        n_trials: number of trials (50).
        test_fraction: share of tracks held out (0.2).
        seed: seed of the first trial.
        stratify: keep class proportions in each split (the paper does not say so; off).

    Returns:
        List of `(train, test, trial_seed)` triples.
    """
    from sklearn.model_selection import train_test_split

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    labels, _ = _labels_and_groups(tracks)
    index = np.arange(len(tracks))
    trials = []
    for trial in range(n_trials):
        trial_seed = seed + trial
        train, test = train_test_split(
            index,
            test_size=test_fraction,
            stratify=labels if stratify else None,
            random_state=trial_seed,
        )
        trials.append(
            ([tracks[i] for i in sorted(train)], [tracks[i] for i in sorted(test)], trial_seed)
        )
    return trials


def official_split(tracks):
    """Groups tracks by the split the dataset itself assigns (`Track.split`).

    Returns:
        Dict from split name (e.g. `"training"`, `"validation"`, `"test"`) to tracks.

    Raises:
        ValueError: some track has no `split`.
    """
    unsplit = [t.track_id for t in tracks if t.split is None]
    if unsplit:
        raise ValueError(f"tracks without an official split, e.g. {unsplit[:5]}")
    out = {}
    for t in tracks:
        out.setdefault(t.split, []).append(t)
    return out
