"""Helpers shared by the dataset adapters."""

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
