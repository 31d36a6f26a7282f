import numpy as np
import pytest
from keras import ops

from kgenre.layers import SpatialPyramidPooling
from kgenre.testing import run_layer_test


def reference_spp(x, levels, reduce):
    """Numpy SPP with PyTorch adaptive-pooling bins: floor(i*H/l) to ceil((i+1)*H/l)."""
    out = []
    _, h, w, _ = x.shape
    for level in levels:
        for i in range(level):
            for j in range(level):
                r0, r1 = (i * h) // level, -(-((i + 1) * h) // level)
                c0, c1 = (j * w) // level, -(-((j + 1) * w) // level)
                out.append(reduce(x[:, r0:r1, c0:c1, :], axis=(1, 2)))
    return np.concatenate(out, axis=-1)


def test_paper_case_gives_2560_features():
    x = np.random.default_rng(0).standard_normal((2, 5, 32, 512)).astype("float32")
    y = SpatialPyramidPooling(levels=(1, 2))(x)
    assert tuple(y.shape) == (2, 2560)


@pytest.mark.parametrize("pooling,reduce", [("avg", np.mean), ("max", np.max)])
@pytest.mark.parametrize("levels", [(1, 2), (1, 2, 4), (3,)])
def test_matches_numpy(pooling, reduce, levels):
    x = np.random.default_rng(1).standard_normal((2, 5, 7, 3)).astype("float32")
    y = ops.convert_to_numpy(SpatialPyramidPooling(levels, pooling)(x))
    np.testing.assert_allclose(y, reference_spp(x, levels, reduce), atol=1e-5)


def test_layer_contract():
    run_layer_test(
        SpatialPyramidPooling,
        {"levels": (1, 2), "pooling": "avg"},
        input_shape=(2, 5, 8, 4),
        expected_output_shape=(2, 20),
        expect_trainable_weights=False,
    )


def test_bad_levels():
    with pytest.raises(ValueError, match="every pyramid level must be >= 1, got 0"):
        SpatialPyramidPooling(levels=(1, 0))
    with pytest.raises(ValueError, match="got -2"):
        SpatialPyramidPooling(levels=(-2,))
    with pytest.raises(ValueError, match="pooling"):
        SpatialPyramidPooling(pooling="sum")


def test_map_smaller_than_largest_level():
    with pytest.raises(ValueError, match="needs height >= 4"):
        SpatialPyramidPooling(levels=(1, 4))(np.zeros((1, 3, 8, 2), "float32"))
