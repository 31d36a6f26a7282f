"""`kgenre predict` on one 30-s track vs the reference model's forward pass, on this CPU.

Issue 6's CPU target: predicting one 30-s track with the paper's 0.5-s hop (55 clips) in at
most half the time of the reference PyTorch model's forward pass over the same clips, and a
fast mode (larger hop) under 3 s. Both models have random weights (timing only).

    KERAS_BACKEND=jax python bench/bench_predict_cpu.py --out bench/results/predict_cpu_jax.json

Prints and writes JSON: seconds per track for kgenre (hop 0.5 and the fast hop, after one
warm-up track that pays compilation) and for the reference forward pass (torch, no_grad, eval).
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--fast-hop", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--implementation", default="auto", choices=["auto", "direct", "fft"])
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    import keras
    import soundfile as sf

    from kgenre.inference import InputSpec, ModelInfo, save_model
    from kgenre.inference.predict import load_predictor, predict_file
    from kgenre.models import MSSincResNet

    rng = np.random.default_rng(0)
    result = {
        "device": f"CPU ({os.cpu_count()} cores, {platform.processor() or platform.machine()})",
        "backend": keras.backend.backend(),
        "precision": "float32",
        "batch_size": args.batch_size,
        "track_seconds": args.seconds,
        "sinc_implementation": args.implementation,
    }
    with tempfile.TemporaryDirectory() as tmp:
        track = os.path.join(tmp, "track.wav")
        sf.write(
            track, (0.1 * rng.standard_normal(int(args.seconds * 22050))).astype("float32"), 22050
        )
        model = MSSincResNet(sinc_implementation=args.implementation)
        path = os.path.join(tmp, "model.keras")
        classes = [f"genre{i}" for i in range(10)]
        save_model(model, path, ModelInfo(classes, 16000, 3.0, 0.5, [InputSpec()]))
        # as `kgenre predict` loads it: --sinc auto, the faster implementation for inference
        model, info, _ = load_predictor(path, sinc=args.implementation)
        result["sinc_implementation_used"] = model.get_layer("ms_sincnet")._implementation
        for hop, key in ((0.5, "kgenre_hop_0.5"), (args.fast_hop, f"kgenre_hop_{args.fast_hop:g}")):
            start = time.perf_counter()
            # warm-up: tracing and compilation
            clips = predict_file(model, track, info, hop, args.batch_size).clip_starts
            cold = time.perf_counter() - start
            best, times = best_of(
                lambda hop=hop: predict_file(model, track, info, hop, args.batch_size),
                args.repeats,
            )
            result[key] = {
                "clips": len(clips),
                "seconds": round(best, 3),
                "first_call_seconds": round(cold, 3),
                "all": [round(t, 3) for t in times],
            }
            print(key, result[key], flush=True)

    if not args.skip_reference:
        import torch
        from reference_torch import ReferenceMSSincResNet

        torch.manual_seed(0)
        ref = ReferenceMSSincResNet().eval()
        clips = result["kgenre_hop_0.5"]["clips"]
        x = torch.from_numpy(rng.standard_normal((clips, 1, 48000)).astype("float32"))

        def forward():
            with torch.no_grad():
                for i in range(0, clips, args.batch_size):
                    ref(x[i : i + args.batch_size])

        forward()
        best, times = best_of(forward, args.repeats)
        result["reference_torch_forward_55_clips"] = {
            "seconds": round(best, 3),
            "all": [round(t, 3) for t in times],
            "torch_threads": torch.get_num_threads(),
        }
        result["speedup_vs_reference"] = round(best / result["kgenre_hop_0.5"]["seconds"], 2)
        print("reference", result["reference_torch_forward_55_clips"], flush=True)
    print(json.dumps(result, indent=2))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
