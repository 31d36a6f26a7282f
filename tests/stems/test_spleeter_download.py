"""`download_model` against a release archive made here (file:// URL), and the uv fallback
of `setup_env` with a stand-in `uv`."""

import hashlib
import io
import os
import stat
import sys
import tarfile

import pytest

from kgenre.cli.main import main
from kgenre.stems import spleeter_env
from kgenre.stems.spleeter_env import SpleeterSetupError, download_model

CHECKPOINT = {
    "checkpoint": b'model_checkpoint_path: "model"\n',
    "model.index": b"index",
    "model.data-00000-of-00001": b"\x00" * 4096,
    "model.meta": b"meta",
}


def make_archive(path, members=CHECKPOINT, prefix=""):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(prefix + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path.as_uri(), hashlib.sha256(path.read_bytes()).hexdigest()


def test_release_constants():
    assert spleeter_env.RELEASE_URL.format("4stems") == (
        "https://github.com/deezer/spleeter/releases/download/v1.4.0/4stems.tar.gz"
    )
    assert set(spleeter_env.MODEL_SHA256) == {"2stems", "4stems", "5stems"}
    assert all(len(v) == 64 for v in spleeter_env.MODEL_SHA256.values())


def test_download_checks_and_unpacks(tmp_path):
    url, digest = make_archive(tmp_path / "4stems.tar.gz")
    models = tmp_path / "models"
    target = download_model("4stems", models, url=url, sha256=digest, progress=False)
    assert target == str(models / "4stems")
    assert sorted(os.listdir(target)) == sorted([*CHECKPOINT, ".probe"])
    assert (models / "4stems" / "model.meta").read_bytes() == b"meta"
    assert spleeter_env.has_trained_model(target)
    assert os.listdir(models) == ["4stems"]  # no staging folder left behind
    # a trained model is kept; force downloads again
    (models / "4stems" / "mine").write_text("x")
    download_model("4stems", models, url=url, sha256=digest, progress=False)
    assert (models / "4stems" / "mine").exists()
    download_model("4stems", models, url=url, sha256=digest, force=True, progress=False)
    assert not (models / "4stems" / "mine").exists()


def test_an_archive_with_a_top_folder(tmp_path):
    url, digest = make_archive(tmp_path / "a.tar.gz", prefix="4stems/")
    target = download_model("4stems", tmp_path / "m", url=url, sha256=digest, progress=False)
    assert spleeter_env.has_checkpoint(target)


def test_untrained_checkpoint_is_replaced(tmp_path):
    url, digest = make_archive(tmp_path / "a.tar.gz")
    untrained = tmp_path / "m" / "4stems"
    untrained.mkdir(parents=True)
    for name, data in CHECKPOINT.items():
        (untrained / name).write_bytes(data)
    (untrained / "KGENRE_UNTRAINED").write_text("x")
    download_model("4stems", tmp_path / "m", url=url, sha256=digest, progress=False)
    assert not spleeter_env.is_untrained(untrained)


@pytest.mark.parametrize(
    "case, message",
    [
        ("checksum", "differs from the expected"),
        ("missing", "downloading .* failed"),
        ("not a tar", "is not a readable tar archive"),
        ("no checkpoint", "holds no TensorFlow checkpoint"),
        ("unsafe", "unsafe archive member '../evil'"),
    ],
)
def test_bad_downloads_leave_the_models_folder_as_it_was(tmp_path, case, message):
    models = tmp_path / "models"
    models.mkdir()
    archive = tmp_path / "a.tar.gz"
    if case == "not a tar":
        archive.write_bytes(b"<html>rate limited</html>")
        url, digest = archive.as_uri(), hashlib.sha256(archive.read_bytes()).hexdigest()
    elif case == "no checkpoint":
        url, digest = make_archive(archive, {"README": b"hello"})
    elif case == "unsafe":
        url, digest = make_archive(archive, {**CHECKPOINT, "../evil": b"x"})
    else:
        url, digest = make_archive(archive)
    if case == "checksum":
        digest = "0" * 64
    if case == "missing":
        url = (tmp_path / "absent.tar.gz").as_uri()
    with pytest.raises(SpleeterSetupError, match=message):
        download_model("4stems", models, url=url, sha256=digest, progress=False)
    assert os.listdir(models) == []
    assert not (tmp_path / "evil").exists()


def test_cli_download_model(tmp_path, capsys):
    url, digest = make_archive(tmp_path / "a.tar.gz")
    args = ["stems", "download-model", "--model-path", str(tmp_path / "m"), "--url", url]
    assert main([*args, "--sha256", digest]) == 0
    assert "SHA-256 checked" in capsys.readouterr().out
    assert main([*args, "--sha256", digest]) == 0
    assert "already in" in capsys.readouterr().out
    assert main([*args, "--sha256", "0" * 64, "--force"]) == 1
    assert "differs from the expected" in capsys.readouterr().err
    assert spleeter_env.has_trained_model(str(tmp_path / "m" / "4stems"))  # kept


def fake_uv(tmp_path, find_output, install_status=1):
    """A `uv` stand-in: `python find` prints `find_output`, `python install` exits with
    `install_status` (and then `find` prints the real interpreter)."""
    script = tmp_path / "bin" / "uv"
    script.parent.mkdir(exist_ok=True)
    marker = tmp_path / "installed"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$2" = "install" ]; then echo "error: no network" >&2; '
        f"[ {install_status} = 0 ] && touch {marker}; exit {install_status}; fi\n"
        f"if [ -e {marker} ]; then echo {sys.executable}; exit 0; fi\n"
        f'if [ -n "{find_output}" ]; then echo {find_output}; exit 0; fi\n'
        'echo "error: No interpreter found" >&2; exit 2\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.fixture
def no_local_python(monkeypatch):
    monkeypatch.setattr(spleeter_env, "_local_candidates", lambda: [])
    monkeypatch.delenv("KGENRE_SPLEETER_PYTHON", raising=False)


def test_uv_finds_a_python(tmp_path, monkeypatch, no_local_python):
    if sys.version_info[:2] not in spleeter_env.SUPPORTED_PYTHONS:
        pytest.skip("needs a Python 3.8-3.11 to stand for the one uv finds")
    monkeypatch.setenv(
        "PATH", str(fake_uv(tmp_path, sys.executable).parent) + os.pathsep + os.defpath
    )
    messages = []
    assert spleeter_env.uv_python(messages.append) == (sys.executable, sys.version_info[:2])
    assert "uv found Python" in messages[0]


def test_uv_installs_one(tmp_path, monkeypatch, no_local_python):
    if sys.version_info[:2] not in spleeter_env.SUPPORTED_PYTHONS:
        pytest.skip("needs a Python 3.8-3.11 to stand for the one uv installs")
    monkeypatch.setenv(
        "PATH", str(fake_uv(tmp_path, "", install_status=0).parent) + os.pathsep + os.defpath
    )
    messages = []
    assert spleeter_env.uv_python(messages.append)[0] == sys.executable
    assert "uv python install 3.11" in messages[0] and "uv installed" in messages[1]


def test_setup_says_why_it_fell_back(tmp_path, monkeypatch, no_local_python):
    monkeypatch.setenv("PATH", str(fake_uv(tmp_path, "").parent) + os.pathsep + os.defpath)
    with pytest.raises(SpleeterSetupError) as error:
        spleeter_env.setup_env(tmp_path / "env", verbose=False)
    text = str(error.value)
    assert "none was found" in text and "uv could not fetch Python 3.11" in text
    assert "no network" in text and "--python PATH" in text
    assert not (tmp_path / "env").exists()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(spleeter_env, "_uv_command", lambda: None)
    with pytest.raises(SpleeterSetupError, match="uv is not installed"):
        spleeter_env.setup_env(tmp_path / "env", verbose=False)
