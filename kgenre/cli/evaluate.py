"""`kgenre evaluate MODEL RECORDS`: clip and track accuracy, macro F1, confusion matrix."""

from __future__ import annotations

import argparse
import json
import os
import sys

from kgenre.cli._options import MODEL_HELP, add_clip_options, check_clip_options
from kgenre.cli._runtime import import_backend


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `evaluate` command."""
    parser = subparsers.add_parser(
        "evaluate",
        help="score a saved model on TFRecords (accuracy, macro F1, confusion matrix)",
        description=(
            "Reads every clip of RECORDS (a folder written by `kgenre prepare`) at the hop, "
            "feeds the model as at training time and reports clip accuracy and, per track "
            "(mean probability and vote), accuracy and macro F1. Writes evaluation.json and "
            "confusion_matrix.png (tracks, mean probability) into --out."
        ),
    )
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("records", help="records folder (with manifest.json)")
    add_clip_options(parser, batch_size=32)
    parser.add_argument("--out", default="evaluation", help="output folder (evaluation)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    check_clip_options(args)
    import_backend(tensorflow=True)
    from kgenre.inference.evaluate import evaluate_records
    from kgenre.inference.predict import load_predictor

    model, info, notes = load_predictor(args.model, sinc=args.sinc)
    for note in notes:
        print(f"kgenre evaluate: warning: {note}", file=sys.stderr)
    result = evaluate_records(model, info, args.records, args.hop, args.batch_size)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "evaluation.json"), "w", encoding="utf-8") as stream:
        json.dump(
            {"model": args.model, "records": args.records, **result.to_dict()}, stream, indent=2
        )
    from kgenre.evaluation.plots import plot_confusion_matrix

    png = os.path.join(args.out, "confusion_matrix.png")
    plot_confusion_matrix(
        result.confusion["mean"], result.class_names, png, title="Tracks (mean probability)"
    )
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    print(f"{result.tracks} tracks, {result.clips} clips")
    print(f"clip accuracy   {result.clip_accuracy:.4f}")
    for rule in ("mean", "vote"):
        print(
            f"track ({rule:4s})    accuracy {result.track_accuracy[rule]:.4f}  "
            f"macro F1 {result.macro_f1[rule]:.4f}"
        )
    print(f"written: {os.path.join(args.out, 'evaluation.json')}, {png}")
    return 0
