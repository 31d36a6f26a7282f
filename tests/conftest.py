import os

import keras
import numpy as np
import pytest


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


@pytest.fixture(autouse=True)
def _seed_and_policy():
    keras.utils.set_random_seed(0)
    np.random.seed(0)
    yield
    keras.config.set_dtype_policy("float32")


@pytest.fixture
def shared_audio_dir():
    """Real freely licensed recordings shipped as fixtures (see tests/fixtures/ATTRIBUTION.md)."""
    return os.path.join(os.path.dirname(__file__), "fixtures", "audio")
