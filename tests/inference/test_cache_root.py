import os

from kgenre._paths import user_cache_dir
from kgenre.stems import default_cache_dir, default_env_dir


def test_kgenre_cache_moves_every_cache(tmp_path, monkeypatch):
    for name in ("KGENRE_STEM_CACHE", "KGENRE_SPLEETER_ENV", "KGENRE_SYNTHETIC_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KGENRE_CACHE", str(tmp_path / "drive"))
    assert user_cache_dir() == str(tmp_path / "drive")
    assert default_cache_dir() == str(tmp_path / "drive" / "stems")
    assert default_env_dir() == str(tmp_path / "drive" / "spleeter-env")
    from kgenre.datasets.synthetic import default_output_dir

    assert default_output_dir().startswith(str(tmp_path / "drive" / "synthetic") + os.sep)
    monkeypatch.setenv("KGENRE_STEM_CACHE", str(tmp_path / "own"))  # a specific one wins
    assert default_cache_dir() == str(tmp_path / "own")
    monkeypatch.delenv("KGENRE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir() == str(tmp_path / "xdg" / "kgenre")
