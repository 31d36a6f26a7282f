"""What every kgenre model shares: a config made of its constructor arguments, and presets."""

from __future__ import annotations

import copy

import keras


class PresetModel(keras.Model):
    """A functional `keras.Model` rebuilt from its constructor arguments.

    Subclasses build their graph in `__init__`, call `super().__init__(inputs=..., outputs=...)`
    and then `self._record_config(...)` with every constructor argument, so `get_config` returns
    exactly those arguments and `from_config` calls the constructor again (as keras-hub
    backbones do). `presets` maps an architecture name to constructor arguments
    (`from_architecture`); `from_preset` loads trained weights (kgenre presets).
    """

    presets = {}

    def _record_config(self, **config):
        config = {
            key: list(value) if isinstance(value, tuple) else value for key, value in config.items()
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
    def from_architecture(cls, name: str, **overrides) -> PresetModel:
        """Builds an untrained model from a named architecture (see `presets`, e.g.
        `"paper"`, `"small"`); `overrides` replace constructor arguments."""
        if name not in cls.presets:
            raise ValueError(
                f"unknown architecture {name!r} for {cls.__name__}; choose one of "
                f"{sorted(cls.presets)}"
            )
        return cls(**{**copy.deepcopy(cls.presets[name]), **overrides})

    @classmethod
    def from_preset(cls, preset: str, **overrides) -> PresetModel:
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
