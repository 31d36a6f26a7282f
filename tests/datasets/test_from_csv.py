import pytest

from kgenre.datasets import from_csv


def _touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")


def test_csv_with_header_and_groups(tmp_path):
    for name in ("a.wav", "sub/b.mp3"):
        _touch(tmp_path / "audio" / name)
    (tmp_path / "list.csv").write_text(
        "label,path,artist\ntechno,audio/a.wav,X\nhouse,audio/sub/b.mp3,Y\n"
    )
    tracks = from_csv(tmp_path / "list.csv", group_column="artist")
    assert [(t.label, t.track_id, t.group) for t in tracks] == [
        ("techno", "a", "X"),
        ("house", "b", "Y"),
    ]
    assert tracks[1].path == str(tmp_path / "audio" / "sub/b.mp3")


def test_tsv_without_header_and_missing_files(tmp_path):
    _touch(tmp_path / "x.wav")
    (tmp_path / "list.tsv").write_text("x.wav\ttrance\nmissing.wav\tdubstep\n")
    with pytest.warns(UserWarning, match="missing.wav"):
        tracks = from_csv(tmp_path / "list.tsv")
    assert [(t.label, t.track_id) for t in tracks] == [("trance", "x")]
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        from_csv(tmp_path / "list.tsv", skip_missing=False)


def test_errors(tmp_path):
    _touch(tmp_path / "x.wav")
    (tmp_path / "l.csv").write_text("path,genre\nx.wav,techno\n")
    with pytest.raises(ValueError, match="lacks"):
        from_csv(tmp_path / "l.csv")
    (tmp_path / "l.csv").write_text("path,label\nx.wav,polka\n")
    with pytest.raises(ValueError, match="polka"):
        from_csv(tmp_path / "l.csv", class_names=["techno", "house"])
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        from_csv(tmp_path / "nope.csv")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(ValueError, match="empty"):
        from_csv(tmp_path / "e.csv")
