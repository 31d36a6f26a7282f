"""Evaluation: clip/track metrics, k-fold and repeated-trial protocols, run reports."""

from kgenre.evaluation.metrics import (
    accuracy,
    classification_metrics,
    confusion_matrix,
    macro_f1,
    track_labels,
    track_predictions,
)
from kgenre.evaluation.protocols import (
    EvaluationResult,
    cross_validate,
    keras_fit_predict,
    kfold_splits,
    paired_tests,
    random_splits,
    repeated_trials,
    run_protocol,
    write_run_folder,
)

__all__ = [
    "EvaluationResult",
    "accuracy",
    "classification_metrics",
    "confusion_matrix",
    "cross_validate",
    "keras_fit_predict",
    "kfold_splits",
    "macro_f1",
    "paired_tests",
    "random_splits",
    "repeated_trials",
    "run_protocol",
    "track_labels",
    "track_predictions",
    "write_run_folder",
]
