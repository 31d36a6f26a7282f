import pytest

from kgenre.datasets import ismir2004


def _make_tree(root, subset, rows, header=True):
    (root / "metadata" / subset).mkdir(parents=True)
    lines = ["class,artist,album,track,track number,file path"] if header else []
    for label, artist, rel in rows:
        lines.append(f"{label},{artist},Album,Title,1,{rel}")
        path = root / "audio" / subset / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    (root / "metadata" / subset / "tracklist.csv").write_text("\n".join(lines) + "\n")


def test_training_and_development_lists(tmp_path):
    _make_tree(
        tmp_path,
        "training",
        [("classical", "Bach", "classical/bach/a.mp3"), ("jazz-blues", "Ellis", "jazz/x.mp3")],
    )
    _make_tree(tmp_path, "development", [("world", "", "world/y.mp3")], header=False)
    tracks = ismir2004(tmp_path)
    assert [t.label for t in tracks] == ["classical", "jazz_blues", "world"]
    assert [t.split for t in tracks] == ["training", "training", "test"]
    assert [t.group for t in tracks] == ["Bach", "Ellis", None]
    assert tracks[0].track_id == "training/classical/bach/a"
    assert tracks[2].path.endswith("audio/development/world/y.mp3")


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="training list"):
        ismir2004(tmp_path)
    _make_tree(tmp_path, "training", [("polka", "A", "p.mp3")])
    with pytest.raises(ValueError, match="polka"):
        ismir2004(tmp_path, subsets=("training",))
    (tmp_path / "metadata" / "training" / "tracklist.csv").write_text("classical,A,B\n")
    with pytest.raises(ValueError, match="expected 6 columns"):
        ismir2004(tmp_path, subsets=("training",))
