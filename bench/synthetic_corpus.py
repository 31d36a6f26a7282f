"""Render time of the synthetic genre corpus and how hard it is for a simple baseline.

Times `kgenre.datasets.synthetic` rendering a corpus into a fresh folder (and the cached second
call), then cross-validates a classic baseline on the mixes: mean and standard deviation of 20
MFCCs per track -> standardised logistic regression (scikit-learn), 5-fold stratified, once
with folds grouped by synthetic artist (no artist in both training and test, the honest figure)
and once with plain stratified folds.

    python bench/synthetic_corpus.py --family edm --tracks 20 --seconds 10
    python bench/synthetic_corpus.py --family gtzan --tracks 20 --seconds 30
"""

import argparse
import os
import tempfile
import time

import librosa
import numpy as np
import soundfile as sf
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kgenre.datasets.synthetic import synthetic


def mfcc_stats(path):
    y, sr = sf.read(path, dtype="float32")
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)])


def run(family, tracks_per_genre, seconds, seed, output_dir):
    start = time.perf_counter()
    tracks = synthetic(
        output_dir, family=family, tracks_per_genre=tracks_per_genre, seconds=seconds, seed=seed
    )
    render_s = time.perf_counter() - start
    start = time.perf_counter()
    synthetic(
        output_dir,
        family=family,
        tracks_per_genre=tracks_per_genre,
        seconds=seconds,
        seed=seed,
        progress=False,
    )
    cached_s = time.perf_counter() - start
    audio_s = len(tracks) * seconds
    print(
        f"{family}: {len(tracks)} tracks x {seconds:g} s rendered in {render_s:.1f} s "
        f"({audio_s / render_s:.0f}x real time); cached call {cached_s:.2f} s"
    )

    features = np.stack([mfcc_stats(t.path) for t in tracks])
    labels = np.array([t.label for t in tracks])
    groups = np.array([t.group for t in tracks])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    grouped = cross_val_score(
        model,
        features,
        labels,
        groups=groups,
        cv=StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0),
    )
    plain = cross_val_score(
        model, features, labels, cv=StratifiedKFold(5, shuffle=True, random_state=0)
    )
    chance = 1.0 / len(set(labels))
    print(
        f"MFCC mean/std + logistic regression, 5-fold: artist-grouped {grouped.mean():.3f} "
        f"+/- {grouped.std():.3f}, plain {plain.mean():.3f} +/- {plain.std():.3f} "
        f"(chance {chance:.3f})"
    )
    return render_s, grouped.mean(), plain.mean()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--family", default="edm")
    parser.add_argument("--tracks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", default=None, help="corpus folder (default: a fresh temporary one)"
    )
    args = parser.parse_args()
    if args.out:
        run(args.family, args.tracks, args.seconds, args.seed, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(args.family, args.tracks, args.seconds, args.seed, os.path.join(tmp, "corpus"))


if __name__ == "__main__":
    main()
