"""Evaluation: clip and track metrics, paired tests between models, and the run plots.

The protocols that train models on splits (k-fold, repeated trials, fixed splits) and write
run folders are in `kgenre.experiments`.
"""

from kgenre.evaluation.metrics import classification_metrics, paired_tests, track_labels

__all__ = ["classification_metrics", "paired_tests", "track_labels"]
