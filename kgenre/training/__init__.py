"""Training: adaptive gradient blending, self-ensembles, the papers' schedules and presets."""

from kgenre.training.blended_model import BlendedModel, self_ensemble
from kgenre.training.blending_weights import BlendingWeightEstimator
from kgenre.training.gradient_blending import AdaptiveGradientBlending, fixed_subset
from kgenre.training.hypermodel import DEFAULT_SPACES, GenreHyperModel
from kgenre.training.presets import AUGMENTATION_PRESETS, AugmentationConfig, db_to_gain
from kgenre.training.schedules import (
    WarmupMilestoneDecay,
    WarmupStepDecay,
    ms_sincresnet_optimizer,
    ms_sincresnet_schedule,
    multiview_optimizer,
    multiview_schedule,
)
from kgenre.training.speed import PRECISIONS, speed_options
from kgenre.training.tuning import TuneConfig, run_tune, synthetic_clips

__all__ = [
    "AUGMENTATION_PRESETS",
    "AdaptiveGradientBlending",
    "DEFAULT_SPACES",
    "GenreHyperModel",
    "TuneConfig",
    "AugmentationConfig",
    "BlendedModel",
    "BlendingWeightEstimator",
    "PRECISIONS",
    "WarmupMilestoneDecay",
    "WarmupStepDecay",
    "db_to_gain",
    "fixed_subset",
    "ms_sincresnet_optimizer",
    "ms_sincresnet_schedule",
    "multiview_optimizer",
    "multiview_schedule",
    "run_tune",
    "self_ensemble",
    "speed_options",
    "synthetic_clips",
]
