"""Track lists (CSV/TSV) with bad encodings, shapes, labels and paths get errors with a line."""

import pytest

from kgenre.datasets import from_csv


@pytest.fixture
def corpus(tmp_path):
    for name in ("a.wav", "b.wav", "c.wav"):
        (tmp_path / name).write_bytes(b"RIFF")
    return tmp_path


def _write(folder, text, name="list.csv", encoding="utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def test_excel_byte_order_mark_is_read(corpus):
    tracks = from_csv(_write(corpus, "path,label\na.wav,house\n", encoding="utf-8-sig"))
    assert [(t.track_id, t.label) for t in tracks] == [("a", "house")]


@pytest.mark.parametrize(
    "text,encoding,match",
    [
        ("path,label\na.wav,café\n", "latin-1", r"list.csv:2: track list is not UTF-8.*0xe9"),
        ("\n  \n\n", "utf-8", "is empty"),
        ("path,label\n\n", "utf-8", "header but no rows"),
        ("path,label\na.wav,house,extra\n", "utf-8", r"list.csv:2: 3 fields, expected 2"),
        ("path,label\na.wav\n", "utf-8", r"list.csv:2: empty label"),
        ("path,label\na.wav, \n", "utf-8", r"list.csv:2: empty label"),
        ("path,label\n,house\n", "utf-8", r"list.csv:2: empty path"),
        ("a.wav,house,x\n", "utf-8", r"list.csv:1: 3 fields, expected 2"),
        (
            "path,label\na.wav,house\nb.wav,house\n./a.wav,techno\n",
            "utf-8",
            r"list.csv:4: './a.wav' is listed again with label 'techno'; line 2 gives 'house'",
        ),
    ],
)
def test_bad_lists_name_the_file_and_line(corpus, text, encoding, match):
    with pytest.raises(ValueError, match=match):
        from_csv(_write(corpus, text, encoding=encoding))


def test_every_bad_row_is_listed_at_once(corpus):
    path = _write(corpus, "path,label\na.wav,\nb.wav,x,y\nc.wav,ok\n")
    with pytest.raises(ValueError, match=r"2 bad rows(.|\n)*:2: empty label(.|\n)*:3: 3 fields"):
        from_csv(path)


def test_a_repeated_row_is_kept_once_with_a_warning(corpus):
    path = _write(corpus, "path,label\na.wav,house\nb.wav,house\na.wav,house\n")
    with pytest.warns(UserWarning, match=r"list.csv:4: 'a.wav' is listed again"):
        tracks = from_csv(path)
    assert [t.track_id for t in tracks] == ["a", "b"]


def test_trailing_empty_fields_are_not_extra_fields(corpus):
    tracks = from_csv(_write(corpus, "path,label,,\na.wav,house,,\n"))
    assert [t.label for t in tracks] == ["house"]


def test_paths_can_be_confined_to_the_root(tmp_path):
    root = tmp_path / "lists"
    root.mkdir()
    (root / "in.wav").write_bytes(b"RIFF")
    (tmp_path / "secret.wav").write_bytes(b"RIFF")
    path = _write(root, f"path,label\nin.wav,a\n../secret.wav,b\n{tmp_path}/secret.wav,b\n")
    with pytest.warns(UserWarning, match="listed again"):  # two spellings of one file
        assert [t.track_id for t in from_csv(path)] == ["in", "secret"]
    with pytest.raises(ValueError, match=r"list.csv:3: '../secret.wav' leads outside the root"):
        from_csv(path, confine_to_root=True)
    (root / "link.wav").symlink_to(tmp_path / "secret.wav")
    linked = _write(root, "path,label\nlink.wav,a\n")
    with pytest.raises(ValueError, match="leads outside the root"):
        from_csv(linked, confine_to_root=True)


def test_colliding_names_keep_their_extensions(corpus):
    (corpus / "a.mp3").write_bytes(b"ID3")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.wav").write_bytes(b"RIFF")
    tracks = from_csv(_write(corpus, "path,label\na.wav,x\na.mp3,y\nsub/a.wav,x\nb.wav,y\n"))
    assert [t.track_id for t in tracks] == ["a.wav", "a.mp3", "sub/a.wav", "b"]
