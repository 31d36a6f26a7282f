"""Reproduces an element loss of Apache Beam's DirectRunner in `multi_threading` mode.

A pipeline shaped like `write_records_beam` (13 keys, 16 values each, ~1 MB values,
Reshuffle, Map, GroupByKey) and nothing of kgenre; the last step checks that every key got
all its values. With `--direct_num_workers=2 --direct_running_mode=multi_threading` some runs
lose a value (Beam 2.77, 2 shared cores: 2 of 15 runs, and 3 of 15 in an earlier series);
`multi_processing` lost none in 20. Prints one line per run.

    python bench/beam_thread_loss.py --mode multi_threading --runs 15
"""

import argparse
import logging
import os
import time

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

KEYS, VALUES, SIZE = 13, 16, 1_000_000


def values_of(key):
    return [(key, position) for position in range(VALUES)]


def payload(item):
    key, position = item
    time.sleep(0.002)
    return key, (position, os.urandom(SIZE))


def check(group):
    key, values = group
    positions = sorted(p for p, _ in values)
    if positions != list(range(VALUES)):
        raise RuntimeError(f"key {key} got positions {positions}")
    return key


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", default="multi_threading")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    flags = ["--direct_num_workers=2", f"--direct_running_mode={args.mode}"]
    lost = 0
    for run in range(args.runs):
        try:
            with beam.Pipeline(options=PipelineOptions(flags)) as pipeline:
                (
                    pipeline
                    | beam.Create(range(KEYS))
                    | "spread keys" >> beam.Reshuffle()
                    | beam.FlatMap(values_of)
                    | "spread values" >> beam.Reshuffle()
                    | beam.Map(payload)
                    | beam.GroupByKey()
                    | beam.Map(check)
                )
            print(f"run {run}: complete")
        except Exception as error:  # the check's RuntimeError, wrapped by the runner
            lost += 1
            print(f"run {run}: LOST ELEMENTS ({str(error).strip().splitlines()[-1][:120]})")
    print(f"{args.mode}: {lost} of {args.runs} runs lost elements")


if __name__ == "__main__":
    main()
