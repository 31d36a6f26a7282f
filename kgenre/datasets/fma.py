"""Adapter for the Free Music Archive's FMA-small (Defferrard et al., ISMIR 2017)."""

import csv
import os

from kgenre.datasets._common import check_labels, report_missing, require_dir, require_file
from kgenre.datasets.track import Track

FMA_SMALL_GENRES = (
    "Electronic",
    "Experimental",
    "Folk",
    "Hip-Hop",
    "Instrumental",
    "International",
    "Pop",
    "Rock",
)
"""FMA-small's 8 balanced top-level genres (1,000 tracks each)."""


def _read_tracks_csv(path):
    """Rows of `tracks.csv` as dicts keyed by `(group, column)`, e.g. `("track", "genre_top")`.

    The file has a three-row header: the column group (`album`, `artist`, `set`, `track`),
    the column name, and a row naming the index column `track_id`.
    """
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            groups = next(reader)
            names = next(reader)
            next(reader)
            keys = [(g, n) for g, n in zip(groups, names)]
            required = {("set", "split"), ("set", "subset"), ("track", "genre_top")}
            if not required <= set(keys):
                missing = sorted(required - set(keys))
                raise ValueError(f"{path!r} is not FMA's tracks.csv: columns {missing} missing")
            for row in reader:
                if row:
                    yield row[0], dict(zip(keys, row))
        except StopIteration:
            raise ValueError(
                f"{path!r} is not FMA's tracks.csv: fewer than 3 header rows"
            ) from None
        except UnicodeDecodeError as error:
            raise ValueError(
                f"{path}:{reader.line_num + 1}: not UTF-8 text ({error.reason}); "
                "FMA's tracks.csv is UTF-8, the file may be damaged"
            ) from None


def fma_audio_path(audio_dir, track_id):
    """`audio_dir/NNN/NNNNNN.mp3`: FMA's path for a track id (first 3 digits as the folder)."""
    name = f"{int(track_id):06d}"
    return os.path.join(audio_dir, name[:3], name + ".mp3")


def fma_small(metadata_dir, audio_dir, subset="small", skip_missing=True):
    """Lists FMA tracks with their top genre and FMA's own split.

    SoundFusion (Ausilio et al.) uses FMA-small: 8,000 30-s clips, 8 genres. FMA assigns each
    track to `training`/`validation`/`test` (80/10/10, artists kept on one side) in the
    `set/split` column; it is kept in `Track.split`. The artist id is the `group`.

    Args:
        metadata_dir: `fma_metadata` folder holding `tracks.csv` (or the csv itself).
        audio_dir: `fma_small` folder holding `NNN/NNNNNN.mp3`.
        subset: FMA subset to keep (`"small"`; `"medium"` includes small too in FMA's
            definition, so `"medium"` keeps both).
        skip_missing: skip (with one warning listing them) tracks whose mp3 is absent, instead
            of raising.

    Returns:
        List of `Track`, sorted by track id.

    Raises:
        FileNotFoundError: a folder or `tracks.csv` is missing, or an mp3 with
            `skip_missing=False`.
        ValueError: the csv is not FMA's, or no track belongs to `subset`.
    """
    metadata_dir = os.fspath(metadata_dir)
    csv_path = (
        metadata_dir
        if metadata_dir.endswith(".csv")
        else os.path.join(require_dir(metadata_dir, "FMA metadata folder"), "tracks.csv")
    )
    require_file(csv_path, "FMA tracks.csv")
    audio_dir = require_dir(audio_dir, "FMA audio folder")
    wanted = {"small"} if subset == "small" else {"small", subset}
    tracks, missing = [], []
    for track_id, row in _read_tracks_csv(csv_path):
        if row[("set", "subset")] not in wanted:
            continue
        path = fma_audio_path(audio_dir, track_id)
        if not os.path.isfile(path):
            if not skip_missing:
                raise FileNotFoundError(f"FMA audio for track {track_id} not found: {path!r}")
            missing.append(path)
            continue
        artist = row.get(("artist", "id")) or None
        tracks.append(
            Track(
                path=path,
                label=row[("track", "genre_top")],
                track_id=str(int(track_id)),
                group=artist,
                split=row[("set", "split")] or None,
            )
        )
    report_missing(missing, csv_path)
    if not tracks:
        raise ValueError(f"no track of subset {subset!r} found with audio in {audio_dir!r}")
    tracks.sort(key=lambda t: int(t.track_id))
    if subset == "small":
        check_labels(tracks, FMA_SMALL_GENRES, csv_path)
    return tracks
