"""Tracks per second of `write_records` against `write_records_beam` on the DirectRunner.

The corpus is kgenre's synthetic GTZAN-like corpus: 10 genres x 20 tracks of 30 s at
22,050 Hz (200 tracks, rendered once into the user cache), written as TFRecords at 16 kHz
(MS-SincResNet's rate: every track is decoded and resampled) in shards of 16 tracks. Each
engine writes into a fresh folder, so nothing is resumed:

- `write_records`: this process, `--threads` decoding threads (default 2);
- `beam multi_processing`: the DirectRunner with `--direct_num_workers=2
  --direct_running_mode=multi_processing` (two worker processes: no shared GIL, each imports
  TensorFlow; their start-up is included);
- `beam multi_threading`: the DirectRunner with two worker threads in this process (it loses
  elements now and then, see `bench/beam_thread_loss.py`; such a run stops with an error
  and is counted as failed).

An untimed warm-up write of two tracks first loads TensorFlow, the decoder and the resampler
in this process. The engines run interleaved (the order rotates every repeat) so that a change in the machine's
load hits all of them alike; the 1-minute load average (`os.getloadavg`, what `uptime`
prints) is recorded before every run, and every finished run's shard SHA-256s are compared.
Prints one JSON object (and writes it with `--output`).

    python bench/bench_beam.py --repeats 3 --output bench/results/beam_direct_runner.json
"""

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import write_json  # noqa: E402

ENGINES = ("write_records", "beam multi_processing", "beam multi_threading")


def run_engine(engine, tracks, folder, settings, threads):
    from kgenre.data import write_records, write_records_beam

    if engine == "write_records":
        return write_records(tracks, folder, workers=threads, **settings)
    mode = engine.split()[1]
    flags = f"--direct_num_workers=2 --direct_running_mode={mode}"
    return write_records_beam(tracks, folder, beam_options=flags, **settings)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks-per-genre", type=int, default=20, help="20 (200 tracks)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="write_records threads (2)")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--workdir", default=None, help="records go here (default: temp)")
    parser.add_argument("--output", default=None, help="also write the JSON here")
    args = parser.parse_args(argv)

    import logging

    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Beam's DirectRunner loses elements")
    from kgenre.datasets.synthetic import synthetic

    tracks = synthetic(
        family="gtzan", tracks_per_genre=args.tracks_per_genre, seconds=args.seconds, progress=False
    )
    settings = dict(sample_rate=16000, tracks_per_shard=16, progress=False)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or tmp
        # Untimed warm-up: TensorFlow, the decoder and the resampler load once in this process.
        run_engine("write_records", tracks[:2], os.path.join(work, "warm-up"), settings, 1)
        for repeat in range(args.repeats):
            shift = repeat % len(args.engines)
            order = args.engines[shift:] + args.engines[:shift]
            for engine in order:
                folder = os.path.join(work, engine.replace(" ", "_"))
                shutil.rmtree(folder, ignore_errors=True)
                load = os.getloadavg()[0]
                start = time.perf_counter()
                run = {"engine": engine, "repeat": repeat, "load_1min_before": load}
                try:
                    manifest = run_engine(engine, tracks, folder, settings, args.threads)
                except RuntimeError as error:  # the DirectRunner's multi_threading losses
                    run["failed"] = str(error).strip().splitlines()[-1][:300]
                    manifest = None
                seconds = time.perf_counter() - start
                run["seconds"] = seconds
                if manifest is not None:
                    run["tracks_per_second"] = len(tracks) / seconds
                    run["tracks_written"] = manifest["num_tracks"]
                    run["shards_sha256"] = [shard["sha256"] for shard in manifest["shards"]]
                runs.append(run)
                print(
                    f"{engine:22s} repeat {repeat}: "
                    + (
                        f"{len(tracks) / seconds:6.2f} tracks/s"
                        if manifest
                        else f"FAILED ({run['failed'][:80]})"
                    )
                    + f" ({seconds:.1f} s, load {load:.2f})",
                    file=sys.stderr,
                )
    summary = {}
    for engine in args.engines:
        mine = [r for r in runs if r["engine"] == engine]
        rates = [r["tracks_per_second"] for r in mine if "tracks_per_second" in r]
        summary[engine] = {
            "median_tracks_per_second": statistics.median(rates) if rates else None,
            "min": min(rates, default=None),
            "max": max(rates, default=None),
            "failed_runs": len(mine) - len(rates),
        }
    written = [r["shards_sha256"] for r in runs if "shards_sha256" in r]
    result = {
        "identical_shards_in_every_run": all(w == written[0] for w in written),
        "tracks": len(tracks),
        "seconds_per_track": args.seconds,
        "source_rate": 22050,
        "stored_rate": 16000,
        "tracks_per_shard": 16,
        "write_records_threads": args.threads,
        "beam_workers": 2,
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "summary": summary,
        "runs": runs,
    }
    write_json(result, args.output)


if __name__ == "__main__":
    main()
