"""MSSincResNet on PyTorch: kgenre's channels-last layers against Keras' own torch code.

`kgenre.layers.Conv2D`, `MaxPooling2D` and `BatchNormalization` reach PyTorch's channels-last
kernels through `kgenre.backend_ops` (`conv_channels_last`, `max_pool_channels_last`,
`batch_norm_channels_last`); with those functions returning `None` the layers run Keras' own
code. Both ways alternate on one model and batch, in one process: clips/s for training
(`train_on_batch`) and inference (`predict_on_batch`), and the largest difference of the
predictions.

    KERAS_BACKEND=torch python bench/bench_torch_layers.py --out bench/results/torch_layers.json
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PATHS = ("conv_channels_last", "max_pool_channels_last", "batch_norm_channels_last")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    import keras
    from _common import device_description, write_json

    from kgenre import backend_ops
    from kgenre.models import MSSincResNet

    if keras.backend.backend() != "torch":
        raise SystemExit("run with KERAS_BACKEND=torch: the layers differ only on PyTorch")
    keras.utils.set_random_seed(0)
    model = MSSincResNet(num_classes=10)
    model.compile(
        optimizer=keras.optimizers.SGD(5e-3, momentum=0.9, nesterov=True, weight_decay=1e-4),
        loss="sparse_categorical_crossentropy",
    )
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch_size, 48000)).astype("float32")
    y = rng.integers(0, 10, args.batch_size)
    kgenre_paths = {name: getattr(backend_ops, name) for name in PATHS}

    def use(way):
        for name in PATHS:
            setattr(backend_ops, name, kgenre_paths[name] if way == "kgenre" else _keras_path)

    def clips_per_s(step, repeats):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        return round(args.batch_size / float(np.median(times)), 2)

    predictions = {}
    for way in ("keras", "kgenre"):
        use(way)
        predictions[way] = np.asarray(model.predict_on_batch(x))
    model.train_on_batch(x, y)  # builds the optimizer
    rounds = []
    for index in range(args.rounds):
        for way in ("keras", "kgenre"):
            use(way)
            row = {
                "round": index,
                "layers": way,
                "inference_clips_per_s": clips_per_s(lambda: model.predict_on_batch(x), 3),
                "training_clips_per_s": clips_per_s(lambda: model.train_on_batch(x, y), 2),
            }
            print(row, flush=True)
            rounds.append(row)
    use("kgenre")
    result = {
        "device": device_description(),
        "backend": "torch",
        "precision": "float32",
        "batch_size": args.batch_size,
        "max_abs_prediction_difference": float(
            np.max(np.abs(predictions["kgenre"] - predictions["keras"]))
        ),
        "rounds": rounds,
    }
    for way in ("keras", "kgenre"):
        for phase in ("inference", "training"):
            values = [r[f"{phase}_clips_per_s"] for r in rounds if r["layers"] == way]
            result[f"{way}_{phase}_clips_per_s_median"] = float(np.median(values))
    write_json(result, args.out)


def _keras_path(*args, **kwargs):
    return None  # the layers then run Keras' own code


if __name__ == "__main__":
    main()
