"""SincConv1D forward + backward throughput (clips/s) per kernel length and implementation.

160 filters on 3-s clips at 16 kHz (48,000 samples), MS-SincResNet's three kernel lengths.
The reference SincConv (PyTorch, on one H100) runs 3,316 / 1,948 / 1,122 clips/s for kernels
251 / 501 / 1,001 (issue 6).

    KERAS_BACKEND=jax python bench/bench_sinc.py --batch-size 24 --out bench/results/sinc_jax.json
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def seconds_per_step(layer, x, steps):
    """Mean seconds of one forward + backward pass (gradients w.r.t. the cutoffs)."""
    import keras

    variables = [layer.low_hz, layer.band_hz]

    def loss():
        return keras.ops.mean(keras.ops.cast(layer(x), "float32"))

    if keras.backend.backend() == "jax":
        import jax

        def pure(values):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return loss()

        grad = jax.jit(jax.value_and_grad(pure))
        values = [v.value for v in variables]

        def step():
            jax.block_until_ready(grad(values))
    else:
        from kgenre.testing import value_and_gradients

        def step():
            value_and_gradients(loss, variables)

    step()  # compilation / warm-up
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=24)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--kernels", default="251,501,1001")
    parser.add_argument("--implementations", default="direct,fft")
    parser.add_argument("--precision", default="float32", choices=["float32", "mixed_bfloat16"])
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    import keras
    from _common import device_description, write_json

    from kgenre.layers import SincConv1D

    keras.config.set_dtype_policy(args.precision)
    x = np.random.default_rng(0).standard_normal((args.batch_size, 48000)).astype("float32")
    result = {
        "device": device_description(),
        "backend": keras.backend.backend(),
        "precision": args.precision,
        "batch_size": args.batch_size,
        "clips_per_s": {},
    }
    for implementation in args.implementations.split(","):
        for k in (int(v) for v in args.kernels.split(",")):
            layer = SincConv1D(160, k, implementation=implementation)
            layer.build(x.shape)
            seconds = seconds_per_step(layer, x, args.steps)
            rate = args.batch_size / seconds
            result["clips_per_s"][f"{implementation}_{k}"] = round(rate, 1)
            print(implementation, k, f"{rate:.1f} clips/s", flush=True)
    write_json(result, args.out)


if __name__ == "__main__":
    main()
