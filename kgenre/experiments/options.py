"""Command-line flags from a recipe's settings dataclass: one parser builder for every recipe.

Each field of the `Config` dataclass becomes a `--flag` (underscores to dashes) whose help is
the field's line in the `Attributes:` section of the docstring of the class that declares it,
with its default; `--smoke` starts from `Config.smoke()` instead of the paper-scale defaults.
Only flags given on the command line override the chosen defaults.

`Settings` holds what every recipe's settings share (data, folders, seed, progress, the smoke
sizes); `RunOptions` adds the device and speed settings the runner
(`kgenre.experiments.runner.run_plan`) applies. A recipe's `Config` inherits one of them and so
gets their flags.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import types
import typing
from typing import ClassVar

from kgenre.training.choices import DISTRIBUTE_MODES, JIT_COMPILE, PRECISIONS

DATASETS = ("auto", "folder", "csv", "fma_small", "ismir2004")
"""How `--input` is read (`kgenre.experiments.data.list_tracks`)."""


@dataclasses.dataclass
class Settings:
    """What every recipe's settings share; a recipe's `Config` inherits it (with its flags).

    A subclass names its recipe (`recipe`) and the sizes of its `--smoke` run (`SMOKE`).

    Attributes:
        input: a folder per genre or a CSV of path,label[,group] (or a dataset's folder, see
            --dataset); none: the built-in synthetic corpus.
        dataset: how to read --input: auto (a folder or a CSV), folder, csv, fma_small (with
            --metadata) or ismir2004.
        metadata: FMA's fma_metadata folder (holds tracks.csv), for --dataset fma_small.
        records_dir: TFRecords folder (default: tf_records/RECIPE, or tf_records/RECIPE_smoke
            with --smoke).
        run_dir: the run folder (default: runs/RECIPE, or runs/RECIPE_smoke with --smoke); a
            rerun with the same folder resumes.
        seed: seed of the corpus, the splits and the weights.
        progress: show progress bars.
    """

    recipe: ClassVar[str] = "experiment"
    SMOKE: ClassVar[dict] = {}

    input: str | None = None
    dataset: str = dataclasses.field(default="auto", metadata={"choices": DATASETS})
    metadata: str | None = None
    records_dir: str | None = None
    run_dir: str | None = None
    seed: int = 0
    progress: bool = True

    def __post_init__(self):
        if self.records_dir is None:
            self.records_dir = os.path.join("tf_records", self.recipe)
        if self.run_dir is None:
            self.run_dir = os.path.join("runs", self.recipe)
        check_settings(self)
        if self.dataset == "fma_small" and (self.input is None or self.metadata is None):
            raise ValueError("dataset 'fma_small' needs --input (fma_small) and --metadata")

    @classmethod
    def smoke(cls, **overrides):
        """The recipe's tiny run: `SMOKE`'s sizes, in the `_smoke` folders."""
        settings = {
            "records_dir": os.path.join("tf_records", f"{cls.recipe}_smoke"),
            "run_dir": os.path.join("runs", f"{cls.recipe}_smoke"),
            **cls.SMOKE,
            **overrides,
        }
        return cls(**settings)

    def tracks(self, **synthetic) -> list:
        """The labelled tracks: `--input` read as `--dataset` says, else the synthetic corpus
        rendered with `synthetic` (family, tracks_per_genre, seconds, sample_rate, genres)."""
        from kgenre.experiments.data import list_tracks

        return list_tracks(
            self.input, self.dataset, metadata=self.metadata, seed=self.seed, **synthetic
        )


@dataclasses.dataclass
class RunOptions(Settings):
    """`Settings` and the device and speed settings the runner applies.

    Attributes:
        distribute: auto (data_parallel when more than one GPU/TPU or host is visible, else
            none), none, or data_parallel: one model replica per device, each batch split
            across them, with the backend's own engine (JAX DataParallel, TensorFlow
            MirroredStrategy; not torch). batch_size is then the global batch and must be a
            multiple of the device count.
        mixed_precision: float32, mixed_bfloat16 or mixed_float16: 16-bit computations with
            float32 weights (`kgenre.training.speed_options`); bfloat16 speeds up convolutions
            on CPUs with AVX-512 BF16 or AMX, float16 suits GPUs. The saved model is float32.
        jit_compile: auto (Keras' choice), true (XLA on TensorFlow and JAX, torch.compile on
            PyTorch) or false.
        workers: processes that fit the models side by side, each with its share of the CPU
            threads (`kgenre.experiments.workers`); 0: auto (one per CPU core, at most 4, on a
            machine without GPUs or TPUs; else 1).
    """

    distribute: str = dataclasses.field(default="auto", metadata={"choices": DISTRIBUTE_MODES})
    mixed_precision: str = dataclasses.field(default="float32", metadata={"choices": PRECISIONS})
    jit_compile: str = dataclasses.field(default="auto", metadata={"choices": JIT_COMPILE})
    workers: int = 0

    @classmethod
    def smoke(cls, **overrides):
        """`Settings.smoke`, fitted in this process unless `workers` says otherwise (a tiny
        run gains nothing from worker processes)."""
        return super().smoke(**{"workers": 1, **overrides})

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 0:
            raise ValueError(f"workers must be an integer >= 0 (0: auto), got {self.workers!r}")

    def compile_options(self, model) -> dict:
        """Applies the precision to `model` in place and returns `model.compile` arguments
        (`kgenre.training.speed_options`)."""
        from kgenre.training.speed import speed_options

        jit = {"auto": "auto", "true": True, "false": False}[self.jit_compile]
        return speed_options(model, mixed_precision=self.mixed_precision, jit_compile=jit)


def _field_help(config_cls) -> dict:
    """`{field: help}` from the `Attributes:` sections of the docstrings of `config_cls` and
    the dataclasses it inherits from (a subclass's line wins)."""
    names = {f.name for f in dataclasses.fields(config_cls)}
    out = {}
    for cls in reversed(config_cls.__mro__):
        if dataclasses.is_dataclass(cls) and "Attributes:" in (cls.__doc__ or ""):
            out.update(_attributes_help(cls.__doc__, names))
    return out


def _attributes_help(doc: str, names: set) -> dict:
    out, current = {}, None
    for line in doc.split("Attributes:", 1)[1].splitlines():
        match = re.match(r"^\s{4,8}(\w+): (.*)$", line)
        if match and match.group(1) in names:
            current = match.group(1)
            out[current] = match.group(2).strip()
        elif current and line.strip():
            out[current] += " " + line.strip()
        elif not line.strip():
            current = None
    return out


def _base_type(annotation):
    """The scalar type of a field annotation (`int | None` -> int, `tuple` -> tuple)."""
    if isinstance(annotation, str):
        annotation = eval(annotation, {"typing": typing}, {})  # noqa: S307 (our own annotations)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(args[0]) if args else str
    if origin in (tuple, list):
        return tuple
    return annotation


def _finite_number(kind):
    def convert(text):
        value = kind(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        return value

    convert.__name__ = kind.__name__
    return convert


def build_parser(config_cls, prog: str, description: str) -> argparse.ArgumentParser:
    """An `argparse` parser with one flag per field of `config_cls`, and `--smoke`."""
    parser = argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    helps = _field_help(config_cls)
    defaults = config_cls()
    hints = typing.get_type_hints(config_cls)
    for field in dataclasses.fields(config_cls):
        flag = "--" + field.name.replace("_", "-")
        default = getattr(defaults, field.name)
        # argparse expands %-formats in help ("50% overlap" would break --help)
        text = f"{helps.get(field.name, '')} (default: {default!r})".strip().replace("%", "%%")
        kind = _base_type(hints.get(field.name, type(default)))
        kwargs = {"dest": field.name, "default": argparse.SUPPRESS, "help": text}
        choices = field.metadata.get("choices")
        if kind is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
            continue
        if kind is tuple:
            kwargs["nargs"] = "+"
            kind = field.metadata.get("item_type", str)
        if kind in (int, float):
            kind = _finite_number(kind)
        parser.add_argument(flag, type=kind, choices=choices, **kwargs)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run on a few synthetic tracks (under 2 minutes on 2 CPU cores)",
    )
    return parser


def parse_config(config_cls, argv=None, prog=None, description=""):
    """Parses `argv` into `config_cls` (`config_cls.smoke(...)` with `--smoke`)."""
    parser = build_parser(config_cls, prog, description)
    args = vars(parser.parse_args(argv))
    smoke = args.pop("smoke")
    for key, value in list(args.items()):
        if isinstance(value, list):
            args[key] = tuple(value)
    try:
        config = config_cls.smoke(**args) if smoke else config_cls(**args)
        if isinstance(config, RunOptions) and config.distribute != "none":
            # First, before anything uses the backend: a multi-host JAX launch must initialise
            # and TensorFlow's MultiWorkerMirroredStrategy must exist before other work.
            from kgenre.training.distribution import resolve_distribution

            resolve_distribution(config.distribute)
        return config
    except (TypeError, ValueError) as error:
        parser.error(str(error))


GROUPING = {"auto": None, "artist": True, "none": False}
"""`--group-by` values as `kgenre.datasets.make_splits`' `grouped`: `auto` groups by artist
when the tracks name one."""


def group_by_field():
    """The `group_by` field of a recipe's `Config` (choices: `GROUPING`'s keys)."""
    return dataclasses.field(default="auto", metadata={"choices": tuple(GROUPING)})


def check_names(config, name: str, known) -> tuple:
    """`config.<name>` as a tuple of distinct names among `known`; the message lists them."""
    values = tuple(getattr(config, name))
    unknown = [v for v in values if v not in known]
    if unknown or not values or len(set(values)) != len(values):
        raise ValueError(f"{name} must be distinct names among {sorted(known)}, got {list(values)}")
    return values


def command_line(name: str, config_cls, run, description: str, argv=None) -> int:
    """A recipe's `main`: parses `argv` into `config_cls`, calls `run(config)` and prints the
    run folder; `python -m kgenre.experiments.<name> --help` lists every setting."""
    import os

    config = parse_config(
        config_cls, argv, prog=f"python -m kgenre.experiments.{name}", description=description
    )
    result = run(config)
    print(f"run folder: {os.path.abspath(result.run_dir)}")
    return 0


def check_settings(config, positive=(), integers=(), fractions=()):
    """Validates a recipe's settings; the message names the setting.

    Fields declared with `metadata={"choices": ...}` must hold one of their choices.

    Args:
        positive: names that must be finite numbers > 0.
        integers: names that must be integers >= 1.
        fractions: names that must lie strictly between 0 and 1.
    """
    import math

    def value(name):
        return getattr(config, name)

    for field in dataclasses.fields(config):
        choices = field.metadata.get("choices")
        if choices is not None and value(field.name) not in choices:
            raise ValueError(f"{field.name} must be one of {choices}, got {value(field.name)!r}")

    for name in integers:
        v = value(name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    for name in positive:
        v = value(name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    for name in fractions:
        v = value(name)
        if not isinstance(v, (int, float)) or not 0 < v < 1:
            raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {v!r}")
