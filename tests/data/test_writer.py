import json
import os

import numpy as np
import pytest
import soundfile

import kgenre
from kgenre.data import make_dataset, read_manifest, write_records
from kgenre.data import records as records_module


def _eval_clips(records, **kwargs):
    ds = make_dataset(records, "eval", with_track_ids=True, **kwargs)
    xs, ys, ids = [], [], []
    for x, y, t in ds:
        xs.append(x.numpy())
        ys.append(y.numpy())
        ids.extend(i.decode() for i in t.numpy())
    return np.concatenate(xs), np.concatenate(ys), ids


def test_manifest_contents(tmp_path, make_tracks):
    tracks, _ = make_tracks([3.0, 4.0, 5.0], labels=("rock", "blues"))
    manifest = write_records(
        tracks, tmp_path / "rec", sample_rate=16000, tracks_per_shard=2, progress=False
    )
    on_disk = read_manifest(tmp_path / "rec")
    assert on_disk["shards"] == manifest["shards"]
    assert manifest["class_names"] == ["blues", "rock"]
    assert manifest["class_counts"] == {"blues": 1, "rock": 2}
    assert manifest["sample_rate"] == 16000 and manifest["num_tracks"] == 3
    assert manifest["kgenre_version"] == kgenre.__version__
    assert [s["num_tracks"] for s in manifest["shards"]] == [2, 1]
    assert manifest["num_samples"] == 16000 * 12
    assert len(manifest["sources"]["t0"]["sha256"]) == 64
    assert all(len(s["sha256"]) == 64 for s in manifest["shards"])
    assert manifest["sources"]["t2"]["shard"] == "records-00001-of-00002.tfrecord"
    assert len(manifest["sources"]["t2"]["record_sha256"]) == 64
    assert manifest["duplicates"] == [] and manifest["zeroed"] == []
    assert not [f for f in os.listdir(tmp_path / "rec") if f.endswith(".tmp")]


def test_audio_to_records_to_clips_is_bit_exact(tmp_path, make_tracks):
    tracks, signals = make_tracks([3.5, 6.25])
    write_records(tracks, tmp_path / "rec", sample_rate=16000, progress=False)
    # Non-overlapping clips with a padded tail give back every sample.
    x, y, ids = _eval_clips(tmp_path / "rec", clip_seconds=1.0, tail="pad", batch_size=5)
    assert ids == ["t0"] * 4 + ["t1"] * 7
    assert list(y) == [0] * 4 + [1] * 7
    pcm = np.round(x * 32768).astype(np.int64)
    for track, signal in zip(("t0", "t1"), signals):
        got = pcm[[i == track for i in ids]].reshape(-1)
        np.testing.assert_array_equal(got[: len(signal)], signal)
        assert not got[len(signal) :].any()
    # MS-SincResNet clips: 3 s with a 0.5-s hop.
    x, _, ids = _eval_clips(tmp_path / "rec", clip_seconds=3.0, hop_seconds=0.5, batch_size=4)
    assert ids.count("t0") == 2 and ids.count("t1") == 7
    np.testing.assert_array_equal(
        np.round(x[2 + 5] * 32768).astype(np.int16), signals[1][40000 : 40000 + 48000]
    )


def test_resampled_write_stores_target_rate(tmp_path):
    t = np.arange(22050 * 2) / 22050
    path = tmp_path / "tone.wav"
    soundfile.write(path, 0.5 * np.sin(2 * np.pi * 440 * t), 22050)
    from kgenre.datasets import Track

    manifest = write_records(
        [Track(str(path), "x", "tone")], tmp_path / "rec", sample_rate=16000, progress=False
    )
    assert manifest["num_samples"] == 32000


def test_interrupted_write_resumes(tmp_path, make_tracks, monkeypatch):
    tracks, _ = make_tracks([1.5] * 7)
    out = tmp_path / "rec"
    real_load = records_module.load_audio
    calls = []

    def interrupted(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 5:  # the first track of the third shard
            raise KeyboardInterrupt
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(records_module, "load_audio", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_records(tracks, out, sample_rate=16000, tracks_per_shard=2, progress=False)
    files = sorted(os.listdir(out))
    assert "manifest.json" not in files
    assert not [f for f in files if f.endswith(".tmp")]
    assert [f for f in files if f.endswith(".tfrecord")] == [
        "records-00000-of-00004.tfrecord",
        "records-00001-of-00004.tfrecord",
    ]
    finished = {f: os.path.getmtime(out / f) for f in files if f.endswith(".tfrecord")}

    calls.clear()
    monkeypatch.setattr(
        records_module,
        "load_audio",
        lambda p, *a, **k: (calls.append(p), real_load(p, *a, **k))[1],
    )
    manifest = write_records(tracks, out, sample_rate=16000, tracks_per_shard=2, progress=False)
    assert sorted(calls) == [t.path for t in tracks[4:]]  # finished shards were not redone
    assert manifest["num_tracks"] == 7
    for name, mtime in finished.items():
        assert os.path.getmtime(out / name) == mtime

    fresh = tmp_path / "fresh"
    write_records(tracks, fresh, sample_rate=16000, tracks_per_shard=2, progress=False)
    resumed_clips, _, resumed_ids = _eval_clips(out, clip_seconds=1.0)
    fresh_clips, _, fresh_ids = _eval_clips(fresh, clip_seconds=1.0)
    assert resumed_ids == fresh_ids
    np.testing.assert_array_equal(resumed_clips, fresh_clips)


def test_changed_settings_rewrite_shards(tmp_path, make_tracks):
    tracks, _ = make_tracks([1.5, 1.5])
    write_records(tracks, tmp_path / "rec", sample_rate=16000, progress=False)
    manifest = write_records(tracks, tmp_path / "rec", sample_rate=8000, progress=False)
    assert manifest["num_samples"] == 2 * 12000


def test_bad_inputs_are_skipped_and_reported(tmp_path, make_tracks):
    from kgenre.datasets import Track

    tracks, _ = make_tracks([1.5, 1.5])
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "readme.wav"
    text.write_text("not audio at all\n" * 40)
    short = tmp_path / "short.wav"
    soundfile.write(short, np.zeros(8000, np.int16), 16000)  # 0.5 s
    bad = [
        Track(str(empty), "a", "empty"),
        Track(str(text), "a", "text"),
        Track(str(short), "b", "short"),
        Track(str(tmp_path / "gone.wav"), "b", "gone"),
    ]
    with pytest.warns(UserWarning, match="skipped 4 unreadable"):
        manifest = write_records(
            tracks[:1] + bad + tracks[1:], tmp_path / "rec", sample_rate=16000, progress=False
        )
    reasons = {s["track_id"]: s["reason"] for s in manifest["skipped"]}
    assert set(reasons) == {"empty", "text", "short", "gone"}
    assert "empty" in reasons["empty"] and "readme.wav" in reasons["text"]
    assert "0.50 s" in reasons["short"] and "gone.wav" in reasons["gone"]
    assert manifest["num_tracks"] == 2 and manifest["class_counts"] == {"a": 1, "b": 1}
    with open(tmp_path / "rec" / "manifest.json") as handle:
        assert len(json.load(handle)["skipped"]) == 4


def test_unknown_label_fails_before_writing(tmp_path, make_tracks):
    tracks, _ = make_tracks([1.5, 1.5], labels=("a", "polka"))
    with pytest.raises(ValueError, match="polka"):
        write_records(tracks, tmp_path / "rec", class_names=["a", "b"], progress=False)
    assert not (tmp_path / "rec").exists()


def test_missing_stem_is_a_reported_skip(tmp_path, make_tracks):
    tracks, _ = make_tracks([1.5], stems=("bass",))
    with pytest.warns(UserWarning, match="drums"):
        with pytest.raises(ValueError, match="no track could be read"):
            write_records(tracks, tmp_path / "rec", stems=("bass", "drums"), progress=False)


def test_truncated_shard_is_detected_and_rewritten(tmp_path, make_tracks):
    tracks, _ = make_tracks([1.5, 1.5, 1.5])
    out = tmp_path / "rec"
    write_records(tracks, out, sample_rate=16000, tracks_per_shard=2, progress=False)
    shard = out / "records-00000-of-00002.tfrecord"
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="records-00000-of-00002.tfrecord.*truncated"):
        make_dataset(out, "eval", clip_seconds=1.0)
    write_records(tracks, out, sample_rate=16000, tracks_per_shard=2, progress=False)
    assert shard.read_bytes() == data
    assert len(_eval_clips(out, clip_seconds=1.0)[2]) == 3


def test_rerun_with_a_partial_feature_skips_finished_shards(tmp_path, make_tracks, monkeypatch):
    import functools

    from kgenre.audio import log_mel_spectrogram

    tracks, _ = make_tracks([1.5, 1.5])
    kwargs = {
        "sample_rate": 16000,
        "features": {"mel": (functools.partial(log_mel_spectrogram, n_mels=8), 512)},
        "progress": False,
    }
    write_records(tracks, tmp_path / "rec", **kwargs)
    calls = []
    monkeypatch.setattr(records_module, "load_audio", lambda *a, **k: calls.append(a))
    write_records(tracks, tmp_path / "rec", **kwargs)
    assert calls == []


def test_options_objects_and_positional_rate(tmp_path, make_tracks):
    from kgenre.data import DatasetOptions, WriteOptions

    tracks, _ = make_tracks([1.5, 1.5])
    options = WriteOptions(sample_rate=16000, tracks_per_shard=1, progress=False)
    manifest = write_records(tracks, tmp_path / "rec", 8000, options=options)
    assert manifest["sample_rate"] == 8000 and len(manifest["shards"]) == 2
    reading = DatasetOptions(mode="train", clip_seconds=1.0, batch_size=1)
    ds = make_dataset(tmp_path / "rec", "eval", options=reading)
    assert int(ds.cardinality()) == 2  # eval (one clip per track), not train's 2 x 4 clips
    assert next(iter(ds))[0].shape == (1, 8000)
