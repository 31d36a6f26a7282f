"""Adaptive gradient-blending weights from per-branch training and validation losses."""

import numpy as np


class BlendingWeightEstimator:
    """Algorithm 1 of Phan et al. (seed 003): weights from generalisation and overfitting.

    At every update `t` the estimator receives, for each branch `k`, the mean loss on a
    fixed training subset `L^T_k(t)` and on the validation set `L^V_k(t)` (the stand-in
    for the true loss). With a history window of `window` updates:

        smoothed losses   S^T_k(t) = mean(L^T_k(t-window+1 .. t))
                          S^V_k(t) = mean(L^V_k(t-window+1 .. t))
        references        (R^T_k, R^V_k) = (S^T_k(s), S^V_k(s)),
                          s = argmin_{s < t} S^V_k(s)   (the best model so far)
        generalisation    G_k(t) = R^V_k - S^V_k(t)
        overfitting       O_k(t) = (S^V_k(t) - S^T_k(t)) - (R^V_k - R^T_k)
        weight            w_k(t) = max(G_k(t), 0) / (O_k(t)^2 + eps) / Z,
                          Z = sum_j max(G_j(t), 0) / (O_j(t)^2 + eps)

    and `w_k = 1/K` while `warmup` is set and whenever `Z == 0` (nobody generalises).
    The references are updated after the weights, whenever the smoothed validation
    loss reaches a new best. Wang et al. (CVPR 2020) use the losses at initialisation
    as fixed references; Phan et al. found that biased by the random initialisation and
    use the best (smoothed) losses so far instead, which is what this class does.

    The window length is lost from the extracted paper text; the default `window=50`
    (updates) and `eps=1e-6` are those of the gradient-policy code released by the
    same author (H. Phan) for XSleepNet, the paper's reference [18].

    Args:
        branches: branch names.
        window: history window for smoothing, in updates (>= 1).
        epsilon: `eps` above (> 0).

    Example:

    ```python
    est = BlendingWeightEstimator(["mel", "raw"], window=2)
    est.update({"mel": 1.0, "raw": 1.0}, {"mel": 1.0, "raw": 1.0})
    w = est.update({"mel": 0.8, "raw": 0.5}, {"mel": 0.9, "raw": 1.2})["weights"]
    # mel generalises (val loss fell), raw overfits: w == {"mel": 1.0, "raw": 0.0}
    ```

    References:
        H. Phan et al., "Multi-view audio and music classification", ICASSP 2021
        (seed 003), Sec. 2.2, Eqs. (3)-(5) and Algorithm 1. W. Wang, D. Tran,
        M. Feiszli, "What makes training multi-modal classification networks hard?",
        CVPR 2020. H. Phan et al., "XSleepNet", arXiv:2007.05492 (2020).
    """

    def __init__(self, branches, window=50, epsilon=1e-6):
        branches = list(branches)
        if not branches:
            raise ValueError("branches must not be empty")
        if int(window) < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        if not epsilon > 0:
            raise ValueError(f"epsilon must be > 0, got {epsilon}")
        self.branches = branches
        self.window = int(window)
        self.epsilon = float(epsilon)
        self.train_losses = {b: [] for b in branches}
        self.val_losses = {b: [] for b in branches}
        self.reference = {b: None for b in branches}

    def _check(self, losses, what):
        missing = [b for b in self.branches if b not in losses]
        if missing:
            raise ValueError(f"{what} losses miss branches {missing}")
        values = {b: float(losses[b]) for b in self.branches}
        bad = {b: v for b, v in values.items() if not np.isfinite(v)}
        if bad:
            raise ValueError(f"{what} losses must be finite, got {bad}")
        return values

    def update(self, train_losses, val_losses, warmup=False):
        """Adds one measurement and returns the new weights.

        Args:
            train_losses: dict `{branch: mean loss on the fixed training subset}`.
            val_losses: dict `{branch: mean loss on the validation set}`.
            warmup: if True, return equal weights (the history still grows).

        Returns:
            dict with `weights`, `G`, `O`, `smoothed_train`, `smoothed_val`, each a
            dict by branch.
        """
        train_losses = self._check(train_losses, "training")
        val_losses = self._check(val_losses, "validation")
        smoothed_train, smoothed_val, gain, gap, score = {}, {}, {}, {}, {}
        for b in self.branches:
            self.train_losses[b].append(train_losses[b])
            self.val_losses[b].append(val_losses[b])
            st = float(np.mean(self.train_losses[b][-self.window :]))
            sv = float(np.mean(self.val_losses[b][-self.window :]))
            ref = self.reference[b] or (st, sv)
            gain[b] = ref[1] - sv
            gap[b] = (sv - st) - (ref[1] - ref[0])
            score[b] = max(gain[b], 0.0) / (gap[b] ** 2 + self.epsilon)
            smoothed_train[b], smoothed_val[b] = st, sv
            if self.reference[b] is None or sv < self.reference[b][1]:
                self.reference[b] = (st, sv)
        total = sum(score.values())
        k = len(self.branches)
        if warmup or not total > 0 or not np.isfinite(total):
            weights = {b: 1.0 / k for b in self.branches}
        else:
            weights = {b: score[b] / total for b in self.branches}
        return {
            "weights": weights,
            "G": gain,
            "O": gap,
            "smoothed_train": smoothed_train,
            "smoothed_val": smoothed_val,
        }
