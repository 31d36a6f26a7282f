"""Test helpers shared by kgenre's own tests (and usable by people extending kgenre)."""

from kgenre.testing.gradients import outputs_and_gradients, value_and_gradients
from kgenre.testing.model_checks import (
    check_train_and_save,
    random_inputs,
    to_numpy,
    trainable_count,
)
from kgenre.testing.test_case import run_layer_test, run_model_saving_test

__all__ = [
    "check_train_and_save",
    "outputs_and_gradients",
    "random_inputs",
    "run_layer_test",
    "run_model_saving_test",
    "to_numpy",
    "trainable_count",
    "value_and_gradients",
]
