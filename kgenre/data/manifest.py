"""The `manifest.json` of a records folder: reading it, writing it atomically, verifying shards.

A folder of kgenre TFRecords is readable only through its manifest, and the manifest is
written last: `write_records` removes it before it touches any shard and writes the new one
(atomically, through a temporary file and a rename) once every shard is complete. The
manifest gives every shard's size and SHA-256 and every track's source hashes and the
SHA-256 of its serialized record, so `verify_records` can say which shard, and which tracks
in it, no longer hold what was written.
"""

import dataclasses
import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Iterator

FORMAT = "kgenre-tfrecord-v2"
"""Format written now: v1 plus shard and record checksums."""

READABLE_FORMATS = ("kgenre-tfrecord-v1", FORMAT)
"""Formats `read_manifest` accepts (v1 folders read fine but cannot be verified)."""

MANIFEST_NAME = "manifest.json"

FIX = "rerun write_records on the same tracks (it rewrites only the damaged shards)"
"""What to do about a missing, truncated or corrupted shard, quoted in every such error."""


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible on every platform; the rename is still atomic
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_path(path: str | os.PathLike) -> str:
    """A new, unique temporary file beside `path` (`.name.XXXX.tmp`), for one writer only."""
    directory, name = os.path.split(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    os.close(handle)
    return temporary


def commit(temporary: str, path: str | os.PathLike) -> None:
    """Makes a finished temporary file `path`: fsync, atomic rename, fsync of the folder."""
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(os.path.dirname(os.path.abspath(path)))


def write_json_atomic(path: str | os.PathLike, data: dict) -> None:
    """Writes JSON to `path` through a temporary file and a rename, so readers never see half."""
    temporary = temporary_path(path)
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        commit(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def invalidate_manifest(directory: str) -> None:
    """Removes `directory`'s manifest (durably), making the folder unreadable until rewritten."""
    path = os.path.join(directory, MANIFEST_NAME)
    if os.path.exists(path):
        os.remove(path)
        _fsync_dir(directory)


def read_manifest(records: str | os.PathLike) -> dict:
    """Reads the manifest of a records folder (or a `manifest.json` path).

    Args:
        records: folder written by `write_records`, or its `manifest.json`.

    Returns:
        The manifest as a dict, with `"directory"` added (the folder holding the shards).

    Raises:
        FileNotFoundError: no manifest: nothing was written, a write is in progress, or one
            was interrupted (rerunning `write_records` resumes it).
        ValueError: the file is not a kgenre manifest, or lacks the entries a reader needs.
    """
    records = os.fspath(records)
    path = records if records.endswith(".json") else os.path.join(records, MANIFEST_NAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"no TFRecord manifest at {path!r}: nothing was written there, a write is in "
            "progress, or one was interrupted; run write_records (it resumes) and let it finish"
        )
    with open(path, encoding="utf-8") as handle:
        try:
            manifest = json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{path!r} is not valid JSON: {error}; {FIX}") from error
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE_FORMATS:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ValueError(f"{path!r} is not a kgenre TFRecord manifest (format={found!r})")
    lacking = [
        key
        for key in ("sample_rate", "class_names", "shards", "sources", "stems", "features")
        if key not in manifest
    ]
    if lacking:
        raise ValueError(f"{path!r} lacks {lacking}; {FIX}")
    manifest["directory"] = os.path.dirname(os.path.abspath(path))
    return manifest


def shard_path(manifest: dict, shard: dict) -> str:
    """The path of one shard entry of a manifest."""
    return os.path.join(manifest["directory"], shard["file"])


def check_shards(manifest: dict) -> None:
    """Raises `ValueError` naming any shard that is missing or whose size differs from the manifest.

    A truncated copy or an interrupted transfer shows up as a size mismatch; checking sizes
    costs one `stat` per shard, so the reader does it every time (`verify_records` also
    compares contents).
    """
    problems = [p for shard in manifest["shards"] if (p := _size_problem(manifest, shard))]
    if problems:
        raise ValueError("bad TFRecord shards: " + "; ".join(problems) + f"; {FIX}")


def _size_problem(manifest, shard):
    path = shard_path(manifest, shard)
    if not os.path.isfile(path):
        return f"{path!r} is missing"
    size = os.path.getsize(path)
    if size != shard["bytes"]:
        return (
            f"{path!r} has {size} bytes, the manifest says {shard['bytes']} (truncated or changed)"
        )
    return None


def iter_tfrecord(path: str | os.PathLike) -> Iterator[bytes]:
    """The payloads of a TFRecord file, read without TensorFlow; stops at a damaged frame.

    A TFRecord file is a sequence of frames: a little-endian uint64 length, a 4-byte CRC of
    the length, the payload, a 4-byte CRC of the payload. CRCs are not checked here (the
    manifest's SHA-256 of each payload is a stronger check).
    """
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        while True:
            header = handle.read(12)
            if len(header) < 12:
                return
            (length,) = struct.unpack("<Q", header[:8])
            if handle.tell() + length + 4 > size:
                return
            payload = handle.read(length)
            handle.read(4)
            yield payload


@dataclasses.dataclass
class RecordsReport:
    """What `verify_records` found.

    Attributes:
        directory: the records folder.
        shards: shards the manifest lists.
        tracks: tracks the manifest lists.
        bytes: bytes of the shards that were read.
        problems: one line per problem, naming the shard (and the damaged tracks).
    """

    directory: str
    shards: int = 0
    tracks: int = 0
    bytes: int = 0
    problems: list = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every shard is present and holds exactly what was written."""
        return not self.problems

    def __str__(self):
        head = f"{self.directory}: {self.shards} shards, {self.tracks} tracks, {self.bytes} bytes"
        if self.ok:
            return f"{head}: all shards verified (SHA-256)"
        lines = "\n".join(f"  {p}" for p in self.problems)
        return f"{head}: {len(self.problems)} problems:\n{lines}\nFix: {FIX}"


def _damaged_tracks(manifest, shard):
    """Tracks of `shard` whose serialized record is no longer in the file, in write order."""
    expected = {
        track_id: source["record_sha256"]
        for track_id, source in manifest["sources"].items()
        if source.get("shard") == shard["file"] and "record_sha256" in source
    }
    found = {hashlib.sha256(p).hexdigest() for p in iter_tfrecord(shard_path(manifest, shard))}
    return sorted(t for t, digest in expected.items() if digest not in found)


def verify_records(records: str | os.PathLike) -> RecordsReport:
    """Checks a records folder end to end: manifest, every shard's size and SHA-256.

    For a shard whose checksum differs, the records still intact in it are located (by the
    SHA-256 of each serialized track kept in the manifest) and the damaged tracks are named.
    Reads every byte of every shard once; TensorFlow is not needed. `kgenre prepare --verify`
    and `make_dataset(..., verify=True)` call this.

    Args:
        records: folder written by `write_records` (or its manifest path).

    Returns:
        A `RecordsReport`; `report.ok` tells whether everything verified, `str(report)` says
        what is wrong and how to fix it. A missing or invalid manifest is a problem too.

    Example:
        >>> report = verify_records("tf_records/gtzan16k")  # doctest: +SKIP
        >>> report.ok  # doctest: +SKIP
        True
    """
    directory = os.fspath(records)
    try:
        manifest = read_manifest(records)
    except (FileNotFoundError, ValueError) as error:
        return RecordsReport(directory, problems=[str(error)])
    report = RecordsReport(manifest["directory"], len(manifest["shards"]), len(manifest["sources"]))
    if manifest["format"] != FORMAT:
        report.problems.append(
            f"written by an older kgenre ({manifest['format']}) without checksums; "
            "rerun write_records to add them"
        )
        return report
    for shard in manifest["shards"]:
        problem = _size_problem(manifest, shard)
        if problem is None:
            path = shard_path(manifest, shard)
            report.bytes += shard["bytes"]
            if file_sha256(path) != shard["sha256"]:
                damaged = _damaged_tracks(manifest, shard)
                named = f"; damaged tracks: {damaged[:10]}" if damaged else ""
                problem = f"{path!r} does not match its SHA-256 (corrupted on disk){named}"
        if problem:
            report.problems.append(problem)
    return report
