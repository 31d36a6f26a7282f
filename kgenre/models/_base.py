"""What every kgenre model shares: a config made of its constructor arguments, and presets."""

import copy

import keras


class PresetModel(keras.Model):
    """A functional `keras.Model` rebuilt from its constructor arguments.

    Subclasses build their graph in `__init__`, call `super().__init__(inputs=..., outputs=...)`
    and then `self._record_config(...)` with every constructor argument, so `get_config` returns
    exactly those arguments and `from_config` calls the constructor again (as keras-hub
    backbones do). `presets` maps a preset name to constructor arguments.
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
    def from_preset(cls, preset, **overrides):
        """Builds the model from a named preset (see `presets`); `overrides` replace arguments."""
        if preset not in cls.presets:
            raise ValueError(
                f"unknown preset {preset!r} for {cls.__name__}; choose one of {sorted(cls.presets)}"
            )
        return cls(**{**copy.deepcopy(cls.presets[preset]), **overrides})


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
