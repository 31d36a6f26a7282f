"""PNG plots for run folders.

Figures are made with `matplotlib.figure.Figure` directly (no pyplot state and no
`matplotlib.use`), so they render headless and leave a notebook's inline backend alone. Each
function returns the `Figure` and, given a `path`, saves it there too.
"""

from __future__ import annotations

import numpy as np


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _finish(fig, path):
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def plot_confusion_matrix(cm, class_names=None, path=None, title="Confusion matrix"):
    """Row-normalised confusion matrix (rows: true classes) with the counts in the cells."""
    cm = np.asarray(cm)
    n = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    size = max(4.0, 0.55 * n + 2)
    fig = _figure(size + 1, size)
    ax = fig.add_subplot()
    image = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), names, rotation=45, ha="right")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(n):
        for j in range(n):
            color = "white" if norm[i, j] > 0.5 else "black"
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color=color, fontsize=8)
    fig.colorbar(image, ax=ax, fraction=0.046, label="fraction of row")
    return _finish(fig, path)


def plot_loss_curves(
    histories, path=None, title="Training and validation loss", validation_label="validation"
):
    """Loss per epoch of several fits (`histories`: Keras `History.history` dicts); the
    `val_loss` curve is labelled `validation_label` (e.g. "test" where the test set selects
    the epoch)."""
    from matplotlib.ticker import MaxNLocator

    fig = _figure(7, 4.5)
    ax = fig.add_subplot()
    for i, history in enumerate(histories):
        curves = (("loss", "tab:blue", "training"), ("val_loss", "tab:orange", validation_label))
        for key, color, label in curves:
            if key in history:
                values = history[key]
                ax.plot(
                    np.arange(1, len(values) + 1),
                    values,
                    color=color,
                    alpha=0.6,
                    label=label if i == 0 else None,
                )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("loss")
    runs = len(histories)
    ax.set_title(f"{title} ({runs} run{'s' if runs != 1 else ''})")
    ax.grid(alpha=0.3)
    ax.legend()
    return _finish(fig, path)


def plot_blend_weights(records, path=None, title="Gradient-blending weights"):
    """Weights over training steps (`records`: `AdaptiveGradientBlending.records`)."""
    if not records:
        raise ValueError("no blending records to plot")
    steps = [r["step"] for r in records]
    branches = [k[len("weight_") :] for k in records[0] if k.startswith("weight_")]
    fig = _figure(7, 4.5)
    ax = fig.add_subplot()
    for branch in branches:
        ax.plot(steps, [r[f"weight_{branch}"] for r in records], marker=".", label=branch)
    ax.set_xlabel("training step")
    ax.set_ylabel("weight w_k")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return _finish(fig, path)


def plot_metric_distributions(values, path=None, metric="macro F1", title=None, unit="trials"):
    """Histograms of a metric across splits, one colour per model, dashed means.

    The style of Mersy (AAAI 2021, seed 002) Fig. 1: overlaid F1 distributions of the models
    over the random 80/20 trials, each mean a dashed line.

    Args:
        values: `{model name: per-split values}`.
    """
    from matplotlib import rcParams

    fig = _figure(7, 4.5)
    ax = fig.add_subplot()
    every = np.concatenate([np.asarray(v, float) for v in values.values()])
    low, high = float(every.min()), float(every.max())
    if high - low < 1e-9:
        low, high = low - 0.05, high + 0.05
    bins = np.linspace(low, high, 16)
    colors = rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, v) in enumerate(values.items()):
        color = colors[i % len(colors)]
        ax.hist(v, bins=bins, alpha=0.5, color=color, label=f"{name} (n={len(v)})")
        ax.axvline(float(np.mean(v)), color=color, linestyle="--")
    ax.set_xlabel(metric)
    ax.set_ylabel(unit)
    ax.set_title(title or f"{metric} across {unit} (dashed: means)")
    ax.legend(fontsize=8)
    return _finish(fig, path)


def plot_learned_representations(
    spectrogram, maps, path=None, titles=None, title="Learned 2D representations"
):
    """A clip's spectrogram beside its learned 2D maps, as in MS-SincResNet's Fig. 4.

    Chang et al. (ICMR 2021, Sec. 4.1, Fig. 4): (a) the spectrogram of a clip (STFT window
    512, hop 128) and (e) the three maps MS-SincNet learns from it, one per sinc kernel
    length. Every panel is shown in dB relative to its own maximum (the reference code's
    `amplitude_to_db(|.|, ref=max)`), low bands at the bottom.

    Args:
        spectrogram: `(bins, frames)` magnitude spectrogram.
        maps: `(scales, filters, frames)` learned maps (non-negative, after ReLU).
        titles: one title per panel (`1 + scales`); default "spectrogram", "scale 1", ...

    Returns:
        The `Figure`.
    """
    spectrogram = np.asarray(spectrogram, dtype=float)
    maps = np.asarray(maps, dtype=float)
    if spectrogram.ndim != 2 or maps.ndim != 3:
        raise ValueError(
            f"expected a (bins, frames) spectrogram and (scales, filters, frames) maps, got "
            f"shapes {spectrogram.shape} and {maps.shape}"
        )
    panels = [spectrogram, *maps]
    titles = list(titles or ["spectrogram"] + [f"scale {i + 1}" for i in range(len(maps))])
    if len(titles) != len(panels):
        raise ValueError(f"{len(panels)} panels but {len(titles)} titles")
    fig = _figure(3.2 * len(panels), 3.6)
    for i, (panel, name) in enumerate(zip(panels, titles)):
        ax = fig.add_subplot(1, len(panels), i + 1)
        magnitude = np.abs(panel)
        db = 20 * np.log10(np.maximum(magnitude, 1e-10) / max(magnitude.max(), 1e-10))
        image = ax.imshow(np.maximum(db, -80), origin="lower", aspect="auto", cmap="jet")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("frame")
        ax.set_ylabel("bin" if i == 0 else "filter")
        fig.colorbar(image, ax=ax, fraction=0.046, label="dB")
    fig.suptitle(title)
    return _finish(fig, path)


def plot_search(scores, path=None, objective="objective", direction="max"):
    """A hyper-parameter search: each trial's objective in trial order and the best so far.

    Args:
        scores: per-trial objective values in trial order (`None` or NaN for a trial that
            failed: left out of the points and of the running best).
        objective: the objective's name, for the axis.
        direction: `"max"` or `"min"`: which way is better.
    """
    from matplotlib.ticker import MaxNLocator

    values = np.array([np.nan if s is None else float(s) for s in scores], dtype=float)
    if not np.isfinite(values).any():
        raise ValueError("no finished trial to plot")
    better = np.fmax if direction == "max" else np.fmin
    best = better.accumulate(values)
    trials = np.arange(1, len(values) + 1)
    fig = _figure(7, 4.5)
    ax = fig.add_subplot()
    ax.plot(trials, values, "o", color="tab:blue", label="trial")
    ax.step(trials, best, where="post", color="tab:orange", label="best so far")
    ax.set_xlabel("trial")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(objective)
    ax.set_title(f"{objective} over {len(values)} trials")
    ax.grid(alpha=0.3)
    ax.legend()
    return _finish(fig, path)
