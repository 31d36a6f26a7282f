import os

import keras
import numpy as np
import pytest

from kgenre._paths import user_cache_dir


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


@pytest.fixture(autouse=True)
def _seed_and_policy():
    keras.utils.set_random_seed(0)
    np.random.seed(0)
    yield
    keras.config.set_dtype_policy("float32")


@pytest.fixture
def backend_paths(monkeypatch):
    """`watch(*names)`: records, per `kgenre.backend_ops` function named, whether each call
    took the backend's own path (returned a result rather than `None`); returns the dict of
    lists it fills."""
    from kgenre import backend_ops

    calls = {}

    def watch(*names):
        for name in names:
            function, record = getattr(backend_ops, name), calls.setdefault(name, [])

            def counted(*args, function=function, record=record):
                result = function(*args)
                record.append(result is not None)
                return result

            monkeypatch.setattr(backend_ops, name, counted)
        return calls

    return watch


@pytest.fixture
def shared_audio_dir():
    """Real freely licensed recordings shipped as fixtures (see tests/fixtures/ATTRIBUTION.md)."""
    return os.path.join(os.path.dirname(__file__), "fixtures", "audio")


@pytest.fixture(scope="session")
def spleeter_untrained():
    """`(env_dir, model_path)`: Spleeter's own environment and an untrained 4stems checkpoint.

    Both are built once in the user cache (about 2 minutes for the environment, 15 s for the
    checkpoint, written by Spleeter's own graph builder) and reused by later runs. Skipped only
    when no Python 3.8-3.11 interpreter exists to build the environment with.
    """
    from kgenre.stems import find_python, make_untrained_model, setup_env, spleeter_env

    python, _ = find_python()
    if python is None:
        pytest.skip("no Python 3.8-3.11 interpreter to build Spleeter's environment with")
    env_dir = spleeter_env.default_env_dir()
    setup_env(env_dir)
    model_path = os.path.join(user_cache_dir(), "spleeter-untrained")
    with spleeter_env._file_lock(model_path + ".lock"):
        if not spleeter_env.has_checkpoint(os.path.join(model_path, "4stems")):
            make_untrained_model(model_path, env_dir=env_dir, force=True)
    return env_dir, model_path
