"""`kgenre`: the command-line entry point (console script `kgenre = kgenre.cli.main:main`).

Each command lives in its own module with a `register(subparsers)` function that adds its
parser and sets `func` (called with the parsed arguments, returns an exit status); list the
module in `COMMANDS` to add it. The modules import only the standard library at import time:
`kgenre --help`, `kgenre COMMAND --help`, `--version` and usage errors never load Keras, a
backend or the audio stack, and the work itself lives in the library (`kgenre.inference`,
`kgenre.data`, `kgenre.stems`, `kgenre.experiments`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import kgenre
from kgenre.cli._runtime import setup_logging

COMMANDS = (
    "kgenre.cli.prepare",
    "kgenre.cli.train",
    "kgenre.cli.evaluate",
    "kgenre.cli.predict",
    "kgenre.cli.info",
    "kgenre.cli.export_preset",
    "kgenre.cli.stems",
)


class CommandError(Exception):
    """A command failed in a way the user can fix; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    """The `kgenre` argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="kgenre",
        description="Music genre classification in Keras 3 (TensorFlow, JAX, PyTorch).",
        epilog="Run `kgenre COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"kgenre {kgenre.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `kgenre` with `argv` (default `sys.argv[1:]`); returns the exit status."""
    setup_logging()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CommandError, OSError, ValueError, RuntimeError) as error:
        print(f"kgenre: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kgenre: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
