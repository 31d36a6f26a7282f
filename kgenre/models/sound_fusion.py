import keras
import numpy as np
from keras import ops

from kgenre.models._base import (
    PresetModel,
    check_positive,
    check_rate,
    classifier,
    records_arguments,
)
from kgenre.models._resnet1d_blocks import apply_resnet1d
from kgenre.models._resnet_blocks import apply_resnet


@keras.saving.register_keras_serializable(package="kgenre")
class DecisionWeighting(keras.layers.Layer):
    """Weighted sum of branch probabilities, with learned or fixed weights that sum to 1.

    `p = sum_i w_i p_i` with `w = softmax(v)`: learned (`trainable=True`, `v` starts at
    `log(initial_weights)`) or fixed at `initial_weights`.

    Args:
        num_branches: number of probability inputs, >= 2.
        initial_weights: positive weights, normalised to sum 1. Defaults to equal weights.
        learn_weights: learn the weights (True) or keep them fixed (False). Defaults to True.
        **kwargs: base layer arguments.

    Input shape:
        a list of `num_branches` tensors `(batch, classes)`.

    Output shape:
        `(batch, classes)`.
    """

    def __init__(self, num_branches=2, initial_weights=None, learn_weights=True, **kwargs):
        super().__init__(**kwargs)
        if num_branches < 2:
            raise ValueError(f"num_branches must be >= 2, got {num_branches}")
        if initial_weights is None:
            initial_weights = [1.0 / num_branches] * num_branches
        initial_weights = [float(w) for w in initial_weights]
        if len(initial_weights) != num_branches or min(initial_weights) <= 0:
            raise ValueError(
                f"initial_weights must be {num_branches} positive numbers, got {initial_weights}"
            )
        total = sum(initial_weights)
        self.num_branches = num_branches
        self.initial_weights = [w / total for w in initial_weights]
        self.learn_weights = learn_weights

    def build(self, input_shape):
        self.logits = self.add_weight(
            name="logits",
            shape=(self.num_branches,),
            initializer=keras.initializers.Constant(np.log(self.initial_weights)),
            trainable=self.learn_weights,
        )

    def branch_weights(self):
        """The current weights `w`, summing to 1."""
        return ops.softmax(self.logits)

    def call(self, inputs):
        weights = ops.cast(self.branch_weights(), self.compute_dtype)
        stacked = ops.stack([ops.cast(p, self.compute_dtype) for p in inputs], axis=0)
        return ops.einsum("n,nbc->bc", weights, stacked)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_branches": self.num_branches,
                "initial_weights": self.initial_weights,
                "learn_weights": self.learn_weights,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="kgenre")
class SoundFusion(PresetModel):
    """SoundFusion: a raw-waveform ResNet1D and a log-mel ResNet2D fused into one classifier.

    Two branches see the same 5-s clip: ResNet1D (Allamy & Koerich) on the 110,250-sample
    waveform and ResNet2D (ResNet-34) on its 64-band log-mel spectrogram (SoundFusion slides,
    "Information Fusion"). Two fusions:

    - `fusion="concat"` (feature concatenation): the branches' pooled features are
      concatenated before one classifier;
    - `fusion="decision"` (decision weighting): each branch has its own softmax classifier and
      the output is their weighted sum (`DecisionWeighting`), weights learned or fixed.

    Defaults are the slides' best single models: ResNet1D-m (F = 32) and ResNet2D-s (F = 16).
    The slides name "SoundFusion-1" and "-2" without saying which fusion each is.

    Args:
        num_classes: Defaults to 8.
        fusion: `"concat"` or `"decision"`. Defaults to `"concat"`.
        input_length: waveform samples. Defaults to 110250 (5 s at 22,050 Hz).
        mel_shape: `(bands, frames, channels)` of the log-mel input. Defaults to
            `(64, 216, 1)` (hop 512).
        width_1d: ResNet1D base width F. Defaults to 32.
        width_2d: ResNet2D base width F. Defaults to 16.
        depth_2d: ResNet2D depth. Defaults to 34.
        decision_weights: initial (or fixed) weights of the 1D and 2D branches. Defaults to
            equal weights.
        learn_decision_weights: learn them. Defaults to True.
        dropout: before the classifier(s). Defaults to 0.
        **kwargs: `keras.Model` arguments.

    Input shape:
        a dict: `"waveform"`: `(batch, input_length)`, `"log_mel"`: `(batch,) + mel_shape`.

    Output shape:
        `(batch, num_classes)` probabilities.

    Example:

    >>> model = SoundFusion.from_preset("small", fusion="decision")
    >>> x = {"waveform": np.zeros((2, 59049), "float32"),
    ...      "log_mel": np.zeros((2, 32, 32, 1), "float32")}
    >>> tuple(model(x).shape)
    (2, 4)
    >>> model.get_layer("predictions").branch_weights()  # [0.5, 0.5] before training

    References:
        - Ausilio, Keshavarz & Prodan, SoundFusion slides (kgenre seed 001).
    """

    presets = {
        "paper": {},
        "paper_decision": {"fusion": "decision"},
        "small": {
            "num_classes": 4,
            "input_length": 59049,
            "mel_shape": (32, 32, 1),
            "width_1d": 4,
            "width_2d": 4,
            "depth_2d": 18,
        },
    }

    @records_arguments
    def __init__(
        self,
        num_classes=8,
        fusion="concat",
        input_length=110250,
        mel_shape=(64, 216, 1),
        width_1d=32,
        width_2d=16,
        depth_2d=34,
        decision_weights=None,
        learn_decision_weights=True,
        dropout=0.0,
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        if fusion not in ("concat", "decision"):
            raise ValueError(f'fusion must be "concat" or "decision", got {fusion!r}')
        mel_shape = tuple(mel_shape)

        # inputs
        waveform = keras.Input(shape=(input_length,), name="waveform")
        log_mel = keras.Input(shape=mel_shape, name="log_mel")
        # branches
        features_1d = apply_resnet1d(waveform, width_1d, 0.01, prefix="raw_")
        features_2d = apply_resnet(log_mel, depth=depth_2d, width=width_2d, prefix="mel_resnet_")
        features_2d = keras.layers.GlobalAveragePooling2D(name="mel_pool")(features_2d)
        # fusion
        if fusion == "concat":
            x = keras.layers.Concatenate(name="fused_features")([features_1d, features_2d])
            if dropout:
                x = keras.layers.Dropout(dropout, name="dropout")(x)
            outputs = classifier(x, num_classes, "softmax", "predictions")
        else:
            branch_probabilities = []
            for branch, x in (("raw", features_1d), ("mel", features_2d)):
                if dropout:
                    x = keras.layers.Dropout(dropout, name=f"{branch}_dropout")(x)
                branch_probabilities.append(
                    classifier(x, num_classes, "softmax", f"{branch}_predictions")
                )
            outputs = DecisionWeighting(
                2,
                initial_weights=decision_weights,
                learn_weights=learn_decision_weights,
                name="predictions",
            )(branch_probabilities)
        super().__init__(
            inputs={"waveform": waveform, "log_mel": log_mel}, outputs=outputs, **kwargs
        )
