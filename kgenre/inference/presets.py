"""kgenre presets: a trained model as a folder a hub can host (config, weights, metadata).

A preset is a directory in keras-hub's layout:

- `config.json`: the model, serialised by `keras.saving.serialize_keras_object`;
- `model.weights.h5`: its weights (`model.save_weights`);
- `metadata.json`: the `ModelInfo` (classes, sample rate, clip and hop, per-input feature
  settings, separator, training description and metrics) plus the Keras version.

`load_preset` takes a local folder, a `file://` URL, `hf://OWNER/REPO[/SUBFOLDER]` (Hugging
Face, through `huggingface_hub.snapshot_download`, cached in the Hugging Face cache) or
`kaggle://OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]` (Kaggle Models, through
`kagglehub.model_download`). Both hub clients are optional (`pip install "kgenre[hub]"`) and
both reuse a cached copy without a network.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
import urllib.request
from typing import Any

from kgenre._paths import replace_dir, staging_dir
from kgenre.inference.model_file import (
    WEIGHTS_MEMBER,
    ModelFileError,
    ModelInfo,
    load_model,
    stamp_info,
)

CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
PRESET_FORMAT = "kgenre-preset-v1"
HUB_SCHEMES = ("hf://", "kaggle://", "file://")


class PresetError(ModelFileError):
    """A preset handle or folder that cannot be resolved or read; the message names it."""


def is_preset_reference(value: str | os.PathLike) -> bool:
    """Whether `value` names a preset (a hub handle, a `file://` URL or a folder) rather than
    a `.keras` file."""
    value = os.fspath(value)
    return value.startswith(HUB_SCHEMES) or os.path.isdir(value)


def _hf_download(spec: str) -> str:
    parts = [p for p in spec.split("/") if p]
    if len(parts) < 2:
        raise PresetError(f"hf://{spec}: expected hf://OWNER/REPO[/SUBFOLDER]")
    try:
        from huggingface_hub import snapshot_download
    except ImportError as error:
        raise PresetError(
            f"hf://{spec} needs huggingface_hub: pip install 'kgenre[hub]'"
        ) from error
    repo_id, subfolder = "/".join(parts[:2]), "/".join(parts[2:])
    try:
        root = snapshot_download(
            repo_id=repo_id, allow_patterns=[f"{subfolder}/*"] if subfolder else None
        )
    except Exception as error:  # network, authentication, missing repo: one message
        raise PresetError(f"hf://{spec}: {type(error).__name__}: {error}") from error
    return os.path.join(root, subfolder) if subfolder else root


def _kaggle_download(spec: str) -> str:
    if len([p for p in spec.split("/") if p]) not in (4, 5):
        raise PresetError(
            f"kaggle://{spec}: expected kaggle://OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]"
        )
    try:
        import kagglehub
    except ImportError as error:
        raise PresetError(f"kaggle://{spec} needs kagglehub: pip install 'kgenre[hub]'") from error
    try:
        return kagglehub.model_download(spec.strip("/"))
    except Exception as error:  # network, authentication, missing model: one message
        raise PresetError(f"kaggle://{spec}: {type(error).__name__}: {error}") from error


def resolve_preset(handle: str | os.PathLike) -> str:
    """The local folder of a preset: `handle` itself, a `file://` URL's path, or a hub
    handle's downloaded (or cached) copy.

    Raises:
        PresetError: the handle cannot be resolved, or the folder is not a kgenre preset.
    """
    handle = os.fspath(handle)
    if handle.startswith("hf://"):
        directory = _hf_download(handle[len("hf://") :])
    elif handle.startswith("kaggle://"):
        directory = _kaggle_download(handle[len("kaggle://") :])
    elif handle.startswith("file://"):
        directory = urllib.request.url2pathname(urllib.parse.urlparse(handle).path)
    else:
        directory = handle
    if not os.path.isdir(directory):
        raise PresetError(f"preset {handle!r}: no folder at {directory!r}")
    lacking = [
        name
        for name in (CONFIG_FILE, WEIGHTS_MEMBER, METADATA_FILE)
        if not os.path.isfile(os.path.join(directory, name))
    ]
    if lacking:
        raise PresetError(f"preset {handle!r} ({directory}) is not a kgenre preset: no {lacking}")
    return directory


def read_preset_info(handle: str | os.PathLike) -> ModelInfo:
    """The `ModelInfo` of a preset, without loading the model."""
    directory = resolve_preset(handle)
    path = os.path.join(directory, METADATA_FILE)
    try:
        with open(path, encoding="utf-8") as stream:
            return ModelInfo.from_dict(json.load(stream))
    except (ValueError, TypeError) as error:
        raise PresetError(f"{path!r}: unreadable preset metadata: {error}") from error


def load_preset(handle: str | os.PathLike) -> tuple[Any, ModelInfo]:
    """Loads a preset: `(model, info)`, the model uncompiled.

    Args:
        handle: a folder, `file://` URL, `hf://...` or `kaggle://...` handle.

    Raises:
        PresetError: the preset cannot be found or read (the message names it).
    """
    directory = resolve_preset(handle)
    info = read_preset_info(directory)
    import keras

    import kgenre.layers  # noqa: F401  (registers kgenre's layers and models for loading)
    import kgenre.models  # noqa: F401
    import kgenre.training  # noqa: F401

    try:
        with open(os.path.join(directory, CONFIG_FILE), encoding="utf-8") as stream:
            config = json.load(stream)
        model = keras.saving.deserialize_keras_object(config)
        model.load_weights(os.path.join(directory, WEIGHTS_MEMBER))
    except Exception as error:  # Keras raises many types for a damaged preset
        raise PresetError(
            f"preset {os.fspath(handle)!r} could not be loaded: {type(error).__name__}: {error}"
        ) from error
    return model, info


def save_preset(
    model: Any, directory: str | os.PathLike, info: ModelInfo, overwrite: bool = False
) -> str:
    """Saves `model` and `info` as a preset folder; returns its path.

    The files are written to a temporary folder beside `directory` and renamed into place,
    so an interrupted save leaves no half-written preset.

    Raises:
        FileExistsError: `directory` exists and `overwrite` is false.
    """
    import keras

    directory = os.path.abspath(os.fspath(directory))
    if os.path.exists(directory) and not overwrite:
        raise FileExistsError(f"{directory} already exists; pass overwrite=True (--overwrite)")
    info = stamp_info(model, info)
    staging = staging_dir(directory)
    # a preset holds a model, not a training setup: keras-hub's presets carry no compile
    # config either
    config = keras.saving.serialize_keras_object(model)
    config.pop("compile_config", None)
    try:
        with open(os.path.join(staging, CONFIG_FILE), "w", encoding="utf-8") as stream:
            json.dump(config, stream, indent=2)
        model.save_weights(os.path.join(staging, WEIGHTS_MEMBER))
        metadata = {
            **info.to_dict(),
            "preset_format": PRESET_FORMAT,
            "keras_version": keras.__version__,
        }
        with open(os.path.join(staging, METADATA_FILE), "w", encoding="utf-8") as stream:
            json.dump(metadata, stream, indent=2, default=str)
        replace_dir(staging, directory)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)
    return directory


def export_preset(
    source: str | os.PathLike, directory: str | os.PathLike, overwrite: bool = False
) -> str:
    """Saves a run folder's `model.keras` (or any kgenre `.keras` file) as a preset.

    A run folder's `metrics.json` fills the preset's metrics when the model file has none.

    Raises:
        ModelFileError: the model file carries no kgenre metadata (a plain Keras file).
    """
    source = os.fspath(source)
    model_path = os.path.join(source, "model.keras") if os.path.isdir(source) else source
    if os.path.isdir(source) and not os.path.isfile(model_path):
        raise FileNotFoundError(f"{source!r} is a folder without a model.keras (not a run folder)")
    model, info = load_model(model_path)
    if info is None:
        raise ModelFileError(
            f"{model_path!r} carries no kgenre metadata (classes, sample rate, inputs); "
            "save it with kgenre.inference.save_model first"
        )
    metrics_path = os.path.join(os.path.dirname(os.path.abspath(model_path)), "metrics.json")
    if not info.metrics and os.path.isfile(metrics_path):
        with open(metrics_path, encoding="utf-8") as stream:
            info.metrics = json.load(stream)
    return save_preset(model, directory, info, overwrite=overwrite)
