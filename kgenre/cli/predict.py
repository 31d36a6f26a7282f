"""`kgenre predict`: genre of whole tracks from a saved waveform model.

A track is loaded at the model's rate, cut into clips at a hop (MS-SincResNet: 3-s clips with
a 0.5-s hop, Sec. 2), classified in batches, and the clip predictions are aggregated per track
by majority vote (the paper's and the reference code's) or by mean probability. A larger hop
is the fast mode: `--hop 3` classifies a 30-s track with 10 clips instead of 55.

A model with a sinc front end (MS-SincResNet and its family) is run with the sinc
implementation `--sinc` names, `auto` by default: the faster for inference on the active
backend (FFT, or direct convolution on PyTorch). The weights are the same and the outputs
equal within float32 rounding; on a CPU with TensorFlow the FFT front end is 2.7x faster than
the direct convolution older models were saved with (BENCHMARKS.md).
"""

import json
import os
import sys
import time

import numpy as np

from kgenre.audio import load, segment

AGGREGATIONS = ("vote", "mean")
SINC_CHOICES = ("auto", "direct", "fft", "saved")


def register(subparsers):
    """Adds the `predict` command."""
    parser = subparsers.add_parser(
        "predict",
        help="genre of audio files from a saved .keras waveform model",
        description=(
            "Classifies each audio file with a saved waveform model (e.g. MSSincResNet): "
            "clips at the given hop, batched prediction, per-track aggregation."
        ),
    )
    parser.add_argument("model", help="a .keras file saved by kgenre (waveform input)")
    parser.add_argument("audio", nargs="+", help="audio files (wav, flac, ogg, mp3, au)")
    parser.add_argument(
        "--hop", type=float, default=0.5, help="seconds between clips (default 0.5, the paper's)"
    )
    parser.add_argument("--batch-size", type=int, default=16, help="clips per batch (16)")
    parser.add_argument(
        "--aggregate", choices=AGGREGATIONS, default="vote", help="vote (default) or mean"
    )
    parser.add_argument(
        "--classes",
        help="comma-separated class names; default: MODEL.classes.json next to the model",
    )
    parser.add_argument("--sample-rate", type=int, help="override the model's sample rate")
    parser.add_argument(
        "--sinc",
        choices=SINC_CHOICES,
        default="auto",
        help="sinc front-end implementation: auto (default), direct, fft, or as saved",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per file")
    parser.set_defaults(func=_run)


def load_class_names(model_path, classes=None):
    """Class names from `classes` ("a,b,c") or the sidecar `MODEL.classes.json`, else None."""
    if classes:
        return [name.strip() for name in classes.split(",")]
    sidecar = os.path.splitext(model_path)[0] + ".classes.json"
    if os.path.exists(sidecar):
        with open(sidecar) as f:
            return list(json.load(f))
    return None


def waveform_spec(model, sample_rate=None):
    """(clip_samples, sample_rate) of a waveform model, from its input shape and config."""
    shape = model.inputs[0].shape if model.inputs else None
    if shape is None or len(shape) != 2 or shape[1] is None:
        raise ValueError(
            f"kgenre predict needs a model with a fixed-length waveform input (batch, samples); "
            f"this model's input shape is {None if shape is None else tuple(shape)}"
        )
    rate = sample_rate or model.get_config().get("sample_rate")
    if not rate:
        raise ValueError("the model's config has no sample_rate: pass --sample-rate")
    return int(shape[1]), int(rate)


def aggregate(probabilities, method="vote"):
    """Track-level class scores from clip probabilities `(clips, classes)`.

    `"vote"`: the share of clips voting for each class (`kgenre.models.vote_counts`; the
    argmax, `majority_vote`, sends ties to the lowest class index as the reference code does).
    `"mean"`: the mean probability (`kgenre.models.mean_probability`).
    """
    from kgenre.models.aggregation import mean_probability, vote_counts

    probabilities = np.asarray(probabilities)
    if method == "mean":
        return mean_probability(probabilities)
    if method != "vote":
        raise ValueError(f"aggregate must be one of {AGGREGATIONS}, got {method!r}")
    votes = vote_counts(probabilities, probabilities.shape[1])
    return votes / votes.sum()


def inference_sinc_implementation():
    """The sinc implementation that infers faster on the active backend, on a CPU: direct
    convolution on PyTorch (its CPU FFTs are slower), FFT elsewhere (BENCHMARKS.md)."""
    import keras

    return "direct" if keras.backend.backend() == "torch" else "fft"


def with_sinc_implementation(model, implementation="auto"):
    """`model`, rebuilt with another sinc front-end implementation if it has one.

    Models whose config has a `sinc_implementation` (MSSincResNet and kin) are rebuilt from
    their config with `implementation` (`"auto"`: `inference_sinc_implementation()`) and given
    the same weights; other models, models already using it, and `implementation="saved"`
    come back unchanged.
    """
    from kgenre.layers.multi_scale_sinc_net import resolve_implementation

    if implementation not in SINC_CHOICES:
        raise ValueError(f"implementation must be one of {SINC_CHOICES}, got {implementation!r}")
    config = model.get_config() if hasattr(model, "get_config") else None
    if implementation == "saved" or not isinstance(config, dict):
        return model
    if "sinc_implementation" not in config:
        return model
    target = inference_sinc_implementation() if implementation == "auto" else implementation
    if resolve_implementation(config["sinc_implementation"]) == target:
        return model
    rebuilt = type(model).from_config({**config, "sinc_implementation": target})
    rebuilt.set_weights(model.get_weights())
    return rebuilt


def predict_file(model, path, hop_seconds=0.5, batch_size=16, method="vote", sample_rate=None):
    """Classifies one file; returns `(track_probabilities, clip_probabilities)`."""
    clip_samples, rate = waveform_spec(model, sample_rate)
    audio, _ = load(path, sample_rate=rate)
    clips = segment(audio, rate, clip_samples / rate, hop_seconds).astype("float32")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    # predict_on_batch per batch, not model.predict: on TensorFlow, predict's tf.data loop
    # adds 0.5-2 s of jitter to a 1.5-s track (BENCHMARKS.md)
    clip_probs = np.concatenate(
        [
            np.asarray(model.predict_on_batch(clips[start : start + batch_size]))
            for start in range(0, len(clips), batch_size)
        ]
    )
    return aggregate(clip_probs, method), clip_probs


def _run(args):
    import keras

    import kgenre.layers  # noqa: F401  (registers the custom layers for loading)
    import kgenre.models  # noqa: F401

    if args.hop <= 0:
        raise ValueError(f"--hop must be > 0 seconds, got {args.hop}")
    if not os.path.exists(args.model):
        raise FileNotFoundError(f"no model file at {args.model}")
    model = with_sinc_implementation(keras.saving.load_model(args.model), args.sinc)
    names = load_class_names(args.model, args.classes)
    failures = 0
    for path in args.audio:
        start = time.perf_counter()
        try:
            track, clips = predict_file(
                model, path, args.hop, args.batch_size, args.aggregate, args.sample_rate
            )
        except (OSError, ValueError) as error:
            print(f"kgenre predict: skipped {path}: {error}", file=sys.stderr)
            failures += 1
            continue
        seconds = time.perf_counter() - start
        labels = names or [str(i) for i in range(len(track))]
        if len(labels) != len(track):
            raise ValueError(f"{len(labels)} class names for a model with {len(track)} outputs")
        best = int(np.argmax(track))
        if args.json:
            result = {
                "file": path,
                "genre": labels[best],
                "scores": {label: float(p) for label, p in zip(labels, track)},
                "clips": len(clips),
                "seconds": round(seconds, 3),
            }
            print(json.dumps(result))
        else:
            ranked = sorted(zip(labels, track), key=lambda item: -item[1])[:3]
            scores = ", ".join(f"{label} {p:.2f}" for label, p in ranked)
            print(f"{path}: {labels[best]}  ({scores}; {len(clips)} clips, {seconds:.2f} s)")
    return 1 if failures == len(args.audio) else 0
