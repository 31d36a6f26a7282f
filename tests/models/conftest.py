import pytest

from kgenre.testing.model_checks import check_train_and_save


@pytest.fixture
def train_and_save():
    return check_train_and_save
