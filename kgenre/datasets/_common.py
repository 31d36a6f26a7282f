"""Helpers shared by the dataset adapters."""

import collections
import os
import warnings

AUDIO_EXTENSIONS = (".wav", ".au", ".flac", ".ogg", ".mp3", ".aif", ".aiff")


def require_dir(path, what):
    """Raises `FileNotFoundError` naming `path` unless it is a directory."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{what} not found: {path!r}")
    return path


def require_file(path, what):
    """Raises `FileNotFoundError` naming `path` unless it is a file."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{what} not found: {path!r}")
    return path


def check_labels(tracks, class_names, source):
    """Raises `ValueError` listing the tracks whose label is not among `class_names`."""
    if class_names is None:
        return
    known = set(class_names)
    unknown = sorted({t.label for t in tracks} - known)
    if unknown:
        examples = [t.track_id for t in tracks if t.label in unknown][:5]
        raise ValueError(
            f"{source}: labels {unknown} are not among class_names {list(class_names)} "
            f"(e.g. tracks {examples})"
        )


def report_missing(missing, source):
    """Warns once about listed audio files that do not exist (they are skipped)."""
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        warnings.warn(
            f"{source}: skipped {len(missing)} listed audio files that do not exist: {shown}{more}",
            stacklevel=3,
        )


def read_text(path: str, what: str = "track list") -> str:
    """The text of a UTF-8 file (a byte-order mark, as Excel writes, is dropped).

    Raises:
        ValueError: the file is not UTF-8, naming the file, the line and the byte.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(
            f"{path}:{line}: {what} is not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save it as UTF-8"
        ) from None


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


_QUALIFIERS = (os.path.basename, lambda p: os.path.splitext(p)[0], lambda p: p)


def _colliding(ids):
    counts = collections.Counter(ids)
    return [i for i, track_id in enumerate(ids) if counts[track_id] > 1]


def unique_track_ids(paths: list) -> list[str]:
    """Track ids for relative paths: the file name without extension, qualified where needed.

    Each group of files sharing a name without extension is qualified as little as makes the
    group unique, the same way for the whole group: by extension (`song.wav`, `song.mp3`),
    else by folder (`rock/same`, `jazz/same`), else by both (`a/x.wav`, `a/x.mp3`,
    `b/x.wav`). Paths use `/` separators.

    Raises:
        ValueError: the same path is listed twice.
    """
    paths = [os.fspath(p).replace(os.sep, "/") for p in paths]
    ids = [_stem(p) for p in paths]
    groups = collections.defaultdict(list)
    for i, track_id in enumerate(ids):
        groups[track_id].append(i)
    for members in groups.values():
        if len(members) > 1:
            for qualify in _QUALIFIERS:
                names = [qualify(paths[i]) for i in members]
                if len(set(names)) == len(names):
                    break
            for i, name in zip(members, names):
                ids[i] = name
    for i in _colliding(ids):  # a qualified id that met another file's plain one
        ids[i] = paths[i]
    repeated = sorted({ids[i] for i in _colliding(ids)})
    if repeated:
        raise ValueError(f"paths listed more than once: {repeated[:5]}")
    return ids
