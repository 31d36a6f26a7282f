"""Adapter for the ISMIR 2004 genre contest dataset (Cano et al., MTG-TR-2006-02)."""

import csv
import os

from kgenre.datasets._common import check_labels, report_missing, require_dir, require_file
from kgenre.datasets.track import Track

ISMIR2004_GENRES = ("classical", "electronic", "jazz_blues", "metal_punk", "rock_pop", "world")
"""The contest's 6 classes."""

_CANONICAL = {g.replace("_", ""): g for g in ISMIR2004_GENRES}


def _canonical_label(label):
    key = "".join(ch for ch in label.lower() if ch.isalnum())
    return _CANONICAL.get(key, label)


def ismir2004(root, subsets=("training", "development"), skip_missing=True):
    """Lists ISMIR2004 tracks from the dataset's own track lists.

    The MTG release has `audio/<subset>/...mp3` and `metadata/<subset>/tracklist.csv` with
    the columns class, artist, album, track, track number, file path (the evaluation list has
    one more: the Magnatune id). MS-SincResNet (Chang et al. 2021, Sec. 3.2) uses 729 tracks
    for training and 729 for testing: the public `training` and `development` subsets, the
    default here. Class spellings (`jazz-blues`, `jazz_blues`) are unified to
    `ISMIR2004_GENRES`.

    Args:
        root: the `ismir04_genre` folder.
        subsets: subsets to list; `"training"` gets `split="training"`, the others
            `split="test"`.
        skip_missing: skip (with one warning) listed files that do not exist.

    Returns:
        List of `Track` (`group` the artist where the list names one).

    Raises:
        FileNotFoundError: the folder, a track list, or (with `skip_missing=False`) a listed
            file is missing.
        ValueError: a list row is malformed or names a class outside the 6.
    """
    root = require_dir(root, "ISMIR2004 folder")
    tracks, missing = [], []
    for subset in subsets:
        list_path = require_file(
            os.path.join(root, "metadata", subset, "tracklist.csv"), f"ISMIR2004 {subset} list"
        )
        audio_root = os.path.join(root, "audio", subset)
        # Undecodable bytes are replaced, not refused: a damaged artist name is harmless, and
        # a damaged file path becomes a reported missing file.
        with open(list_path, newline="", encoding="utf-8-sig", errors="replace") as handle:
            for line_no, row in enumerate(csv.reader(handle), start=1):
                if not row or (line_no == 1 and row[0].strip().lower() == "class"):
                    continue
                if len(row) < 6:
                    raise ValueError(
                        f"{list_path}:{line_no}: expected 6 columns (class, artist, album, "
                        f"track, track number, file path), got {len(row)}: {row}"
                    )
                label, artist, file_path = row[0].strip(), row[1].strip(), row[5].strip()
                path = os.path.join(audio_root, file_path)
                if not os.path.isfile(path):
                    if not skip_missing:
                        raise FileNotFoundError(f"ISMIR2004 audio not found: {path!r}")
                    missing.append(path)
                    continue
                stem = os.path.splitext(file_path)[0].replace(os.sep, "/")
                tracks.append(
                    Track(
                        path=path,
                        label=_canonical_label(label),
                        track_id=f"{subset}/{stem}",
                        group=artist or None,
                        split="training" if subset == "training" else "test",
                    )
                )
    report_missing(missing, root)
    check_labels(tracks, ISMIR2004_GENRES, root)
    return tracks
