"""Training: adaptive gradient blending, self-ensembles, the papers' schedules and presets,
speed options and data-parallel distribution.

Every name is imported on first use (PEP 562): importing a light submodule such as
`kgenre.training.choices` costs nothing, and keras-tuner is only imported with the
hypermodel.
"""

import importlib

_HOMES = {
    "blended_model": ("BlendedModel", "self_ensemble"),
    "blending_weights": ("BlendingWeightEstimator",),
    "gradient_blending": ("AdaptiveGradientBlending", "fixed_subset"),
    "hypermodel": ("DEFAULT_SPACES", "GenreHyperModel"),
    "presets": ("AUGMENTATION_PRESETS", "AugmentationConfig", "db_to_gain"),
    "schedules": (
        "WarmupMilestoneDecay",
        "WarmupStepDecay",
        "ms_sincresnet_optimizer",
        "ms_sincresnet_schedule",
        "multiview_optimizer",
        "multiview_schedule",
    ),
    "speed": ("speed_options",),
    "choices": ("PRECISIONS",),
    "tuning": ("TuneConfig", "run_tune", "synthetic_clips"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name):
    if name in _HOME:
        value = getattr(importlib.import_module(f"kgenre.training.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kgenre.training' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_HOME))


__all__ = sorted(_HOME)
