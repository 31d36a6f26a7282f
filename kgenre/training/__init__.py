"""Training: adaptive gradient blending, self-ensembles, the papers' schedules."""

from kgenre.training.blended_model import BlendedModel, self_ensemble
from kgenre.training.blending_weights import BlendingWeightEstimator
from kgenre.training.gradient_blending import AdaptiveGradientBlending, fixed_subset

__all__ = [
    "AdaptiveGradientBlending",
    "BlendedModel",
    "BlendingWeightEstimator",
    "fixed_subset",
    "self_ensemble",
]
