"""Dataset adapters (lists of `Track`), splits and the synthetic genre corpus.

`kgenre.datasets` says which tracks a corpus has (paths, labels, groups, splits);
`kgenre.data` stores those tracks as TFRecords and reads them back as batches for training.
"""

from kgenre.datasets.fma import FMA_SMALL_GENRES, fma_small
from kgenre.datasets.folder_per_genre import folder_per_genre
from kgenre.datasets.from_csv import from_csv
from kgenre.datasets.ismir2004 import ISMIR2004_GENRES, ismir2004
from kgenre.datasets.splits import (
    Split,
    holdout_split,
    kfold_splits,
    make_splits,
    official_splits,
    trial_splits,
)
from kgenre.datasets.synthetic import synthetic
from kgenre.datasets.track import Track

__all__ = [
    "FMA_SMALL_GENRES",
    "ISMIR2004_GENRES",
    "Track",
    "fma_small",
    "folder_per_genre",
    "from_csv",
    "ismir2004",
    "Split",
    "holdout_split",
    "kfold_splits",
    "make_splits",
    "official_splits",
    "trial_splits",
    "synthetic",
]
