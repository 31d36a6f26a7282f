"""Arguments that several commands share, with their checks (standard library only)."""

from __future__ import annotations

import argparse

from kgenre.inference.model_file import SINC_CHOICES

MODEL_HELP = "a .keras file, a preset folder, or an hf:// / kaggle:// handle"


def add_clip_options(parser: argparse.ArgumentParser, batch_size: int) -> None:
    """`--hop`, `--batch-size` and `--sinc`: how a loaded model is run over clips."""
    parser.add_argument(
        "--hop", type=float, help="seconds between clips (default: the model's, e.g. 0.5)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=batch_size, help=f"clips per batch ({batch_size})"
    )
    parser.add_argument(
        "--sinc",
        choices=SINC_CHOICES,
        default="auto",
        help="sinc front end: auto (the faster for inference here, default), direct, fft, saved",
    )


def check_clip_options(args: argparse.Namespace) -> None:
    """Raises `ValueError` naming the flag for a bad `--hop` or `--batch-size`."""
    if args.hop is not None and not args.hop > 0:
        raise ValueError(f"--hop must be > 0 seconds, got {args.hop}")
    if args.batch_size < 1:
        raise ValueError(f"--batch-size must be >= 1, got {args.batch_size}")
