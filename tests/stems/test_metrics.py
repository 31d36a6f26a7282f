import numpy as np
import pytest

from kgenre.stems import separation_scores, si_sdr


def test_hand_computed_case():
    # Both zero-mean; the error e is orthogonal to s, so the target is exactly 2s:
    # ||2s||^2 = 16, ||e||^2 = 4, SI-SDR = 10 log10(4) = 6.0206 dB.
    s = np.array([1.0, -1.0, 1.0, -1.0])
    e = np.array([1.0, 1.0, -1.0, -1.0])
    assert si_sdr(2 * s + e, s) == pytest.approx(10 * np.log10(4.0), abs=1e-9)


def test_scale_and_offset_invariance():
    rng = np.random.default_rng(0)
    reference = rng.standard_normal(1000)
    estimate = reference + 0.3 * rng.standard_normal(1000)
    value = si_sdr(estimate, reference)
    assert si_sdr(5 * estimate + 2, reference) == pytest.approx(value)
    assert si_sdr(estimate, reference) > si_sdr(reference + rng.standard_normal(1000), reference)


def test_matches_the_definition_on_random_signals():
    rng = np.random.default_rng(1)
    reference = rng.standard_normal((2, 500))
    estimate = 0.5 * reference + 0.2 * rng.standard_normal((2, 500))
    s = reference.ravel() - reference.mean()
    x = estimate.ravel() - estimate.mean()
    target = (x @ s) / (s @ s) * s
    expected = 10 * np.log10((target @ target) / ((x - target) @ (x - target)))
    assert si_sdr(estimate, reference) == pytest.approx(expected)


def test_silence():
    reference = np.sin(np.arange(100))
    assert np.isnan(si_sdr(reference, np.zeros(100)))
    assert si_sdr(np.zeros(100), reference) == -np.inf


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="same shape"):
        si_sdr(np.zeros(10), np.zeros((1, 10)))


def test_separation_scores_per_stem():
    rng = np.random.default_rng(2)
    truth = {name: rng.standard_normal(200) for name in ("bass", "drums")}
    scores = separation_scores({"bass": truth["bass"], "drums": -truth["drums"]}, truth)
    assert set(scores) == {"bass", "drums"}
    assert scores["bass"] > 100
    # A sign flip is a scale of -1: SI-SDR ignores it.
    assert scores["drums"] > 100
