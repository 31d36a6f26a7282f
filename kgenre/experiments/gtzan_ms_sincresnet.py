"""Chang, Chen & Lee (ICMR 2021, seed 000): MS-SincResNet, 10-fold CV on GTZAN, clip voting.

    python -m kgenre.experiments.gtzan_ms_sincresnet                       # synthetic GTZAN-like
    python -m kgenre.experiments.gtzan_ms_sincresnet --input gtzan/genres  # a folder per genre
    python -m kgenre.experiments.gtzan_ms_sincresnet --protocol ismir2004 --input ismir04_genre
    python -m kgenre.experiments.gtzan_ms_sincresnet --models ms_sincresnet sincresnet_1001 \\
        melresnet sincnet_251                                              # Table 1 rows
    python -m kgenre.experiments.gtzan_ms_sincresnet --smoke               # < 2 min on 2 cores

Steps (the paper's section in brackets):

1. tracks resampled to 16 kHz and written once as TFRecords [2.2.1]; every fold reads its
   training and test tracks from the same records;
2. splits: stratified 10-fold cross-validation, 900 tracks to train and 100 to test per fold on
   GTZAN [3.1], grouped by artist where the tracks name one (the synthetic corpus does; a
   GTZAN folder does not, so its folds are not artist-filtered, as in the paper); or, with
   `--protocol ismir2004`, the dataset's own training and evaluation lists (729 + 729), with
   1/10 of the training tracks held out to pick the epoch [3.2];
3. training: every epoch draws 4 random 3-s clips per track, scales each by U[0.9, 1.1] and adds
   Gaussian noise of sigma 0.02 (`AUGMENTATION_PRESETS["ms_sincresnet"]`); SGD with Nesterov
   momentum 0.9 and weight decay 1e-4, 1e-5 for 5 warm-up epochs, then 5e-3 halved every 30
   epochs (`ms_sincresnet_optimizer`) [2.3]; a killed run resumes inside the fold it was
   training (`BackupAndRestore` under `RUN/backup/`);
4. evaluation: every 3-s clip of a test track at a 0.5-s hop; clip accuracy, and track accuracy
   by voting (the paper's rule) and by mean probability [2.3];
5. the models of Table 1 (`--models`, see `ROWS`), all trained the same way;
6. figures: the spectrogram of a test clip beside the three maps the saved model's MS-SincNet
   learns from it (Fig. 4) and the training-loss curves (Fig. 5); the primary model of the
   best fold is saved as `model.keras`, a waveform model that votes over 0.5-s hops.

Numbers the paper does not give:

- epochs: 200. The reference code's `main.py` reports the "stable" accuracy as the mean over
  epochs 175-199 of each fold, so its runs were 200 epochs long; the model of the last epoch
  is scored (the paper has no validation set on GTZAN; the reference code also prints the
  best epoch on the test fold, which is optimistic and not used here);
- batch: 32 clips (8 tracks x 4 clips; the reference code batches 8 tracks);
- ImageNet weights for ResNet-18 [2.2]: `--backbone-weights imagenet` loads keras-hub's
  `resnet_18_imagenet` (downloaded on first use) or a local keras-hub preset folder; by
  default nothing is downloaded and the ResNets start from random weights, which the report
  says.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import typing
from typing import ClassVar

import numpy as np

from kgenre.experiments.options import (
    GROUPING,
    RunOptions,
    check_names,
    check_settings,
    group_by_field,
)

if typing.TYPE_CHECKING:
    import keras

    from kgenre.datasets import Split, Track
    from kgenre.experiments.runner import Candidate, RunResult

NAME = "gtzan_ms_sincresnet"
PRIMARY = "ms_sincresnet"
BASELINE = "melresnet"
ISMIR_VALIDATION_FRACTION = 0.1
"""MS-SincResNet Sec. 3.2: "we randomly selected 1/10 as validation set"."""

ROWS = {
    "ms_sincresnet": ("MSSincResNet", {}, 91.49, 91.91),
    "ms_sincresnet_nospp": ("MSSincResNet", {"spp": False}, 91.29, 89.71),
    "ms_sincresnet_k80": ("MSSincResNet", {"filters": 80}, 90.38, 87.52),
    "ms_sincresnet_k80_nospp": ("MSSincResNet", {"filters": 80, "spp": False}, 90.18, 87.24),
    "sincresnet_251": ("SincResNet", {"kernel_size": 251}, 90.89, 89.99),
    "sincresnet_501": ("SincResNet", {"kernel_size": 501}, 90.79, 90.12),
    "sincresnet_1001": ("SincResNet", {"kernel_size": 1001}, 91.08, 90.26),
    "sincresnet_k80_251": ("SincResNet", {"kernel_size": 251, "filters": 80}, 89.79, 88.75),
    "sincresnet_k80_501": ("SincResNet", {"kernel_size": 501, "filters": 80}, 89.78, 87.93),
    "sincresnet_k80_1001": ("SincResNet", {"kernel_size": 1001, "filters": 80}, 89.69, 86.56),
    "melresnet": ("MelResNet", {}, 85.49, 88.34),
    "sincnet_251": ("SincNet", {"kernel_size": 251}, 73.98, 81.34),
    "sincnet_501": ("SincNet", {"kernel_size": 501}, 76.37, 79.70),
    "sincnet_1001": ("SincNet", {"kernel_size": 1001}, 74.97, 79.01),
    "sincnet_k160_251": ("SincNet", {"kernel_size": 251, "filters": 160}, 75.78, 80.12),
    "sincnet_k160_501": ("SincNet", {"kernel_size": 501, "filters": 160}, 76.08, 71.83),
    "sincnet_k160_1001": ("SincNet", {"kernel_size": 1001, "filters": 160}, 76.38, 78.33),
}
"""The rows of Table 1: `name: (kgenre model, constructor arguments, GTZAN %, ISMIR2004 %)`.

MS-SincResNet: K = 160 or 80 sinc filters per scale, L = (251, 501, 1001), SPP on or off (the
text lost the table's SPP ticks; the caption and Sec. 4.2 give 91.49 % / 91.91 % for K = 160
with SPP, so the second row of each pair has SPP). SincResNet: one length L in all three
channels, no SPP. SincNet: Ravanelli & Bengio's network, K = 80 or 160, L = 251 / 501 / 1001.
MelResNet: "ResNet (Mel-spectrogram)". The numbers are track accuracies (voting). On 3-s clips
SincNet's first dense layer alone holds 217 M weights (see `kgenre.models.SincNet`): its rows
run, but slowly and in about 1 GB per model."""


@dataclasses.dataclass
class Config(RunOptions):
    """Settings of one run; defaults are the paper's where it gives them.

    Attributes:
        input: a folder per genre (GTZAN's layout), a CSV of path,label[,group], or the
            ISMIR2004 root with --protocol ismir2004; none: the synthetic GTZAN-like corpus.
        dataset: how to read --input: auto (folder or CSV; the ISMIR2004 lists with
            --protocol ismir2004), folder, csv or ismir2004.
        protocol: kfold (GTZAN's 10-fold cross-validation) or ismir2004 (the dataset's
            training and evaluation lists, 1/10 of training to pick the epoch).
        folds: cross-validation folds (10, the paper's).
        group_by: auto (artist when the tracks name one), artist or none.
        tracks_per_genre: synthetic tracks per genre (100, GTZAN's).
        track_seconds: synthetic track length (30 s, GTZAN's).
        genres: synthetic genres to render (default: all ten GTZAN-like genres).
        sample_rate: 16,000 Hz (the paper's).
        clip_seconds: clip length (3 s, the paper's).
        hop_seconds: hop between test clips (0.5 s, the paper's).
        models: Table 1 rows to train: ms_sincresnet, ms_sincresnet_nospp,
            ms_sincresnet_k80[_nospp], sincresnet_{251,501,1001}, sincresnet_k80_{251,501,1001},
            melresnet, sincnet_{251,501,1001}, sincnet_k160_{251,501,1001}; the first is saved
            as model.keras and the paper's figures are drawn from it.
        model_size: paper (the Table 1 architectures) or small (the models' small presets,
            for smoke runs; only each row's SPP switch is kept).
        backbone_weights: the ResNet-18's start: imagenet (the paper's; keras-hub's
            resnet_18_imagenet, downloaded on first use), a local keras-hub ResNet preset
            folder, or none (random weights; nothing is downloaded).
        epochs: epochs per fold (200: the reference code's run length).
        warmup_epochs: epochs at 1e-5 before 5e-3 (5, the paper's).
        batch_size: clips per batch (32 = 8 tracks x 4 clips).
        augment: gain U[0.9, 1.1] and Gaussian noise sigma 0.02 on training clips (the
            paper's); 4 random clips per track per epoch either way.
        seed: seed of the corpus, the folds and the weights.
    """

    recipe: ClassVar[str] = NAME
    # A run of a few seconds per fold: 4 genres x 4 synthetic tracks of 1.5 s at 8 kHz,
    # 0.5-s clips (the small presets' 4,000 samples) at a 0.25-s hop, 2 folds, 2 epochs,
    # the models' small presets, no warm-up.
    #
    # Not grouped: with 4 tracks per genre each genre is one synthetic artist, so a grouped
    # test fold would hold only genres never trained on.
    SMOKE: ClassVar[dict] = dict(
        tracks_per_genre=4,
        genres=("blues", "classical", "metal", "reggae"),
        track_seconds=1.5,
        sample_rate=8000,
        clip_seconds=0.5,
        hop_seconds=0.25,
        folds=2,
        group_by="none",
        epochs=2,
        warmup_epochs=0,
        batch_size=8,
        model_size="small",
    )

    dataset: str = dataclasses.field(
        default="auto", metadata={"choices": ("auto", "folder", "csv", "ismir2004")}
    )
    protocol: str = dataclasses.field(default="kfold", metadata={"choices": ("kfold", "ismir2004")})
    folds: int = 10
    group_by: str = group_by_field()
    tracks_per_genre: int = 100
    track_seconds: float = 30.0
    genres: tuple | None = None
    sample_rate: int = 16000
    clip_seconds: float = 3.0
    hop_seconds: float = 0.5
    models: tuple = (PRIMARY, BASELINE)
    model_size: str = dataclasses.field(default="paper", metadata={"choices": ("paper", "small")})
    backbone_weights: str | None = None
    epochs: int = 200
    warmup_epochs: int = 5
    batch_size: int = 32
    augment: bool = True

    def __post_init__(self):
        super().__post_init__()
        check_settings(
            self,
            positive=("track_seconds", "sample_rate", "clip_seconds", "hop_seconds"),
            integers=("folds", "tracks_per_genre", "epochs", "batch_size"),
        )
        if isinstance(self.warmup_epochs, bool) or not isinstance(self.warmup_epochs, int):
            raise ValueError(f"warmup_epochs must be an integer >= 0, got {self.warmup_epochs!r}")
        if self.warmup_epochs < 0:
            raise ValueError(f"warmup_epochs must be an integer >= 0, got {self.warmup_epochs!r}")
        self.models = check_names(self, "models", ROWS)
        if self.genres is not None:
            self.genres = tuple(self.genres)
        if self.backbone_weights is not None and self.model_size == "small":
            raise ValueError("backbone_weights needs model_size 'paper' (a ResNet-18 backbone)")
        if self.protocol == "ismir2004" and self.input is None:
            raise ValueError("protocol 'ismir2004' needs --input (the ismir04_genre folder)")
        if self.protocol == "ismir2004" and self.dataset not in ("auto", "ismir2004"):
            raise ValueError(
                f"protocol 'ismir2004' reads the ISMIR2004 lists; dataset must be auto or "
                f"ismir2004, got {self.dataset!r}"
            )

    @property
    def clip_samples(self) -> int:
        return int(round(self.clip_seconds * self.sample_rate))


def build_model(name: str, num_classes: int, config: Config) -> keras.Model:
    """The Table 1 model `name` for `num_classes` genres and `config`'s clips."""
    from kgenre import models

    class_name, arguments, _, _ = ROWS[name]
    cls = getattr(models, class_name)
    common = {
        "num_classes": num_classes,
        "input_length": config.clip_samples,
        "sample_rate": config.sample_rate,
    }
    if config.model_size == "small":
        return cls.from_architecture(
            "small", **common, **{k: arguments[k] for k in ("spp",) if k in arguments}
        )
    if class_name != "SincNet":
        common["backbone_weights"] = config.backbone_weights
    return cls(**common, **arguments)


def _compile(model, steps_per_epoch: int, config: Config):
    from kgenre.training import ms_sincresnet_optimizer

    model.compile(
        optimizer=ms_sincresnet_optimizer(steps_per_epoch, warmup_epochs=config.warmup_epochs),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        **config.compile_options(model),
    )


def make_candidates(
    config: Config, records: str, tracks: list[Track], class_names: list, data_note: str
) -> list[Candidate]:
    """One `Candidate` per `config.models` row, each `fit(split) -> Outcome`."""
    from kgenre.experiments import fitting
    from kgenre.experiments.run_folder import backup_dir
    from kgenre.experiments.runner import Candidate, Outcome
    from kgenre.inference import InputSpec, ModelInfo
    from kgenre.training import AUGMENTATION_PRESETS

    ids = np.array([t.track_id for t in tracks])
    augmentation = AUGMENTATION_PRESETS["ms_sincresnet" if config.augment else "none"]
    clips_per_track = augmentation.clips_per_track
    pools = {}  # one per steps-per-epoch: the schedule counts steps, so it is compiled in

    def candidate(name):
        def fit(split):
            steps = fitting.steps_per_epoch(
                len(split.train), clips_per_track, config.batch_size, split.name
            )
            if steps not in pools:
                pools[steps] = fitting.ModelPool(
                    functools.partial(_compile, steps_per_epoch=steps, config=config)
                )
            model = pools[steps].get(
                name, lambda: build_model(name, len(class_names), config), split.seed
            )
            backup = backup_dir(config.run_dir, split.name, name)
            history, epoch, probabilities, labels, track_ids = fitting.fit_on_records(
                model,
                records,
                ids,
                split,
                config.epochs,
                config.clip_seconds,
                config.hop_seconds,
                config.batch_size,
                backup,
                **augmentation.dataset_kwargs(),
            )

            def export():
                info = ModelInfo(
                    class_names,
                    config.sample_rate,
                    config.clip_seconds,
                    config.hop_seconds,
                    inputs=[InputSpec()],
                    aggregation="vote",
                    training={
                        "recipe": NAME,
                        "model": name,
                        "model_size": config.model_size,
                        "data": data_note,
                        "protocol": config.protocol,
                        "split": split.name,
                        "epochs": config.epochs,
                        "selected_epoch": epoch,
                        "augment": config.augment,
                    },
                )
                return model, info

            return Outcome(
                probabilities,
                labels,
                track_ids,
                history=history,
                extras={"selected_epoch": epoch},
                export=export,
            )

        return Candidate(name, fit)

    return [candidate(name) for name in config.models]


STFT = {"n_fft": 512, "hop_length": 128}
"""Fig. 4's spectrogram settings (Sec. 4.1: window 512 samples, hop 128)."""
FIGURE_OFFSET_SECONDS = 1.5
"""Where the figure's clip starts: the reference code's `demo.py` plots samples 24,000-72,000
of a 16-kHz track."""
FIGURE = "learned_representations.png"


def learned_representation_figure(
    run_dir: str, tracks: list[Track], splits: list[Split]
) -> list[tuple[str, str]]:
    """Fig. 4 from the saved model: a test clip's spectrogram and its learned 2D maps.

    The clip is the first test track of the split the saved model was trained on, from
    `FIGURE_OFFSET_SECONDS`. Models without an MS-SincNet front end (MelResNet, SincNet)
    have no maps to show: no figure.
    """
    from kgenre.audio import load, power_spectrogram
    from kgenre.evaluation import plots
    from kgenre.experiments.run_folder import MODEL
    from kgenre.inference import load_model

    path = os.path.join(run_dir, MODEL)
    if not os.path.exists(path):
        return []
    model, info = load_model(path)
    if not hasattr(model, "learned_representations"):
        return []
    split = next(s for s in splits if s.name == info.metrics.get("split"))
    track = tracks[split.test[0]]
    y, _ = load(track.path, info.sample_rate)
    start = int(round(FIGURE_OFFSET_SECONDS * info.sample_rate))
    clip = y[start : start + info.clip_samples]
    clip = np.pad(clip, (0, info.clip_samples - len(clip)))
    (maps,) = model.learned_representations(clip[None])
    spectrogram = np.sqrt(power_spectrogram(clip, **STFT))
    lengths = model.get_config().get("kernel_sizes") or [model.get_config()["kernel_size"]] * 3
    plots.plot_learned_representations(
        spectrogram,
        maps,
        os.path.join(run_dir, FIGURE),
        titles=["spectrogram (STFT 512/128)"] + [f"learned, L = {k}" for k in lengths],
        title=f"{track.track_id} ({track.label}), {info.training['model']}, {split.name}",
    )
    caption = (
        f"Learned 2D representations (cf. Fig. 4): a {info.clip_seconds:g}-s clip of test "
        f"track {track.track_id} "
        f"and the maps the saved {info.training['model']}'s sinc filters make of it"
    )
    return [(caption, FIGURE)]


def _notes(config, tracks, skipped, splits, class_names) -> list:
    if config.input is None:
        source = (
            f"the built-in synthetic GTZAN-like corpus ({len(tracks)} tracks, "
            f"{config.tracks_per_genre} per genre of {len(class_names)}, "
            f"{config.track_seconds:g} s, seed {config.seed}, rendered at "
            f"{config.sample_rate} Hz); not GTZAN: its numbers are not comparable to the paper's"
        )
    else:
        source = f"{config.input} ({len(tracks)} tracks, resampled to {config.sample_rate} Hz)"
    notes = [f"Data: {source}."]
    if skipped:
        notes.append(f"Skipped {len(skipped)} unreadable tracks (listed in the records' manifest).")
    if config.protocol == "kfold":
        notes.append(
            f"{config.folds}-fold stratified cross-validation: every track is tested once; "
            + (
                "folds grouped by artist."
                if splits[0].grouped
                else "folds not grouped by artist (as in the paper; optimistic where an "
                "artist has tracks on both sides)."
            )
        )
        notes.append(
            "Scored: the model of the last epoch (no validation set, as in the paper on GTZAN)."
        )
    else:
        split = splits[0]
        notes.append(
            f"ISMIR2004's own lists: {len(split.train)} training tracks, "
            f"{len(split.validation)} held out (1/10 of training) to pick the epoch with the "
            f"lowest validation loss, {len(split.test)} test tracks."
        )
    augmentation = (
        "gain U[0.9, 1.1] and Gaussian noise sigma 0.02" if config.augment else "no augmentation"
    )
    notes.append(
        f"Clips: {config.clip_seconds:g} s at {config.sample_rate} Hz; training draws 4 random "
        f"clips per track per epoch ({augmentation}); testing scores every clip at a "
        f"{config.hop_seconds:g}-s hop, tracks by voting (the paper's rule) and by mean "
        "probability."
    )
    notes.append(
        f"Training: {config.epochs} epochs, batch {config.batch_size} clips, SGD (Nesterov "
        f"0.9, weight decay 1e-4), 1e-5 for {config.warmup_epochs} warm-up epochs, then 5e-3 "
        "halved at epochs 30, 60, ... (as the reference code)."
    )
    notes.append(
        f"ResNets start from {config.backbone_weights} weights (as the paper: ImageNet)."
        if config.backbone_weights
        else "ResNets start from random weights (the paper fine-tunes ImageNet weights; "
        "`--backbone-weights imagenet` does, with a download)."
    )
    if config.model_size == "small":
        notes.append("Model size: **small** presets (a smoke run), not the paper's architectures.")
    notes.append(
        "Paper column: Table 1's track accuracy (voting) on "
        + ("GTZAN, 10-fold." if config.protocol == "kfold" else "ISMIR2004.")
    )
    return notes


def run(config: Config) -> RunResult:
    """Runs (or resumes) the experiment; returns the `RunResult`."""
    from kgenre.datasets import make_splits
    from kgenre.experiments import data
    from kgenre.experiments.runner import Plan, run_plan

    if config.protocol == "ismir2004":
        config = dataclasses.replace(config, dataset="ismir2004")
    tracks = config.tracks(
        family="gtzan",
        tracks_per_genre=config.tracks_per_genre,
        seconds=config.track_seconds,
        sample_rate=config.sample_rate,
        genres=config.genres,
    )
    manifest, kept = data.write_corpus(tracks, config.records_dir, config.sample_rate)
    skipped = manifest["skipped"]
    class_names = manifest["class_names"]
    if config.protocol == "kfold":
        grouped = GROUPING[config.group_by]
        splits = make_splits(
            kept, "kfold", n_splits=config.folds, seed=config.seed, grouped=grouped
        )
    else:
        splits = make_splits(
            kept, "official", seed=config.seed, validation_fraction=ISMIR_VALIDATION_FRACTION
        )
    notes = _notes(config, kept, skipped, splits, class_names)
    column = 2 if config.protocol == "kfold" else 3
    plan = Plan(
        recipe=NAME,
        title="Chang et al. (ICMR 2021): MS-SincResNet, "
        + ("10-fold cross-validation" if config.protocol == "kfold" else "ISMIR2004 split"),
        config=config,
        class_names=class_names,
        splits=splits,
        candidates=make_candidates(config, config.records_dir, kept, class_names, notes[0]),
        primary=config.models[0],
        baseline=BASELINE if BASELINE in config.models[1:] else None,
        notes=notes,
        select_metric="track_accuracy_vote",
        paper={
            name: {"label": "track acc.", "value": f"{ROWS[name][column] / 100:.4f}"}
            for name in config.models
        },
        validation_label="validation (selects the epoch)",
        figures=functools.partial(learned_representation_figure, tracks=kept, splits=splits),
    )
    return run_plan(plan, config.run_dir, progress=config.progress)


def main(argv=None) -> int:
    """`python -m kgenre.experiments.gtzan_ms_sincresnet [flags]`; prints the run folder."""
    from kgenre.experiments.options import command_line

    return command_line(NAME, Config, run, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
