"""Adapter for a folder per genre, GTZAN's layout (`genres/blues/blues.00000.au`, ...)."""

import os

from kgenre.datasets._common import AUDIO_EXTENSIONS, check_labels, require_dir
from kgenre.datasets.track import Track


def folder_per_genre(root, genres=None, extensions=AUDIO_EXTENSIONS):
    """Lists the audio files of a dataset stored as one sub-folder per genre.

    GTZAN (Tzanetakis & Cook 2002) ships as `genres/<genre>/<genre>.000NN.au` (22,050 Hz
    mono 16-bit; re-distributed copies use `.wav`). Files are found recursively inside each
    genre folder; other files (e.g. `.mf` lists, `.DS_Store`) are ignored.

    Args:
        root: folder holding one sub-folder per genre.
        genres: genre folder names to use, in label order; `None` takes every sub-folder
            that holds audio, sorted.
        extensions: file name endings counted as audio (case-insensitive).

    Returns:
        List of `Track` (`track_id` the file name without extension, `group` `None`), sorted
        by genre then path.

    Raises:
        FileNotFoundError: `root` or a requested genre folder does not exist.
        ValueError: no audio file was found, or a requested genre folder holds no audio.
    """
    root = require_dir(root, "dataset folder")
    extensions = tuple(e.lower() for e in extensions)
    if genres is None:
        candidates = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    else:
        candidates = list(genres)
        for genre in candidates:
            require_dir(os.path.join(root, genre), f"genre folder {genre!r}")
    tracks = []
    for genre in candidates:
        found = []
        for folder, _, files in os.walk(os.path.join(root, genre)):
            for name in files:
                if name.lower().endswith(extensions):
                    found.append(os.path.join(folder, name))
        if not found and genres is not None:
            raise ValueError(f"genre folder {os.path.join(root, genre)!r} holds no audio files")
        for path in sorted(found):
            track_id = os.path.splitext(os.path.basename(path))[0]
            tracks.append(Track(path=path, label=genre, track_id=track_id))
    if not tracks:
        raise ValueError(f"no audio files ({', '.join(extensions)}) under {root!r}")
    ids = [t.track_id for t in tracks]
    if len(set(ids)) != len(ids):
        # Same file name in two genre folders: qualify the ids so they stay unique.
        tracks = [
            Track(path=t.path, label=t.label, track_id=f"{t.label}/{t.track_id}") for t in tracks
        ]
    check_labels(tracks, genres, root)
    return tracks
