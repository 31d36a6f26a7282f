"""Records survive `kill -9`, concurrent writers, stale manifests and byte flips on disk."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from kgenre.data import (
    RecordsLockedError,
    make_dataset,
    read_manifest,
    verify_records,
    write_records,
)
from kgenre.data import records as records_module
from kgenre.data.lock import writer_lock

SETTINGS = {"sample_rate": 8000, "tracks_per_shard": 2, "min_seconds": None, "progress": False}

# A writer process whose loader stops at the `stop_at`-th file: it touches `flag`, then waits
# to be killed.
WRITER = textwrap.dedent(
    """
    import json, sys, time
    import kgenre.data.records as records
    from kgenre.data import write_records
    from kgenre.datasets import Track

    tracks, out, settings, stop_at, flag = json.loads(sys.argv[1])
    real, calls = records.load_audio, []

    def load_audio(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == stop_at:
            open(flag, "w").close()
            time.sleep(600)
        return real(path, *args, **kwargs)

    records.load_audio = load_audio
    write_records([Track(*t) for t in tracks], out, workers=1, **settings)
    """
)


def _start_writer(tracks, out, stop_at, tmp_path):
    flag = str(tmp_path / "stopped")
    args = [[[t.path, t.label, t.track_id] for t in tracks], str(out), SETTINGS, stop_at, flag]
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, json.dumps(args)],
        env=dict(os.environ, PYTHONPATH=os.getcwd()),
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not os.path.exists(flag):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"writer did not start: {process.stderr.read().decode()}")
        time.sleep(0.05)
    return process


def _folder(path):
    """Every file of a records folder but the lock, with its bytes (manifest: minus `created`)."""
    files = {}
    for name in sorted(os.listdir(path)):
        data = (path / name).read_bytes()
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("created")
            data = manifest
        if name != ".kgenre-writer.lock":
            files[name] = data
    return files


def test_concurrent_writer_then_kill_9_then_resume_is_byte_identical(
    tmp_path, noise_tracks, monkeypatch
):
    # One writer process (one TensorFlow import in a child, to keep the suite fast) is held
    # inside its third shard: a second writer is refused, then the first is killed.
    tracks = noise_tracks(7)
    out = tmp_path / "rec"
    process = _start_writer(tracks, out, stop_at=5, tmp_path=tmp_path)  # 3rd shard, 1st track
    try:
        with pytest.raises(RecordsLockedError, match=f"another writer holds .*pid {process.pid}"):
            write_records(tracks, out, **SETTINGS)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    left = sorted(os.listdir(out))
    assert "manifest.json" not in left
    assert [f for f in left if f.endswith(".tmp")]  # the dead writer's partial shard
    with pytest.raises(FileNotFoundError, match="no TFRecord manifest"):
        make_dataset(out, "eval", clip_seconds=0.25)

    calls = []
    real = records_module.load_audio
    monkeypatch.setattr(
        records_module, "load_audio", lambda p, *a, **k: (calls.append(p), real(p, *a, **k))[1]
    )
    write_records(tracks, out, **SETTINGS)  # the kill left the lock free
    assert sorted(calls) == sorted(t.path for t in tracks[4:])  # finished shards kept
    write_records(tracks, tmp_path / "clean", **SETTINGS)
    assert _folder(out) == _folder(tmp_path / "clean")
    assert not [f for f in os.listdir(out) if f.endswith(".tmp")]
    assert verify_records(out).ok


def test_a_held_lock_names_its_owner_in_process(tmp_path, noise_tracks):
    (tmp_path / "rec").mkdir()
    with writer_lock(str(tmp_path / "rec")):
        with pytest.raises(RecordsLockedError, match=f"pid {os.getpid()}"):
            write_records(noise_tracks(1), tmp_path / "rec", **SETTINGS)
    write_records(noise_tracks(1), tmp_path / "rec", **SETTINGS)  # released


def test_an_interrupted_rewrite_never_leaves_a_stale_manifest(tmp_path, noise_tracks, monkeypatch):
    tracks = noise_tracks(6)
    out = tmp_path / "rec"
    write_records(tracks, out, **SETTINGS)
    real, calls = records_module.load_audio, []

    def interrupted(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(records_module, "load_audio", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_records(tracks, out, class_names=["b", "a"], **SETTINGS)
    # Shards of the new class order sit beside old ones: nothing may read them as one set.
    with pytest.raises(FileNotFoundError):
        read_manifest(out)
    monkeypatch.setattr(records_module, "load_audio", real)
    write_records(tracks, out, class_names=["b", "a"], **SETTINGS)
    ds = make_dataset(out, "eval", clip_seconds=0.5, batch_size=16, with_track_ids=True)
    _, labels, ids = next(iter(ds))
    expected = {t.track_id: ["b", "a"].index(t.label) for t in tracks}
    assert {i.decode(): int(y) for i, y in zip(ids.numpy(), labels.numpy())} == expected


def _flip_a_byte(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_same_size_byte_flip_is_named_and_repaired(tmp_path, noise_tracks):
    import tensorflow as tf

    tracks = noise_tracks(4)
    out = tmp_path / "rec"
    write_records(tracks, out, **SETTINGS)
    shard = out / "records-00000-of-00002.tfrecord"
    original = shard.read_bytes()
    _flip_a_byte(shard, 12 + 200)  # inside the first record's payload
    assert len(shard.read_bytes()) == len(original)

    report = verify_records(out)
    assert not report.ok and "records-00000-of-00002.tfrecord" in str(report)
    assert "damaged tracks: ['t0']" in str(report) and "rerun write_records" in str(report)
    with pytest.raises(ValueError, match="records-00000-of-00002.tfrecord.*SHA-256"):
        make_dataset(out, "eval", clip_seconds=0.25, verify=True)
    ds = make_dataset(out, "eval", clip_seconds=0.25)  # sizes agree: found while reading
    with pytest.raises(tf.errors.InvalidArgumentError, match="records-00000-of-00002.*damaged"):
        list(ds)

    write_records(tracks, out, **SETTINGS)  # resume rewrites exactly the damaged shard
    assert shard.read_bytes() == original and verify_records(out).ok
    x = np.concatenate([b[0].numpy() for b in make_dataset(out, "eval", clip_seconds=0.25)])
    assert x.shape == (8, 2000)


def test_a_corrupt_or_foreign_manifest_is_refused(tmp_path, noise_tracks):
    out = tmp_path / "rec"
    write_records(noise_tracks(2), out, **SETTINGS)
    manifest = out / "manifest.json"
    manifest.write_text(manifest.read_text()[:100])
    with pytest.raises(ValueError, match="not valid JSON"):
        make_dataset(out)
    manifest.write_text('{"format": "something-else"}')
    with pytest.raises(ValueError, match="not a kgenre TFRecord manifest"):
        make_dataset(out)
    assert "not a kgenre" in str(verify_records(out))
