import pytest

from kgenre.testing.saved_models import save_model_set


@pytest.fixture(scope="session")
def saved_models(tmp_path_factory):
    """One small saved model per input kind: waveform, log-mel, stems (HPSS)."""
    return save_model_set(tmp_path_factory.mktemp("models"))
