import numpy as np
import pytest

from kgenre.training import BlendingWeightEstimator


def _reference(train, val, window, eps):
    """Straight transcription of the formula for one branch over a loss sequence."""
    out = []
    best = None
    for t in range(len(train)):
        st = np.mean(train[max(0, t - window + 1) : t + 1])
        sv = np.mean(val[max(0, t - window + 1) : t + 1])
        rt, rv = best if best is not None else (st, sv)
        g = rv - sv
        o = (sv - st) - (rv - rt)
        out.append((g, o, max(g, 0.0) / (o * o + eps)))
        if best is None or sv < best[1]:
            best = (st, sv)
    return out


def test_weights_follow_generalisation_over_overfitting_squared():
    rng = np.random.default_rng(0)
    steps = 12
    train = {"mel": np.linspace(2, 0.5, steps), "raw": np.linspace(2, 0.1, steps)}
    # mel keeps generalising; raw's validation loss turns up after a few updates.
    val = {
        "mel": np.linspace(2.1, 0.9, steps) + 0.01 * rng.normal(size=steps),
        "raw": np.concatenate([np.linspace(2.1, 1.6, 4), np.linspace(1.7, 2.5, steps - 4)]),
    }
    est = BlendingWeightEstimator(["mel", "raw"], window=3, epsilon=1e-6)
    ref = {b: _reference(train[b], val[b], 3, 1e-6) for b in ("mel", "raw")}
    for t in range(steps):
        r = est.update({b: train[b][t] for b in train}, {b: val[b][t] for b in val})
        scores = {b: ref[b][t][2] for b in ref}
        total = sum(scores.values())
        for b in ("mel", "raw"):
            assert r["G"][b] == pytest.approx(ref[b][t][0])
            assert r["O"][b] == pytest.approx(ref[b][t][1])
            expected = scores[b] / total if total > 0 else 0.5
            assert r["weights"][b] == pytest.approx(expected)
        assert sum(r["weights"].values()) == pytest.approx(1.0)
    assert r["weights"]["raw"] == 0.0 and r["weights"]["mel"] == 1.0


def test_docstring_example():
    est = BlendingWeightEstimator(["mel", "raw"], window=2)
    first = est.update({"mel": 1.0, "raw": 1.0}, {"mel": 1.0, "raw": 1.0})
    # The first update is its own reference: G = O = 0 for all, so equal weights.
    assert first["weights"] == {"mel": 0.5, "raw": 0.5}
    w = est.update({"mel": 0.8, "raw": 0.5}, {"mel": 0.9, "raw": 1.2})["weights"]
    assert w == {"mel": 1.0, "raw": 0.0}


def test_warmup_gives_equal_weights_but_keeps_history():
    est = BlendingWeightEstimator(["a", "b", "c"], window=1)
    est.update({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1})
    r = est.update({"a": 0.5, "b": 1, "c": 1}, {"a": 0.8, "b": 1.1, "c": 1.0}, warmup=True)
    assert r["weights"] == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert r["G"]["a"] == pytest.approx(0.2)
    assert len(est.val_losses["a"]) == 2
    # After warm-up the reference is the best smoothed loss so far (0.8 for a).
    r = est.update({"a": 0.4, "b": 1, "c": 1}, {"a": 0.7, "b": 1.2, "c": 1.0})
    assert r["G"]["a"] == pytest.approx(0.1)
    assert r["weights"]["a"] == pytest.approx(1.0)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="window"):
        BlendingWeightEstimator(["a"], window=0)
    with pytest.raises(ValueError, match="epsilon"):
        BlendingWeightEstimator(["a"], epsilon=0)
    est = BlendingWeightEstimator(["a", "b"])
    with pytest.raises(ValueError, match="miss branches"):
        est.update({"a": 1.0}, {"a": 1.0, "b": 1.0})
    with pytest.raises(ValueError, match="finite"):
        est.update({"a": 1.0, "b": float("nan")}, {"a": 1.0, "b": 1.0})


def _slope_reference(train, val, window, history, eps):
    """XSleepNet's GradientPolicy2, transcribed for one branch: (G, O, score) per update."""
    smooth_t = [np.mean(train[max(0, t - window + 1) : t + 1]) for t in range(len(train))]
    smooth_v = [np.mean(val[max(0, t - window + 1) : t + 1]) for t in range(len(val))]
    out, ref = [], None
    for n in range(1, len(train) + 1):
        if n < 3:
            out.append((0.0, 0.0, 0.0))
            continue
        if ref is None:
            lo = max(0, n - history - 1)
            ref = [
                np.polyfit(np.arange(n - 1 - lo), s[lo : n - 1], 1)[0] for s in (smooth_t, smooth_v)
            ]
        lo = max(0, n - history)
        cur = [np.polyfit(np.arange(n - lo), s[lo:n], 1)[0] for s in (smooth_t, smooth_v)]
        g = cur[1] - ref[1]
        o = (cur[1] - cur[0]) - (ref[1] - ref[0])
        out.append((g, o, max(g, 0.0) / (o * o + eps)))
        if cur[1] < ref[1]:
            ref = cur
    return out


def test_slope_estimator_follows_xsleepnet():
    rng = np.random.default_rng(1)
    steps = 30
    train = {b: np.linspace(2, 0.3, steps) + 0.05 * rng.normal(size=steps) for b in "abc"}
    val = {
        "a": np.linspace(2.1, 1.0, steps) + 0.05 * rng.normal(size=steps),
        "b": np.concatenate([np.linspace(2.1, 1.5, 10), np.linspace(1.5, 2.4, steps - 10)]),
        "c": 2.0 + 0.05 * rng.normal(size=steps),
    }
    est = BlendingWeightEstimator(["a", "b", "c"], window=4, history=6, estimator="slope")
    ref = {b: _slope_reference(train[b], val[b], 4, 6, 1e-6) for b in "abc"}
    for t in range(steps):
        r = est.update({b: train[b][t] for b in "abc"}, {b: val[b][t] for b in "abc"})
        total = sum(ref[b][t][2] for b in "abc")
        for b in "abc":
            assert r["G"][b] == pytest.approx(ref[b][t][0], abs=1e-9)
            assert r["O"][b] == pytest.approx(ref[b][t][1], abs=1e-9)
            expected = ref[b][t][2] / total if total > 0 else 1 / 3
            assert r["weights"][b] == pytest.approx(expected)


def test_slope_estimator_on_straight_lines():
    # validation loss falling at -0.1 per update, then levelling off: its slope rises
    # above the steepest one (the reference), so G > 0 and the branch gets the weight
    est = BlendingWeightEstimator(["a", "b"], window=1, history=3, estimator="slope")
    val = {"a": [1.0, 0.9, 0.8, 0.8, 0.8], "b": [1.0, 0.9, 0.8, 0.7, 0.6]}
    for t in range(5):
        r = est.update({"a": 1.0 - 0.1 * t, "b": 1.0 - 0.1 * t}, {b: val[b][t] for b in val})
    assert r["G"]["b"] == pytest.approx(0.0, abs=1e-12)
    assert r["G"]["a"] == pytest.approx(0.1)  # slope 0 against the reference -0.1
    assert r["O"]["a"] == pytest.approx(0.1)  # (0 - (-0.1)) - (-0.1 - (-0.1))
    assert r["weights"] == pytest.approx({"a": 1.0, "b": 0.0}, abs=1e-9)


def test_slope_estimator_waits_for_history_and_warmup():
    est = BlendingWeightEstimator(["a", "b"], estimator="slope")
    for t in range(4):
        r = est.update({"a": 1.0 - 0.1 * t, "b": 1.0}, {"a": 1.0, "b": 1.0 + t}, warmup=True)
        assert r["weights"] == {"a": 0.5, "b": 0.5} and r["G"] == {"a": 0.0, "b": 0.0}
    assert est.reference == {"a": None, "b": None}
    with pytest.raises(ValueError, match="estimator"):
        BlendingWeightEstimator(["a"], estimator="slopes")
    with pytest.raises(ValueError, match="history"):
        BlendingWeightEstimator(["a"], estimator="slope", history=1)
