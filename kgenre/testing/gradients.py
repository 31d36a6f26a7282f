"""Gradients of a loss with respect to Keras variables, on whichever backend is active.

Tests need raw gradients (not optimizer steps, which float32 rounding can hide) and each
backend computes them its own way; this is the one place that knows the three ways.
"""

import keras
from keras import ops


def value_and_gradients(loss_fn, variables):
    """Evaluates `loss_fn()` and its gradients with respect to `variables`.

    Args:
        loss_fn: a callable with no arguments returning a scalar tensor; it must read the
            variables (directly or through layers) rather than captured copies of them.
        variables: a list of `keras.Variable`.

    Returns:
        `(loss, gradients)` as numpy values, gradients in the order of `variables`.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, [v.value for v in variables])
    elif backend == "jax":
        import jax

        def stateless_loss(values):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return loss_fn()

        loss, grads = jax.value_and_grad(stateless_loss)([v.value for v in variables])
    elif backend == "torch":
        import torch

        loss = loss_fn()
        grads = torch.autograd.grad(loss, [v.value for v in variables])
    else:
        raise ValueError(f"no gradient helper for backend {backend!r}")
    return ops.convert_to_numpy(loss), [ops.convert_to_numpy(g) for g in grads]


def outputs_and_gradients(layer, x, target):
    """A layer's outputs on `x`, and the loss `sum((layer(x) - target)^2)` with its gradients
    with respect to `x` and the layer's trainable weights, as numpy values.

    For comparing a layer with a twin that should compute the same (same weights).

    Returns:
        `(outputs, loss, gradients)`, the gradient with respect to `x` first.
    """
    inputs = keras.Variable(x)
    target = ops.convert_to_tensor(target)
    loss, gradients = value_and_gradients(
        lambda: ops.sum((layer(inputs.value) - target) ** 2),
        [inputs, *layer.trainable_variables],
    )
    return ops.convert_to_numpy(layer(x)), loss, gradients
