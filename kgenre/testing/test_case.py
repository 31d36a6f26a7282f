"""Checks every kgenre layer and model must pass, on whichever backend `KERAS_BACKEND` selects.

Modelled on keras-hub's `TestCase.run_layer_test` / `run_model_saving_test`: a layer is
round-tripped through its config, called symbolically and eagerly, its `compute_output_shape`
is checked with `None` dimensions, it runs under the `mixed_bfloat16` policy, it survives a
`.keras` save/load with identical outputs, and one `fit` step changes its weights.
"""

import os
import tempfile

import keras
import numpy as np
from keras import ops


def _random_input(shape, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(dtype)


def _assert_shape(actual, expected, what):
    actual = tuple(actual)
    expected = tuple(expected)
    if len(actual) != len(expected) or any(
        e is not None and a != e for a, e in zip(actual, expected)
    ):
        raise AssertionError(f"{what}: expected shape {expected}, got {actual}")


def run_model_saving_test(model, inputs, atol=1e-6, rtol=1e-6):
    """Saves `model` to a `.keras` file, loads it back and checks the outputs match."""
    expected = model(inputs, training=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        model.save(path)
        restored = keras.saving.load_model(path)
    actual = restored(inputs, training=False)
    expected_list = keras.tree.flatten(expected)
    actual_list = keras.tree.flatten(actual)
    assert len(expected_list) == len(actual_list)
    for e, a in zip(expected_list, actual_list):
        np.testing.assert_allclose(
            ops.convert_to_numpy(a), ops.convert_to_numpy(e), atol=atol, rtol=rtol
        )
    return restored


def run_layer_test(
    layer_cls,
    init_kwargs,
    input_shape,
    expected_output_shape,
    symbolic_input_shape=None,
    expected_symbolic_shape=None,
    expect_trainable_weights=True,
    run_training=True,
    run_mixed_precision=True,
    run_saving=True,
    saving_atol=1e-6,
):
    """Runs the standard layer checks.

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor arguments.
        input_shape: a concrete input shape, batch included, for eager calls.
        expected_output_shape: the output shape for `input_shape`.
        symbolic_input_shape: shape (without batch) for the symbolic call; `None`
            entries are allowed. Defaults to `input_shape[1:]`.
        expected_symbolic_shape: expected symbolic output shape (batch included, `None`
            allowed). Defaults to `(None,) + expected_output_shape[1:]`.
        expect_trainable_weights: whether the layer has trainable weights that a `fit`
            step must change.
        run_training: run one `fit` step.
        run_mixed_precision: call the layer under the `mixed_bfloat16` policy.
        run_saving: save and reload a model holding the layer.
        saving_atol: tolerance of the save/load comparison.
    """
    x = _random_input(input_shape)

    # config round trip
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    for key in init_kwargs:
        assert key in config, f"get_config() lacks constructor argument {key!r}"
    revived = layer_cls.from_config(config)
    assert revived.get_config() == config, "from_config(get_config()) changed the config"

    # eager call
    y = layer(x)
    _assert_shape(ops.shape(y), expected_output_shape, "eager output")

    # symbolic call and compute_output_shape with None dimensions
    sym_shape = symbolic_input_shape if symbolic_input_shape is not None else input_shape[1:]
    expected_sym = (
        expected_symbolic_shape
        if expected_symbolic_shape is not None
        else (None,) + tuple(expected_output_shape[1:])
    )
    sym_layer = layer_cls(**init_kwargs)
    inputs = keras.Input(shape=sym_shape)
    outputs = sym_layer(inputs)
    _assert_shape(outputs.shape, expected_sym, "symbolic output")
    _assert_shape(
        sym_layer.compute_output_shape((None,) + tuple(sym_shape)),
        expected_sym,
        "compute_output_shape",
    )

    # mixed precision
    if run_mixed_precision:
        mp_layer = layer_cls(**init_kwargs, dtype="mixed_bfloat16")
        y_mp = mp_layer(x)
        assert keras.backend.standardize_dtype(y_mp.dtype) == "bfloat16", (
            f"under mixed_bfloat16 the output should be bfloat16, got {y_mp.dtype}"
        )
        for w in mp_layer.weights:
            assert w.dtype == "float32", f"weight {w.path} should stay float32, got {w.dtype}"
        assert np.all(np.isfinite(ops.convert_to_numpy(ops.cast(y_mp, "float32"))))

    # fit step
    if run_training:
        fit_layer = layer_cls(**init_kwargs)
        inp = keras.Input(shape=input_shape[1:])
        model = keras.Model(inp, fit_layer(inp))
        before = [ops.convert_to_numpy(w).copy() for w in fit_layer.trainable_weights]
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        target = _random_input(tuple(expected_output_shape), seed=1)
        model.fit(x, target, batch_size=input_shape[0], epochs=1, verbose=0)
        if expect_trainable_weights:
            assert fit_layer.trainable_weights, "layer has no trainable weights"
            after = [ops.convert_to_numpy(w) for w in fit_layer.trainable_weights]
            changed = [not np.array_equal(b, a) for b, a in zip(before, after)]
            assert any(changed), "one fit step changed none of the layer's weights"

    # saving
    if run_saving:
        save_layer = layer_cls(**init_kwargs)
        inp = keras.Input(shape=input_shape[1:])
        model = keras.Model(inp, save_layer(inp))
        run_model_saving_test(model, x, atol=saving_atol, rtol=saving_atol)
    return layer
