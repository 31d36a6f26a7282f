"""Adapter for a CSV/TSV list of audio paths and labels (e.g. GiantSteps-style EDM sets)."""

import csv
import io
import os
import warnings

from kgenre.datasets._common import (
    check_labels,
    read_text,
    report_missing,
    require_file,
    unique_track_ids,
)
from kgenre.datasets.track import Track

_MAX_REPORTED = 10


def _rows(text, delimiter):
    """`(line number, fields)` of the non-blank rows; trailing empty fields are dropped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for fields in reader:
        while fields and not fields[-1].strip():
            fields = fields[:-1]
        if fields:
            rows.append((reader.line_num, [f.strip() for f in fields]))
    return rows


def _within(path, root):
    real, base = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, base]) == base


def from_csv(
    csv_path: str | os.PathLike,
    root: str | os.PathLike | None = None,
    path_column: str = "path",
    label_column: str = "label",
    group_column: str | None = None,
    delimiter: str | None = None,
    class_names: list[str] | None = None,
    skip_missing: bool = True,
    confine_to_root: bool = False,
) -> list[Track]:
    """Lists tracks from a CSV or TSV with a path column and a label column.

    Mersy 2021 used the GiantSteps+ EDM genres plus a sixth genre, 66 songs; such sets come
    as a list of file and genre. A header row naming the columns is expected; without one,
    every row is exactly `path, label`.

    The list is read as UTF-8 (an Excel byte-order mark is dropped). Rows are checked before
    anything is returned, and every problem is reported with the file and line: a field count
    that differs from the header's (an unquoted delimiter inside a path is the usual cause;
    trailing empty fields are allowed), an empty path or label, a path listed twice with two
    labels (an error) or with the same label (a warning; listed once), and, with
    `confine_to_root`, a path leading outside `root`. Track ids are the file names without
    extension, qualified only where two would collide (`song.wav` and `song.mp3`).

    Args:
        csv_path: the list file.
        root: folder that relative paths are relative to; defaults to the list's folder.
        path_column: header name of the path column.
        label_column: header name of the label column.
        group_column: optional header name of a grouping column (artist, album).
        delimiter: field separator; `None` means tab for `.tsv`/`.tab`, otherwise
            sniffed from the first line (comma, tab or semicolon).
        class_names: if given, every label must be one of them.
        skip_missing: skip (with one warning) listed files that do not exist.
        confine_to_root: refuse paths (absolute, `..`, or through symbolic links) that lead
            outside `root`, for lists from an untrusted source.

    Returns:
        List of `Track` in file order.

    Raises:
        FileNotFoundError: the list, or (with `skip_missing=False`) a listed file, is missing.
        ValueError: the list is not UTF-8, has no rows, lacks a named column, or has bad rows
            (listed with their line numbers), or a label is not in `class_names`.
    """
    csv_path = require_file(csv_path, "track list")
    root = os.path.dirname(os.path.abspath(csv_path)) if root is None else os.fspath(root)
    text = read_text(csv_path)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"track list {csv_path!r} is empty (no rows)")
    if delimiter is None:
        tabular = csv_path.lower().endswith((".tsv", ".tab"))
        delimiter = "\t" if tabular else max(",\t;", key=lines[0].count)
    rows = _rows(text, delimiter)
    header = rows[0][1]
    if path_column in header and label_column in header:
        rows = rows[1:]
        index = {name: i for i, name in enumerate(header)}
        if group_column is not None and group_column not in index:
            raise ValueError(f"{csv_path!r} has no column {group_column!r}; columns: {header}")
        path_i, label_i = index[path_column], index[label_column]
        group_i = None if group_column is None else index[group_column]
        width = len(header)
    elif path_column in header or label_column in header:
        raise ValueError(f"{csv_path!r} header {header} lacks {path_column!r} or {label_column!r}")
    else:
        if group_column is not None:
            raise ValueError(f"{csv_path!r} has no header row, so no column {group_column!r}")
        path_i, label_i, group_i, width = 0, 1, None, 2
    if not rows:
        raise ValueError(f"track list {csv_path!r} has a header but no rows")

    problems, seen, entries, missing = [], {}, [], []
    for line, fields in rows:
        where = f"{csv_path}:{line}"
        if len(fields) > width:
            problems.append(
                f"{where}: {len(fields)} fields, expected {width} (an unquoted "
                f"{delimiter!r} inside a path? quote the field)"
            )
            continue
        fields = fields + [""] * (width - len(fields))
        rel, label = fields[path_i], fields[label_i]
        if not rel or not label:
            problems.append(f"{where}: empty {'path' if not rel else 'label'}")
            continue
        path = os.path.normpath(rel if os.path.isabs(rel) else os.path.join(root, rel))
        if confine_to_root and not _within(path, root):
            problems.append(f"{where}: {rel!r} leads outside the root {root!r}")
            continue
        if path in seen:
            first_line, first_label = seen[path]
            if first_label != label:
                problems.append(
                    f"{where}: {rel!r} is listed again with label {label!r}; "
                    f"line {first_line} gives {first_label!r}"
                )
            else:
                warnings.warn(
                    f"{where}: {rel!r} is listed again (first on line {first_line}); kept once",
                    stacklevel=2,
                )
            continue
        seen[path] = (line, label)
        if not os.path.isfile(path):
            if not skip_missing:
                raise FileNotFoundError(f"{where}: listed audio not found: {path!r}")
            missing.append(path)
            continue
        group = fields[group_i] if group_i is not None else None
        entries.append((rel, path, label, group or None))
    if problems:
        more = len(problems) - _MAX_REPORTED
        raise ValueError(
            f"{len(problems)} bad rows in track list {csv_path!r}:\n  "
            + "\n  ".join(problems[:_MAX_REPORTED])
            + (f"\n  ... and {more} more" if more > 0 else "")
        )
    report_missing(missing, csv_path)
    ids = unique_track_ids([rel for rel, *_ in entries])
    tracks = [
        Track(path=path, label=label, track_id=track_id, group=group)
        for (_, path, label, group), track_id in zip(entries, ids)
    ]
    check_labels(tracks, class_names, csv_path)
    return tracks
