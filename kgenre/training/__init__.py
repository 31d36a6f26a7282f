"""Training: adaptive gradient blending, self-ensembles, the papers' schedules and presets."""

from kgenre.training.blended_model import BlendedModel, self_ensemble
from kgenre.training.blending_run import BlendingRunConfig, run_multiview_blending
from kgenre.training.blending_weights import BlendingWeightEstimator
from kgenre.training.gradient_blending import AdaptiveGradientBlending, fixed_subset
from kgenre.training.hypermodel import DEFAULT_SPACES, GenreHyperModel
from kgenre.training.presets import (
    AUGMENTATION_PRESETS,
    SOUNDFUSION_DROPOUT_RANGE,
    AugmentationConfig,
    db_to_gain,
)
from kgenre.training.schedules import (
    MULTIVIEW_BATCH_SIZE,
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
    "BlendingRunConfig",
    "BlendingWeightEstimator",
    "MULTIVIEW_BATCH_SIZE",
    "PRECISIONS",
    "SOUNDFUSION_DROPOUT_RANGE",
    "WarmupMilestoneDecay",
    "WarmupStepDecay",
    "db_to_gain",
    "fixed_subset",
    "ms_sincresnet_optimizer",
    "ms_sincresnet_schedule",
    "multiview_optimizer",
    "multiview_schedule",
    "run_multiview_blending",
    "run_tune",
    "self_ensemble",
    "speed_options",
    "synthetic_clips",
]
