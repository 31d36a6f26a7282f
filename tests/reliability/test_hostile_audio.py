"""Files that are not audio, or audio that is unusable, never become silently wrong data."""

import numpy as np
import pytest
import soundfile

from kgenre.audio import AudioDecodeError, load, load_audio, sniff_audio_format
from kgenre.data import make_dataset, write_records
from kgenre.datasets import Track, folder_per_genre

SETTINGS = {"sample_rate": 8000, "progress": False}


@pytest.mark.parametrize(
    "fmt,subtype,expected",
    [
        ("WAV", "PCM_16", "wav"),
        ("AU", "PCM_16", "au"),
        ("FLAC", "PCM_16", "flac"),
        ("OGG", "VORBIS", "ogg"),
        ("AIFF", "PCM_16", "aiff"),
        ("MP3", "MPEG_LAYER_III", "mp3"),
    ],
)
def test_real_formats_are_recognised_by_content(tmp_path, fmt, subtype, expected):
    path = tmp_path / "x.bin"  # the extension plays no part
    soundfile.write(path, np.zeros(8000), 16000, format=fmt, subtype=subtype)
    assert sniff_audio_format(path.read_bytes()[:64]) == expected


@pytest.mark.parametrize(
    "name,content",
    [
        ("notes.au", b"this is a text file, not a Sun audio file\n" * 20),
        ("notes.wav", b"RIFF but not really a wave file at all\n" * 20),
        ("random.mp3", bytes(np.random.default_rng(0).integers(0, 255, 4000, dtype=np.uint8))),
        ("picture.flac", b"\x89PNG\r\n\x1a\n" + bytes(200)),
    ],
)
def test_non_audio_is_refused_whatever_its_name(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if not name.startswith("random") else b"\x00" + content)
    with pytest.raises(AudioDecodeError, match=f"{name}.* is not audio"):
        load(path)


def test_non_finite_samples_are_refused_or_zeroed_and_counted(write_audio):
    samples = np.full(800, 0.25)
    samples[[3, 10, 11]] = [np.nan, np.inf, -np.inf]
    path = write_audio("nan.wav", samples, subtype="FLOAT")
    with pytest.raises(AudioDecodeError, match="nan.wav.* has 3 NaN or infinite samples"):
        load(path)
    y, _, zeroed = load_audio(path, nonfinite="zero")
    assert zeroed == 3 and np.isfinite(y).all() and y[3] == 0 and y[0] == 0.25
    with pytest.raises(ValueError, match="nonfinite must be one of"):
        load(path, nonfinite="ignore")


def test_the_writer_reports_every_unusable_track_and_goes_on(tmp_path, write_audio):
    bad_samples = np.full(8000, 0.1)
    bad_samples[100] = np.nan
    (tmp_path / "text.au").write_text("not audio\n" * 100)
    (tmp_path / "empty.wav").write_bytes(b"")
    tracks = [
        Track(write_audio("good.wav", seconds=1.0), "a", "good"),
        Track(str(tmp_path / "text.au"), "a", "text"),
        Track(str(tmp_path / "empty.wav"), "a", "empty"),
        Track(write_audio("nan.wav", bad_samples, subtype="FLOAT"), "b", "nan"),
        Track(write_audio("silent.wav", np.zeros(8000)), "b", "silent"),
        Track(write_audio("short.wav", seconds=0.2), "b", "short"),
        Track(str(tmp_path / "gone.wav"), "b", "gone"),
    ]
    with pytest.warns(UserWarning, match="skipped 6 unreadable tracks"):
        manifest = write_records(tracks, tmp_path / "rec", min_seconds=0.5, **SETTINGS)
    reasons = {s["track_id"]: s["reason"] for s in manifest["skipped"]}
    assert "is not audio" in reasons["text"] and "empty" in reasons["empty"]
    assert "1 NaN or infinite samples" in reasons["nan"] and "silent" in reasons["silent"]
    assert "shorter than min_seconds" in reasons["short"] and "not found" in reasons["gone"]
    assert manifest["num_tracks"] == 1 and manifest["zeroed"] == []

    with pytest.warns(UserWarning, match="zeroed NaN or infinite samples in 1 tracks"):
        manifest = write_records(tracks[3:4], tmp_path / "zeroed", nonfinite="zero", **SETTINGS)
    assert manifest["zeroed"] == [
        {"track_id": "nan", "path": tracks[3].path, "nonfinite": {"mix": 1}}
    ]
    x = next(iter(make_dataset(tmp_path / "zeroed", "eval", clip_seconds=1.0)))[0].numpy()
    assert np.isfinite(x).all() and x[0, 100] == 0


def test_same_content_under_two_genres_and_colliding_names(tmp_path, write_audio):
    samples = np.random.default_rng(1).uniform(-0.5, 0.5, 8000)
    write_audio("corpus/rock/song.wav", samples)
    write_audio("corpus/jazz/copy.wav", samples)  # the same file filed under another genre
    write_audio("corpus/jazz/tune.wav", seconds=1.0)
    write_audio("corpus/jazz/tune.flac", seconds=1.0)
    tracks = folder_per_genre(tmp_path / "corpus")
    assert sorted(t.track_id for t in tracks) == ["copy", "song", "tune.flac", "tune.wav"]
    with pytest.warns(UserWarning, match="1 with conflicting labels"):
        manifest = write_records(tracks, tmp_path / "rec", **SETTINGS)
    (group,) = manifest["duplicates"]
    assert group["conflicting_labels"]
    assert sorted((t["track_id"], t["label"]) for t in group["tracks"]) == [
        ("copy", "jazz"),
        ("song", "rock"),
    ]
    assert manifest["num_tracks"] == 4  # reported, not dropped: the user decides
