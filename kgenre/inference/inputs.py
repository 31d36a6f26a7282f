"""Model inputs from clips of audio, as a `ModelInfo` describes them.

One function, `make_inputs`, turns a batch of clips (and, for stem models, their stems) into
what a model takes. Training code and `kgenre predict` both call it, so a model is always fed
at prediction time exactly as it was at training time.
"""

from __future__ import annotations

import numpy as np

from kgenre.inference.model_file import InputSpec

NO_VOCALS = ("bass", "drums", "other")
"""The stems whose sum is the "no_vocals" source (the mix without its vocals)."""


def separated_stems(sources) -> tuple:
    """The separated stems that `sources` are made of, in first-use order: each stem
    itself, and bass, drums and other for `"no_vocals"` (what a separator or the records
    must provide)."""
    out = []
    for source in sources:
        out += [s for s in (NO_VOCALS if source == "no_vocals" else (source,)) if s not in out]
    return tuple(out)


def make_input(spec: InputSpec, sample_rate: int, clips, stems=None) -> np.ndarray:
    """One model input for a batch of clips.

    Args:
        spec: the `InputSpec`.
        sample_rate: rate of the clips in Hz.
        clips: the mix, `(batch, samples)`.
        stems: `{stem name: (batch, samples)}` when `spec` uses stems.

    Returns:
        float32 array shaped as `InputSpec` documents.
    """
    if spec.stems:
        stems = dict(stems or {})
        if "no_vocals" not in stems and all(s in stems for s in NO_VOCALS):
            stems["no_vocals"] = sum(np.asarray(stems[s], dtype=np.float32) for s in NO_VOCALS)
        lacking = [s for s in spec.stems if s not in stems]
        if lacking:
            raise ValueError(
                f"input {spec.name or 'x'!r} needs stems {lacking}; got {sorted(stems)}"
            )
        signals = np.stack([np.asarray(stems[s], dtype=np.float32) for s in spec.stems], axis=-1)
    else:
        signals = np.asarray(clips, dtype=np.float32)
    if signals.ndim not in (2, 3):
        raise ValueError(f"clips must be (batch, samples), got shape {np.shape(clips)}")
    if spec.feature == "waveform":
        return np.ascontiguousarray(signals, dtype=np.float32)
    from kgenre.audio.features import compute_feature

    stacked = signals.ndim == 3
    # (batch, samples, C) -> (batch, C, samples): the feature functions work on the last axis
    x = np.moveaxis(signals, -1, 1) if stacked else signals
    spec_x = compute_feature(x, sample_rate, spec.feature, **spec.options)  # (..., bands, frames)
    if spec.layout == "frames_bands":
        spec_x = np.swapaxes(spec_x, -1, -2)
    if stacked:
        spec_x = np.moveaxis(spec_x, 1, -1)  # (batch, C, a, b) -> (batch, a, b, C)
    elif spec.channel_axis:
        spec_x = spec_x[..., None]
    return np.ascontiguousarray(spec_x, dtype=np.float32)


def make_inputs(specs, sample_rate: int, clips, stems=None):
    """All inputs of a model: one array for a single unnamed input, else a dict by name."""
    specs = list(specs)
    if len(specs) == 1 and specs[0].name is None:
        return make_input(specs[0], sample_rate, clips, stems)
    return {spec.name: make_input(spec, sample_rate, clips, stems) for spec in specs}
