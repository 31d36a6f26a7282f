"""Ausilio, Keshavarz & Prodan (SoundFusion slides, seed 001): 1D, 2D and fused models on FMA.

    python -m kgenre.experiments.soundfusion_fma                          # synthetic stand-in
    python -m kgenre.experiments.soundfusion_fma --dataset fma_small \\
        --input fma_small --metadata fma_metadata                         # the real FMA-small
    python -m kgenre.experiments.soundfusion_fma --models soundfusion_concat resnet2d_s
    python -m kgenre.experiments.soundfusion_fma --smoke                  # < 2 min on 2 cores

Steps (the slide in brackets):

1. tracks as mono 22,050-Hz TFRecords ["Raw audio waveforms"]; FMA-small's 8 genres through
   the `fma_small` adapter ["Dataset: FMA"];
2. one split: FMA's own training/validation/test split when the metadata has one (artist
   filtered by FMA), else a stratified 80/10/10 split ["Dataset: FMA": "Split the dataset
   into 80/10/10, stratified split"] (grouped by artist where the tracks name one, which
   cannot be stratified; `--group-by none` gives the slides' stratified split);
3. 5-s clips with 25 % overlap (hop 3.75 s) ["Raw audio waveforms"]; training draws 4 random
   clips per track per epoch; every model takes the waveform clip and computes its 64-band
   log-mel (window 1024, hop 512, Hann: 64 x 216 for 5 s) inside itself ["Mel spectrograms"],
   standardised with training statistics, so training streams waveforms and the saved model
   takes waveforms;
4. regularisation ["Regularization techniques"]: waveforms get a gain in [-12, +12] dB and
   Gaussian noise of std 0.02; spectrograms get 2 time and 2 frequency masks of at most 30 %
   of the axis (`SpecAugment` inside the model, training only); dropout 0.3 before the
   classifier (the slides: 30-50 %);
5. the slides' models (`MODELS`), each scored on every test clip ("Test accuracy") and per
   track by the mean clip probability ("Aggregation") ["SoundFusion performance"]; SimpleCNN
   runs "w/o segmentation", on whole tracks, as in the slides' table;
6. the epoch with the lowest validation loss is kept; the first model of `--models`
   (SoundFusion with feature concatenation by default) is saved as `model.keras`.

Primary and baseline: SoundFusion (the slides' proposal) with feature concatenation, which
kgenre's `SoundFusion` defaults to and whose slide row ("SoundFusion-1", 0.535 / 0.571) is the
best of the table, is the model saved; ResNet2D-s, the best single-representation model of
the slides (0.528 / 0.567), is the baseline the others are tested against, since the slides'
claim is that fusion improves on it.

Numbers the slides do not give: epochs (50, with the best validation epoch kept), batch size
(32), optimizer (Adam, learning rate 1e-3; the slides list "learning rate, optimizer or batch
size" as future work). The mel table says stereo at 44.1 kHz, but the models' 64 x 216 inputs
are 5 s at 22,050 Hz with hop 512; kgenre computes every input from one mono 22,050-Hz
signal, so SimpleCNN sees one channel (25,272 parameters instead of the slides' 25,472).
"""

from __future__ import annotations

import dataclasses
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

    from kgenre.datasets import Track
    from kgenre.experiments.runner import Candidate, RunResult

NAME = "soundfusion_fma"
LOG_MEL = {"n_fft": 1024, "hop_length": 512, "n_mels": 64}
"""The slides' mel spectrogram: 64 mel filter banks, window 1024, hop 512, Hann."""

SYNTHETIC_GENRES = ("disco", "jazz", "country", "hiphop", "classical", "reggae", "pop", "rock")
"""Eight of the synthetic corpus's GTZAN-like genres standing in for FMA-small's eight
(Electronic, Experimental, Folk, Hip-Hop, Instrumental, International, Pop, Rock), in that
loose correspondence: the same number of classes, not the same music."""

MODELS = {
    "simple_cnn": ("SimpleCNN", (0.484, None)),
    "nnet1": ("NNet1", (0.344, 0.366)),
    "nnet2": ("NNet2", (0.475, 0.493)),
    "vgg16": ("VGG16Transfer", (0.492, 0.526)),
    "resnet1d_s": ("ResNet1D", None),
    "resnet1d_m": ("ResNet1D", (0.406, 0.426)),
    "resnet1d_l": ("ResNet1D", None),
    "resnet2d_s": ("ResNet", (0.528, 0.567)),
    "resnet2d_m": ("ResNet", None),
    "resnet2d_l": ("ResNet", None),
    "soundfusion_concat": ("SoundFusion", None),
    "soundfusion_decision": ("SoundFusion", None),
}
"""`name: (kgenre model, (test accuracy, aggregated accuracy) on the "SoundFusion performance"
slide)`. The slide's VGG16 was pre-trained (ImageNet); kgenre's starts from random weights
unless `--vgg16-weights` names a local file or `imagenet`. The slides name "SoundFusion-1"
(0.535 / 0.571) and "SoundFusion-2" (0.483 / 0.506) without saying which fusion each is, so
the fusion rows show both in the report."""
SOUNDFUSION_ROWS = "SF-1 0.535 / 0.571, SF-2 0.483 / 0.506 (fusion not named)"
WHOLE_TRACK = ("simple_cnn",)
"""Models the slides ran "w/o segmentation": one input per track, no clip aggregation."""
PRIMARY = "soundfusion_concat"
BASELINE = "resnet2d_s"
DEFAULT_MODELS = (
    PRIMARY,
    BASELINE,
    "soundfusion_decision",
    "resnet1d_m",
    "vgg16",
    "nnet1",
    "nnet2",
    "simple_cnn",
)
STATISTICS_BATCHES = 16
"""Batches of training clips the log-mel standardisation statistics are estimated from."""


@dataclasses.dataclass
class Config(RunOptions):
    """Settings of one run; defaults are the slides' where they give them.

    Attributes:
        input: the FMA audio folder (with --dataset fma_small and --metadata), a folder per
            genre, or a CSV of path,label[,group]; none: the synthetic stand-in corpus.
        dataset: how to read --input: auto (folder or CSV), folder, csv or fma_small.
        metadata: FMA's fma_metadata folder (holds tracks.csv), for --dataset fma_small.
        split: auto (the dataset's own split when every track has one, else holdout),
            official or holdout (80/10/10).
        group_by: auto (artist when the tracks name one), artist or none, for the holdout.
        tracks_per_genre: synthetic tracks per genre (100; FMA-small has 1,000).
        track_seconds: synthetic track length, and SimpleCNN's whole-track input (30 s, FMA's).
        genres: the synthetic genres (eight GTZAN-like ones standing in for FMA's eight).
        sample_rate: 22,050 Hz (the slides').
        clip_seconds: clip length (5 s, the slides').
        hop_seconds: hop between test clips (3.75 s: 25 % overlap, the slides').
        models: models to train: simple_cnn, nnet1, nnet2, vgg16, resnet1d_{s,m,l},
            resnet2d_{s,m,l}, soundfusion_concat, soundfusion_decision; the first is saved as
            model.keras, resnet2d_s is the baseline.
        model_size: paper (the slides' models) or small (the models' small presets, for
            smoke runs).
        epochs: epochs per model (not in the slides; the best validation epoch is kept).
        batch_size: clips per batch (not in the slides).
        learning_rate: Adam's learning rate (not in the slides).
        augment: the slides' augmentation (gain -12..+12 dB and noise 0.02 on waveforms, 2 + 2
            masks of at most 30 % on spectrograms).
        dropout: dropout before the classifier (the slides: 0.3-0.5).
        vgg16_weights: vgg16's start: a local VGG16 no-top weights file, imagenet (Keras'
            file, downloaded on first use), or none (random weights; nothing is downloaded).
        seed: seed of the corpus, the split and the weights.
    """

    recipe: ClassVar[str] = NAME
    # A run of seconds per model: SoundFusion (concatenation) and the ResNet2D baseline
    # in their small presets, 3 genres x 10 synthetic tracks of 6 s, 3-s clips (the
    # shortest ResNet1D takes), 2 epochs.
    #
    # Not grouped: with 10 tracks per genre a grouped split would put whole genres on one
    # side.
    SMOKE: ClassVar[dict] = dict(
        tracks_per_genre=10,
        genres=("classical", "hiphop", "rock"),
        track_seconds=6.0,
        clip_seconds=3.0,
        hop_seconds=2.25,
        group_by="none",
        models=(PRIMARY, BASELINE),
        model_size="small",
        epochs=2,
        batch_size=16,
    )

    dataset: str = dataclasses.field(
        default="auto", metadata={"choices": ("auto", "folder", "csv", "fma_small")}
    )
    split: str = dataclasses.field(
        default="auto", metadata={"choices": ("auto", "official", "holdout")}
    )
    group_by: str = group_by_field()
    tracks_per_genre: int = 100
    track_seconds: float = 30.0
    genres: tuple = SYNTHETIC_GENRES
    sample_rate: int = 22050
    clip_seconds: float = 5.0
    hop_seconds: float = 3.75
    models: tuple = DEFAULT_MODELS
    model_size: str = dataclasses.field(default="paper", metadata={"choices": ("paper", "small")})
    epochs: int = 50
    batch_size: int = 32
    learning_rate: float = 1e-3
    augment: bool = True
    dropout: float = 0.3
    vgg16_weights: str | None = None

    def __post_init__(self):
        super().__post_init__()
        check_settings(
            self,
            positive=(
                "track_seconds",
                "sample_rate",
                "clip_seconds",
                "hop_seconds",
                "learning_rate",
            ),
            integers=("tracks_per_genre", "epochs", "batch_size"),
        )
        if not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        self.models = check_names(self, "models", MODELS)
        self.genres = tuple(self.genres)
        if self.dataset == "fma_small" and (self.input is None or self.metadata is None):
            raise ValueError("dataset 'fma_small' needs --input (fma_small) and --metadata")
        if self.vgg16_weights not in (None, "imagenet") and not os.path.isfile(self.vgg16_weights):
            raise ValueError(f"vgg16_weights: no such file {self.vgg16_weights!r}")


def clip_settings(name: str, config: Config) -> tuple[float, float, int]:
    """`(clip seconds, hop seconds, training clips per track)` of model `name`: whole tracks
    for the models the slides ran without segmentation, else the slides' clips."""
    from kgenre.training import AUGMENTATION_PRESETS

    if name in WHOLE_TRACK:
        return config.track_seconds, config.track_seconds, 1
    clips = AUGMENTATION_PRESETS["soundfusion"].clips_per_track
    return config.clip_seconds, config.hop_seconds, clips


def build_network(name: str, num_classes: int, clip_samples: int, config: Config) -> keras.Model:
    """The slides' model `name` on its native inputs (a waveform and/or a 64-band log-mel):
    its `paper` architecture (ResNet1D / ResNet2D: `soundfusion_s/m/l`), or `small`."""
    from kgenre import models

    cls = getattr(models, MODELS[name][0])
    mel_shape = (LOG_MEL["n_mels"], 1 + clip_samples // LOG_MEL["hop_length"], 1)
    size = name.rsplit("_", 1)[-1]
    dropout = config.dropout
    arguments = {
        "SimpleCNN": {"input_shape": mel_shape, "dropout": dropout},
        # nnet1/2 keep Zhang et al.'s own dropout between their dense layers
        "NNet1": {"input_shape": mel_shape},
        "NNet2": {"input_shape": mel_shape},
        "VGG16Transfer": {
            "input_shape": mel_shape,
            "dropout": dropout,
            "weights": config.vgg16_weights,
        },
        "ResNet1D": {"input_length": clip_samples, "dropout": dropout},
        "ResNet": {"input_shape": mel_shape, "dropout": dropout},
        "SoundFusion": {
            "fusion": size,
            "input_length": clip_samples,
            "mel_shape": mel_shape,
            "dropout": dropout,
        },
    }[cls.__name__]
    if config.model_size == "small":
        architecture = "small"
    elif cls in (models.ResNet1D, models.ResNet):
        architecture = f"soundfusion_{size}"
    else:
        architecture = "paper"
    return cls.from_architecture(architecture, num_classes=num_classes, **arguments)


def make_candidates(
    config: Config, records: str, tracks: list[Track], class_names: list, data_note: str
) -> list[Candidate]:
    """One `Candidate` per `config.models` entry, each `fit(split) -> Outcome`."""
    import functools

    import keras

    from kgenre.audio import log_mel_spectrogram
    from kgenre.data import make_dataset
    from kgenre.experiments import fitting
    from kgenre.experiments.run_folder import backup_dir
    from kgenre.experiments.runner import Candidate, Outcome
    from kgenre.inference import InputSpec, ModelInfo
    from kgenre.training import AUGMENTATION_PRESETS

    ids = np.array([t.track_id for t in tracks])
    augmentation = AUGMENTATION_PRESETS["soundfusion" if config.augment else "none"]
    waveform_augmentation = {
        k: v for k, v in augmentation.dataset_kwargs().items() if k != "clips_per_track"
    }
    log_mel = functools.partial(log_mel_spectrogram, sample_rate=config.sample_rate, **LOG_MEL)

    def candidate(name):
        def fit(split):
            clip_seconds, hop_seconds, clips_per_track = clip_settings(name, config)
            samples = int(round(clip_seconds * config.sample_rate))

            keras.utils.set_random_seed(split.seed)
            network = build_network(name, len(class_names), samples, config)
            statistics = None
            if any(len(t.shape) == 4 for t in network.inputs):
                # one random clip per training track, shuffled, in at least one batch
                sample = make_dataset(
                    records,
                    "train",
                    clip_seconds=clip_seconds,
                    clips_per_track=1,
                    batch_size=min(config.batch_size, len(split.train)),
                    augment=False,
                    seed=split.seed,
                    tracks=ids[split.train],
                )
                statistics = fitting.feature_statistics(sample, log_mel, STATISTICS_BATCHES)
            model = fitting.waveform_model(
                network,
                samples,
                config.sample_rate,
                LOG_MEL,
                statistics,
                spec_augment=augmentation.spec_augment or None,
            )
            model.compile(
                optimizer=keras.optimizers.Adam(config.learning_rate),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
                **config.compile_options(model),
            )
            backup = backup_dir(config.run_dir, split.name, name)
            history, epoch, probabilities, labels, track_ids = fitting.fit_on_records(
                model,
                records,
                ids,
                split,
                config.epochs,
                clip_seconds,
                hop_seconds,
                config.batch_size,
                backup,
                clips_per_track=clips_per_track,
                **waveform_augmentation,
            )

            def export():
                info = ModelInfo(
                    class_names,
                    config.sample_rate,
                    clip_seconds,
                    hop_seconds,
                    inputs=[InputSpec()],
                    aggregation="mean",
                    training={
                        "recipe": NAME,
                        "model": name,
                        "model_size": config.model_size,
                        "data": data_note,
                        "split": split.name,
                        "epochs": config.epochs,
                        "selected_epoch": epoch,
                        "augment": config.augment,
                        "dropout": config.dropout,
                        "log_mel": LOG_MEL,
                    },
                )
                return model, info

            return Outcome(
                probabilities,
                labels,
                track_ids,
                history=history,
                extras={"selected_epoch": epoch, "clip_seconds": clip_seconds},
                export=export,
            )

        return Candidate(name, fit)

    return [candidate(name) for name in config.models]


def _notes(config, tracks, skipped, split, protocol, class_names) -> list:
    if config.input is None:
        source = (
            f"the built-in synthetic corpus, {len(class_names)} of its GTZAN-like genres "
            f"({', '.join(class_names)}) standing in for FMA-small's 8 "
            f"({len(tracks)} tracks, {config.tracks_per_genre} per genre, "
            f"{config.track_seconds:g} s, seed {config.seed}); not FMA: its numbers are not "
            "comparable to the slides'"
        )
    else:
        source = f"{config.input} ({len(tracks)} tracks, mono at {config.sample_rate} Hz)"
    notes = [f"Data: {source}."]
    if skipped:
        notes.append(f"Skipped {len(skipped)} unreadable tracks (listed in the records' manifest).")
    sizes = f"{len(split.train)} / {len(split.validation)} / {len(split.test)} tracks"
    if protocol == "official":
        notes.append(f"Split: the dataset's own training / validation / test split ({sizes}).")
    elif split.grouped:
        notes.append(
            f"Split: 80/10/10 by artist ({sizes}); whole artists on each side, so not "
            "stratified (the slides' split was stratified; `--group-by none` gives it)."
        )
    else:
        notes.append(
            f"Split: stratified 80/10/10 ({sizes}), as the slides' (not grouped by artist: "
            "optimistic where an artist has tracks on both sides)."
        )
    augmentation = (
        "gain -12..+12 dB and noise std 0.02 on waveforms, 2 + 2 SpecAugment masks of at most "
        "30 % on log-mels"
        if config.augment
        else "no augmentation"
    )
    notes.append(
        f"Clips: {config.clip_seconds:g} s at {config.sample_rate} Hz, test clips every "
        f"{config.hop_seconds:g} s; 4 random clips per track per epoch ({augmentation}); "
        f"64-band log-mels (window 1024, hop 512) computed inside each model and standardised "
        f"with training statistics. SimpleCNN: whole {config.track_seconds:g}-s tracks, one "
        "per track (no aggregation)."
    )
    notes.append(
        f"Training: {config.epochs} epochs, batch {config.batch_size}, Adam "
        f"{config.learning_rate:g}, dropout {config.dropout:g}; the epoch with the lowest "
        "validation loss is kept (the test set is only scored)."
    )
    if "vgg16" in config.models:
        notes.append(
            "VGG16: "
            + (
                f"weights from {config.vgg16_weights}."
                if config.vgg16_weights
                else "random initial weights (the slides' row is ImageNet-pre-trained: "
                "`--vgg16-weights imagenet` downloads Keras' file, or name a local one)."
            )
        )
    if config.model_size == "small":
        notes.append("Model size: **small** presets (a smoke run), not the slides' models.")
    notes.append(
        'Paper column: the "SoundFusion performance" slide, test accuracy / aggregated '
        "accuracy on FMA-small."
    )
    return notes


def _paper_column(names) -> dict:
    out = {}
    for name in names:
        scores = MODELS[name][1]
        if name.startswith("soundfusion"):
            value = SOUNDFUSION_ROWS
        elif scores is None:
            continue
        else:
            value = f"{scores[0]:.3f} / {'n/a' if scores[1] is None else f'{scores[1]:.3f}'}"
        out[name] = {"label": "test / aggr. acc.", "value": value}
    return out


def run(config: Config) -> RunResult:
    """Runs (or resumes) the experiment; returns the `RunResult`."""
    from kgenre.datasets import make_splits
    from kgenre.experiments import data
    from kgenre.experiments.runner import Plan, run_plan

    tracks = config.tracks(
        family="gtzan",
        tracks_per_genre=config.tracks_per_genre,
        seconds=config.track_seconds,
        sample_rate=config.sample_rate,
        genres=config.genres,
    )
    manifest, kept = data.write_corpus(tracks, config.records_dir, config.sample_rate)
    class_names = manifest["class_names"]
    protocol = config.split
    if protocol == "auto":
        protocol = "official" if all(t.split for t in kept) else "holdout"
    if protocol == "official":
        splits = make_splits(kept, "official", seed=config.seed, validation_fraction=0.1)
    else:
        grouped = GROUPING[config.group_by]
        splits = make_splits(kept, "holdout", seed=config.seed, grouped=grouped)
    notes = _notes(config, kept, manifest["skipped"], splits[0], protocol, class_names)
    plan = Plan(
        recipe=NAME,
        title="Ausilio et al. (SoundFusion slides): 1D, 2D and fused models on "
        + ("FMA-small" if config.dataset == "fma_small" else "a stand-in for FMA-small"),
        config=config,
        class_names=class_names,
        splits=splits,
        candidates=make_candidates(config, config.records_dir, kept, class_names, notes[0]),
        primary=config.models[0],
        baseline=BASELINE if BASELINE in config.models[1:] else None,
        notes=notes,
        select_metric="track_accuracy_mean",
        metrics=("clip_accuracy", "clip_macro_f1", "track_accuracy_mean", "track_macro_f1"),
        paper=_paper_column(config.models),
        validation_label="validation (selects the epoch)",
    )
    return run_plan(plan, config.run_dir, progress=config.progress)


def main(argv=None) -> int:
    """`python -m kgenre.experiments.soundfusion_fma [flags]`; prints the run folder."""
    from kgenre.experiments.options import command_line

    return command_line(NAME, Config, run, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
