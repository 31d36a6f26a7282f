"""Benchmark of the TFRecord writer and the tf.data reader (issue 3).

Writes a corpus of `--tracks` 30-s tracks (22,050 Hz mono noise-plus-tone wav files generated
here, GTZAN's format) into TFRecords at 16 kHz, then measures how many 3-s clips per second
the reader delivers: training mode (4 random clips per track, gain and noise augmentation,
batches of 32) and evaluation mode (every clip at a 0.5-s hop, MS-SincResNet's setting), and
optionally training mode with log-mel computed in the pipeline. Prints one JSON object.

    python bench/bench_reader.py --output bench_reader.json
"""

import argparse
import json
import os
import platform
import tempfile
import time

import numpy as np
import soundfile


def make_corpus(folder, tracks, seconds, sample_rate=22050, seed=0):
    from kgenre.datasets import Track

    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    out = []
    for i in range(tracks):
        f0 = rng.uniform(80, 1000)
        y = 0.3 * np.sin(2 * np.pi * f0 * t) + 0.1 * rng.standard_normal(len(t))
        path = os.path.join(folder, f"track{i:03d}.wav")
        soundfile.write(path, y.astype(np.float32), sample_rate, subtype="PCM_16")
        out.append(Track(path, f"genre{i % 10}", f"track{i:03d}"))
    return out


def clips_per_second(dataset, batches, warmup):
    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    clips = 0
    start = time.perf_counter()
    for _ in range(batches):
        x = next(iterator)[0]
        clips += int(x.shape[0])
    elapsed = time.perf_counter() - start
    return clips / elapsed, clips, elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--log-mel", action="store_true", help="also time feature='log_mel'")
    parser.add_argument("--workdir", default=None, help="keep the corpus here (default: temp)")
    parser.add_argument("--output", default=None, help="also write the JSON here")
    args = parser.parse_args(argv)

    from kgenre.data import make_dataset, write_records

    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or tmp
        os.makedirs(work, exist_ok=True)
        tracks = make_corpus(work, args.tracks, args.seconds)
        records = os.path.join(work, "records")
        start = time.perf_counter()
        write_records(tracks, records, sample_rate=16000, tracks_per_shard=16, progress=False)
        write_seconds = time.perf_counter() - start
        start = time.perf_counter()
        write_records(tracks, records, sample_rate=16000, tracks_per_shard=16, progress=False)
        resume_seconds = time.perf_counter() - start

        common = {"clip_seconds": 3.0, "batch_size": args.batch_size, "repeat": True}
        results = {}
        train = make_dataset(records, "train", clips_per_track=4, **common)
        results["train_waveform"] = clips_per_second(train, args.batches, 20)
        evaluation = make_dataset(records, "eval", hop_seconds=0.5, **common)
        results["eval_waveform_hop_0.5s"] = clips_per_second(evaluation, args.batches, 20)
        if args.log_mel:
            mel = make_dataset(records, "train", clips_per_track=4, feature="log_mel", **common)
            results["train_log_mel_128"] = clips_per_second(mel, args.batches // 3, 10)

    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "corpus": {
            "tracks": args.tracks,
            "seconds_per_track": args.seconds,
            "source_rate": 22050,
            "record_rate": 16000,
        },
        "write_seconds": round(write_seconds, 2),
        "write_tracks_per_second": round(args.tracks / write_seconds, 1),
        "rerun_skip_seconds": round(resume_seconds, 2),
        "reader": {
            name: {"clips_per_second": round(rate, 1), "clips": clips, "seconds": round(sec, 2)}
            for name, (rate, clips, sec) in results.items()
        },
        "clip": {"seconds": 3.0, "sample_rate": 16000, "batch_size": args.batch_size},
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        with open(args.output, "w") as handle:
            handle.write(text + "\n")
    return report


if __name__ == "__main__":
    main()
