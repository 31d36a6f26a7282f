"""A multi-output classifier whose branch losses are blended with adaptive weights."""

import keras
import numpy as np
from keras import ops

from kgenre.training.distribution import replicas_in_sync


class _FunctionLoss(keras.losses.Loss):
    """Gives a plain loss function (`y_true, y_pred -> per-sample`) Keras' reduction."""

    def __init__(self, fn, name=None):
        super().__init__(name=name or getattr(fn, "__name__", "loss"))
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)


def _resolve_loss(spec):
    loss = keras.losses.get(spec)
    if loss is None:
        raise ValueError(f"Unknown loss {spec!r}")
    if isinstance(loss, keras.losses.Loss):
        return loss
    if callable(loss):
        return _FunctionLoss(loss)
    raise ValueError(f"Expected a Keras loss, got {spec!r}")


@keras.saving.register_keras_serializable(package="kgenre")
class BlendedModel(keras.Model):
    """Functional multi-output classifier trained with (adaptive) gradient blending.

    Every classification branch `k` (a named softmax output) has a loss `L_k`; the
    training loss is the blend of Phan et al., Eq. (2):

        L(t) = sum_k w_k(t) * L_k(t)  (+ regularisation losses, unweighted)

    The weights `w_k` live in one non-trainable variable of the model,
    `blend_weights` (shape `(K,)`, in the order of `branches`). They are read in
    `compute_loss`, the hook every backend's `train_step` and `test_step` call, so
    plain `model.fit(...)` blends the gradients on TensorFlow, JAX and PyTorch alike:
    since the weights do not depend on the parameters,
    `grad L = sum_k w_k grad L_k`. Under JAX the variable is part of the stateless
    training state; `set_blend_weights` and the `AdaptiveGradientBlending` callback
    synchronise the state first (`model.jax_state_sync()`), so a change made between
    two steps is used by the next step. The weights are saved with the model.

    `compile` takes one loss for every branch, or a dict `{branch: loss}`;
    `loss_weights` is refused (the blend weights take its place). Per-branch losses
    are logged as `<branch>_loss`.

    Args:
        inputs: the model inputs, as for a functional `keras.Model`.
        outputs: a dict `{name: probabilities}` or a list of named outputs
            (each a softmax over the classes).
        name: model name.
        branches: the output names that are blended (default: every output).
        initial_blend_weights: starting weights, one per branch (default: equal
            weights `1/K`, the warm-up setting of Phan et al.).
        **kwargs: passed to `keras.Model`.

    Example:

    ```python
    x = keras.Input((8,))
    outputs = {
        "a": keras.layers.Dense(3, activation="softmax", name="a")(x),
        "b": keras.layers.Dense(3, activation="softmax", name="b")(x),
    }
    model = BlendedModel(x, outputs)
    model.compile("adam", loss="sparse_categorical_crossentropy")
    model.set_blend_weights({"a": 0.25, "b": 0.75})
    ```

    References:
        H. Phan et al., "Multi-view audio and music classification", ICASSP 2021
        (seed 003), Sec. 2.2 and Eq. (2). W. Wang, D. Tran, M. Feiszli, "What makes
        training multi-modal classification networks hard?", CVPR 2020.
    """

    def __init__(self, inputs, outputs, name=None, **kwargs):
        branches = kwargs.pop("branches", None)
        initial_blend_weights = kwargs.pop("initial_blend_weights", None)
        super().__init__(inputs, outputs, name=name, **kwargs)
        names = list(self.output_names)
        if branches is None:
            branches = names
        branches = list(branches)
        unknown = [b for b in branches if b not in names]
        if unknown or not branches:
            raise ValueError(f"branches must be model output names {names}, got {branches}")
        if len(set(branches)) != len(branches):
            raise ValueError(f"branches must be distinct, got {branches}")
        self.branches = branches
        k = len(branches)
        if initial_blend_weights is None:
            initial_blend_weights = [1.0 / k] * k
        initial_blend_weights = self._weights_vector(initial_blend_weights)
        self.initial_blend_weights = [float(v) for v in initial_blend_weights]
        self.blend_weights = self.add_weight(
            shape=(k,),
            initializer=keras.initializers.Constant(initial_blend_weights),
            trainable=False,
            name="blend_weights",
        )
        self.branch_loss_trackers = [keras.metrics.Mean(name=f"{b}_loss") for b in branches]
        self._branch_loss_spec = None
        self._branch_loss_fns = None

    @classmethod
    def from_model(cls, model, **kwargs):
        """Wraps a functional multi-output model (e.g. `kgenre.models.MultiViewCRNN`).

        The new model shares the layers (and so the weights) of `model`.

        Args:
            model: a functional `keras.Model` with named outputs.
            **kwargs: `branches`, `initial_blend_weights`, `name`.
        """
        kwargs.setdefault("name", f"blended_{model.name}")
        return cls(model.input, model.output, **kwargs)

    # weights

    def _weights_vector(self, weights):
        if isinstance(weights, dict):
            missing = [b for b in self.branches if b not in weights]
            if missing or len(weights) != len(self.branches):
                raise ValueError(
                    f"blend weights must have one entry per branch {self.branches}, "
                    f"got keys {list(weights)}"
                )
            weights = [weights[b] for b in self.branches]
        weights = np.asarray(weights, dtype="float64").reshape(-1)
        if weights.shape[0] != len(self.branches):
            raise ValueError(f"expected {len(self.branches)} blend weights, got {weights.tolist()}")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(f"blend weights must be finite and >= 0, got {weights.tolist()}")
        return weights.astype("float32")

    def get_blend_weights(self):
        """Returns the current weights as a dict `{branch: float}`."""
        self.sync_state()
        values = ops.convert_to_numpy(self.blend_weights)
        return {b: float(v) for b, v in zip(self.branches, values)}

    def set_blend_weights(self, weights):
        """Sets the weights (dict by branch, or a sequence in `branches` order)."""
        values = self._weights_vector(weights)
        self.sync_state()
        self.blend_weights.assign(values)

    def sync_state(self):
        """Writes fit()'s JAX training state back into the variables (no-op elsewhere)."""
        # Under JAX, fit() keeps the variables' values in a stateless state between
        # steps; syncing writes them back and makes the next step re-read them.
        sync = getattr(self, "jax_state_sync", None)
        if sync is not None:
            sync()

    # losses

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, **kwargs):
        """Configures training; `loss` is one loss for all branches or a dict by branch."""
        if loss_weights is not None:
            raise ValueError(
                "BlendedModel uses its blend weights as loss weights; got "
                f"loss_weights={loss_weights!r}. Use initial_blend_weights or "
                "set_blend_weights instead."
            )
        if loss is None:
            raise ValueError("BlendedModel.compile needs a loss, got loss=None")
        if isinstance(loss, dict):
            if sorted(loss) != sorted(self.branches):
                raise ValueError(
                    f"loss dict must have one entry per branch {self.branches}, "
                    f"got keys {list(loss)}"
                )
            fns = [_resolve_loss(loss[b]) for b in self.branches]
        elif isinstance(loss, (list, tuple)):
            raise ValueError(f"give BlendedModel's loss as one loss or a dict, got {loss!r}")
        else:
            fns = [_resolve_loss(loss) for _ in self.branches]
        self._branch_loss_spec = loss
        self._branch_loss_fns = fns
        # The blended sum is computed in compute_loss; Keras' own CompileLoss would
        # add fixed-weight per-output trackers that never update.
        super().compile(optimizer=optimizer, loss=None, **kwargs)

    def get_compile_config(self):
        config = super().get_compile_config()
        if config and self._branch_loss_spec is not None:
            config["loss"] = keras.saving.serialize_keras_object(self._branch_loss_spec)
            config.pop("loss_weights", None)
        return config

    def compile_from_config(self, config):
        config = keras.saving.deserialize_keras_object(config)
        self.compile(**config)
        if getattr(self, "optimizer", None) is not None and self.built:
            self.optimizer.build(self.trainable_variables)

    def _as_branch_dict(self, values, what):
        names = list(self.output_names)
        if isinstance(values, dict):
            missing = [b for b in self.branches if b not in values]
            if missing:
                raise ValueError(f"{what} has no entry for branches {missing}")
            return values
        if isinstance(values, (list, tuple)) and len(values) == len(names):
            return dict(zip(names, values))
        if len(names) == 1:
            return {names[0]: values}
        if what == "y":
            # One label array serves every branch (they all classify the same clip).
            return {b: values for b in self.branches}
        raise ValueError(f"cannot match {what} to the outputs {names}")

    def branch_losses(self, y, y_pred, sample_weight=None):
        """Per-branch losses `{branch: scalar}` (unweighted), in `keras.ops`.

        Under a TensorFlow strategy Keras' losses are divided by the replica count
        (`kgenre.training.distribution.replicas_in_sync`), here as in `compute_loss`.
        """
        if self._branch_loss_fns is None:
            raise ValueError("call compile(loss=...) before computing branch losses")
        y = self._as_branch_dict(y, "y")
        y_pred = self._as_branch_dict(y_pred, "y_pred")
        if isinstance(sample_weight, (dict, list, tuple)):
            sample_weight = self._as_branch_dict(sample_weight, "sample_weight")
        else:
            sample_weight = {b: sample_weight for b in self.branches}
        return {
            b: fn(y[b], y_pred[b], sample_weight[b])
            for b, fn in zip(self.branches, self._branch_loss_fns)
        }

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        losses = self.branch_losses(y, y_pred, sample_weight)
        weights = ops.cast(self.blend_weights, "float32")
        # Under a TensorFlow strategy each replica's loss is divided by the replica count
        # (its gradients are summed); the logged branch losses are the whole batch's.
        replicas = float(replicas_in_sync())
        total = ops.zeros((), dtype="float32")
        for i, (b, tracker) in enumerate(zip(self.branches, self.branch_loss_trackers)):
            value = ops.cast(losses[b], "float32")
            tracker.update_state(value * replicas)
            total = total + weights[i] * value
        if self.losses:
            # Regularisation, unweighted, added by Keras' own `compute_loss` (compiled with no
            # loss, it returns just these terms, divided by the replica count where needed).
            regularisation = super().compute_loss(x, y, y_pred, sample_weight, training)
            total = total + ops.cast(regularisation, "float32")
        return total

    # prediction

    def predict_self_ensemble(self, x, weights=None, **predict_kwargs):
        """Self-ensemble class probabilities `sum_k w_k p_k` (Phan et al., Eq. 6).

        Args:
            x: model input.
            weights: dict of weights by branch (default: the model's final weights).
            **predict_kwargs: passed to `predict` (e.g. `batch_size`, `verbose`).

        Returns:
            Array `(num_samples, num_classes)`; `argmax` gives Eq. (7)'s label.
        """
        predict_kwargs.setdefault("verbose", 0)
        probabilities = self._as_branch_dict(self.predict(x, **predict_kwargs), "y_pred")
        return self_ensemble(
            {b: probabilities[b] for b in self.branches},
            self.get_blend_weights() if weights is None else weights,
        )

    def self_ensemble_model(self, weights=None, name=None):
        """The self-ensemble as a plain single-output model, for saving and serving.

        Each branch's probabilities are scaled by its fixed weight (a `Rescaling` layer) and
        summed: the same `sum_k w_k p_k` as `predict_self_ensemble`, as a functional model
        that shares this model's layers and needs no kgenre class to load.

        Args:
            weights: dict of weights by branch (default: the model's current weights).
            name: name of the new model.

        Returns:
            A functional `keras.Model` with this model's inputs and one output
            `(batch, num_classes)`.
        """
        values = self._weights_vector(self.get_blend_weights() if weights is None else weights)
        outputs = self._as_branch_dict(self.output, "outputs")
        terms = [
            keras.layers.Rescaling(float(w), name=f"self_ensemble_{b}")(outputs[b])
            for b, w in zip(self.branches, values)
        ]
        total = keras.layers.Add(name="self_ensemble")(terms) if len(terms) > 1 else terms[0]
        return keras.Model(self.input, total, name=name or f"{self.name}_self_ensemble")

    def get_config(self):
        config = super().get_config()
        config["branches"] = list(self.branches)
        config["initial_blend_weights"] = list(self.initial_blend_weights)
        return config


def self_ensemble(probabilities, weights):
    """Weighted sum of branch probabilities, Phan et al. (seed 003) Eq. (6).

    `P(c) = sum_k w_k * p_k(c)`, with the weights of the final model; the label is
    `argmax_c P(c)` (Eq. 7). The weights are used as given (they sum to one when they
    come from `AdaptiveGradientBlending`).

    Args:
        probabilities: dict `{branch: array (num_samples, num_classes)}` of softmax
            outputs.
        weights: dict `{branch: float}` with the same keys.

    Returns:
        Array `(num_samples, num_classes)`.
    """
    if sorted(probabilities) != sorted(weights):
        raise ValueError(
            f"probabilities and weights must name the same branches, got "
            f"{sorted(probabilities)} and {sorted(weights)}"
        )
    total = None
    for name, p in probabilities.items():
        term = float(weights[name]) * np.asarray(p, dtype="float64")
        total = term if total is None else total + term
    return total
