"""Adapter for a CSV/TSV list of audio paths and labels (e.g. GiantSteps-style EDM sets)."""

import csv
import os

from kgenre.datasets._common import check_labels, report_missing, require_file
from kgenre.datasets.track import Track


def from_csv(
    csv_path,
    root=None,
    path_column="path",
    label_column="label",
    group_column=None,
    delimiter=None,
    class_names=None,
    skip_missing=True,
):
    """Lists tracks from a CSV or TSV with a path column and a label column.

    Mersy 2021 used the GiantSteps+ EDM genres plus a sixth genre, 66 songs; such sets come
    as a list of file and genre. A header row naming the columns is expected; without one,
    the first column is the path and the second the label.

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

    Returns:
        List of `Track` in file order (`track_id` the file name without extension, or the
        relative path when names repeat).

    Raises:
        FileNotFoundError: the list, or (with `skip_missing=False`) a listed file, is missing.
        ValueError: a named column is absent, a row is short or its label is unknown.
    """
    csv_path = require_file(csv_path, "track list")
    root = os.path.dirname(os.path.abspath(csv_path)) if root is None else os.fspath(root)
    with open(csv_path, newline="", encoding="utf-8") as handle:
        text = handle.read()
    lines = text.splitlines()
    if not lines:
        raise ValueError(f"track list {csv_path!r} is empty")
    if delimiter is None:
        if csv_path.lower().endswith((".tsv", ".tab")):
            delimiter = "\t"
        else:
            first = lines[0]
            delimiter = max(",\t;", key=first.count)
    rows = [r for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)]
    header = [c.strip() for c in rows[0]]
    if path_column in header and label_column in header:
        index = {name: i for i, name in enumerate(header)}
        rows = rows[1:]
        path_i, label_i = index[path_column], index[label_column]
        if group_column is not None and group_column not in index:
            raise ValueError(f"{csv_path!r} has no column {group_column!r}; columns: {header}")
        group_i = None if group_column is None else index[group_column]
    elif path_column in header or label_column in header:
        raise ValueError(f"{csv_path!r} header {header} lacks {path_column!r} or {label_column!r}")
    else:
        if group_column is not None:
            raise ValueError(f"{csv_path!r} has no header row, so no column {group_column!r}")
        path_i, label_i, group_i = 0, 1, None
    entries, missing = [], []
    for row in rows:
        if len(row) <= max(path_i, label_i, group_i or 0):
            raise ValueError(f"{csv_path}: row {row} has too few fields")
        rel = row[path_i].strip()
        path = rel if os.path.isabs(rel) else os.path.join(root, rel)
        if not os.path.isfile(path):
            if not skip_missing:
                raise FileNotFoundError(f"listed audio not found: {path!r}")
            missing.append(path)
            continue
        group = row[group_i].strip() if group_i is not None else None
        entries.append((rel, path, row[label_i].strip(), group or None))
    report_missing(missing, csv_path)
    stems = [os.path.splitext(os.path.basename(rel))[0] for rel, *_ in entries]
    unique = len(set(stems)) == len(stems)
    tracks = [
        Track(path=path, label=label, track_id=stem if unique else rel, group=group)
        for (rel, path, label, group), stem in zip(entries, stems)
    ]
    check_labels(tracks, class_names, csv_path)
    return tracks
