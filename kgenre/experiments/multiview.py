"""Phan et al. (ICASSP 2021, seed 003): multi-view music genre classification, Table 3.

    python -m kgenre.experiments.multiview                  # the synthetic GTZAN-like corpus
    python -m kgenre.experiments.multiview --input gtzan/   # a folder per genre
    python -m kgenre.experiments.multiview --smoke          # a tiny run (< 2 min on 2 cores)

Every system of the paper's Table 3, trained on the same splits with the same seeds (the
paper's section in brackets):

1. four views of each clip, computed once and cached [3.1.2]: log-mel and log-gammatone
   spectrograms with 40-ms windows and 50% overlap, filters up to the Nyquist rate; a log CQT
   (librosa, 12 bins per octave, hop 512 at 22,050 Hz); the waveform itself, 33,330 samples
   at 22,050 Hz [3.1.3]. Each view is standardised with its training split's mean and
   standard deviation (not in the paper; kgenre's choice), and the saved model carries the
   standardisation inside;
2. the single-view baselines: `CRNN` on mel, gammatone and CQT, `RawCRNN` on the waveform
   [2.1, 3.1.4];
3. concatenation fusion: `MultiViewCRNN` without the per-view branches [3.1.4];
4. late fusion: the mean probability of the four single-view networks of the same split
   (`kgenre.models.late_fusion`) [3.1.4];
5. the multi-view network trained with adaptive gradient blending (`BlendedModel` +
   `AdaptiveGradientBlending`; equal weights during the warm-up; `--blend-estimator slope`
   for XSleepNet's slope estimator instead of kgenre's reconstruction) [2.2], scored on its
   multi-view output, and its self-ensemble `sum_k w_k p_k` over the five outputs with the
   final weights (`BlendedModel.predict_self_ensemble`) [2.3];
6. Adam with a warm-up, the network of the epoch with the best validation accuracy kept
   [3.1.3]; clip probabilities averaged per track [3.1.3]; accuracy per system with paired
   tests against late fusion, the best baseline on GTZAN in the paper [3.2]; the blending
   weights over training steps (Fig. 2); the self-ensemble of the best split as
   `model.keras`.

Late fusion reuses the single-view networks and the self-ensemble the blended network, as in
the paper. Each trained network of the current split is also kept under `RUN/fits/` (weights
and history), so a run stopped between two systems resumes without training a network twice;
the folder of a split is removed when the next split starts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from typing import ClassVar

import numpy as np

from kgenre.experiments.options import RunOptions, check_settings
from kgenre.inference import InputSpec

NAME = "multiview"
VIEWS = ("mel", "gammatone", "cqt", "raw")
SYSTEMS = {
    "Self-ensemble": "blended",
    "Multi-view": "blended",
    "Late fusion": "views",
    "Concat. fusion": "concat",
    "Mel": "mel",
    "Gammatone": "gammatone",
    "CQT": "cqt",
    "Raw": "raw",
}
"""The rows of the paper's Table 3, in its order, and the network each one needs."""

PRIMARY = "Self-ensemble"
BASELINE = "Late fusion"

MODEL_SIZES = {
    "paper": {},
    "small": {
        "conv_filters": (4, 8),
        "gru_units": 8,
        "fc_units": (16, 16),
        "multiview_units": (32, 32),
        "dropout": 0.0,
    },
}
"""Network sizes: `"paper"` keeps the models' defaults (see `kgenre/models/_crnn_blocks.py`
for the numbers lost from the paper's Tables 1-2), `"small"` is for smoke runs (no dropout:
JAX compiles dropout's random numbers slowly, about 40% of a small CRNN's compile time)."""


@dataclasses.dataclass
class Config(RunOptions):
    """Settings of one run; defaults are the paper's where its text keeps them.

    Attributes:
        input: a folder per genre or a CSV of path,label[,group]; none: the synthetic corpus.
        family: synthetic corpus: gtzan (GTZAN's ten genres, the paper's music task) or edm.
        genres: a subset of the synthetic family's genres (default: all).
        tracks_per_genre: synthetic tracks per genre (100, as GTZAN).
        track_seconds: synthetic track length (30 s, as GTZAN).
        sample_rate: 22,050 Hz (the paper's GTZAN rate, Sec. 3.1.3).
        clip_seconds: clip length: 33,330 samples at 22,050 Hz, the raw input (Sec. 3.1.3).
        hop_seconds: seconds between the clips of a track, for training and test (the number
            of clips the paper sampled per test file is lost; default: clips do not overlap).
        window_seconds: mel and gammatone window (40 ms, Sec. 3.1.2); the hop is half of it
            (50% overlap) and the FFT the next power of two.
        n_mels: mel bands (lost from the text; 64).
        n_gammatone: gammatone bands (lost from the text; 64).
        n_cqt: CQT bins, 12 per octave (lost from the text; 84, librosa's default 7 octaves).
        cqt_hop: CQT hop in samples (512 at 22,050 Hz, Sec. 3.1.2; 1024 at 44.1 kHz).
        protocol: kfold (GTZAN's protocol is lost from the text; 10-fold cross-validation is
            GTZAN's usual one) or holdout (one train/validation/test split).
        folds: folds of the kfold protocol (10).
        holdout_fractions: train, validation and test shares of the holdout protocol.
        validation_fraction: share of each fold's training tracks held out to select the
            epoch and to stand in for the true loss in blending (0.1, "10% of samples in case
            of GTZAN", Sec. 3.1.3).
        group_by: auto (artist when the tracks name one), artist or none.
        epochs: training epochs (lost from the text; 200, as `multiview_schedule` assumes).
        batch_size: minibatch (64, Sec. 3.1.3).
        learning_rate: Adam's rate after the warm-up (lost; 1e-4).
        warmup_epochs: epochs at the warm-up rate, with equal blending weights (10, Sec. 3.1.3).
        warmup_rate: the warm-up rate (lost; 1e-5).
        decay_epochs: epochs after which the rate is multiplied by 0.8 (Sec. 3.1.3; the
            epochs are lost: 50 100 150).
        blend_update_steps: training steps between two updates of the blending weights
            (Algorithm 1 is lost from the text; default: once per epoch).
        blend_window: smoothing window of the blending losses, in updates (lost; default:
            `AdaptiveGradientBlending`'s).
        blend_estimator: how the blending weights measure generalisation and overfitting:
            best_so_far (kgenre's reconstruction of the paper's Algorithm 1) or slope
            (XSleepNet's line-fit slopes); see `kgenre.training.BlendingWeightEstimator`.
        model_preset: paper network sizes, or small for smoke runs.
        records_dir: TFRecords folder (the views are cached in its inputs/ folder).
        seed: seed of the corpus, the splits and the weights.
    """

    recipe: ClassVar[str] = NAME
    # A run of about a minute: 3 genres x 5 two-second tracks at 8 kHz, 0.5-s clips, one
    # holdout split, small networks, 3 epochs, blending weights updated every step. The
    # 36 training clips fill 3 batches of 12 exactly, and the 12 validation and test clips
    # one: JAX compiles each step once.
    #
    # Not grouped: with 5 tracks per genre each genre is one synthetic artist, so a grouped
    # test set would hold only genres never trained on.
    SMOKE: ClassVar[dict] = dict(
        genres=("blues", "classical", "metal"),
        tracks_per_genre=5,
        track_seconds=2.0,
        sample_rate=8000,
        clip_seconds=0.5,
        n_cqt=48,
        cqt_hop=128,
        protocol="holdout",
        holdout_fractions=(0.6, 0.2, 0.2),
        group_by="none",
        epochs=3,
        batch_size=12,
        learning_rate=1e-3,
        warmup_epochs=0,
        decay_epochs=(),
        blend_update_steps=1,
        blend_window=2,
        model_preset="small",
    )

    family: str = dataclasses.field(default="gtzan", metadata={"choices": ("gtzan", "edm")})
    genres: tuple | None = None
    tracks_per_genre: int = 100
    track_seconds: float = 30.0
    sample_rate: int = 22050
    clip_seconds: float = 33330 / 22050
    hop_seconds: float | None = None
    window_seconds: float = 0.04
    n_mels: int = 64
    n_gammatone: int = 64
    n_cqt: int = 84
    cqt_hop: int = 512
    protocol: str = dataclasses.field(default="kfold", metadata={"choices": ("kfold", "holdout")})
    folds: int = 10
    holdout_fractions: tuple = dataclasses.field(
        default=(0.8, 0.1, 0.1), metadata={"item_type": float}
    )
    validation_fraction: float = 0.1
    group_by: str = dataclasses.field(
        default="auto", metadata={"choices": ("auto", "artist", "none")}
    )
    epochs: int = 200
    batch_size: int = 64
    learning_rate: float = 1e-4
    warmup_epochs: int = 10
    warmup_rate: float = 1e-5
    decay_epochs: tuple = dataclasses.field(default=(50, 100, 150), metadata={"item_type": int})
    blend_update_steps: int | None = None
    blend_window: int | None = None
    blend_estimator: str = dataclasses.field(
        default="best_so_far", metadata={"choices": ("best_so_far", "slope")}
    )
    model_preset: str = dataclasses.field(default="paper", metadata={"choices": ("paper", "small")})

    def __post_init__(self):
        super().__post_init__()
        check_settings(
            self,
            positive=(
                "track_seconds",
                "sample_rate",
                "clip_seconds",
                "window_seconds",
                "learning_rate",
                "warmup_rate",
            ),
            integers=(
                "tracks_per_genre",
                "n_mels",
                "n_gammatone",
                "n_cqt",
                "cqt_hop",
                "epochs",
                "batch_size",
            ),
            fractions=("validation_fraction",),
        )
        if self.protocol == "kfold" and (isinstance(self.folds, bool) or self.folds < 2):
            raise ValueError(f"folds must be an integer >= 2, got {self.folds!r}")
        if self.warmup_epochs < 0:
            raise ValueError(f"warmup_epochs must be >= 0, got {self.warmup_epochs!r}")
        for name in ("hop_seconds", "blend_update_steps", "blend_window"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive (or unset), got {value!r}")
        fractions = tuple(self.holdout_fractions)
        if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
            raise ValueError(
                f"holdout_fractions must be 3 positive shares summing to 1, got {fractions}"
            )
        if list(self.decay_epochs) != sorted(self.decay_epochs):
            raise ValueError(f"decay_epochs must increase, got {self.decay_epochs}")


def view_inputs(config: Config) -> dict:
    """`{view: InputSpec}` of the four views with the paper's settings (module docstring)."""
    from kgenre.models.multi_view_crnn import INPUT_NAMES

    window = int(round(config.window_seconds * config.sample_rate))
    framing = {
        "n_fft": 1 << (window - 1).bit_length(),
        "win_length": window,
        "hop_length": max(1, window // 2),
    }
    spectrogram = {"layout": "frames_bands", "channel_axis": True}
    return {
        "mel": InputSpec(
            INPUT_NAMES["mel"],
            feature="log_mel",
            options={**framing, "n_mels": config.n_mels},
            **spectrogram,
        ),
        "gammatone": InputSpec(
            INPUT_NAMES["gammatone"],
            feature="gammatone",
            options={**framing, "n_bands": config.n_gammatone},
            **spectrogram,
        ),
        "cqt": InputSpec(
            INPUT_NAMES["cqt"],
            feature="cqt",
            options={"hop_length": config.cqt_hop, "n_bins": config.n_cqt, "bins_per_octave": 12},
            **spectrogram,
        ),
        "raw": InputSpec(INPUT_NAMES["raw"], feature="waveform"),
    }


def raw_pool_size(sample_rate: int) -> int:
    """pool02 of the raw view: 64 at 44.1 kHz, halved at 22,050 Hz (Sec. 3.1.3), in
    proportion at other rates."""
    return max(1, int(round(64 * sample_rate / 44100)))


def build_network(key: str, shapes: dict, num_classes: int, config: Config):
    """The network `key` needs: a single view (`"mel"`, ..., `"raw"`), `"concat"` (concatenation
    fusion, one output) or `"blended"` (the multi-view network as a `BlendedModel`)."""
    import keras

    from kgenre.models import CRNN, MultiViewCRNN, RawCRNN
    from kgenre.training import BlendedModel

    sizes = dict(MODEL_SIZES[config.model_preset])
    pool = raw_pool_size(config.sample_rate)
    if key in VIEWS:
        sizes.pop("multiview_units", None)
        if key == "raw":
            return RawCRNN(
                num_classes,
                input_length=shapes["raw"][0],
                pool_size=pool,
                name="raw_crnn",
                **sizes,
            )
        return CRNN(num_classes, input_shape=(None, *shapes[key][1:]), name=f"{key}_crnn", **sizes)
    network = MultiViewCRNN(
        num_classes,
        n_mels=shapes["mel"][1],
        n_gammatone=shapes["gammatone"][1],
        n_cqt=shapes["cqt"][1],
        raw_input_length=shapes["raw"][0],
        raw_pool_size=pool,
        view_outputs=key == "blended",
        **sizes,
    )
    if key == "blended":
        return BlendedModel.from_model(network)
    return keras.Model(network.input, network.output["multiview"], name="concat_fusion")


@dataclasses.dataclass
class _SplitData:
    """A split's clips (indices into all clips) and its standardised views."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    x: dict
    statistics: dict


@dataclasses.dataclass
class _Trained:
    """A network fitted on a split, with what its fit recorded."""

    model: object
    history: dict
    extras: dict


class _Networks:
    """What a split's systems share: its standardised views and the networks fitted on it.

    Args:
        config: the run's settings.
        features: `{view: all clips' input}`.
        clips: every clip (`kgenre.experiments.data.Clips`).
        tracks: the track list the splits index.
        num_classes: number of classes.
        folder: where fitted networks are kept (`RUN/fits`).
        steps_per_epoch: training steps per epoch (of the first split: folds differ by a few
            clips at most), for the learning-rate schedule and the blending warm-up.
    """

    def __init__(self, config, features, clips, tracks, num_classes, folder, steps_per_epoch):
        from kgenre.experiments.fitting import ModelPool

        self.config = config
        self.features = features
        self.clips = clips
        self.tracks = tracks
        self.num_classes = num_classes
        self.folder = folder
        self.steps_per_epoch = steps_per_epoch
        self.shapes = {view: x.shape[1:] for view, x in features.items()}
        self.pool = ModelPool(self._compile)
        self._split = None
        self._data = None
        self._fitted = {}

    def _compile(self, model):
        from kgenre.training import BlendedModel, multiview_optimizer

        c = self.config
        optimizer = multiview_optimizer(
            self.steps_per_epoch,
            warmup_epochs=c.warmup_epochs,
            warmup_rate=c.warmup_rate,
            base_rate=c.learning_rate,
            milestone_epochs=tuple(c.decay_epochs),
        )
        blended = isinstance(model, BlendedModel)
        metrics = {"multiview": ["accuracy"]} if blended else ["accuracy"]
        model.compile(
            optimizer,
            loss="sparse_categorical_crossentropy",
            metrics=metrics,
            **c.compile_options(model),
        )

    def _enter(self, split):
        """Forgets the previous split and removes its fitted networks from disk."""
        if self._split == split.index:
            return
        self._split, self._data, self._fitted = split.index, None, {}
        if os.path.isdir(self.folder):
            for name in os.listdir(self.folder):
                if name != f"split_{split.index}":
                    shutil.rmtree(os.path.join(self.folder, name), ignore_errors=True)

    def data(self, split) -> _SplitData:
        """The split's clip indices and its views standardised with training statistics."""
        from kgenre.experiments import fitting

        self._enter(split)
        if self._data is None:
            train, validation, test = self.clips.split_index(self.tracks, split)
            if not len(validation):
                raise ValueError(f"{split.name} has no validation tracks to select the epoch")
            statistics = {
                view: fitting.channel_statistics(x[train], axis=None)
                for view, x in self.features.items()
            }
            x = {
                view: fitting.standardise(x, *statistics[view]) for view, x in self.features.items()
            }
            self._data = _SplitData(train, validation, test, x, statistics)
        return self._data

    def inputs(self, key: str, index) -> dict | np.ndarray:
        """The standardised input of network `key` for clips `index`."""
        from kgenre.models.multi_view_crnn import INPUT_NAMES

        x = self._data.x
        if key in VIEWS:
            return x[key][index]
        return {INPUT_NAMES[view]: x[view][index] for view in VIEWS}

    def fitted(self, key: str, split) -> _Trained:
        """Network `key` fitted on `split`: from memory, from `RUN/fits`, or trained now."""
        data = self.data(split)
        if key in self._fitted:
            return self._fitted[key]
        model = self.pool.get(
            key,
            lambda: build_network(key, self.shapes, self.num_classes, self.config),
            split.seed,
        )
        folder = os.path.join(self.folder, f"split_{split.index}")
        weights, record = (os.path.join(folder, f"{key}{ext}") for ext in (".weights.h5", ".json"))
        if os.path.exists(record):
            model.load_weights(weights)
            with open(record, encoding="utf-8") as stream:
                saved = json.load(stream)
            trained = _Trained(model, saved["history"], saved["extras"])
        else:
            trained = self._fit(key, model, data, split)
            os.makedirs(folder, exist_ok=True)
            tmp = os.path.join(folder, f".{key}.{os.getpid()}.tmp.weights.h5")
            model.save_weights(tmp)
            os.replace(tmp, weights)
            from kgenre.experiments.run_folder import write_json_atomic

            # the record, written last, marks the weights as complete
            write_json_atomic(record, {"history": trained.history, "extras": trained.extras})
        self._fitted[key] = trained
        return trained

    def _fit(self, key, model, data, split) -> _Trained:
        from kgenre.experiments import fitting
        from kgenre.training import AdaptiveGradientBlending, fixed_subset

        c = self.config
        x_train, x_val = self.inputs(key, data.train), self.inputs(key, data.validation)
        y_train, y_val = self.clips.labels[data.train], self.clips.labels[data.validation]
        callbacks, monitor = [], "val_accuracy"
        if key == "blended":
            # one label array per branch: Keras computes the multi-view accuracy only then
            y_train, y_val = ({b: y for b in model.branches} for y in (y_train, y_val))
            options = {"window": c.blend_window} if c.blend_window else {}
            blend = AdaptiveGradientBlending(
                (x_val, y_val),
                fixed_subset(x_train, y_train, len(data.validation), seed=split.seed),
                update_every=c.blend_update_steps or "epoch",
                warmup_steps=c.warmup_epochs * self.steps_per_epoch,
                estimator=c.blend_estimator,
                batch_size=c.batch_size,
                **options,
            )
            callbacks, monitor = [blend], "val_multiview_accuracy"
        history, epoch = fitting.fit_and_select(
            model,
            x_train,
            y_train,
            validation=(x_val, y_val),
            epochs=c.epochs,
            batch_size=c.batch_size,
            callbacks=callbacks,
            monitor=monitor,
            mode="max",
        )
        extras = {"selected_epoch": epoch}
        if key == "blended":
            extras.update(blend_records=blend.records, blend_weights=model.get_blend_weights())
        return _Trained(model, history, extras)


def make_candidates(networks: _Networks, config: Config, class_names, specs) -> list:
    """One `Candidate` per row of Table 3 (`SYSTEMS`), each `fit(split) -> Outcome`."""
    import keras

    from kgenre.experiments import fitting
    from kgenre.experiments.runner import Candidate, Outcome
    from kgenre.inference import ModelInfo
    from kgenre.models import late_fusion
    from kgenre.models.multi_view_crnn import INPUT_NAMES

    clips = networks.clips

    def outcome(split, probabilities, **kwargs):
        test = networks.data(split).test
        return Outcome(probabilities, clips.labels[test], clips.track_ids[test], **kwargs)

    def single_view(view):
        def fit(split):
            trained = networks.fitted(view, split)
            x = networks.inputs(view, networks.data(split).test)
            return outcome(
                split,
                fitting.predict(trained.model, x, config.batch_size),
                history=trained.history,
                extras=trained.extras,
            )

        return fit

    def concat(split):
        trained = networks.fitted("concat", split)
        x = networks.inputs("concat", networks.data(split).test)
        probabilities = fitting.predict(trained.model, x, config.batch_size)
        return outcome(split, probabilities, history=trained.history, extras=trained.extras)

    def fused(split):
        models = {INPUT_NAMES[v]: networks.fitted(v, split).model for v in VIEWS}
        fusion = late_fusion(models)
        fusion = keras.Model(fusion.input, fusion.output["late_fusion"], name="late_fusion")
        x = networks.inputs("views", networks.data(split).test)
        return outcome(split, fitting.predict(fusion, x, config.batch_size))

    def multi_view(split):
        trained = networks.fitted("blended", split)
        x = networks.inputs("blended", networks.data(split).test)
        outputs = trained.model.predict(x, batch_size=config.batch_size, verbose=0)
        return outcome(split, outputs["multiview"], history=trained.history, extras=trained.extras)

    def self_ensemble(split):
        trained = networks.fitted("blended", split)
        data = networks.data(split)
        x = networks.inputs("blended", data.test)
        weights = trained.extras["blend_weights"]

        def export():
            model = trained.model.self_ensemble_model(weights, name="self_ensemble")
            statistics = {INPUT_NAMES[v]: data.statistics[v] for v in VIEWS}
            info = ModelInfo(
                class_names,
                config.sample_rate,
                config.clip_seconds,
                config.hop_seconds or config.clip_seconds,
                inputs=[specs[v] for v in VIEWS],
                aggregation="mean",
                training={
                    "recipe": NAME,
                    "model": PRIMARY,
                    "split": split.name,
                    "selected_epoch": trained.extras["selected_epoch"],
                    "blend_weights": weights,
                    "epochs": config.epochs,
                },
            )
            return fitting.with_standardisation(model, statistics), info

        probabilities = trained.model.predict_self_ensemble(
            x, weights=weights, batch_size=config.batch_size
        )
        return outcome(split, probabilities, extras={"weights": weights}, export=export)

    fits = {
        "Self-ensemble": self_ensemble,
        "Multi-view": multi_view,
        "Late fusion": fused,
        "Concat. fusion": concat,
        **{name: single_view(key) for name, key in SYSTEMS.items() if key in VIEWS},
    }
    return [Candidate(name, fits[name]) for name in SYSTEMS]


def _notes(config, tracks, skipped, specs, clips):
    source = (
        f"the built-in synthetic corpus, family {config.family!r} ({len(tracks)} tracks of "
        f"{config.track_seconds:g} s, seed {config.seed})"
        if config.input is None
        else f"{config.input} ({len(tracks)} tracks)"
    )
    mel = specs["mel"].options
    hop = config.hop_seconds or config.clip_seconds
    notes = [
        f"Data: {source}; {len(clips.labels)} clips of {config.clip_seconds:.3f} s "
        f"({int(round(config.clip_seconds * config.sample_rate))} samples at "
        f"{config.sample_rate} Hz) every {hop:.3f} s.",
        f"Views: log-mel ({config.n_mels} bands) and log-gammatone ({config.n_gammatone} "
        f"bands), window {mel['win_length']} samples, hop {mel['hop_length']}, FFT "
        f"{mel['n_fft']}; log CQT ({config.n_cqt} bins, 12 per octave, hop {config.cqt_hop}); "
        "the waveform. Each view standardised with its training split's mean and standard "
        "deviation (kgenre's choice; inside the saved model).",
        f"Training: Adam, {config.epochs} epochs, batch {config.batch_size}, rate "
        f"{config.learning_rate:g} after {config.warmup_epochs} warm-up epochs at "
        f"{config.warmup_rate:g}, x0.8 after epochs {list(config.decay_epochs)}; each network "
        "keeps the epoch with the best validation accuracy (the paper's rule); networks "
        f"sized {config.model_preset!r}.",
        "Blending: weights re-estimated "
        + (
            f"every {config.blend_update_steps} steps"
            if config.blend_update_steps
            else "once per epoch"
        )
        + " from the branch losses on the validation tracks and on a fixed training subset "
        f"of the same size ({config.blend_estimator!r} estimator), equal during the warm-up "
        "(`AdaptiveGradientBlending`).",
        "Reuse: late fusion averages the four single-view networks of the same split and the "
        "self-ensemble is the multi-view network's; a row's seconds count the training it "
        "triggered (Self-ensemble's include the multi-view network, Late fusion's the four "
        "single views).",
        "Track decisions: mean clip probability (the paper's averaging). The paper's Table 3 "
        "values are lost from the extracted text, so no paper column is shown.",
    ]
    if config.protocol == "kfold":
        notes.append(
            f"Protocol: {config.folds}-fold cross-validation, {config.validation_fraction:.0%} "
            "of each fold's training tracks held out for validation (the paper's GTZAN "
            "protocol is lost from its extracted text; k-fold is GTZAN's usual one)."
        )
    if skipped:
        notes.append(f"Skipped {len(skipped)} unreadable tracks (listed in the records' manifest).")
    return notes


def run(config: Config):
    """Runs (or resumes) the experiment; returns the `RunResult`."""
    from kgenre.datasets import make_splits
    from kgenre.experiments import data
    from kgenre.experiments.runner import Plan, run_plan

    manifest, kept, skipped, clips = data.prepare_clips(config, config.hop_seconds)
    specs = view_inputs(config)
    settings = {"clip_seconds": config.clip_seconds, "hop_seconds": config.hop_seconds}
    features = data.cached_inputs(config.records_dir, clips, specs, config.sample_rate, settings)
    grouped = {"auto": None, "artist": True, "none": False}[config.group_by]
    if config.protocol == "kfold":
        options = {
            "n_splits": config.folds,
            "validation_fraction": config.validation_fraction,
        }
    else:
        options = {"fractions": tuple(config.holdout_fractions)}
    splits = make_splits(kept, config.protocol, seed=config.seed, grouped=grouped, **options)
    first = len(clips.split_index(kept, splits[0])[0])
    networks = _Networks(
        config,
        features,
        clips,
        kept,
        len(manifest["class_names"]),
        os.path.join(config.run_dir, "fits"),
        steps_per_epoch=max(1, -(-first // config.batch_size)),
    )
    plan = Plan(
        recipe=NAME,
        title="Phan et al. (ICASSP 2021): multi-view genre classification, Table 3",
        config=config,
        class_names=manifest["class_names"],
        splits=splits,
        candidates=make_candidates(networks, config, manifest["class_names"], specs),
        primary=PRIMARY,
        baseline=BASELINE,
        notes=_notes(config, kept, skipped, specs, clips),
        metrics=("track_accuracy_mean", "track_macro_f1", "clip_accuracy"),
    )
    return run_plan(plan, config.run_dir, progress=config.progress)


def main(argv=None) -> int:
    """`python -m kgenre.experiments.multiview [flags]`; prints the run folder."""
    from kgenre.experiments.options import command_line

    return command_line(NAME, Config, run, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
