"""speed_options: mixed precision and XLA-compiled steps train on every backend; bf16 holds."""

import keras
import numpy as np
import pytest
from keras import ops

from kgenre.models import CRNN, MSSincResNet
from kgenre.testing import random_inputs, to_numpy, value_and_gradients
from kgenre.training import PRECISIONS, speed_options

# tiny variants: compiling and stepping must stay cheap on 2 cores
TINY_SINC = {"input_length": 1000, "kernel_sizes": (11, 21, 41), "backbone_width": 4}
MODELS = {
    "ms_sincresnet": lambda: MSSincResNet.from_preset(
        "small", sinc_implementation="fft", **TINY_SINC
    ),
    "crnn": lambda: CRNN.from_preset("small"),
}
# every option on every backend at least once, without the full cross product
# torch.compile of the sinc model took 15 min under load on 2 cores (the CRNN case, ~1.5 min,
# checks torch.compile in the default run)
TORCH_COMPILE_SLOW = pytest.mark.slow if keras.backend.backend() == "torch" else ()
CASES = [
    pytest.param("ms_sincresnet", "mixed_bfloat16", True, marks=TORCH_COMPILE_SLOW),
    ("ms_sincresnet", "mixed_float16", False),
    ("crnn", "mixed_bfloat16", False),
    ("crnn", "float32", True),
]


def _compiled(model, precision, jit_compile, learning_rate=0.01):
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        **speed_options(model, mixed_precision=precision, jit_compile=jit_compile),
    )
    return model


def test_cases_cover_every_option():
    cases = [getattr(case, "values", case) for case in CASES]
    assert {case[1] for case in cases} == set(PRECISIONS)
    assert {case[2] for case in cases} == {False, True}


@pytest.mark.parametrize("name, precision, jit_compile", CASES)
def test_training_steps_run_under_each_option(name, precision, jit_compile):
    model = _compiled(MODELS[name](), precision, jit_compile)
    x = random_inputs(model, batch=4)
    y = np.arange(4) % model.output.shape[-1]
    before = [to_numpy(w).copy() for w in model.trainable_weights]
    # float16's dynamic loss scaling skips the first steps while it halves a too-large scale
    for step in range(8 if precision == "mixed_float16" else 2):
        loss = float(to_numpy(model.train_on_batch(x, y)))
        assert np.isfinite(loss), (step, loss)
        after = [to_numpy(w) for w in model.trainable_weights]
        changed = sum(not np.array_equal(b, a) for b, a in zip(before, after))
        if changed > len(before) // 2:
            break
    assert changed > len(before) // 2, f"{changed} of {len(before)} weights changed"
    assert all(w.dtype == "float32" for w in model.trainable_weights)  # float32 master weights
    assert model.jit_compile == jit_compile
    compute = {"float32": "float32", "mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}
    convs = [layer for layer in model._flatten_layers() if isinstance(layer, keras.layers.Conv2D)]
    assert convs and all(layer.compute_dtype == compute[precision] for layer in convs)
    # the classifier stays float32, so probabilities and the loss keep full precision
    probabilities = model.predict_on_batch(x)
    assert str(probabilities.dtype).endswith("float32")
    if precision == "mixed_float16":
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_bfloat16_follows_float32_and_learns():
    """MS-SincResNet under mixed_bfloat16: same weights, close outputs and gradients; learns."""
    reference, mixed = MODELS["ms_sincresnet"](), MODELS["ms_sincresnet"]()
    mixed.set_weights(reference.get_weights())
    speed_options(mixed, mixed_precision="mixed_bfloat16")
    x = ops.convert_to_tensor(random_inputs(reference, batch=4))
    y = ops.convert_to_tensor(np.arange(4) % 4)
    loss = keras.losses.SparseCategoricalCrossentropy()
    results = {}
    for key, model in (("float32", reference), ("bfloat16", mixed)):
        probabilities = to_numpy(model(x, training=False))
        # inference-mode batch norm: in this 4-wide net, batch statistics over 4 clips would
        # amplify any rounding difference, bf16 or not
        _, grads = value_and_gradients(
            lambda model=model: loss(y, model(x, training=False)), model.trainable_weights
        )
        results[key] = probabilities, np.concatenate([np.ravel(g) for g in grads])
    (p32, g32), (p16, g16) = results["float32"], results["bfloat16"]
    np.testing.assert_allclose(p16, p32, atol=0.02)
    cosine = g16 @ g32 / (np.linalg.norm(g16) * np.linalg.norm(g32))
    # measured 0.98-0.99 across backends; a broken bf16 path falls far below
    assert cosine > 0.95, cosine
    # and bf16 training still learns: a few steps on one batch bring the loss well down
    model = _compiled(mixed, "mixed_bfloat16", "auto")
    x, y = to_numpy(x), to_numpy(y)
    losses = [float(to_numpy(model.train_on_batch(x, y))) for _ in range(12)]
    assert losses[-1] < 0.5 * losses[0], losses


def test_bad_options_are_named():
    model = CRNN.from_preset("small")
    with pytest.raises(ValueError, match="mixed_precision"):
        speed_options(model, mixed_precision="bfloat16")
    with pytest.raises(ValueError, match="jit_compile"):
        speed_options(model, jit_compile="yes")
