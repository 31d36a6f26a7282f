"""`kgenre stems ...`: set up Spleeter, fetch its model, write an untrained checkpoint,
separate files."""

from __future__ import annotations

import argparse
import os
import sys
import time


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `stems` command group."""
    parser = subparsers.add_parser(
        "stems",
        help="source separation: Spleeter environment, models, separating files",
        description="Source separation into bass, drums, other and vocals.",
    )
    commands = parser.add_subparsers(dest="stems_command", metavar="COMMAND", required=True)

    setup = commands.add_parser(
        "setup",
        help="build Spleeter's own virtual environment (Python 3.8-3.11, ~2 minutes)",
        description=(
            "Creates a virtual environment with a Python 3.8-3.11 interpreter and installs "
            "spleeter==2.4.2 (TensorFlow 2.12, numpy<2) in it. Where no such Python is "
            "installed (Colab, recent systems), uv finds or fetches one (`pip install uv`). "
            "A complete environment is reused unless --force."
        ),
    )
    setup.add_argument("--python", help="interpreter to build it with (default: found)")
    setup.add_argument(
        "--env",
        help="environment folder (default: $KGENRE_SPLEETER_ENV or ~/.cache/kgenre/spleeter-env)",
    )
    setup.add_argument("--force", action="store_true", help="rebuild a complete environment")
    setup.add_argument(
        "--download-model",
        action="store_true",
        help="also download Spleeter's released 4stems model (see download-model)",
    )
    setup.add_argument("--model-path", help="models folder (default: $MODEL_PATH)")
    setup.add_argument(
        "--untrained-model",
        metavar="DIR",
        help="also write an untrained 4stems checkpoint to DIR/4stems (offline tests)",
    )
    setup.set_defaults(func=_setup)

    download = commands.add_parser(
        "download-model",
        help="download Spleeter's released 4stems model and check its SHA-256",
        description=(
            "Downloads Spleeter's released model archive (GitHub release v1.4.0, about "
            "150 MB for 4stems), checks its SHA-256 and unpacks it into MODEL_PATH/4stems. "
            "A trained model already there is kept unless --force."
        ),
    )
    download.add_argument("--model-path", help="models folder (default: $MODEL_PATH)")
    download.add_argument("--model", default="4stems", help="4stems (default), 2stems or 5stems")
    download.add_argument("--url", help="download from here instead (a mirror, a file:// URL)")
    download.add_argument("--sha256", help="expected SHA-256 (default: the release's)")
    download.add_argument("--force", action="store_true", help="replace a model already there")
    download.set_defaults(func=_download)

    untrained = commands.add_parser(
        "make-untrained-model",
        help="write a valid, untrained Spleeter 4stems checkpoint (offline tests)",
        description=(
            "Writes DIR/4stems with Spleeter's own graph builder and random weights: every "
            "line of the Spleeter path runs, but the stems are meaningless. Point MODEL_PATH "
            "at DIR to use it."
        ),
    )
    untrained.add_argument("dir", help="models folder (what MODEL_PATH points at)")
    untrained.add_argument("--env", help="Spleeter environment folder")
    untrained.add_argument("--seed", type=int, default=0, help="weight initialisation seed")
    untrained.add_argument("--force", action="store_true", help="replace DIR/4stems")
    untrained.set_defaults(func=_make_untrained)

    status = commands.add_parser("status", help="show whether Spleeter can run here")
    status.add_argument("--env", help="Spleeter environment folder")
    status.add_argument("--model-path", help="models folder (default: $MODEL_PATH)")
    status.set_defaults(func=_status)

    separate = commands.add_parser(
        "separate",
        help="separate audio files into bass/drums/other/vocals wav files",
        description=(
            "Writes OUT/<name>/<stem>.wav for each input file, <name> being its path "
            "relative to the inputs' common folder without the extension, so inputs that "
            "share a file name never share a folder. Existing folders are skipped (never "
            "overwritten) unless --overwrite; a bad file is reported and the rest go on."
        ),
    )
    separate.add_argument("audio", nargs="+", help="audio files or folders")
    separate.add_argument("--out", default="stems", help="output folder (default: stems)")
    separate.add_argument(
        "--separator",
        default="auto",
        choices=("auto", "hpss", "spleeter"),
        help="auto: Spleeter if set up, else HPSS (default)",
    )
    separate.add_argument(
        "--sample-rate", type=int, default=None, help="resample to this rate (default: keep)"
    )
    separate.add_argument("--mono", action="store_true", help="mix down to mono first")
    separate.add_argument("--env", help="Spleeter environment folder")
    separate.add_argument("--model-path", help="Spleeter models folder (default: $MODEL_PATH)")
    separate.add_argument("--no-cache", action="store_true", help="do not use the stem cache")
    separate.add_argument("--overwrite", action="store_true", help="replace existing folders")
    separate.set_defaults(func=_separate)


def _setup(args):
    from kgenre.stems import setup_env

    start = time.monotonic()
    python = setup_env(env_dir=args.env, python=args.python, force=args.force)
    print(
        f"Spleeter environment: {os.path.dirname(os.path.dirname(python))} "
        f"({time.monotonic() - start:.0f} s)"
    )
    if args.download_model:
        _fetch_model(args.model_path, "4stems", None, None, False)
    if args.untrained_model:
        _write_untrained(args.untrained_model, args.env, seed=0, force=False)
    return 0


def _fetch_model(model_path, model_name, url, sha256, force):
    from kgenre.stems import spleeter_env

    target = spleeter_env.model_dir(model_name, model_path)
    if spleeter_env.has_trained_model(target) and not force:
        print(f"Spleeter {model_name} model already in {target} (--force to download again)")
        return
    start = time.monotonic()
    target = spleeter_env.download_model(model_name, model_path, url, sha256, force=force)
    print(
        f"Spleeter {model_name} model: {target} (SHA-256 checked, "
        f"{time.monotonic() - start:.0f} s); MODEL_PATH={os.path.dirname(target)}"
    )


def _download(args):
    _fetch_model(args.model_path, args.model, args.url, args.sha256, args.force)
    return 0


def _write_untrained(directory, env_dir, seed, force):
    from kgenre.stems import make_untrained_model

    start = time.monotonic()
    print(
        "writing an untrained 4stems checkpoint with Spleeter's graph builder ...",
        file=sys.stderr,
        flush=True,
    )
    target = make_untrained_model(directory, env_dir=env_dir, seed=seed, force=force)
    print(
        f"untrained checkpoint: {target} ({time.monotonic() - start:.0f} s); its stems are "
        f"meaningless. Use it with MODEL_PATH={os.path.abspath(directory)}"
    )


def _make_untrained(args):
    _write_untrained(args.dir, args.env, args.seed, args.force)
    return 0


def _status(args):
    from kgenre.stems import spleeter_env, spleeter_status

    env_dir = os.path.abspath(args.env or spleeter_env.default_env_dir())
    info = spleeter_env.env_info(env_dir)
    print(
        f"environment: {env_dir} "
        + (
            f"(spleeter {info['spleeter']}, tensorflow {info['tensorflow']}, "
            f"python {info['python']}"
            + (", from uv" if info.get("python_source") == "uv" else "")
            + ")"
            if info
            else "(not set up)"
        )
    )
    directory = spleeter_env.model_dir("4stems", args.model_path)
    present = spleeter_env.has_checkpoint(directory)
    kind = (
        ", UNTRAINED: its stems are meaningless"
        if present and spleeter_env.is_untrained(directory)
        else ""
    )
    print(f"4stems model: {directory} " + (f"(present{kind})" if present else "(missing)"))
    ready, reason = spleeter_status(env_dir, args.model_path)
    print("separator auto ->", "spleeter" if ready else f"hpss: {reason}")
    return 0


def _separate(args):
    from kgenre.inference.predict import find_audio_files
    from kgenre.stems import get_separator
    from kgenre.stems.separate_files import separate_files

    paths = find_audio_files(args.audio)
    kwargs = {}
    if args.separator != "hpss":
        kwargs = {"env_dir": args.env, "model_path": args.model_path}
    separator = get_separator(args.separator, cache=not args.no_cache, **kwargs)
    with separator:
        report = separate_files(
            paths, args.out, separator, args.sample_rate, args.mono, args.overwrite
        )
    for path, reason in report.skipped:
        print(f"kgenre stems separate: skipped {path}: {reason}", file=sys.stderr)
    for path, error in report.failed:
        print(f"kgenre stems separate: FAILED {path}: {error}", file=sys.stderr)
    print(
        f"{len(report.written)} of {len(paths)} files separated into "
        f"{os.path.abspath(args.out)} ({len(report.skipped)} skipped, "
        f"{len(report.failed)} failed)"
    )
    return 1 if report.failed else 0
