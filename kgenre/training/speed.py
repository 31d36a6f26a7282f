"""Training-speed options: mixed precision and XLA-compiled steps, for any kgenre model.

`speed_options(model, mixed_precision=..., jit_compile=...)` is the one switch the experiment
runner and the CLI use; it returns the keyword arguments to pass on to `model.compile`.
"""

import keras

from kgenre.training.choices import PRECISIONS


def _output_layers(model: keras.Model) -> list:
    """The top-level layers whose outputs are the model's outputs (functional models)."""
    outputs = getattr(model, "outputs", None) or []
    found = []
    for layer in model.layers:
        try:
            produced = keras.tree.flatten(layer.output)
        except (AttributeError, ValueError):  # never called, or called more than once
            continue
        if any(p is o for p in produced for o in outputs):
            found.append(layer)
    return found


def speed_options(
    model: keras.Model, mixed_precision: str = "float32", jit_compile: bool | str = "auto"
) -> dict:
    """Sets `model`'s precision in place and returns `model.compile` keyword arguments.

    Call it on a built model before `model.compile(..., **speed_options(model, ...))` and
    before its first call.

    - `mixed_precision`: `"float32"` (the default), `"mixed_bfloat16"` or `"mixed_float16"`
      (Keras dtype policies: float32 weights, computations in 16 bits). Every layer takes the
      policy except those producing the model's outputs, which stay float32 so the softmax
      and the loss keep full precision (Keras' mixed-precision guide). Batch normalisation
      statistics are float32 either way (Keras computes them in float32), and the sinc front
      end's FFTs always run in float32. Under `"mixed_float16"` `compile` wraps the optimizer
      in a `LossScaleOptimizer` by itself. On CPUs with AVX-512 BF16 or AMX, bfloat16
      convolutions run on oneDNN (TensorFlow and PyTorch) up to about 1.5-2x faster than
      float32 (BENCHMARKS.md); float16 suits GPUs.
    - `jit_compile`: `"auto"` (Keras' choice: XLA on JAX always, on TensorFlow only on
      accelerators, never on PyTorch), `True` (the whole train step with XLA on TensorFlow and
      JAX, `torch.compile` on PyTorch) or `False`.

    The policy is not part of a kgenre model's config: a saved model reloads in the global
    policy (float32 by default) with the same float32 weights.

    Returns:
        `{"jit_compile": jit_compile}`.
    """
    if mixed_precision not in PRECISIONS:
        raise ValueError(f"mixed_precision must be one of {PRECISIONS}, got {mixed_precision!r}")
    if jit_compile not in ("auto", True, False):
        raise ValueError(f'jit_compile must be "auto", True or False, got {jit_compile!r}')
    keep = {id(sub) for layer in _output_layers(model) for sub in layer._flatten_layers()}
    for layer in model._flatten_layers():
        layer.dtype_policy = "float32" if id(layer) in keep else mixed_precision
    return {"jit_compile": jit_compile}
