"""Callback that re-estimates the blend weights of a `BlendedModel` during `fit`."""

import csv
import os

import keras
import numpy as np
from keras import ops

from kgenre.training.blended_model import BlendedModel
from kgenre.training.blending_weights import BlendingWeightEstimator


def fixed_subset(x, y, size, seed=0):
    """A fixed random subset of training arrays, for the training-loss estimate.

    Phan et al. (seed 003, Sec. 3.1.3) evaluate a small subset of the training set,
    sampled once and kept fixed, about the size of the validation set.

    Args:
        x: array, or dict/list of arrays with the same first dimension.
        y: labels (array, or dict/list of arrays).
        size: number of examples (capped at the number available).
        seed: seed of the draw.

    Returns:
        `(x_subset, y_subset)` with the same structure.
    """
    n = _num_examples(x)
    if int(size) < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    idx = np.sort(np.random.default_rng(seed).choice(n, size=min(int(size), n), replace=False))
    return _take(x, idx), _take(y, idx)


def _num_examples(x):
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)):
        x = x[0]
    return int(np.shape(x)[0])


def _take(x, idx):
    if isinstance(x, dict):
        return {k: np.asarray(v)[idx] for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(np.asarray(v)[idx] for v in x)
    return np.asarray(x)[idx]


class AdaptiveGradientBlending(keras.callbacks.Callback):
    """Adapts a `BlendedModel`'s branch weights while it trains (seed 003, Algorithm 1).

    Every `update_every` training steps (or at the end of each epoch with
    `update_every="epoch"`), the callback evaluates every branch's loss on the
    validation set and on a fixed training subset of about the same size, feeds them to
    a `BlendingWeightEstimator` (the formula, and which parts are kgenre's reconstruction of
    the paper's lost Algorithm 1, are in its docstring: `w_k ∝ max(G_k, 0) / (O_k^2 + eps)`,
    normalised to sum 1, equal weights during warm-up and when all are 0) and writes the new weights into the model's
    `blend_weights` variable, which the next training step uses.

    Each update is recorded in `self.records` (step, epoch, weights, G, O, smoothed
    and raw losses) and, with `csv_path`, appended to a CSV file. At the end of each
    epoch the current weights are added to the logs as `blend_weight_<branch>`, so they
    appear in `History`.

    Args:
        validation_data: `(x, y)` arrays (the stand-in for the true loss).
        train_subset: `(x, y)` arrays, a fixed training subset (see `fixed_subset`).
        update_every: steps between updates (int >= 1) or `"epoch"`.
        warmup_steps: training steps during which the weights stay equal (losses are
            still recorded).
        window: smoothing window, in updates. Defaults to 20 (XSleepNet's).
        epsilon: `eps` of the weight formula. Defaults to 1e-6.
        estimator: how G and O are measured: `"best_so_far"` (the default, references at
            the best smoothed losses so far) or `"slope"` (XSleepNet's line-fit slopes).
        history: updates in the `"slope"` estimator's line fit. Defaults to 20.
        batch_size: batch size used to evaluate the losses.
        csv_path: optional CSV file for the update records.

    Example:

    ```python
    blend = AdaptiveGradientBlending((x_val, y_val), fixed_subset(x, y, len(y_val)),
                                     update_every=50, window=10, csv_path="blend.csv")
    model.fit(x, y, validation_data=(x_val, y_val), callbacks=[blend])
    ```

    References:
        H. Phan et al., "Multi-view audio and music classification", ICASSP 2021
        (seed 003), Sec. 2.2 and Algorithm 1. W. Wang, D. Tran, M. Feiszli, "What makes
        training multi-modal classification networks hard?", CVPR 2020.
    """

    def __init__(
        self,
        validation_data,
        train_subset,
        update_every="epoch",
        warmup_steps=0,
        window=20,
        epsilon=1e-6,
        batch_size=64,
        csv_path=None,
        estimator="best_so_far",
        history=20,
    ):
        super().__init__()
        if update_every != "epoch" and (not isinstance(update_every, int) or update_every < 1):
            raise ValueError(f"update_every must be an int >= 1 or 'epoch', got {update_every!r}")
        if int(warmup_steps) < 0:
            raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
        for what, data in (("validation_data", validation_data), ("train_subset", train_subset)):
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise ValueError(f"{what} must be an (x, y) pair, got {type(data).__name__}")
        self.validation_data = validation_data
        self.train_subset = train_subset
        self.update_every = update_every
        self.warmup_steps = int(warmup_steps)
        self.window = window
        self.epsilon = epsilon
        self.estimator_name = estimator
        self.history = history
        self.batch_size = int(batch_size)
        self.csv_path = csv_path
        self.records = []
        self.estimator = None
        self._step = 0
        self._epoch = 0

    def on_train_begin(self, logs=None):
        if not isinstance(self.model, BlendedModel):
            raise ValueError(
                f"AdaptiveGradientBlending needs a BlendedModel, got {type(self.model).__name__}"
            )
        self.estimator = BlendingWeightEstimator(
            self.model.branches,
            window=self.window,
            epsilon=self.epsilon,
            estimator=self.estimator_name,
            history=self.history,
        )
        self.records = []
        self._step = 0
        if self.csv_path:
            os.makedirs(os.path.dirname(os.path.abspath(self.csv_path)), exist_ok=True)
            with open(self.csv_path, "w", newline="") as f:
                csv.writer(f).writerow(self._csv_header())

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self.update_every != "epoch" and self._step % self.update_every == 0:
            self.update()

    def on_epoch_end(self, epoch, logs=None):
        if self.update_every == "epoch":
            self.update()
        if logs is not None:
            for b, w in self.model.get_blend_weights().items():
                logs[f"blend_weight_{b}"] = w

    def _branch_loss_values(self, data):
        x, y = data
        y_pred = self.model.predict(x, batch_size=self.batch_size, verbose=0)
        losses = self.model.branch_losses(y, y_pred)
        return {b: float(ops.convert_to_numpy(v)) for b, v in losses.items()}

    def update(self):
        """Measures the branch losses now and sets new weights; returns the record."""
        # Under JAX the live parameters sit in fit()'s state until synced.
        self.model.sync_state()
        train = self._branch_loss_values(self.train_subset)
        val = self._branch_loss_values(self.validation_data)
        result = self.estimator.update(train, val, warmup=self._step <= self.warmup_steps)
        self.model.set_blend_weights(result["weights"])
        record = {"step": self._step, "epoch": self._epoch}
        for b in self.model.branches:
            record[f"weight_{b}"] = result["weights"][b]
            record[f"G_{b}"] = result["G"][b]
            record[f"O_{b}"] = result["O"][b]
            record[f"train_loss_{b}"] = train[b]
            record[f"val_loss_{b}"] = val[b]
            record[f"smoothed_train_loss_{b}"] = result["smoothed_train"][b]
            record[f"smoothed_val_loss_{b}"] = result["smoothed_val"][b]
        self.records.append(record)
        if self.csv_path:
            with open(self.csv_path, "a", newline="") as f:
                csv.writer(f).writerow([record[k] for k in self._csv_header()])
        return record

    def _csv_header(self):
        header = ["step", "epoch"]
        for prefix in (
            "weight",
            "G",
            "O",
            "train_loss",
            "val_loss",
            "smoothed_train_loss",
            "smoothed_val_loss",
        ):
            header += [f"{prefix}_{b}" for b in self.model.branches]
        return header
