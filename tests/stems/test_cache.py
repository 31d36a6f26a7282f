import glob
import os

import numpy as np
import pytest

from kgenre.stems import (
    STEM_NAMES,
    CachedSeparator,
    HPSSSeparator,
    Separator,
    StemCache,
    get_separator,
)


class CountingSeparator(Separator):
    """HPSS that counts how often it really separates."""

    name = "counting"

    def __init__(self, **kwargs):
        self.inner = HPSSSeparator(**kwargs)
        self.calls = 0

    def get_config(self):
        return self.inner.get_config()

    def separate(self, audio, sample_rate):
        self.calls += 1
        return self.inner.separate(audio, sample_rate)


@pytest.fixture
def mix():
    return np.random.default_rng(0).standard_normal(8000).astype(np.float32)


def _entries(directory):
    return glob.glob(os.path.join(directory, "**", "*.npz"), recursive=True)


def test_rerun_reads_the_cache(tmp_path, mix):
    separator = CountingSeparator()
    cached = CachedSeparator(separator, str(tmp_path))
    first = cached.separate(mix, 22050)
    second = cached.separate(mix.copy(), 22050)
    assert separator.calls == 1
    assert (cached.hits, cached.misses) == (1, 1)
    for name in STEM_NAMES:
        np.testing.assert_array_equal(first[name], second[name])
    # A new process (a fresh wrapper and separator) finds the same entry.
    again = CountingSeparator()
    CachedSeparator(again, StemCache(str(tmp_path))).separate(mix, 22050)
    assert again.calls == 0
    assert len(_entries(str(tmp_path))) == 1


def test_key_covers_audio_rate_and_settings(tmp_path, mix):
    separator = CountingSeparator()
    cached = CachedSeparator(separator, str(tmp_path))
    cached.separate(mix, 22050)
    cached.separate(mix, 16000)
    cached.separate(mix * 0.5, 22050)
    cached.separate(mix[None, :], 22050)
    assert separator.calls == 4
    other_settings = CountingSeparator(bass_cutoff_hz=100)
    CachedSeparator(other_settings, str(tmp_path)).separate(mix, 22050)
    assert other_settings.calls == 1
    assert len(_entries(str(tmp_path))) == 5


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing_stem"])
def test_corrupt_entry_is_recomputed(tmp_path, mix, caplog, damage):
    separator = CountingSeparator()
    cached = CachedSeparator(separator, str(tmp_path))
    expected = cached.separate(mix, 22050)
    (entry,) = _entries(str(tmp_path))
    if damage == "garbage":
        with open(entry, "wb") as stream:
            stream.write(b"not a zip file")
    elif damage == "truncated":
        with open(entry, "rb") as stream:
            data = stream.read()
        with open(entry, "wb") as stream:
            stream.write(data[: len(data) // 2])
    else:
        np.savez(entry, bass=expected["bass"])
    stems = cached.separate(mix, 22050)
    assert separator.calls == 2
    assert "recomputing" in caplog.text
    for name in STEM_NAMES:
        np.testing.assert_array_equal(stems[name], expected[name])
    # The entry was rewritten and is good again.
    cached.separate(mix, 22050)
    assert separator.calls == 2


def test_wrong_shape_entry_is_recomputed(tmp_path, mix, caplog):
    separator = CountingSeparator()
    cache = StemCache(str(tmp_path))
    cached = CachedSeparator(separator, cache)
    path = cache.path(cache.key(mix, 22050, separator), separator.name)
    os.makedirs(os.path.dirname(path))
    np.savez(path, **{name: np.zeros(5, np.float32) for name in STEM_NAMES})
    assert cached.separate(mix, 22050)["bass"].shape == mix.shape
    assert separator.calls == 1
    assert "wrong shape" in caplog.text


def test_interrupted_write_leaves_no_entry(tmp_path, mix, monkeypatch):
    separator = CountingSeparator()
    cached = CachedSeparator(separator, str(tmp_path))

    def interrupted_savez(stream, **arrays):
        stream.write(b"PK\x03\x04 partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted_savez)
    with pytest.raises(KeyboardInterrupt):
        cached.separate(mix, 22050)
    monkeypatch.undo()
    assert glob.glob(os.path.join(str(tmp_path), "**", "*"), recursive=True) == [
        p
        for p in glob.glob(os.path.join(str(tmp_path), "**", "*"), recursive=True)
        if os.path.isdir(p)
    ]
    cached.separate(mix, 22050)
    cached.separate(mix, 22050)
    assert separator.calls == 2
    assert cached.hits == 1


def test_get_separator(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("KGENRE_STEM_CACHE", str(tmp_path / "cache"))
    plain = get_separator("hpss", cache=False, bass_cutoff_hz=120)
    assert isinstance(plain, HPSSSeparator) and plain.bass_cutoff_hz == 120
    cached = get_separator("hpss")
    assert isinstance(cached, CachedSeparator)
    assert cached.cache.directory == str(tmp_path / "cache")
    auto = get_separator(
        "auto",
        cache=str(tmp_path / "c2"),
        env_dir=str(tmp_path / "no-env"),
        model_path=str(tmp_path),
    )
    assert auto.name == "hpss"
    assert "separating stems with HPSS instead" in caplog.text
    assert len([r for r in caplog.records if "HPSS" in r.getMessage()]) == 1
    with pytest.raises(ValueError, match="separator must be one of"):
        get_separator("demucs")
