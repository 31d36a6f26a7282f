"""Spleeter's own virtual environment: finding a Python for it, building it, locating models.

Spleeter 2.4.2 pins tensorflow==2.12.1, numpy<2 and Python<3.12, none of which can share
kgenre's environment, so it gets a virtual environment of its own (by default in the user
cache folder) that kgenre drives through a worker process (`SpleeterSeparator`). Where no
such Python is installed (Colab's and recent systems' Python is newer), `setup_env` asks `uv`
for one. `download_model` fetches Spleeter's released weights and checks their SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Callable

from kgenre._paths import replace_dir, staging_dir, user_cache_dir

SPLEETER_VERSION = "2.4.2"
"""The Spleeter release kgenre installs and drives."""

SUPPORTED_PYTHONS = ((3, 11), (3, 10), (3, 9), (3, 8))
"""Interpreters Spleeter 2.4.2 installs on (its `python_requires` is >=3.8,<3.12)."""

RELEASE_URL = "https://github.com/deezer/spleeter/releases/download/v1.4.0/{}.tar.gz"
"""Spleeter's released pretrained models (release v1.4.0, the one Spleeter 2.4.2 downloads)."""

MODEL_SHA256 = {
    "2stems": "f3a90b39dd2874269e8b05a48a86745df897b848c61f3958efc80a39152bd692",
    "4stems": "3adb4a50ad4eb18c7c4d65fcf4cf2367a07d48408a5eb7d03cd20067429dfaa8",
    "5stems": "25a1e87eb5f75cc72a4d2d5467a0a50ac75f05611f877c278793742513cc7218",
}
"""SHA-256 of each release archive, from the release's `checksum.json` (the values Spleeter's
own `test_checksum` asserts)."""

_READY_MARKER = "kgenre-spleeter.json"
_UNTRAINED_MARKER = "KGENRE_UNTRAINED"
_HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_SCRIPT = os.path.join(_HERE, "_spleeter_worker.py")
UNTRAINED_SCRIPT = os.path.join(_HERE, "_spleeter_untrained.py")


class SpleeterSetupError(RuntimeError):
    """The Spleeter environment cannot be found, built or used."""


class SpleeterModelMissingError(FileNotFoundError):
    """The Spleeter model's checkpoint is not on disk and could not be downloaded."""


def default_env_dir():
    """Where the Spleeter environment lives: `$KGENRE_SPLEETER_ENV`, else
    `<user cache>/spleeter-env`."""
    return os.path.abspath(
        os.environ.get("KGENRE_SPLEETER_ENV") or os.path.join(user_cache_dir(), "spleeter-env")
    )


def default_model_path():
    """The folder holding Spleeter's models (`4stems/`, ...): `$MODEL_PATH` as Spleeter reads
    it, else `pretrained_models` in the working directory, as an absolute path."""
    return os.path.abspath(os.environ.get("MODEL_PATH", "pretrained_models"))


def env_python(env_dir=None):
    """Path of the Spleeter environment's interpreter (it may not exist yet)."""
    env_dir = os.path.abspath(env_dir or default_env_dir())
    if sys.platform == "win32":
        return os.path.join(env_dir, "Scripts", "python.exe")
    return os.path.join(env_dir, "bin", "python")


def env_info(env_dir=None):
    """The record `setup_env` wrote after a complete install, or None if the environment
    is missing or was left incomplete."""
    env_dir = os.path.abspath(env_dir or default_env_dir())
    try:
        with open(os.path.join(env_dir, _READY_MARKER)) as stream:
            info = json.load(stream)
    except (OSError, ValueError):
        return None
    if info.get("spleeter") != SPLEETER_VERSION or not os.path.exists(env_python(env_dir)):
        return None
    return info


def is_env_ready(env_dir=None):
    """Whether `setup_env` completed for this environment folder."""
    return env_info(env_dir) is not None


def _python_version(executable):
    """`(major, minor)` of an interpreter that can make virtual environments, else None."""
    try:
        result = subprocess.run(
            [
                executable,
                "-c",
                "import sys, venv, ensurepip; print('%d %d' % sys.version_info[:2])",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    try:
        major, minor = (int(v) for v in result.stdout.split())
    except ValueError:
        return None
    return major, minor


def find_python(python=None):
    """Finds an interpreter that can host Spleeter 2.4.2 (Python 3.8-3.11 with `venv`).

    Looks at, in order: `python` if given (then nothing else), `$KGENRE_SPLEETER_PYTHON`,
    the running interpreter, then `python3.11`, `python3.10`, `python3.9`, `python3.8`
    on `PATH`.

    Args:
        python: an interpreter to use (path or command name).

    Returns:
        `(path, (major, minor))`, or `(None, None)` when none is found and `python` was
        not given.

    Raises:
        SpleeterSetupError: `python` was given but is unusable or has the wrong version.
    """
    if python:
        resolved = shutil.which(python) or python
        version = _python_version(resolved)
        if version is None:
            raise SpleeterSetupError(
                f"cannot run {python!r} as a Python with the venv module; "
                "give an interpreter path with --python"
            )
        if version not in SUPPORTED_PYTHONS:
            raise SpleeterSetupError(
                f"{python!r} is Python {version[0]}.{version[1]}; Spleeter {SPLEETER_VERSION} "
                "needs Python 3.8 to 3.11"
            )
        return resolved, version
    for candidate in _local_candidates():
        version = _python_version(candidate)
        if version in SUPPORTED_PYTHONS:
            return candidate, version
    return None, None


def _local_candidates():
    """Interpreters `find_python` tries, in order (see there)."""
    candidates = []
    if os.environ.get("KGENRE_SPLEETER_PYTHON"):
        candidates.append(os.environ["KGENRE_SPLEETER_PYTHON"])
    if sys.version_info[:2] in SUPPORTED_PYTHONS:
        candidates.append(sys.executable)
    for major, minor in SUPPORTED_PYTHONS:
        found = shutil.which(f"python{major}.{minor}")
        if found:
            candidates.append(found)
    return candidates


def _uv_command():
    """How to run uv: the `uv` on `PATH`, else the one the `uv` Python package ships, else
    None."""
    found = shutil.which("uv")
    if found:
        return [found]
    try:
        import uv

        return [uv.find_uv_bin()]
    except (ImportError, FileNotFoundError):
        return None


def uv_python(log: Callable[[str], None] | None = None) -> tuple[str, tuple[int, int]]:
    """A Python 3.8-3.11 through uv, for systems whose own Python is newer (Colab).

    Asks `uv python find` for an interpreter in Spleeter's range (one uv installed earlier,
    or a system one); if there is none, runs `uv python install 3.11` (uv downloads a
    standalone CPython build, about 20 MB) and asks again.

    Args:
        log: a function taking one progress message.

    Returns:
        `(path, (major, minor))`.

    Raises:
        SpleeterSetupError: uv is not installed, or could not find nor fetch an interpreter
            (the message says which, with uv's own error).
    """
    log = log or (lambda message: None)
    uv = _uv_command()
    if uv is None:
        raise SpleeterSetupError(
            "uv is not installed, so no Python 3.11 could be fetched (pip install uv, then "
            "run `kgenre stems setup` again)"
        )
    request = ">=3.8,<3.12"

    def find():
        result = subprocess.run(
            [*uv, "python", "find", request], capture_output=True, text=True, timeout=120
        )
        path = result.stdout.strip().splitlines()[-1] if result.returncode == 0 else ""
        version = _python_version(path) if path else None
        return (path, version) if version in SUPPORTED_PYTHONS else (None, None)

    path, version = find()
    if path:
        log(f"uv found Python {version[0]}.{version[1]} at {path}")
        return path, version
    log("uv found no Python 3.8-3.11; fetching one with `uv python install 3.11`")
    result = subprocess.run(
        [*uv, "python", "install", "3.11"], capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        raise SpleeterSetupError(
            "uv could not fetch Python 3.11 (it downloads it from python-build-standalone's "
            f"releases, which needs a network): {(result.stderr or result.stdout).strip()[-800:]}"
        )
    path, version = find()
    if not path:
        raise SpleeterSetupError(
            "uv installed Python 3.11, but `uv python find` does not return a usable one "
            "(with venv and ensurepip)"
        )
    log(f"uv installed Python {version[0]}.{version[1]} at {path}")
    return path, version


@contextlib.contextmanager
def _file_lock(path):
    """An exclusive lock across processes (two test runs building the same environment)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+") as stream:
        try:
            import fcntl
        except ImportError:
            yield
            return
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


def _run(command, log, what, **kwargs):
    log(f"$ {' '.join(command)}")
    result = subprocess.run(command, **kwargs)
    if result.returncode != 0:
        raise SpleeterSetupError(f"{what} failed (exit status {result.returncode}): {command}")
    return result


def setup_env(env_dir=None, python=None, force=False, pip_args=(), verbose=True):
    """Builds the Spleeter virtual environment, or reuses a complete one.

    Creates a virtual environment with a Python 3.8-3.11 interpreter (`find_python`, else
    `uv_python`: one uv finds or fetches),
    `pip install spleeter==2.4.2` in it (about 2 minutes: TensorFlow 2.12 is a large wheel;
    pip's output is streamed), checks that `spleeter` and `tensorflow` import, then writes
    a marker file. An environment without the marker (an interrupted install) is removed
    and rebuilt. A lock file makes concurrent calls wait for one another.

    Args:
        env_dir: the environment folder; default `default_env_dir()`.
        python: interpreter to build it with; default: found by `find_python`.
        force: rebuild even if a complete environment exists.
        pip_args: extra arguments for `pip install` (e.g. `("--index-url", URL)`).
        verbose: stream progress and pip's output to stderr (otherwise pip runs quietly).

    Returns:
        Path of the environment's interpreter.

    Raises:
        SpleeterSetupError: no suitable interpreter (the message says what was tried and why
            it failed), or venv/pip/import failed.
    """
    env_dir = os.path.abspath(env_dir or default_env_dir())

    def log(message):
        if verbose:
            print(f"[kgenre stems setup] {message}", file=sys.stderr, flush=True)

    with _file_lock(env_dir.rstrip(os.sep) + ".lock"):
        if not force and is_env_ready(env_dir):
            log(f"Spleeter environment ready at {env_dir}")
            return env_python(env_dir)
        interpreter, version = find_python(python)
        source = "given" if python else "found"
        if interpreter is None:
            log(
                f"Spleeter {SPLEETER_VERSION} needs Python 3.8-3.11; none on PATH and this "
                f"one is {sys.version_info[0]}.{sys.version_info[1]}: asking uv for one"
            )
            try:
                interpreter, version = uv_python(log)
            except SpleeterSetupError as error:
                raise SpleeterSetupError(
                    f"Spleeter {SPLEETER_VERSION} needs Python 3.8 to 3.11: none was found "
                    "(looked for python3.11, python3.10, python3.9, python3.8 on PATH), and "
                    f"{error}. Install one and pass it with `kgenre stems setup --python PATH`"
                ) from error
            source = "uv"
        start = time.monotonic()
        if os.path.exists(env_dir):
            log(f"removing incomplete or outdated environment {env_dir}")
            shutil.rmtree(env_dir)
        log(f"[1/3] creating a virtual environment with Python {version[0]}.{version[1]}")
        _run([interpreter, "-m", "venv", env_dir], log, "creating the virtual environment")
        python_path = env_python(env_dir)
        output = {} if verbose else {"stdout": subprocess.DEVNULL}
        log(f"[2/3] installing spleeter=={SPLEETER_VERSION} (about 2 minutes)")
        _run(
            [python_path, "-m", "pip", "install", "--disable-pip-version-check"]
            + ([] if verbose else ["--quiet"])
            + [*pip_args, f"spleeter=={SPLEETER_VERSION}"],
            log,
            "pip install",
            **output,
        )
        log("[3/3] checking that spleeter and tensorflow import")
        check = subprocess.run(
            [
                python_path,
                "-I",
                "-c",
                "import json, spleeter, tensorflow, numpy; from importlib.metadata import "
                "version; print(json.dumps({'spleeter': version('spleeter'), 'tensorflow': "
                "tensorflow.__version__, 'numpy': numpy.__version__}))",
            ],
            capture_output=True,
            text=True,
            env=worker_environment(),
        )
        if check.returncode != 0:
            raise SpleeterSetupError(
                f"spleeter was installed in {env_dir} but does not import:\n{check.stderr[-3000:]}"
            )
        info = json.loads(check.stdout.strip().splitlines()[-1])
        info.update(
            python=f"{version[0]}.{version[1]}",
            python_path=interpreter,
            python_source=source,
            created=time.time(),
        )
        with open(os.path.join(env_dir, _READY_MARKER), "w") as stream:
            json.dump(info, stream)
        log(f"Spleeter environment ready at {env_dir} ({time.monotonic() - start:.0f} s)")
        return python_path


def worker_environment(model_path=None):
    """Environment variables for processes run with the Spleeter interpreter: kgenre's
    Keras settings and Python paths removed (they point at kgenre's Keras 3 / numpy 2), TF's
    info logs silenced, and `MODEL_PATH` set to an absolute path if given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("KERAS_BACKEND", "KERAS_HOME", "PYTHONPATH", "PYTHONHOME")
    }
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if model_path is not None:
        env["MODEL_PATH"] = os.path.abspath(model_path)
    return env


def model_dir(model_name="4stems", model_path=None):
    """The folder where Spleeter looks for a model: `<MODEL_PATH>/<model_name>`."""
    return os.path.join(os.path.abspath(model_path or default_model_path()), model_name)


def has_checkpoint(directory):
    """Whether a folder holds a TensorFlow checkpoint Spleeter can restore (a `checkpoint`
    index file and a `.index` file; Spleeter's `.probe` is not required, hand-unpacked
    release archives do not have one)."""
    if not os.path.isfile(os.path.join(directory, "checkpoint")):
        return False
    return any(name.endswith(".index") for name in os.listdir(directory))


def is_untrained(directory):
    """Whether a model folder holds a checkpoint written by `make_untrained_model`."""
    return os.path.isfile(os.path.join(directory, _UNTRAINED_MARKER))


def has_trained_model(directory: str) -> bool:
    """Whether a model folder holds a checkpoint that is not `make_untrained_model`'s."""
    return has_checkpoint(directory) and not is_untrained(directory)


def checkpoint_fingerprint(directory):
    """SHA-256 of a model folder's checkpoint files, so cached stems of one model are never
    returned for another (e.g. an untrained checkpoint replaced by the released weights)."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(directory)):
        if name == "checkpoint" or name.startswith("model."):
            digest.update(name.encode())
            with open(os.path.join(directory, name), "rb") as stream:
                for chunk in iter(lambda s=stream: s.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def make_untrained_model(model_path, model_name="4stems", env_dir=None, seed=0, force=False):
    """Writes a valid but untrained Spleeter checkpoint with Spleeter's own graph builder.

    Runs `_spleeter_untrained.py` in the Spleeter environment: it loads
    `spleeter/resources/<model_name>.json`, builds the prediction graph with
    `EstimatorSpecBuilder(...).build_predict_model()` on the input placeholders, creates the
    global step, initialises the variables (seeded) and saves them as `model` with a
    `.probe` file, exactly what Spleeter's `ModelProvider` and `Separator` load. Its stems
    are meaningless: it exists to run the real Spleeter code path offline (tests, CI).

    Args:
        model_path: the models folder (what `MODEL_PATH` points at); the checkpoint goes to
            `<model_path>/<model_name>`.
        model_name: a Spleeter configuration: `"4stems"` (default), `"2stems"`, `"5stems"`.
        env_dir: the Spleeter environment; default `default_env_dir()`. Must be set up.
        seed: TensorFlow's graph-level random seed for the initial weights.
        force: replace an existing model in that folder.

    Returns:
        The model folder.

    Raises:
        SpleeterSetupError: the environment is not set up, or the script failed.
        FileExistsError: a model is already there and `force` is false.
    """
    env_dir = os.path.abspath(env_dir or default_env_dir())
    if not is_env_ready(env_dir):
        raise SpleeterSetupError(
            f"no Spleeter environment at {env_dir}; run `kgenre stems setup` first"
        )
    target = model_dir(model_name, model_path)
    if os.path.exists(target) and not force:
        raise FileExistsError(f"{target} already exists; pass force=True (--force) to replace it")
    staging = staging_dir(target)
    try:
        result = subprocess.run(
            [env_python(env_dir), "-I", UNTRAINED_SCRIPT, model_name, staging, str(int(seed))],
            capture_output=True,
            text=True,
            env=worker_environment(),
        )
        if result.returncode != 0 or not has_checkpoint(staging):
            raise SpleeterSetupError(
                f"writing the untrained {model_name} checkpoint failed:\n{result.stderr[-3000:]}"
            )
        with open(os.path.join(staging, _UNTRAINED_MARKER), "w") as stream:
            stream.write(
                "Untrained checkpoint written by kgenre (make_untrained_model): "
                "its stems are meaningless.\n"
            )
        replace_dir(staging, target)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)
    return target


def _safe_extract(archive, destination, source):
    """Unpacks a tar archive, refusing members that are not plain files or folders or that
    would land outside `destination`."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar.getmembers():
                name = os.path.normpath(member.name)
                if (
                    os.path.isabs(member.name)
                    or name == ".."
                    or name.startswith(".." + os.sep)
                    or not (member.isfile() or member.isdir())
                ):
                    raise SpleeterSetupError(f"{source}: unsafe archive member {member.name!r}")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(destination, filter="data")
            else:  # Python < 3.10.12: the members were checked above
                tar.extractall(destination)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise SpleeterSetupError(f"{source} is not a readable tar archive: {error}") from error


def download_model(
    model_name: str = "4stems",
    model_path: str | os.PathLike | None = None,
    url: str | None = None,
    sha256: str | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: float = 60,
) -> str:
    """Downloads Spleeter's released pretrained model into the models folder.

    Fetches `RELEASE_URL` for `model_name` (or `url`) with urllib, computes its SHA-256 while
    it streams and compares it with `MODEL_SHA256` (or `sha256`), unpacks it into a folder
    beside the target, writes Spleeter's `.probe` marker (so Spleeter itself never fetches it
    again) and renames the folder into `<model_path>/<model_name>`. A failed or interrupted
    download, a wrong checksum or a bad archive leave the models folder as it was.

    Args:
        model_name: `"4stems"` (Mersy 2021's, the default), `"2stems"` or `"5stems"`.
        model_path: the models folder; default `default_model_path()` (`$MODEL_PATH`).
        url: where to download from; default Spleeter's GitHub release (any URL urllib
            opens, `file://` included).
        sha256: the expected SHA-256; default `MODEL_SHA256[model_name]`.
        force: download even when a trained checkpoint is already there (an untrained one
            from `make_untrained_model` is always replaced).
        progress: show a progress bar.
        timeout: seconds to wait for the server.

    Returns:
        The model folder.

    Raises:
        SpleeterSetupError: the download failed, the checksum differs, or the archive holds
            no checkpoint.
    """
    from tqdm.auto import tqdm

    target = model_dir(model_name, model_path)
    if has_trained_model(target) and not force:
        return target
    url = url or RELEASE_URL.format(model_name)
    expected = (sha256 or MODEL_SHA256.get(model_name) or "").lower()
    if not expected:
        raise SpleeterSetupError(f"no known SHA-256 for {model_name!r}: pass sha256 (--sha256)")
    staging = staging_dir(target)
    try:
        archive = os.path.join(staging, "download.tar.gz")
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0) or None
                with (
                    open(archive, "wb") as out,
                    tqdm(
                        total=total,
                        unit="B",
                        unit_scale=True,
                        desc=f"Spleeter {model_name}",
                        disable=not progress,
                    ) as bar,
                ):
                    for chunk in iter(lambda: response.read(1 << 20), b""):
                        out.write(chunk)
                        digest.update(chunk)
                        bar.update(len(chunk))
        except OSError as error:  # URLError, HTTPError and socket errors are OSErrors
            raise SpleeterSetupError(f"downloading {url} failed: {error}") from error
        if digest.hexdigest() != expected:
            raise SpleeterSetupError(
                f"{url}: SHA-256 {digest.hexdigest()} differs from the expected {expected}; "
                "the download is corrupt or not Spleeter's release, and was discarded"
            )
        unpacked = os.path.join(staging, "unpacked")
        _safe_extract(archive, unpacked, url)
        folder = unpacked
        if not has_checkpoint(folder):
            subfolders = [os.path.join(unpacked, name) for name in os.listdir(unpacked)]
            folder = next((f for f in subfolders if os.path.isdir(f) and has_checkpoint(f)), None)
            if folder is None:
                raise SpleeterSetupError(f"{url} holds no TensorFlow checkpoint")
        with open(os.path.join(folder, ".probe"), "w") as stream:
            stream.write("OK")  # what Spleeter's ModelProvider writes after its own download
        replace_dir(folder, target)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)
    return target
