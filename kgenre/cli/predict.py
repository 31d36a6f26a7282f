"""`kgenre predict`: the genre of audio files from a saved model or preset.

The work is `kgenre.inference.predict_file`; this module parses flags and prints.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time

from kgenre.cli._options import MODEL_HELP, add_clip_options, check_clip_options
from kgenre.cli._runtime import import_backend

SEPARATOR_CHOICES = ("as-trained", "auto", "hpss", "spleeter")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `predict` command."""
    parser = subparsers.add_parser(
        "predict",
        help="genre of audio files from a saved model (.keras or preset)",
        description=(
            "Classifies each audio file (folders are searched recursively) with a model saved "
            "by kgenre: waveform, spectrogram and stem models alike, fed as at training time. "
            "Clips are cut at the hop, classified in batches and aggregated per track; the "
            "scores are mean clip probabilities, or vote shares with --aggregate vote."
        ),
    )
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("audio", nargs="+", help="audio files or folders")
    parser.add_argument(
        "--aggregate",
        choices=("mean", "vote"),
        default="mean",
        help="track score: mean clip probability (default) or vote shares",
    )
    parser.add_argument("--top-k", type=int, default=3, help="classes shown per file (3)")
    parser.add_argument("--timeline", action="store_true", help="also show each clip's genre")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object per file")
    output.add_argument(
        "--csv", action="store_true", help="CSV: one row per file (per clip with --timeline)"
    )
    add_clip_options(parser, batch_size=16)
    parser.add_argument(
        "--separator",
        choices=SEPARATOR_CHOICES,
        default="as-trained",
        help="stem models: the separator (default: the one the model was trained with)",
    )
    parser.add_argument(
        "--classes",
        help="comma-separated class names for a plain Keras file (default: MODEL.classes.json)",
    )
    parser.add_argument("--sample-rate", type=int, help="sample rate of a plain Keras file")
    parser.set_defaults(func=_run)


def _check_args(args: argparse.Namespace) -> None:
    check_clip_options(args)
    if args.top_k < 1:
        raise ValueError(f"--top-k must be >= 1, got {args.top_k}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _text(result, args, seconds: float) -> str:
    kind = "vote shares" if result.method == "vote" else "mean probability"
    ranked = ", ".join(f"{name} {score:.2f}" for name, score in result.top(args.top_k))
    clips = _plural(len(result.clip_starts), "clip")
    lines = [f"{result.path}: {result.label}  ({ranked}; {kind} of {clips}, {seconds:.2f} s)"]
    if args.timeline:
        lines += [
            f"  {c['start']:8.2f}-{c['end']:.2f} s  {c['genre']} {c['probability']:.2f}"
            for c in result.timeline()
        ]
    return "\n".join(lines)


class _CsvOut:
    """Writes CSV rows to stdout through `write`, with the header before the first row."""

    def __init__(self, write, timeline: bool, class_names: list):
        self.write, self.timeline, self.header_done = write, timeline, False
        if timeline:
            self.header = ["file", "start", "end", "genre", "probability"]
        else:
            self.header = ["file", "genre", "score_kind", *class_names, "clips", "warnings"]

    def rows(self, result) -> None:
        if self.timeline:
            rows = [
                [result.path, c["start"], c["end"], c["genre"], c["probability"]]
                for c in result.timeline()
            ]
        else:
            d = result.to_dict()
            rows = [
                [
                    d["file"],
                    d["genre"],
                    d["score_kind"],
                    *d["scores"].values(),
                    d["clips"],
                    "; ".join(d["warnings"]),
                ]
            ]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if not self.header_done:
            writer.writerow(self.header)
            self.header_done = True
        writer.writerows(rows)
        self.write(buffer.getvalue().rstrip("\n"))


def _run(args: argparse.Namespace) -> int:
    _check_args(args)
    import_backend()
    from tqdm.auto import tqdm

    from kgenre.inference.predict import (
        find_audio_files,
        load_predictor,
        predict_file,
        separator_for,
    )

    files = find_audio_files(args.audio)
    model, info, notes = load_predictor(args.model, args.classes, args.sample_rate, args.sinc)
    requested = None if args.separator == "as-trained" else args.separator
    separator, separator_notes = separator_for(info, requested)
    for note in notes + separator_notes:
        print(f"kgenre predict: warning: {note}", file=sys.stderr)

    def out(line: str) -> None:
        tqdm.write(line, file=sys.stdout)

    table = _CsvOut(out, args.timeline, info.class_names) if args.csv else None
    failed = []
    bar = tqdm(files, desc="predicting", unit="file", disable=True if len(files) < 2 else None)
    try:
        for path in bar:
            start = time.perf_counter()
            try:
                result = predict_file(
                    model, path, info, args.hop, args.batch_size, args.aggregate, separator
                )
            except Exception as error:  # one bad file never stops the batch
                failed.append(path)
                tqdm.write(
                    f"kgenre predict: FAILED {path}: {type(error).__name__}: {error}",
                    file=sys.stderr,
                )
                continue
            seconds = time.perf_counter() - start
            for warning in result.warnings:
                tqdm.write(f"kgenre predict: warning: {path}: {warning}", file=sys.stderr)
            if args.json:
                out(
                    json.dumps(
                        {**result.to_dict(args.top_k, args.timeline), "seconds": round(seconds, 3)}
                    )
                )
            elif table is not None:
                table.rows(result)
            else:
                out(_text(result, args, seconds))
    finally:
        bar.close()
        if separator is not None:
            separator.close()
    if failed:
        print(
            f"kgenre predict: {len(failed)} of {_plural(len(files), 'file')} failed: "
            + ", ".join(failed),
            file=sys.stderr,
        )
        return 1
    return 0
