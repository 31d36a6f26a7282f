import numpy as np
import pytest
import soundfile

from kgenre.audio import load
from kgenre.datasets import folder_per_genre


def _tone(path, fmt=None):
    y = 0.1 * np.sin(np.arange(2205) / 5.0)
    soundfile.write(path, y, 22050, format=fmt, subtype="PCM_16")


def test_gtzan_layout_with_au_and_wav(tmp_path):
    for genre in ("blues", "rock"):
        (tmp_path / genre).mkdir()
        for i in range(2):
            _tone(tmp_path / genre / f"{genre}.0000{i}.au", fmt="AU")
    _tone(tmp_path / "rock" / "rock.00002.wav")
    (tmp_path / "rock" / "notes.mf").write_text("ignored")
    (tmp_path / "empty_genre").mkdir()
    tracks = folder_per_genre(tmp_path)
    assert [t.label for t in tracks] == ["blues", "blues", "rock", "rock", "rock"]
    assert [t.track_id for t in tracks][:2] == ["blues.00000", "blues.00001"]
    assert all(t.group is None and t.split is None for t in tracks)
    # GTZAN's Sun .au files decode through soundfile.
    y, sr = load(tracks[0].path)
    assert sr == 22050 and len(y) == 2205 and np.abs(y).max() > 0.09


def test_requested_genres_and_errors(tmp_path):
    (tmp_path / "jazz").mkdir()
    _tone(tmp_path / "jazz" / "a.wav")
    (tmp_path / "pop").mkdir()
    assert len(folder_per_genre(tmp_path, genres=["jazz"])) == 1
    with pytest.raises(FileNotFoundError, match="metal"):
        folder_per_genre(tmp_path, genres=["jazz", "metal"])
    with pytest.raises(ValueError, match="no audio"):
        folder_per_genre(tmp_path, genres=["pop"])
    with pytest.raises(FileNotFoundError, match="nowhere"):
        folder_per_genre(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="no audio"):
        folder_per_genre(tmp_path / "pop")


def test_duplicate_names_get_qualified_ids(tmp_path):
    for genre in ("a", "b"):
        (tmp_path / genre).mkdir()
        _tone(tmp_path / genre / "same.wav")
    assert [t.track_id for t in folder_per_genre(tmp_path)] == ["a/same", "b/same"]
