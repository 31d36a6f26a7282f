"""MS-SincResNet's multi-scale sinc front end, inference: milliseconds per 3-s clip.

The paper's front end (layer norm, three banks of 160 sinc filters of 251 / 501 / 1,001 taps,
batch norm, ReLU, adaptive average pooling to 1,024 frames) on random 48,000-sample clips, per
implementation, on the active Keras backend. Also reports the largest difference between the
implementations' maps, which share their weights.

    KERAS_BACKEND=tensorflow python bench/bench_front_end.py --out bench/results/front_end_tf.json
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--implementations", nargs="+", default=["direct", "fft"])
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    import keras
    from _common import device_description, write_json

    from kgenre.models import MSSincResNet

    x = np.random.default_rng(0).standard_normal((args.batch_size, 48000)).astype("float32")
    result = {
        "device": device_description(),
        "backend": keras.backend.backend(),
        "precision": "float32",
        "batch_size": args.batch_size,
    }
    weights = None
    maps = {}
    for implementation in args.implementations:
        model = MSSincResNet(sinc_implementation=implementation)
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        front = keras.Model(model.input, model.get_layer("ms_sincnet").output)
        maps[implementation] = np.asarray(front.predict_on_batch(x))  # compilation
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            np.asarray(front.predict_on_batch(x))
            times.append(time.perf_counter() - start)
        result[implementation] = {
            "ms_per_clip": round(1000 * min(times) / args.batch_size, 1),
            "all_seconds": [round(t, 3) for t in times],
        }
        print(implementation, result[implementation], flush=True)
    if len(maps) > 1:
        first, *others = maps.values()
        result["max_abs_difference"] = float(max(np.abs(first - m).max() for m in others))
        result["max_abs_value"] = float(np.abs(first).max())
    write_json(result, args.out)


if __name__ == "__main__":
    main()
