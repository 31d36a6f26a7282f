"""Using a trained model: the model file with its `ModelInfo`, and model inputs from audio.

Imports nothing heavy: Keras is imported when a model is loaded.
"""

from kgenre.inference.model_file import (
    INFO_MEMBER,
    InputSpec,
    ModelFileError,
    ModelInfo,
    load_model,
    read_info,
    save_model,
)

__all__ = [
    "INFO_MEMBER",
    "InputSpec",
    "ModelFileError",
    "ModelInfo",
    "load_model",
    "make_input",
    "make_inputs",
    "read_info",
    "save_model",
]


def __getattr__(name):
    # numpy-only, but kept lazy so `kgenre info` imports the bare minimum
    if name in ("make_input", "make_inputs"):
        from kgenre.inference import inputs

        return getattr(inputs, name)
    raise AttributeError(f"module 'kgenre.inference' has no attribute {name!r}")
