"""What every kgenre model shares: a config made of its constructor arguments, and presets."""

from __future__ import annotations

import copy
import functools
import inspect

import keras
import numpy as np

# keras.Model's own keywords: get_config writes name and trainable itself
_MODEL_KEYWORDS = ("name", "trainable", "dtype")


def _plain(value):
    # what a JSON config holds: lists for tuples, Python numbers for numpy scalars
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def records_arguments(init):
    """Decorates a `PresetModel` constructor so that its arguments become the model's config.

    Every parameter of `init`, defaults included (and any keyword collected by `**kwargs`
    except Keras' own `name`, `trainable` and `dtype`), is recorded after `init` has run, so
    `get_config` returns exactly the constructor's arguments and `from_config` calls it again,
    as keras-hub backbones do, without each model listing its arguments twice. Arguments named
    in the class's `not_saved` (pretrained-weight sources: the weights travel with a saved
    file) are recorded as `None`. A subclass whose constructor maps its own arguments onto its
    parent's records its own afterwards with `_record_config`.
    """
    signature = inspect.signature(init)

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        init(self, *args, **kwargs)
        config = {}
        for name, value in list(bound.arguments.items())[1:]:
            if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                config.update((k, v) for k, v in value.items() if k not in _MODEL_KEYWORDS)
            else:
                config[name] = value
        self._record_config(**config)

    # Keras reads constructor signatures with getfullargspec, which ignores __wrapped__
    wrapper.__signature__ = signature
    return wrapper


class PresetModel(keras.Model):
    """A functional `keras.Model` rebuilt from its constructor arguments.

    Subclasses build their graph in an `__init__` decorated with `records_arguments`, and call
    `super().__init__(inputs=..., outputs=...)`; `get_config` then returns exactly the
    constructor's arguments and `from_config` calls the constructor again (as keras-hub
    backbones do). `presets` maps an architecture name to constructor arguments
    (`from_architecture`); `from_preset` loads trained weights (kgenre presets). `not_saved`
    names the arguments recorded as `None` (weight sources whose weights the saved file
    carries).
    """

    presets = {}
    not_saved = ()

    def _record_config(self, **config):
        config = {
            key: None if key in self.not_saved else _plain(value) for key, value in config.items()
        }
        # object.__setattr__: Keras would wrap the dict and its lists in trackers that point
        # back at the model, and every get_config would then deep-copy (pickle) the whole model
        object.__setattr__(self, "_init_config", config)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, **copy.deepcopy(self._init_config)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @classmethod
    def from_architecture(cls, architecture: str, /, **overrides) -> PresetModel:
        """Builds an untrained model from a named architecture (see `presets`, e.g.
        `"paper"`, `"small"`); `overrides` replace constructor arguments (`name=` included)."""
        if architecture not in cls.presets:
            raise ValueError(
                f"unknown architecture {architecture!r} for {cls.__name__}; choose one of "
                f"{sorted(cls.presets)}"
            )
        return cls(**{**copy.deepcopy(cls.presets[architecture]), **overrides})

    @classmethod
    def from_preset(cls, preset: str, /, **overrides) -> PresetModel:
        """Loads a trained model from a kgenre preset, as keras-hub's `from_preset` does.

        `preset` is a preset folder (config, weights, metadata; see
        `kgenre.inference.save_preset`), a `file://` URL, `hf://OWNER/REPO[/SUBFOLDER]` or
        `kaggle://OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]`. The preset's classes, sample
        rate and input settings come with `kgenre.inference.load_preset(preset)`.

        An architecture name (a key of `presets`) still builds an untrained model, as
        `from_architecture` does; `overrides` apply to architectures only.

        Raises:
            ValueError: an unknown name, overrides given with a weights preset, or a preset
                that holds another kind of model.
        """
        if preset in cls.presets:
            return cls.from_architecture(preset, **overrides)
        from kgenre.inference.presets import is_preset_reference, load_preset

        if not is_preset_reference(preset):
            raise ValueError(
                f"unknown preset {preset!r}: neither a preset folder, a file:// URL, an hf:// "
                f"or kaggle:// handle, nor an architecture of {cls.__name__} "
                f"({sorted(cls.presets)})"
            )
        if overrides:
            raise ValueError(
                f"a weights preset is loaded as saved; got overrides {sorted(overrides)} "
                "(use from_architecture to build a model with other arguments)"
            )
        model, _ = load_preset(preset)
        if not isinstance(model, cls):
            raise ValueError(
                f"preset {preset!r} holds a {type(model).__name__}, not a {cls.__name__}"
            )
        return model


def check_positive(name, value):
    if value is None or int(value) != value or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def check_rate(name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def classifier(x, num_classes, activation, name):
    """The final dense layer; `activation="softmax"` gives probabilities, `None` logits."""
    return keras.layers.Dense(num_classes, activation=activation, name=name)(x)
