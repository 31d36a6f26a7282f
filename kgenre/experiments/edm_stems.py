"""Mersy (AAAI 2021, seed 002): EDM genres from source-separated stems, 50 random trials.

    python -m kgenre.experiments.edm_stems                  # the synthetic EDM corpus
    python -m kgenre.experiments.edm_stems --input songs/   # a folder per genre
    python -m kgenre.experiments.edm_stems --smoke          # a tiny run (< 2 min on 2 cores)

Steps (the paper's section in brackets):

1. ~10-s excerpts at 22,050 Hz ["Data set and music segmentation"; the paper picked them by
   hand, here the middle of each track];
2. stems bass, drums, other and vocals ["Feature representation", Eq. 1]: with
   `--separator auto`, Spleeter 4stems when its environment and model are present; else the
   corpus's true stems when the tracks carry them (the synthetic corpus does: the `oracle`
   separator, an upper bound on separation quality); else HPSS, whose vocals are silent and
   whose "stems" are harmonic/percussive splits, not sources;
3. TFRecords of each excerpt's mix and stems; 128-band log-mels of the stems stacked as
   (128, T, 3), and single spectrograms of the full mix and of the mix without vocals
   (bass + drums + other) for the baselines;
4. four models: 1 spectrogram with vocals, 1 without (the baseline), 3 spectrograms with 2D
   convolutions, 3 spectrograms with depthwise separable convolutions; class weights, L1 + L2
   penalties, 6 epochs ["Neural networks"];
5. 50 random 80/20 trials, the same splits for every model, grouped by artist where the
   tracks name one; each model keeps the epoch with the lowest test loss, as the paper did
   (optimistic: the test set picks the epoch), or with `--select validation` the epoch with
   the lowest loss on a validation part of the training tracks ["Model evaluation"];
6. accuracy and macro F1 per model, paired t-tests and Wilcoxon tests against the baseline,
   the F1 distribution plot (Fig. 1), and the 3-stem depthwise model of the best trial as
   `model.keras`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import sys
from typing import ClassVar

import numpy as np

from kgenre.audio.sources import STEM_NAMES as STEMS
from kgenre.experiments.options import RunOptions, check_settings
from kgenre.inference import InputSpec

logger = logging.getLogger(__name__)

NAME = "edm_stems"
SEPARATORS = ("auto", "spleeter", "oracle", "hpss")
LOG_MEL = {"n_fft": 1024, "hop_length": 512, "n_mels": 128}
"""Mersy's 128 mel bands; window 1024 and hop 512 (librosa's defaults at 22,050 Hz, which give
the paper's T = 458 frames for a 10.63-s excerpt)."""

INPUTS = {
    "full": InputSpec(feature="log_mel", options=LOG_MEL),
    "no_vocals": InputSpec(sources=("no_vocals",), feature="log_mel", options=LOG_MEL),
    "stems": InputSpec(sources=("bass", "drums", "other"), feature="log_mel", options=LOG_MEL),
}
MODELS = {
    "1 spec, 2DConv-Full": ("full", "conv"),
    "1 spec, 2DConv-No-Vox (baseline)": ("no_vocals", "conv"),
    "3 spec, 2DConv": ("stems", "conv"),
    "3 spec, DW-2DConv": ("stems", "separable"),
}
BASELINE = "1 spec, 2DConv-No-Vox (baseline)"
PRIMARY = "3 spec, DW-2DConv"
PAPER_TABLE_1 = {
    "1 spec, 2DConv-Full": (0.380, 0.350),
    "1 spec, 2DConv-No-Vox (baseline)": (0.384, 0.371),
    "3 spec, 2DConv": (0.456, 0.435),
    "3 spec, DW-2DConv": (0.451, 0.419),
}
"""Mersy 2021, Table 1: (accuracy, F1) on GiantSteps excerpts with Spleeter stems."""


@dataclasses.dataclass
class Config(RunOptions):
    """Settings of one run; defaults are the paper's where it gives them.

    Attributes:
        input: a folder per genre or a CSV of path,label[,group]; none: the synthetic EDM corpus.
        tracks_per_genre: synthetic tracks per genre (11: the paper's 66 songs / 6 genres).
        excerpt_seconds: excerpt length (10.63 s gives the paper's T = 458 frames).
        sample_rate: 22,050 Hz (the paper's).
        separator: auto (Spleeter, else the corpus's true stems, else HPSS), spleeter,
            oracle or hpss.
        trials: random 80/20 trials (50, the paper's).
        test_fraction: share of tracks tested per trial (0.2, the paper's).
        group_by: auto (artist when the tracks name one), artist or none.
        epochs: epochs per model (6, the paper's).
        batch_size: not in the paper; 8 (about 7 steps per epoch on 53 songs).
        select: test (the paper's: the epoch with the lowest test loss) or validation.
        model_preset: paper filters (32, 64), or small (4, 8) for smoke runs.
        records_dir: TFRecords folder (a sub-folder per separator).
        seed: seed of the corpus, the splits and the weights.
    """

    recipe: ClassVar[str] = NAME
    # A run of a few seconds per trial: 3 tracks per genre, 3-s excerpts, 2 trials.
    #
    # Not grouped: with 3 tracks per genre each genre is one synthetic artist, so a grouped
    # test set would hold only genres never trained on.
    SMOKE: ClassVar[dict] = dict(
        tracks_per_genre=3,
        group_by="none",
        excerpt_seconds=3.0,
        trials=2,
        epochs=2,
        model_preset="small",
    )

    tracks_per_genre: int = 11
    excerpt_seconds: float = 10.63
    sample_rate: int = 22050
    separator: str = dataclasses.field(default="auto", metadata={"choices": SEPARATORS})
    trials: int = 50
    test_fraction: float = 0.2
    group_by: str = dataclasses.field(
        default="auto", metadata={"choices": ("auto", "artist", "none")}
    )
    epochs: int = 6
    batch_size: int = 8
    select: str = dataclasses.field(default="test", metadata={"choices": ("test", "validation")})
    model_preset: str = dataclasses.field(default="paper", metadata={"choices": ("paper", "small")})

    def __post_init__(self):
        super().__post_init__()
        check_settings(
            self,
            positive=("excerpt_seconds", "sample_rate"),
            integers=("tracks_per_genre", "trials", "epochs", "batch_size"),
            fractions=("test_fraction",),
        )


def resolve_separator(name: str, tracks) -> str:
    """The separator `--separator` means for these tracks (see the module docstring)."""
    from kgenre.stems import spleeter_status

    has_true_stems = all(t.stems and all(s in t.stems for s in STEMS) for t in tracks)
    if name == "oracle" and not has_true_stems:
        raise ValueError("--separator oracle needs tracks that carry their true stems")
    if name != "auto":
        return name
    ready, reason = spleeter_status()
    if ready:
        return "spleeter"
    if has_true_stems:
        logger.warning("kgenre: %s; using the corpus's true stems (oracle separator)", reason)
        return "oracle"
    logger.warning("kgenre: %s; separating stems with HPSS (its vocals are silent)", reason)
    return "hpss"


def excerpt(y: np.ndarray, length: int) -> np.ndarray:
    """The middle `length` samples of `y` (zero-padded at the end when shorter)."""
    if len(y) <= length:
        return np.pad(y, (0, length - len(y)))
    start = (len(y) - length) // 2
    return y[start : start + length]


def _excerpt_key(track, config, separator_config) -> str:
    """Names an excerpt's folder by its source files, the excerpt settings and the separator."""
    files = [track.path, *(sorted((track.stems or {}).values()))]
    stats = [(os.path.abspath(p), os.stat(p).st_size, os.stat(p).st_mtime_ns) for p in files]
    settings = [config.excerpt_seconds, config.sample_rate, separator_config]
    digest = hashlib.sha256(json.dumps([stats, settings], default=str).encode())
    return f"{track.track_id}-{digest.hexdigest()[:12]}"


def separate_excerpts(tracks, config, separator_name: str, folder: str):
    """Writes each track's excerpt and its four stems as WAV files; returns their `Track`s.

    Unreadable tracks are skipped with a warning (the TFRecord writer reports them too); the
    run goes on. A track's folder is complete when its mix, written last, exists.
    """
    import soundfile
    from tqdm.auto import tqdm

    from kgenre.audio import AudioDecodeError, load
    from kgenre.stems import get_separator

    length = int(round(config.excerpt_seconds * config.sample_rate))
    out, skipped = [], []
    separator = None if separator_name == "oracle" else get_separator(separator_name)
    separator_config = ["oracle"] if separator is None else [separator.name, separator.get_config()]
    try:
        bar = tqdm(
            tracks,
            desc=f"excerpts and stems ({separator_name})",
            unit="track",
            disable=not config.progress,
        )
        for track in bar:
            try:
                target = os.path.join(folder, _excerpt_key(track, config, separator_config))
                paths = {n: os.path.join(target, f"{n}.wav") for n in ("mix", *STEMS)}
                if not os.path.exists(paths["mix"]):
                    y, _ = load(track.path, config.sample_rate)
                    mix = excerpt(y, length)
                    if separator is None:
                        stems = {
                            n: excerpt(load(track.stems[n], config.sample_rate)[0], length)
                            for n in STEMS
                        }
                    else:
                        stems = separator.separate(mix, config.sample_rate)
                    os.makedirs(target, exist_ok=True)
                    for name in (*STEMS, "mix"):  # the mix last: it marks a complete folder
                        audio = mix if name == "mix" else stems[name]
                        tmp = f"{paths[name]}.{os.getpid()}.tmp.wav"
                        soundfile.write(tmp, np.clip(audio, -1, 1), config.sample_rate)
                        os.replace(tmp, paths[name])
            except (OSError, ValueError, AudioDecodeError) as error:
                skipped.append(f"{track.path}: {error}")
                continue
            stems = {n: paths[n] for n in STEMS}
            out.append(dataclasses.replace(track, path=paths["mix"], stems=stems))
    finally:
        if separator is not None:
            separator.close()
    if skipped:
        lines = "\n  ".join(skipped[:10])
        logger.warning("kgenre: skipped %d unreadable tracks:\n  %s", len(skipped), lines)
    if not out:
        raise ValueError("no track could be read; see the warnings above")
    return out, skipped


def _build(block: str, input_shape, num_classes: int, preset: str):
    """One of Mersy's networks: `StemConvNet` with `"conv"` or `"separable"` blocks."""
    from kgenre.models import StemConvNet

    settings = {"num_classes": num_classes, "input_shape": tuple(input_shape), "block": block}
    if preset == "small":
        settings["filters"] = (4, 8)
    return StemConvNet(**settings)


STEPS_PER_EXECUTION = 8
"""Training steps per call into TensorFlow (`keras.Model.compile(steps_per_execution=...)`):
the same training with less Python between steps, about 7% of a trial on the 2-core machine
(BENCHMARKS.md, "Main job"). About 7 steps make an epoch here; the callbacks used act per
epoch. Other backends take 1: PyTorch's trainer allows no other value, and JAX's unrolls the
steps into one compiled function, which made its compilation several times longer."""


def _compile(model, config: Config):
    import keras

    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION if keras.backend.backend() == "tensorflow" else 1,
        **config.compile_options(model),
    )


def make_candidates(config, features, labels, class_names, separator, vocals_silent):
    """One `Candidate` per model of Table 1, each `fit(split) -> Outcome`."""
    from kgenre.experiments import fitting
    from kgenre.experiments.runner import Candidate, Outcome
    from kgenre.inference import ModelInfo

    pool = fitting.ModelPool(functools.partial(_compile, config=config))
    num_classes = len(class_names)

    def candidate(name, view, kind):
        def fit(split):
            x_all = features[view]
            mean, variance = fitting.channel_statistics(x_all[split.train])
            x = fitting.standardise(x_all, mean, variance)
            model = pool.get(
                name,
                lambda: _build(kind, x.shape[1:], num_classes, config.model_preset),
                split.seed,
            )
            selector = split.test if config.select == "test" else split.validation
            history, epoch = fitting.fit_and_select(
                model,
                x[split.train],
                labels[split.train],
                validation=(x[selector], labels[selector]),
                epochs=config.epochs,
                batch_size=config.batch_size,
                class_weight=fitting.balanced_class_weight(labels[split.train], num_classes),
            )

            def export():
                info = ModelInfo(
                    class_names,
                    config.sample_rate,
                    config.excerpt_seconds,
                    config.excerpt_seconds,
                    inputs=[INPUTS[view]],
                    aggregation="mean",
                    separator=separator if view != "full" else None,
                    training={
                        "recipe": NAME,
                        "model": name,
                        "split": split.name,
                        "selected_epoch": epoch,
                        "select": config.select,
                        "vocals_silent": vocals_silent,
                    },
                )
                return fitting.with_standardisation(model, {None: (mean, variance)}), info

            return Outcome(
                fitting.predict(model, x[split.test]),
                labels[split.test],
                history=history,
                extras={"selected_epoch": epoch},
                export=export,
            )

        return Candidate(name, fit)

    return [candidate(name, view, kind) for name, (view, kind) in MODELS.items()]


def _notes(config, separator, tracks, skipped, grouped, vocals_silent):
    source = (
        f"the built-in synthetic EDM corpus ({len(tracks)} tracks, "
        f"{config.tracks_per_genre} per genre, seed {config.seed})"
        if config.input is None
        else f"{config.input} ({len(tracks)} tracks)"
    )
    what = {
        "spleeter": "Spleeter 4stems (as in the paper)",
        "oracle": "the corpus's true stems (oracle separator: an upper bound on what a "
        "separator can give; the paper used Spleeter)",
        "hpss": "HPSS: 'drums' is the percussive part, 'bass' the harmonic part below 200 Hz, "
        "'other' the rest, 'vocals' silent: these are not sources, and Spleeter's stems "
        "would differ",
    }[separator]
    notes = [
        f"Separator: **{separator}** — {what}.",
        f"Data: {source}; {config.excerpt_seconds:g}-s middle excerpts at "
        f"{config.sample_rate} Hz, 128-band log-mels (window 1024, hop 512), each channel "
        "standardised with training statistics.",
    ]
    if skipped:
        notes.append(f"Skipped {len(skipped)} unreadable tracks (listed in the records' manifest).")
    notes.append(
        f"{config.trials} random {1 - config.test_fraction:.0%}/{config.test_fraction:.0%} "
        f"trials, {'grouped by artist (no artist on both sides)' if grouped else 'not grouped'}; "
        f"{config.epochs} epochs, batch {config.batch_size}, Adam, balanced class weights."
    )
    if config.select == "test":
        notes.append(
            "Epoch selection: the epoch with the lowest **test** loss, as the paper did. This is "
            "optimistic (the test set chooses the epoch); `--select validation` is honest."
        )
    else:
        notes.append(
            "Epoch selection: the epoch with the lowest loss on a validation fifth of each "
            "trial's training tracks; the test set is only scored."
        )
    if vocals_silent:
        notes.append(
            "The separator's vocals stem is silent, so the no-vocals input is the full mix: "
            "the two 1-spectrogram models see the same input and their comparison is not a "
            "finding."
        )
    return notes


def run(config: Config):
    """Runs (or resumes) the experiment; returns the `RunResult`."""
    from kgenre.datasets import make_splits
    from kgenre.experiments import data
    from kgenre.experiments.runner import Plan, run_plan
    from kgenre.stems import default_cache_dir

    tracks = config.tracks(
        family="edm",
        tracks_per_genre=config.tracks_per_genre,
        seconds=max(config.excerpt_seconds, 1.0),
        sample_rate=config.sample_rate,
    )
    separator = resolve_separator(config.separator, tracks)
    print(f"{NAME}: separator {separator}", file=sys.stderr)
    excerpts, skipped = separate_excerpts(
        tracks, config, separator, os.path.join(default_cache_dir(), "excerpts")
    )
    records = os.path.join(config.records_dir, separator)
    manifest, kept = data.write_corpus(
        excerpts, records, config.sample_rate, stems=STEMS, min_seconds=None
    )
    clips = data.load_clips(records, kept, config.excerpt_seconds, stems=STEMS)
    if not np.array_equal(clips.track_ids, [t.track_id for t in kept]):
        raise RuntimeError(f"{records}: expected one clip per excerpt, in track order")
    vocals_silent = bool(np.all(clips.stems["vocals"] == 0))
    settings = {"clip_seconds": config.excerpt_seconds}
    features = data.cached_inputs(records, clips, INPUTS, config.sample_rate, settings)
    grouped = {"auto": None, "artist": True, "none": False}[config.group_by]
    splits = make_splits(
        kept,
        "trials",
        n_trials=config.trials,
        test_fraction=config.test_fraction,
        seed=config.seed,
        grouped=grouped,
        validation_fraction=0.2 if config.select == "validation" else 0.0,
    )
    class_names = manifest["class_names"]
    plan = Plan(
        recipe=NAME,
        title="Mersy (AAAI 2021): EDM genre from stems, random 80/20 trials",
        config=config,
        class_names=class_names,
        splits=splits,
        candidates=make_candidates(
            config, features, clips.labels, class_names, separator, vocals_silent
        ),
        primary=PRIMARY,
        baseline=BASELINE,
        notes=_notes(config, separator, kept, skipped, splits[0].grouped, vocals_silent),
        identical_inputs=(
            [("1 spec, 2DConv-Full", BASELINE, "silent vocals: no-vocals = full mix")]
            if vocals_silent
            else []
        ),
        select_metric="clip_macro_f1",
        metrics=("clip_accuracy", "clip_macro_f1"),
        paper={
            name: {"label": "acc / F1", "value": f"{acc:.3f} / {f1:.3f}"}
            for name, (acc, f1) in PAPER_TABLE_1.items()
        },
        validation_label="test (selects the epoch)" if config.select == "test" else "validation",
    )
    return run_plan(plan, config.run_dir, progress=config.progress)


def main(argv=None) -> int:
    """`python -m kgenre.experiments.edm_stems [flags]`; prints the run folder."""
    from kgenre.experiments.options import command_line

    return command_line(NAME, Config, run, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
