"""The `manifest.json` that describes a folder of kgenre TFRecord shards."""

import json
import os

FORMAT = "kgenre-tfrecord-v1"
MANIFEST_NAME = "manifest.json"


def write_json_atomic(path, data):
    """Writes JSON to `path` through a temporary file and a rename, so readers never see half."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_manifest(records):
    """Reads the manifest of a records folder (or a `manifest.json` path).

    Args:
        records: folder written by `write_records`, or its `manifest.json`.

    Returns:
        The manifest as a dict, with `"directory"` added (the folder holding the shards).

    Raises:
        FileNotFoundError: no manifest (e.g. the write never finished).
        ValueError: the file is not a kgenre manifest.
    """
    records = os.fspath(records)
    path = records if records.endswith(".json") else os.path.join(records, MANIFEST_NAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"no TFRecord manifest at {path!r}; run write_records first (or let it finish)"
        )
    with open(path, encoding="utf-8") as handle:
        try:
            manifest = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path!r} is not valid JSON: {error}") from error
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path!r} is not a {FORMAT} manifest (format={manifest.get('format')!r})")
    manifest["directory"] = os.path.dirname(os.path.abspath(path))
    return manifest


def check_shards(manifest):
    """Raises `ValueError` naming any shard that is missing or whose size differs from the manifest.

    A truncated copy or an interrupted transfer shows up as a size mismatch; checking sizes
    costs one `stat` per shard, so the reader does it every time.
    """
    problems = []
    for shard in manifest["shards"]:
        path = os.path.join(manifest["directory"], shard["file"])
        if not os.path.isfile(path):
            problems.append(f"{path!r} is missing")
        elif os.path.getsize(path) != shard["bytes"]:
            problems.append(
                f"{path!r} has {os.path.getsize(path)} bytes, the manifest says {shard['bytes']} "
                "(truncated or changed; rerun write_records to rewrite it)"
            )
    if problems:
        raise ValueError("bad TFRecord shards: " + "; ".join(problems))
