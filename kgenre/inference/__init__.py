"""Using a trained model: model files and presets that carry their `ModelInfo`, model inputs
from audio, prediction for whole tracks, and evaluation on records.

Imports nothing heavy: Keras, the backend and the audio stack are imported when a model is
loaded or audio is read, so `kgenre info` and the CLI's help stay fast.
"""

from kgenre.inference.model_file import (
    INFO_MEMBER,
    InputSpec,
    ModelFileError,
    ModelInfo,
    count_parameters,
    load_model,
    read_info,
    save_model,
)

_LAZY = {
    "make_input": "kgenre.inference.inputs",
    "make_inputs": "kgenre.inference.inputs",
    "TrackPrediction": "kgenre.inference.predict",
    "find_audio_files": "kgenre.inference.predict",
    "load_predictor": "kgenre.inference.predict",
    "predict_clips": "kgenre.inference.predict",
    "predict_file": "kgenre.inference.predict",
    "separator_for": "kgenre.inference.predict",
    "with_sinc_implementation": "kgenre.inference.predict",
    "Evaluation": "kgenre.inference.evaluate",
    "evaluate_records": "kgenre.inference.evaluate",
    "PresetError": "kgenre.inference.presets",
    "export_preset": "kgenre.inference.presets",
    "load_preset": "kgenre.inference.presets",
    "read_preset_info": "kgenre.inference.presets",
    "resolve_preset": "kgenre.inference.presets",
    "save_preset": "kgenre.inference.presets",
}

__all__ = [
    "INFO_MEMBER",
    "InputSpec",
    "ModelFileError",
    "ModelInfo",
    "count_parameters",
    "load_model",
    "read_info",
    "save_model",
    *_LAZY,
]


def __getattr__(name):
    # the submodules import numpy (and more when called); loaded on first use
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kgenre.inference' has no attribute {name!r}")
