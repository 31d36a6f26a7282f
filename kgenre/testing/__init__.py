"""Test helpers shared by kgenre's own tests (and usable by people extending kgenre)."""

from kgenre.testing.gradients import value_and_gradients
from kgenre.testing.test_case import run_layer_test, run_model_saving_test

__all__ = ["run_layer_test", "run_model_saving_test", "value_and_gradients"]
