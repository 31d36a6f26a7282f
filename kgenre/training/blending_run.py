"""A multi-view CRNN trained with adaptive gradient blending on the synthetic corpus."""

import dataclasses
import os

import numpy as np


@dataclasses.dataclass
class BlendingRunConfig:
    """Settings of `run_multiview_blending`.

    Args:
        output_dir: run folder (report.md, metrics.json, blend_weights.csv, PNGs).
        family / genres / tracks_per_genre / track_seconds / seed: synthetic corpus.
        sample_rate / clip_seconds: clips cut from the tracks.
        hop_length / n_fft: spectrogram framing of the mel, gammatone and CQT views.
        n_bands: bands of the mel and gammatone views; n_cqt: CQT bins.
        model_overrides: extra `MultiViewCRNN` arguments (sizes).
        test_fraction / validation_fraction: held-out tracks.
        epochs / batch_size: training budget (the paper's minibatch is 64).
        warmup_epochs / base_rate / warmup_rate: `multiview_schedule` settings.
        update_every / blend_warmup_steps / window: `AdaptiveGradientBlending`.
    """

    output_dir: str = "runs/multiview_blending"
    family: str = "edm"
    genres: tuple = None
    tracks_per_genre: int = 10
    track_seconds: float = 4.0
    seed: int = 0
    sample_rate: int = 8000
    clip_seconds: float = 1.0
    hop_length: int = 200
    n_fft: int = 512
    n_bands: int = 32
    n_cqt: int = 36
    model_overrides: dict = dataclasses.field(
        default_factory=lambda: {
            "conv_filters": (8, 16, 16),
            "gru_units": 16,
            "fc_units": (32, 32),
            "multiview_units": (64, 64),
            "raw_pool_size": 8,
            "dropout": 0.25,
        }
    )
    test_fraction: float = 0.2
    validation_fraction: float = 0.15
    epochs: int = 25
    batch_size: int = 32
    warmup_epochs: int = 3
    warmup_rate: float = 1e-4
    base_rate: float = 1e-3
    update_every: int = 5
    blend_warmup_steps: int = 10
    window: int = 3

    @classmethod
    def smoke(cls, **overrides):
        small = {
            "genres": ("techno", "house", "trap"),
            "tracks_per_genre": 4,
            "track_seconds": 2.0,
            "sample_rate": 8000,
            "clip_seconds": 0.5,
            "hop_length": 128,
            "n_fft": 256,
            "n_bands": 8,
            "n_cqt": 12,
            "model_overrides": {
                "conv_filters": (4, 8),
                "gru_units": 4,
                "fc_units": (8, 8),
                "multiview_units": (16, 16),
                "raw_pool_size": 8,
            },
            "epochs": 2,
            "batch_size": 16,
            "warmup_epochs": 1,
            "update_every": 1,
            "blend_warmup_steps": 1,
            "window": 2,
        }
        return cls(**{**small, **overrides})


def multiview_features(clips, sample_rate, hop_length=256, n_fft=512, n_bands=32, n_cqt=36):
    """The four views of Phan et al. (seed 003) for a batch of clips.

    Returns:
        dict keyed like `MultiViewCRNN`'s inputs: `mel_spectrogram`,
        `gammatone_spectrogram`, `cqt_spectrogram` (each `(n, frames, bands, 1)`, dB)
        and `waveform` `(n, samples)`.
    """
    from kgenre.audio.features import (
        cqt_spectrogram,
        gammatone_spectrogram,
        log_mel_spectrogram,
    )

    clips = np.asarray(clips, dtype="float32")
    kw = {"n_fft": n_fft, "hop_length": hop_length}
    mel = log_mel_spectrogram(clips, sample_rate, n_mels=n_bands, **kw)
    gam = gammatone_spectrogram(clips, sample_rate, n_bands=n_bands, **kw)
    cqt = cqt_spectrogram(clips, sample_rate, hop_length=hop_length, n_bins=n_cqt)

    def layout(spec):
        return np.transpose(spec, (0, 2, 1))[..., None].astype("float32")

    return {
        "mel_spectrogram": layout(mel),
        "gammatone_spectrogram": layout(gam),
        "cqt_spectrogram": layout(cqt),
        "waveform": clips,
    }


def _standardise(x, train_index):
    out = {}
    for k, v in x.items():
        mean, std = v[train_index].mean(), v[train_index].std() + 1e-6
        out[k] = ((v - mean) / std).astype("float32")
    return out


def run_multiview_blending(config):
    """Trains a `BlendedModel(MultiViewCRNN)` with `AdaptiveGradientBlending`.

    Tracks are split into train / validation / test; the callback measures the branch
    losses on the validation clips and a fixed training subset of the same size, the
    weights are logged to `blend_weights.csv`, and the test set is scored with the
    self-ensemble (Eq. 6) and with the multi-view head alone. The run folder gets the
    evaluation report (metrics.json, report.md, confusion matrices, loss curves,
    blending-weight plot).

    Returns:
        dict with `result` (`EvaluationResult`), `records` (the callback's),
        `final_weights` and `run_dir`.
    """
    import keras

    from kgenre.evaluation.protocols import random_splits, run_protocol
    from kgenre.models import MultiViewCRNN
    from kgenre.training.blended_model import BlendedModel
    from kgenre.training.gradient_blending import AdaptiveGradientBlending, fixed_subset
    from kgenre.training.schedules import multiview_schedule
    from kgenre.training.tuning import synthetic_clips

    clips, y, ids, genres = synthetic_clips(
        config.family,
        config.genres,
        config.tracks_per_genre,
        config.track_seconds,
        config.sample_rate,
        config.clip_seconds,
        config.seed,
    )
    x_all = multiview_features(
        clips, config.sample_rate, config.hop_length, config.n_fft, config.n_bands, config.n_cqt
    )
    split = random_splits(y, 1, config.test_fraction, groups=ids, seed=config.seed)[0]
    os.makedirs(config.output_dir, exist_ok=True)
    csv_path = os.path.join(config.output_dir, "blend_weights.csv")
    state = {}

    def train(train_index, seed):
        rng = np.random.default_rng(seed)
        train_tracks = np.unique(ids[train_index])
        n_val = max(1, int(round(config.validation_fraction * len(train_tracks))))
        val_tracks = rng.choice(train_tracks, n_val, replace=False)
        is_val = np.isin(ids[train_index], val_tracks)
        fit_index, val_index = train_index[~is_val], train_index[is_val]
        x = _standardise(x_all, fit_index)
        take = lambda idx: {k: v[idx] for k, v in x.items()}  # noqa: E731
        keras.utils.set_random_seed(seed)
        mv = MultiViewCRNN(
            num_classes=len(genres),
            n_mels=config.n_bands,
            n_gammatone=config.n_bands,
            n_cqt=config.n_cqt,
            raw_input_length=clips.shape[1],
            **config.model_overrides,
        )
        model = BlendedModel.from_model(mv)
        steps = int(np.ceil(len(fit_index) / config.batch_size))
        schedule = multiview_schedule(
            steps,
            warmup_epochs=config.warmup_epochs,
            warmup_rate=config.warmup_rate,
            base_rate=config.base_rate,
            milestone_epochs=(config.epochs // 2,),
        )
        model.compile(
            keras.optimizers.Adam(schedule),
            loss="sparse_categorical_crossentropy",
            metrics={"multiview": ["accuracy"]},
        )
        val = (take(val_index), y[val_index])
        blend = AdaptiveGradientBlending(
            val,
            fixed_subset(take(fit_index), y[fit_index], len(val_index), seed=seed),
            update_every=config.update_every,
            warmup_steps=config.blend_warmup_steps,
            window=config.window,
            csv_path=csv_path,
            batch_size=config.batch_size,
        )
        history = model.fit(
            take(fit_index),
            y[fit_index],
            batch_size=config.batch_size,
            epochs=config.epochs,
            validation_data=val,
            callbacks=[blend],
            verbose=2,
        )
        return model, x, history, blend

    def cached(kind):
        def fit_predict(train_index, test_index, seed):
            if "model" not in state:
                state["model"], state["x"], state["history"], state["blend"] = train(
                    np.asarray(train_index), seed
                )
            model, x = state["model"], state["x"]
            x_test = {k: v[test_index] for k, v in x.items()}
            if kind == "self_ensemble":
                probs = model.predict_self_ensemble(x_test)
            else:
                probs = model.predict(x_test, verbose=0)[kind]
            return {
                "probabilities": probs,
                "history": dict(state["history"].history),
                "blend_records": state["blend"].records,
            }

        return fit_predict

    result = run_protocol(
        {"self_ensemble": cached("self_ensemble"), "multiview_head": cached("multiview")},
        y,
        [split],
        "holdout",
        track_ids=ids,
        class_names=genres,
        seed=config.seed,
        run_dir=config.output_dir,
        title="Multi-view CRNN with adaptive gradient blending",
    )
    return {
        "result": result,
        "records": state["blend"].records,
        "final_weights": state["model"].get_blend_weights(),
        "run_dir": config.output_dir,
    }
