import csv

import pytest

from kgenre.datasets import fma_small
from kgenre.datasets.fma import fma_audio_path


def _write_tracks_csv(path, rows):
    # FMA's three-row header, columns trimmed to the ones the adapter reads plus a decoy.
    header = [
        ["", "album", "artist", "set", "set", "track", "track"],
        ["", "title", "id", "split", "subset", "genre_top", "title"],
        ["track_id", "", "", "", "", "", ""],
    ]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(header)
        for track_id, artist, split, subset, genre in rows:
            writer.writerow([track_id, "Album", artist, split, subset, genre, "a, b"])


def test_fma_small_tree(tmp_path):
    meta = tmp_path / "fma_metadata"
    meta.mkdir()
    rows = [
        (2, 1, "training", "small", "Hip-Hop"),
        (5, 1, "validation", "small", "Hip-Hop"),
        (140, 6, "test", "small", "Folk"),
        (141, 6, "training", "medium", "Folk"),
        (10, 7, "training", "small", "Pop"),
    ]
    _write_tracks_csv(meta / "tracks.csv", rows)
    audio = tmp_path / "fma_small"
    for tid in (2, 5, 140, 141):
        path = fma_audio_path(audio, tid)
        assert path.endswith(f"{tid:06d}.mp3") and f"{tid:06d}"[:3] in path
        (audio / f"{tid:06d}"[:3]).mkdir(parents=True, exist_ok=True)
        open(path, "wb").close()
    with pytest.warns(UserWarning, match="skipped 1 listed audio"):
        tracks = fma_small(meta, audio)
    assert [t.track_id for t in tracks] == ["2", "5", "140"]
    assert [t.label for t in tracks] == ["Hip-Hop", "Hip-Hop", "Folk"]
    assert [t.split for t in tracks] == ["training", "validation", "test"]
    assert [t.group for t in tracks] == ["1", "1", "6"]
    with pytest.raises(FileNotFoundError, match="000010.mp3"):
        fma_small(meta / "tracks.csv", audio, skip_missing=False)


def test_fma_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="tracks.csv"):
        fma_small(tmp_path, tmp_path)
    bad = tmp_path / "tracks.csv"
    bad.write_text("a,b\n1,2\n3,4\n5,6\n")
    with pytest.raises(ValueError, match="not FMA"):
        fma_small(bad, tmp_path)
    _write_tracks_csv(bad, [(3, 1, "training", "small", "Polka")])
    (tmp_path / "000").mkdir()
    open(fma_audio_path(tmp_path, 3), "wb").close()
    with pytest.raises(ValueError, match="Polka"):
        fma_small(bad, tmp_path)
