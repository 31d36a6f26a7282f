"""Seconds per trial of the main job (`recipes/edm_stems.py`): Mersy's four models fitted on
one 80/20 split of 66 excerpts, exactly as the recipe fits them (`make_candidates`: the same
models, compile, class weights, 6 epochs, batch 8, epoch selection on the test part).

Inputs are random log-mel-shaped arrays of the recipe's sizes (128 bands x 458 frames; 1
channel for the mix models, 3 for the stem models), so the figure is the training cost alone:
corpus, stems and features are made once per run and cached.

    python bench/bench_edm_trial.py --trials 3
    python bench/bench_edm_trial.py --trials 3 --processes 2   # as `--workers 2` fits
    python bench/bench_edm_trial.py --trials 3 --mixed-precision mixed_bfloat16

`--processes N` runs N copies side by side, each with its share of the CPU threads
(`kgenre.experiments.workers.thread_environment`), and reports the trials per second of all
of them together, as the recipe's worker processes fit pairs side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))


def side_by_side(args):
    """Runs `args.processes` single copies at once; prints their combined throughput."""
    import subprocess

    from kgenre.experiments.workers import thread_environment, threads_per_worker

    threads = threads_per_worker(args.processes)
    command = [sys.executable, __file__, "--trials", str(args.trials), "--tracks", str(args.tracks)]
    command += ["--mixed-precision", args.mixed_precision, "--jit-compile", args.jit_compile]
    env = {**os.environ, **thread_environment(threads)}
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(args.processes)
    ]
    results = [json.loads(child.communicate()[0]) for child in children]
    per_process = [r["trial_s_median"] for r in results]
    result = {
        **{k: results[0][k] for k in ("bench", "backend", "device", "mixed_precision", "tracks")},
        "processes": args.processes,
        "threads_per_process": threads,
        "trial_s_per_process": per_process,
        "effective_trial_s": round(float(np.median(per_process)) / args.processes, 2),
    }
    print(json.dumps(result, indent=1))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(result) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3, help="timed trials after a warm-up one")
    parser.add_argument("--tracks", type=int, default=66, help="excerpts (the paper's 66)")
    parser.add_argument(
        "--mixed-precision", default="float32", help="float32, mixed_bfloat16, mixed_float16"
    )
    parser.add_argument("--jit-compile", default="auto", help="auto, true, false")
    parser.add_argument("--processes", type=int, default=1, help="copies run side by side")
    parser.add_argument("--out", default=None, help="append the result as a JSON line")
    args = parser.parse_args()
    if args.processes > 1:
        return side_by_side(args)

    import keras
    from _common import device_description

    from kgenre.datasets.splits import Split
    from kgenre.experiments import edm_stems

    config = edm_stems.Config(
        mixed_precision=args.mixed_precision, jit_compile=args.jit_compile, progress=False
    )
    rng = np.random.default_rng(0)
    frames = 458
    features = {
        "full": rng.normal(size=(args.tracks, 128, frames, 1)).astype("float32"),
        "no_vocals": rng.normal(size=(args.tracks, 128, frames, 1)).astype("float32"),
        "stems": rng.normal(size=(args.tracks, 128, frames, 3)).astype("float32"),
    }
    labels = np.arange(args.tracks) % 6
    class_names = [f"genre{i}" for i in range(6)]
    candidates = edm_stems.make_candidates(
        config, features, labels, class_names, "oracle", vocals_silent=False
    )
    test_size = int(round(args.tracks * config.test_fraction))

    def split(index):
        order = np.random.default_rng(index).permutation(args.tracks)
        return Split(f"trial {index}", index, order[test_size:], order[:test_size], seed=index)

    per_model = {c.name: [] for c in candidates}
    totals = []
    for index in range(args.trials + 1):  # trial 0 builds and traces: reported apart
        start = time.perf_counter()
        for candidate in candidates:
            t = time.perf_counter()
            candidate.fit(split(index))
            per_model[candidate.name].append(time.perf_counter() - t)
        totals.append(time.perf_counter() - start)
        print(f"trial {index}: {totals[-1]:.1f} s", file=sys.stderr)

    result = {
        "bench": "edm_trial",
        "backend": keras.backend.backend(),
        "device": device_description(),
        "mixed_precision": args.mixed_precision,
        "jit_compile": args.jit_compile,
        "tracks": args.tracks,
        "first_trial_s": round(totals[0], 2),
        "trial_s_median": round(float(np.median(totals[1:])), 2),
        "trial_s_all": [round(t, 2) for t in totals[1:]],
        "model_s_median": {k: round(float(np.median(v[1:])), 2) for k, v in per_model.items()},
        "threads": os.environ.get("TF_NUM_INTRAOP_THREADS", "default"),
        "effective_trial_s": round(float(np.median(totals[1:])), 2),
    }
    print(json.dumps(result, indent=1))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
