"""PNG plots for run folders (matplotlib, Agg backend: no display needed)."""

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_confusion_matrix(cm, class_names, path, title="Confusion matrix"):
    """Row-normalised confusion matrix with counts in the cells."""
    cm = np.asarray(cm)
    n = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, np.maximum(rows, 1))
    size = max(4.0, 0.55 * n + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), names, rotation=45, ha="right")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(n):
        for j in range(n):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                color="white" if norm[i, j] > 0.5 else "black",
                fontsize=8,
            )
    fig.colorbar(im, ax=ax, fraction=0.046, label="fraction of row")
    return _save(fig, path)


def plot_loss_curves(histories, path, title="Training and validation loss"):
    """`histories`: list of Keras `History.history` dicts (one per fold/trial)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, h in enumerate(histories):
        label = i == 0
        if "loss" in h:
            ax.plot(
                np.arange(1, len(h["loss"]) + 1),
                h["loss"],
                color="tab:blue",
                alpha=0.6,
                label="training" if label else None,
            )
        if "val_loss" in h:
            ax.plot(
                np.arange(1, len(h["val_loss"]) + 1),
                h["val_loss"],
                color="tab:orange",
                alpha=0.6,
                label="validation" if label else None,
            )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel("loss")
    ax.set_title(f"{title} ({len(histories)} run{'s' if len(histories) != 1 else ''})")
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)


def plot_blend_weights(records, path, title="Gradient-blending weights"):
    """`records`: `AdaptiveGradientBlending.records` (dicts with `step`, `weight_<b>`)."""
    if not records:
        raise ValueError("no blending records to plot")
    steps = [r["step"] for r in records]
    branches = [k[len("weight_") :] for k in records[0] if k.startswith("weight_")]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for b in branches:
        ax.plot(steps, [r[f"weight_{b}"] for r in records], marker=".", label=b)
    ax.set_xlabel("training step")
    ax.set_ylabel("weight w_k")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)


def plot_metric_distributions(values, path, metric="macro F1", title=None):
    """Histograms of a metric across trials, one colour per model, dashed means.

    Mersy (AAAI 2021, seed 002) Fig. 1 style: overlaid F1 distributions of the models
    over the random 80/20 trials, with each mean as a dashed line.

    Args:
        values: dict `{model name: sequence of per-trial values}`.
    """
    fig, ax = plt.subplots(figsize=(7, 4.5))
    all_values = np.concatenate([np.asarray(v, float) for v in values.values()])
    lo, hi = float(all_values.min()), float(all_values.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 0.05, hi + 0.05
    bins = np.linspace(lo, hi, 16)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, v) in enumerate(values.items()):
        c = colors[i % len(colors)]
        ax.hist(v, bins=bins, alpha=0.5, color=c, label=f"{name} (n={len(v)})")
        ax.axvline(float(np.mean(v)), color=c, linestyle="--")
    ax.set_xlabel(metric)
    ax.set_ylabel("trials")
    ax.set_title(title or f"{metric} across trials (dashed: mean)")
    ax.legend()
    return _save(fig, path)
