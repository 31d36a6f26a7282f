"""`kgenre`: the command-line entry point (console script `kgenre = kgenre.cli.main:main`).

Each command group lives in its own module with a `register(subparsers)` function that adds
its parser and sets `func` (called with the parsed arguments, returns an exit status); list
the module in `COMMAND_GROUPS` to add it.
"""

import argparse
import importlib
import sys

import kgenre

COMMAND_GROUPS = ("kgenre.cli.predict", "kgenre.cli.stems")


class CommandError(Exception):
    """A command failed in a way the user can fix; printed without a traceback."""


def build_parser():
    """The `kgenre` argument parser with every command group registered."""
    parser = argparse.ArgumentParser(
        prog="kgenre",
        description="Music genre classification in Keras 3 (TensorFlow, JAX, PyTorch).",
    )
    parser.add_argument("--version", action="version", version=f"kgenre {kgenre.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_GROUPS:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv=None):
    """Runs `kgenre` with `argv` (default `sys.argv[1:]`); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except (CommandError, OSError, ValueError, RuntimeError) as error:
        print(f"kgenre: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kgenre: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
