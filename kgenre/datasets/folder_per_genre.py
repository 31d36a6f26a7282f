"""Adapter for a folder per genre, GTZAN's layout (`genres/blues/blues.00000.au`, ...)."""

import os

from kgenre.datasets._common import (
    AUDIO_EXTENSIONS,
    check_labels,
    require_dir,
    unique_track_ids,
)
from kgenre.datasets.track import Track


def folder_per_genre(
    root: str | os.PathLike,
    genres: list[str] | None = None,
    extensions: tuple = AUDIO_EXTENSIONS,
) -> list[Track]:
    """Lists the audio files of a dataset stored as one sub-folder per genre.

    GTZAN (Tzanetakis & Cook 2002) ships as `genres/<genre>/<genre>.000NN.au` (22,050 Hz
    mono 16-bit; re-distributed copies use `.wav`). Files are found recursively inside each
    genre folder; other files (e.g. `.mf` lists, `.DS_Store`) are ignored.

    Args:
        root: folder holding one sub-folder per genre.
        genres: genre folder names to use, in label order; `None` takes every sub-folder
            that holds audio, sorted.
        extensions: file name endings counted as audio (case-insensitive).

    Files are listed by extension; whether they hold audio is checked by content when they
    are loaded (`kgenre.audio.load`), so a non-audio file becomes a reported skip of
    `kgenre.data.write_records`, and the same content under two genre folders is reported in
    its manifest.

    Returns:
        List of `Track` (`group` `None`), sorted by genre then path. `track_id` is the file
        name without extension, qualified only where two would collide: `song.wav` and
        `song.mp3` in one folder keep their extensions, `rock/same` and `jazz/same` their
        folders.

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
    found = []
    for genre in candidates:
        paths = []
        for folder, _, files in os.walk(os.path.join(root, genre)):
            paths.extend(os.path.join(folder, n) for n in files if n.lower().endswith(extensions))
        if not paths and genres is not None:
            raise ValueError(f"genre folder {os.path.join(root, genre)!r} holds no audio files")
        found.extend((genre, path) for path in sorted(paths))
    if not found:
        raise ValueError(f"no audio files ({', '.join(extensions)}) under {root!r}")
    ids = unique_track_ids([os.path.relpath(path, root) for _, path in found])
    tracks = [
        Track(path=path, label=genre, track_id=track_id)
        for (genre, path), track_id in zip(found, ids)
    ]
    check_labels(tracks, genres, root)
    return tracks
