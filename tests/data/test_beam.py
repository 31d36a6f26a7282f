"""`write_records_beam` on the DirectRunner writes what `write_records` writes, byte for byte."""

import functools
import json
import os

import numpy as np
import pytest
import soundfile

pytest.importorskip("apache_beam")
pytestmark = [
    pytest.mark.filterwarnings("ignore:write_records skipped"),
    pytest.mark.filterwarnings("ignore:.*skipped 1 listed audio files that do not exist"),
]

from kgenre.audio.features import log_mel_spectrogram  # noqa: E402
from kgenre.data import read_manifest, verify_records, write_records, write_records_beam  # noqa: E402
from kgenre.datasets import Track  # noqa: E402
from kgenre.datasets.synthetic import synthetic  # noqa: E402

STEMS = ("bass", "drums")
SETTINGS = dict(
    sample_rate=8000,
    tracks_per_shard=3,
    stems=STEMS,
    features={"mel": (functools.partial(log_mel_spectrogram, n_mels=16, hop_length=256), 256)},
    progress=False,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Six synthetic EDM tracks with their true stems, and three bad ones among them."""
    tracks = synthetic(family="edm", tracks_per_genre=1, seconds=2.0, sample_rate=8000)
    bad = tmp_path_factory.mktemp("bad")
    text = bad / "text.wav"
    text.write_text("not audio")
    short = bad / "short.wav"
    soundfile.write(short, np.full(400, 0.1, np.float32), 8000, subtype="PCM_16")
    stems = dict(tracks[0].stems)
    extra = [
        Track(str(text), tracks[1].label, "text", stems=stems),
        Track(str(short), tracks[2].label, "short", stems=stems),
        Track(str(bad / "missing.wav"), tracks[3].label, "missing", stems=stems),
    ]
    return [*tracks[:2], extra[0], *tracks[2:4], extra[1], extra[2], *tracks[4:]]


def _folder(path):
    """Every file of a records folder except the lock: `{name: bytes}`."""
    return {
        name: (path / name).read_bytes()
        for name in sorted(os.listdir(path))
        if not name.startswith(".kgenre-writer")
    }


def _without_time(manifest):
    return {k: v for k, v in manifest.items() if k not in ("created", "directory")}


def test_same_shards_and_manifest_as_write_records(tmp_path, corpus):
    expected = write_records(corpus, tmp_path / "here", **SETTINGS)
    manifest = write_records_beam(corpus, tmp_path / "beam", **SETTINGS)
    here, there = _folder(tmp_path / "here"), _folder(tmp_path / "beam")
    assert sorted(here) == sorted(there)
    shards = [name for name in here if name.endswith(".tfrecord")]
    assert len(shards) == 3
    for name in shards + [n + ".json" for n in shards]:
        assert here[name] == there[name], name
    assert _without_time(manifest) == _without_time(expected)
    assert _without_time(read_manifest(tmp_path / "beam")) == _without_time(manifest)
    assert verify_records(tmp_path / "beam").ok
    assert manifest["num_tracks"] == 6 and manifest["features"] == {"mel": {"hop_length": 256}}


def test_bad_tracks_are_reported_not_fatal(tmp_path, corpus):
    with pytest.warns(UserWarning, match="skipped 3 unreadable tracks"):
        manifest = write_records_beam(corpus, tmp_path / "beam", **SETTINGS)
    reasons = {s["track_id"]: s["reason"] for s in manifest["skipped"]}
    assert sorted(reasons) == ["missing", "short", "text"]
    assert "shorter than min_seconds" in reasons["short"]
    assert "missing.wav" in reasons["missing"] or "No such file" in reasons["missing"]
    assert all(t not in manifest["sources"] for t in reasons)


def test_rerun_keeps_finished_shards_and_rewrites_damaged_ones(tmp_path, corpus):
    folder = tmp_path / "rec"
    write_records(corpus, folder, **SETTINGS)  # either writer resumes the other's folder
    first = _folder(folder)
    stamps = {n: os.stat(folder / n).st_mtime_ns for n in first if n.endswith(".tfrecord")}
    write_records_beam(corpus, folder, **SETTINGS)
    assert _folder(folder).keys() == first.keys()
    kept = {n: os.stat(folder / n).st_mtime_ns for n in stamps}
    assert kept == stamps  # nothing rewritten
    damaged = sorted(stamps)[1]
    with open(folder / damaged, "r+b") as handle:
        handle.seek(100)
        handle.write(b"\xff\xff")
    (folder / sorted(stamps)[2]).unlink()
    write_records_beam(corpus, folder, **SETTINGS)
    again = _folder(folder)
    for name in first:
        if name != "manifest.json":
            assert again[name] == first[name], name
    assert os.stat(folder / sorted(stamps)[0]).st_mtime_ns == stamps[sorted(stamps)[0]]
    assert (
        json.loads(again["manifest.json"])["shards"] == json.loads(first["manifest.json"])["shards"]
    )


@pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
    reason="Beam does not use Keras: two worker processes are checked once, in the TF job",
)
def test_two_worker_processes_write_the_same_bytes(tmp_path, corpus):
    write_records(corpus, tmp_path / "here", **SETTINGS)
    flags = "--direct_num_workers=2 --direct_running_mode=multi_processing"
    write_records_beam(corpus, tmp_path / "beam", beam_options=flags, **SETTINGS)
    here, there = _folder(tmp_path / "here"), _folder(tmp_path / "beam")
    assert [here[n] == there[n] for n in here if n != "manifest.json"] == [True] * (len(here) - 1)


def test_lost_elements_stop_the_pipeline_before_a_wrong_shard(tmp_path, corpus):
    """What a runner that loses an element (Beam's DirectRunner in multi_threading mode does,
    now and then) meets: the shard is not written, the pipeline fails, a rerun resumes."""
    from kgenre.data import beam as kbeam
    from kgenre.data.writer import plan_write

    plan = plan_write(corpus, **SETTINGS)
    shard = plan.shards[0]
    results = [
        (p, kbeam.encode_item(item, plan.settings)[1][1])
        for p, item in enumerate(kbeam.shard_work((0, shard), str(tmp_path)))
    ]
    with pytest.raises(RuntimeError, match=r"delivered 2 results for its 3 tracks \(missing"):
        kbeam.assemble((0, results[:1] + results[2:]), str(tmp_path), plan.shards)
    assert not (tmp_path / shard.file).exists()
    with pytest.warns(UserWarning, match="loses elements"):
        kbeam.pipeline_options("--direct_num_workers=2 --direct_running_mode=multi_threading")


def test_bad_options_fail_before_anything_is_written(tmp_path, corpus):
    with pytest.raises(ValueError, match="tracks_per_shard"):
        write_records_beam(corpus, tmp_path / "rec", tracks_per_shard=0)
    with pytest.raises(ValueError, match="labels"):
        write_records_beam(corpus, tmp_path / "rec", class_names=("techno",))
    assert not (tmp_path / "rec").exists()


def test_prepare_command_with_the_beam_runner(tmp_path, corpus, capsys):
    from kgenre.cli.main import main

    listing = tmp_path / "tracks.csv"
    listing.write_text("path,label\n" + "".join(f"{t.path},{t.label}\n" for t in corpus))
    args = ["prepare", str(listing), "--sample-rate", "8000", "--tracks-per-shard", "4"]
    assert main([*args, "--out", str(tmp_path / "here")]) == 0
    flags = "--beam-options=--direct_num_workers=1"
    assert main([*args, "--out", str(tmp_path / "here"), "--runner", "beam", flags]) == 0
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "beam"), "--runner", "beam"]) == 0
    assert "6 tracks written" in capsys.readouterr().out
    here, there = _folder(tmp_path / "here"), _folder(tmp_path / "beam")
    assert {n: b for n, b in here.items() if n.endswith(".tfrecord")} == {
        n.replace("beam-", "here-"): b for n, b in there.items() if n.endswith(".tfrecord")
    }
    assert main([*args, "--out", str(tmp_path / "x"), flags]) == 1
    assert "--beam-options needs --runner beam" in capsys.readouterr().err
