"""`kgenre info MODEL`: what a saved model is, read without loading it."""

from __future__ import annotations

import argparse
import json

from kgenre.cli._options import MODEL_HELP


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `info` command."""
    parser = subparsers.add_parser(
        "info",
        help="classes, sample rate, clips, inputs and size of a saved model",
        description=(
            "Shows what a .keras file or preset says about its model: classes, sample rate, "
            "clip and hop, input kind and feature settings, separator, recipe, metrics, "
            "parameter count and the kgenre version that saved it. Reads the metadata and "
            "the weights file only: Keras is not loaded."
        ),
    )
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_run)


def _describe_input(spec) -> str:
    sources = "+".join(spec.sources)
    if spec.feature == "waveform":
        text = f"waveform of {sources}"
    else:
        options = ", ".join(f"{k}={v}" for k, v in spec.options.items())
        text = f"{spec.feature} ({options or 'defaults'}, {spec.layout}) of {sources}"
    return f"{spec.name}: {text}" if spec.name else text


def _run(args: argparse.Namespace) -> int:
    from kgenre.inference.model_file import count_parameters, read_info
    from kgenre.inference.presets import is_preset_reference, read_preset_info, resolve_preset

    path = args.model
    if is_preset_reference(path):
        path = resolve_preset(path)
        info = read_preset_info(path)
    else:
        info = read_info(path)
    parameters = count_parameters(path)
    if args.json:
        print(
            json.dumps(
                {"model": args.model, "parameters": parameters, "info": info and info.to_dict()}
            )
        )
        return 0
    print(f"model:        {args.model}")
    print(f"parameters:   {parameters:,}")
    if info is None:
        print("metadata:     none (a plain Keras file: kgenre predict needs --classes and a")
        print("              waveform input; save models with kgenre.inference.save_model)")
        return 0
    print(f"classes:      {len(info.class_names)}: {', '.join(info.class_names)}")
    print(f"sample rate:  {info.sample_rate} Hz")
    print(
        f"clips:        {info.clip_seconds:g} s, hop {info.hop_seconds:g} s ({info.aggregation} per track)"
    )
    print(f"input kind:   {info.input_kind}")
    for spec in info.inputs:
        print(f"  input       {_describe_input(spec)}")
    if info.separator:
        print(f"separator:    {info.separator}")
    if info.recipe:
        print(f"recipe:       {info.recipe}")
    if info.training:
        print(f"training:     {json.dumps(info.training, default=str)}")
    if info.metrics:
        print(f"metrics:      {json.dumps(info.metrics, default=str)}")
    print(
        f"saved by:     kgenre {info.kgenre_version or 'unknown'} ({info.created or 'date unknown'})"
    )
    return 0
