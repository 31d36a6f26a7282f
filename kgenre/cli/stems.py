"""`kgenre stems ...`: set up Spleeter, write an untrained checkpoint, separate files."""

import os
import sys
import time


def register(subparsers):
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
            "spleeter==2.4.2 (TensorFlow 2.12, numpy<2) in it. A complete environment is "
            "reused unless --force."
        ),
    )
    setup.add_argument("--python", help="interpreter to build it with (default: found)")
    setup.add_argument(
        "--env",
        help="environment folder (default: $KGENRE_SPLEETER_ENV or ~/.cache/kgenre/spleeter-env)",
    )
    setup.add_argument("--force", action="store_true", help="rebuild a complete environment")
    setup.add_argument(
        "--untrained-model",
        metavar="DIR",
        help="also write an untrained 4stems checkpoint to DIR/4stems (offline tests)",
    )
    setup.set_defaults(func=_setup)

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
        description="Writes OUT/<file name>/<stem>.wav for each input file.",
    )
    separate.add_argument("audio", nargs="+", help="audio files")
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
    separate.set_defaults(func=_separate)


def _setup(args):
    from kgenre.stems import setup_env

    start = time.monotonic()
    python = setup_env(env_dir=args.env, python=args.python, force=args.force)
    print(
        f"Spleeter environment: {os.path.dirname(os.path.dirname(python))} "
        f"({time.monotonic() - start:.0f} s)"
    )
    if args.untrained_model:
        _write_untrained(args.untrained_model, args.env, seed=0, force=False)
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
            f"python {info['python']})"
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
    import soundfile
    from tqdm import tqdm

    from kgenre.audio import load
    from kgenre.stems import get_separator

    kwargs = {}
    if args.separator != "hpss":
        kwargs = {"env_dir": args.env, "model_path": args.model_path}
    separator = get_separator(args.separator, cache=not args.no_cache, **kwargs)
    with separator:
        for path in tqdm(args.audio, desc=f"separating ({separator.name})", unit="file"):
            audio, rate = load(path, sample_rate=args.sample_rate, mono=args.mono)
            stems = separator.separate(audio, rate)
            folder = os.path.join(args.out, os.path.splitext(os.path.basename(path))[0])
            os.makedirs(folder, exist_ok=True)
            for name, stem in stems.items():
                soundfile.write(os.path.join(folder, f"{name}.wav"), stem.T, rate)
    print(f"stems written under {os.path.abspath(args.out)}")
    return 0
