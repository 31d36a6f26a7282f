"""Separation quality: scale-invariant SDR per stem against true stems."""

import numpy as np

from kgenre.audio.sources import STEM_NAMES


def si_sdr(estimate, reference, silence_threshold=1e-10):
    """Scale-invariant signal-to-distortion ratio in dB.

    With zero-mean signals, the reference scaled to best fit the estimate is the target,
    `s_t = (<s_hat, s> / ||s||^2) s`, the rest is the error `e = s_hat - s_t`, and
    `SI-SDR = 10 log10(||s_t||^2 / ||e||^2)` (Le Roux et al. 2019, Eqs. 4-5). Multichannel
    signals are scored jointly (all samples as one vector).

    Args:
        estimate: estimated source, any shape.
        reference: true source, the estimate's shape.
        silence_threshold: mean power below which a signal counts as silent.

    Returns:
        SI-SDR as a float: `nan` when the reference is silent (undefined: any estimate
        fits a silent source equally), `-inf` when only the estimate is silent.

    Raises:
        ValueError: the shapes differ.

    References:
        J. Le Roux, S. Wisdom, H. Erdogan, J. R. Hershey. SDR - half-baked or well done?
        ICASSP 2019.
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if estimate.shape != reference.shape:
        raise ValueError(
            f"estimate and reference must have the same shape, got {estimate.shape} "
            f"and {reference.shape}"
        )
    estimate = estimate.ravel()
    reference = reference.ravel()
    estimate = estimate - estimate.mean()
    reference = reference - reference.mean()
    reference_power = np.dot(reference, reference)
    if reference_power <= silence_threshold * reference.size:
        return float("nan")
    if np.dot(estimate, estimate) <= silence_threshold * estimate.size:
        return float("-inf")
    target = (np.dot(estimate, reference) / reference_power) * reference
    error = estimate - target
    error_power = np.dot(error, error)
    if error_power == 0:
        return float("inf")
    return float(10 * np.log10(np.dot(target, target) / error_power))


def separation_scores(estimates, references, stems=STEM_NAMES):
    """SI-SDR of each stem present in both dicts: `{stem: dB}`."""
    return {
        name: si_sdr(estimates[name], references[name])
        for name in stems
        if name in estimates and name in references
    }
