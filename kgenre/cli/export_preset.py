"""`kgenre export-preset RUN_OR_MODEL DIR`: a trained model as a preset folder."""

from __future__ import annotations

import argparse

from kgenre.cli._runtime import import_backend


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `export-preset` command."""
    parser = subparsers.add_parser(
        "export-preset",
        help="save a run's model.keras (or a .keras file) as a preset folder",
        description=(
            "Writes DIR with config.json, model.weights.h5 and metadata.json (classes, "
            "sample rate, clips, inputs, training and metrics): the folder that "
            "Model.from_preset(DIR) and kgenre predict DIR load, and that can be uploaded to "
            "Hugging Face or Kaggle Models as it is."
        ),
    )
    parser.add_argument("source", help="a run folder (with model.keras) or a .keras file")
    parser.add_argument("dir", help="the preset folder to write")
    parser.add_argument("--overwrite", action="store_true", help="replace DIR")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import_backend()
    from kgenre.inference.presets import export_preset

    directory = export_preset(args.source, args.dir, overwrite=args.overwrite)
    print(f"preset written: {directory}")
    return 0
