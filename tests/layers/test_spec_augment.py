import numpy as np
import pytest
from keras import ops

from kgenre.layers import SpecAugment
from kgenre.testing import run_layer_test


def _runs(flags):
    """Lengths of the runs of True in a 1-D boolean array."""
    padded = np.concatenate([[False], flags, [False]]).astype(int)
    edges = np.flatnonzero(np.diff(padded))
    return edges[1::2] - edges[::2]


def test_masks_are_bands_and_frame_ranges_filled_with_the_mean():
    x = np.random.default_rng(0).standard_normal((16, 40, 60, 1)).astype("float32") + 3
    layer = SpecAugment(freq_width=7, time_width=25, max_time_fraction=0.2, seed=1)
    y = ops.convert_to_numpy(layer(x, training=True))
    changed = y != x
    assert changed.any()
    for example, (xi, yi, ci) in enumerate(zip(x, y, changed)):
        rows, cols = ci[..., 0].all(axis=1), ci[..., 0].all(axis=0)
        # every changed cell lies in a fully masked band or a fully masked frame
        assert not (ci[..., 0] & ~rows[:, None] & ~cols[None, :]).any(), example
        assert len(_runs(rows)) <= 2 and _runs(rows).max(initial=0) <= 2 * 7
        assert len(_runs(cols)) <= 2 and _runs(cols).max(initial=0) <= 2 * 12  # 0.2 * 60
        np.testing.assert_allclose(yi[ci], xi.mean(), rtol=1e-5)
    # another call draws other masks; inference passes the input through
    assert not np.array_equal(ops.convert_to_numpy(layer(x, training=True)), y)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), x)


def test_layer_contract():
    run_layer_test(
        SpecAugment,
        {"freq_width": 4, "time_width": 5, "max_time_fraction": 0.3, "seed": 2},
        input_shape=(2, 16, 20, 1),
        expected_output_shape=(2, 16, 20, 1),
        expect_trainable_weights=False,
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="freq_masks must be an integer >= 0, got -1"):
        SpecAugment(freq_masks=-1)
    with pytest.raises(ValueError, match="max_time_fraction"):
        SpecAugment(max_time_fraction=1.5)
