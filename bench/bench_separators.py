"""Separation quality (SI-SDR per stem) and speed of kgenre's separators on true stems.

Renders (or reuses) the synthetic EDM corpus, whose tracks come with their true bass, drums,
other and vocals, separates every mix with each separator and scores each stem with SI-SDR
(`kgenre.stems.si_sdr`). A reference row, "mix (no separation)", uses the unseparated mix as
every stem's estimate: a separator must beat it to be separating anything.

Spleeter runs on whatever checkpoint `--model-path` (default `$MODEL_PATH`) holds; with
`--spleeter-untrained` it uses the untrained checkpoint in the user cache (written if
missing), which exercises the code path but separates nothing: its figures equal the "mix"
row's up to resampling. Real figures need the released 4stems weights there.

    python bench/bench_separators.py --tracks-per-genre 3 --seconds 10 --spleeter-untrained
    MODEL_PATH=/path/to/pretrained_models python bench/bench_separators.py

Writes `<out>/separators.json` and `<out>/separators.md`.
"""

import argparse
import json
import math
import os
import time

import numpy as np
from tqdm import tqdm

from kgenre.audio import load
from kgenre.datasets.synthetic import synthetic
from kgenre.stems import (
    STEM_NAMES,
    HPSSSeparator,
    SpleeterSeparator,
    separation_scores,
    spleeter_env,
)


class _MixAsEstimate:
    name = "mix"

    def separate(self, audio, sample_rate):
        return {name: audio for name in STEM_NAMES}


def _summary(values):
    """Median and mean over tracks where SI-SDR is defined; silent estimates count apart."""
    finite = [v for v in values if math.isfinite(v)]
    return {
        "median": float(np.median(finite)) if finite else None,
        "mean": float(np.mean(finite)) if finite else None,
        "tracks": len(finite),
        "silent_estimate": sum(1 for v in values if v == -math.inf),
        "silent_reference": sum(1 for v in values if math.isnan(v)),
    }


def evaluate(separator, tracks, sample_rate):
    """SI-SDR per stem over `tracks` and the median separation time per 10 s of audio
    (after one warm-up call: Spleeter's worker start, librosa's JIT compilation)."""
    separator.separate(np.zeros(sample_rate, np.float32), sample_rate)
    scores = {name: [] for name in STEM_NAMES}
    seconds_per_10s = []
    for track in tqdm(tracks, desc=f"separating ({separator.name})", unit="track"):
        mix, _ = load(track.path, sample_rate)
        truth = {name: load(track.stems[name], sample_rate)[0] for name in STEM_NAMES}
        start = time.perf_counter()
        estimates = separator.separate(mix, sample_rate)
        seconds_per_10s.append(10 * (time.perf_counter() - start) / (mix.shape[-1] / sample_rate))
        for name, value in separation_scores(estimates, truth).items():
            scores[name].append(value)
    return {
        "si_sdr": {name: _summary(values) for name, values in scores.items()},
        "seconds_per_10s_audio": float(np.median(seconds_per_10s)),
    }


def _untrained_model_path():
    model_path = os.path.join(spleeter_env.user_cache_dir(), "spleeter-untrained")
    if not spleeter_env.has_checkpoint(os.path.join(model_path, "4stems")):
        spleeter_env.make_untrained_model(model_path, force=True)
    return model_path


def _markdown(results, settings):
    header = "| separator | " + " | ".join(STEM_NAMES) + " | s / 10 s |"
    lines = [
        f"SI-SDR in dB, median over tracks (mean in parentheses) on the synthetic EDM corpus "
        f"({settings['tracks']} tracks of {settings['seconds']:g} s at "
        f"{settings['sample_rate']} Hz, seed {settings['seed']}); '-' where the estimate is "
        "silent (HPSS has no vocals). Time: median seconds per 10 s of audio.",
        "",
        header,
        "|" + "---|" * (len(STEM_NAMES) + 2),
    ]
    for label, result in results.items():
        cells = []
        for name in STEM_NAMES:
            summary = result["si_sdr"][name]
            if summary["median"] is None:
                cells.append("-")
            else:
                cells.append(f"{summary['median']:.1f} ({summary['mean']:.1f})")
        timing = result["seconds_per_10s_audio"]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {timing:.2f} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks-per-genre", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sample-rate", type=int, default=22050)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus-dir", help="synthetic corpus folder (default: user cache)")
    parser.add_argument("--separators", nargs="+", default=["hpss", "spleeter"])
    parser.add_argument("--model-path", help="Spleeter models folder (default $MODEL_PATH)")
    parser.add_argument(
        "--spleeter-untrained",
        action="store_true",
        help="use the untrained checkpoint in the user cache (code path only)",
    )
    parser.add_argument("--out", default=os.path.join("bench", "results"))
    args = parser.parse_args()

    tracks = synthetic(
        args.corpus_dir,
        family="edm",
        tracks_per_genre=args.tracks_per_genre,
        seconds=args.seconds,
        sample_rate=args.sample_rate,
        seed=args.seed,
    )
    results = {"mix (no separation)": evaluate(_MixAsEstimate(), tracks, args.sample_rate)}
    for name in args.separators:
        if name == "hpss":
            separator, label = HPSSSeparator(), "hpss (bass < 200 Hz)"
        elif name == "spleeter":
            model_path = _untrained_model_path() if args.spleeter_untrained else args.model_path
            separator = SpleeterSeparator(model_path=model_path, allow_download=False)
            untrained = spleeter_env.is_untrained(separator.model_dir)
            label = "spleeter 4stems" + (" (UNTRAINED checkpoint)" if untrained else "")
        else:
            parser.error(f"unknown separator {name!r}")
        with separator:
            results[label] = evaluate(separator, tracks, args.sample_rate)

    settings = {
        "tracks": len(tracks),
        "seconds": args.seconds,
        "sample_rate": args.sample_rate,
        "seed": args.seed,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "separators.json"), "w") as stream:
        json.dump({"settings": settings, "results": results}, stream, indent=2)
    table = _markdown(results, settings)
    with open(os.path.join(args.out, "separators.md"), "w") as stream:
        stream.write(table)
    print(table)


if __name__ == "__main__":
    main()
