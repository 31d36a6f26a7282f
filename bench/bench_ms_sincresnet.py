"""MSSincResNet training-step and inference throughput (clips/s) and peak memory.

Paper-size model (3-s clips at 16 kHz, 160 sinc filters x 3 scales, ResNet-18, SPP) with
random data, the paper's SGD (momentum 0.9, Nesterov, weight decay 1e-4). The reference
PyTorch code on one H100 trains at 188 clips/s fp32 (130 with bf16 autocast) at batch 24 and
64, infers ~1,000 clips/s, peaks at 15 GiB at batch 24 (issue 6).

    KERAS_BACKEND=jax python bench/bench_ms_sincresnet.py --batch-size 24 --precision float32 \
        --out bench/results/ms_sincresnet_jax_fp32_b24.json
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=24)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--precision", default="float32", choices=["float32", "mixed_bfloat16"])
    parser.add_argument("--implementation", default="auto", choices=["auto", "direct", "fft"])
    parser.add_argument("--preset", default="paper")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    import keras
    from _common import device_description, peak_memory_gib, reset_peak_memory, write_json

    from kgenre.models import MSSincResNet

    keras.config.set_dtype_policy(args.precision)
    model = MSSincResNet.from_preset(args.preset, sinc_implementation=args.implementation)
    length = model.inputs[0].shape[1]
    classes = model.outputs[0].shape[-1]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch_size, length)).astype("float32")
    y = rng.integers(0, classes, args.batch_size)
    result = {
        "device": device_description(),
        "backend": keras.backend.backend(),
        "precision": args.precision,
        "batch_size": args.batch_size,
        "preset": args.preset,
        "sinc_implementation": args.implementation,
        "parameters": model.count_params(),
    }
    reset_peak_memory()
    if not args.skip_training:
        model.compile(
            optimizer=keras.optimizers.SGD(5e-3, momentum=0.9, nesterov=True, weight_decay=1e-4),
            loss="sparse_categorical_crossentropy",
        )
        model.train_on_batch(x, y)  # compilation
        start = time.perf_counter()
        for _ in range(args.steps):
            loss = model.train_on_batch(x, y)
        float(np.asarray(loss))
        seconds = (time.perf_counter() - start) / args.steps
        result["train_clips_per_s"] = round(args.batch_size / seconds, 1)
        result["train_peak_memory_gib"] = round(peak_memory_gib(), 2)
        print("train", result["train_clips_per_s"], "clips/s", flush=True)
    model.predict_on_batch(x)
    start = time.perf_counter()
    for _ in range(args.steps):
        out = model.predict_on_batch(x)
    np.asarray(out)
    seconds = (time.perf_counter() - start) / args.steps
    result["inference_clips_per_s"] = round(args.batch_size / seconds, 1)
    result["peak_memory_gib"] = round(peak_memory_gib(), 2)
    print("inference", result["inference_clips_per_s"], "clips/s", flush=True)
    write_json(result, args.out)


if __name__ == "__main__":
    main()
