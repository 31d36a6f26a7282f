"""Training primitives: adaptive gradient blending, self-ensembles, the papers' schedules and
presets, and the keras-tuner hypermodel.

`GenreHyperModel` and `DEFAULT_SPACES` are imported on first use, so importing
`kgenre.training` does not import keras-tuner.
"""

from kgenre.training.blended_model import BlendedModel, self_ensemble
from kgenre.training.blending_weights import BlendingWeightEstimator
from kgenre.training.gradient_blending import AdaptiveGradientBlending, fixed_subset
from kgenre.training.presets import AUGMENTATION_PRESETS, AugmentationConfig, db_to_gain
from kgenre.training.schedules import (
    WarmupMilestoneDecay,
    WarmupStepDecay,
    ms_sincresnet_optimizer,
    ms_sincresnet_schedule,
    multiview_optimizer,
    multiview_schedule,
)

__all__ = [
    "AUGMENTATION_PRESETS",
    "AdaptiveGradientBlending",
    "DEFAULT_SPACES",
    "GenreHyperModel",
    "AugmentationConfig",
    "BlendedModel",
    "BlendingWeightEstimator",
    "WarmupMilestoneDecay",
    "WarmupStepDecay",
    "db_to_gain",
    "fixed_subset",
    "ms_sincresnet_optimizer",
    "ms_sincresnet_schedule",
    "multiview_optimizer",
    "multiview_schedule",
    "self_ensemble",
]


def __getattr__(name):
    # keras-tuner is only needed by a search; keep it out of `import kgenre.training`
    if name in ("DEFAULT_SPACES", "GenreHyperModel"):
        from kgenre.training import hypermodel

        return getattr(hypermodel, name)
    raise AttributeError(f"module 'kgenre.training' has no attribute {name!r}")
