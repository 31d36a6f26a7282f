"""A saved model scored on TFRecords: clip and track accuracy, macro F1, confusion matrix.

The records are read by `kgenre.data.make_dataset` in evaluation mode (every clip at the hop,
with its track id); each batch becomes the model's inputs through `make_inputs`, exactly as
`kgenre predict` feeds one file, and clips are aggregated per track by
`kgenre.models.track_scores`, with both rules (mean probability and vote).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import numpy as np

from kgenre.inference.model_file import AGGREGATIONS, ModelInfo


@dataclasses.dataclass
class Evaluation:
    """Scores of a model on a set of records.

    Attributes:
        class_names: the model's classes (rows and columns of `confusion`).
        clips, tracks: how many were scored.
        clip_accuracy: accuracy of the clips' own decisions.
        track_accuracy: `{"mean": ..., "vote": ...}` per aggregation rule.
        macro_f1: track-level macro F1 per rule.
        confusion: `{rule: (classes, classes)}` track counts, rows true, columns predicted.
    """

    class_names: list
    clips: int
    tracks: int
    clip_accuracy: float
    track_accuracy: dict
    macro_f1: dict
    confusion: dict

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["confusion"] = {rule: np.asarray(cm).tolist() for rule, cm in self.confusion.items()}
        return out


def _label_map(manifest: dict, info: ModelInfo) -> np.ndarray:
    """Manifest label index -> model output index, by class name."""
    unknown = [name for name in manifest["class_names"] if name not in info.class_names]
    if unknown:
        raise ValueError(
            f"the records hold classes {unknown} that the model does not know "
            f"(model classes: {info.class_names})"
        )
    return np.array([info.class_names.index(name) for name in manifest["class_names"]])


def _clip_batches(records: str, info: ModelInfo, hop_seconds: float, batch_size: int):
    """Yields `(mix clips or None, {stem: clips}, labels, track ids)` as numpy arrays."""
    from kgenre.data import make_dataset
    from kgenre.inference.inputs import separated_stems

    needs_mix = any(spec.sources == ("mix",) for spec in info.inputs)
    stem_names = separated_stems(info.stems)
    settings = dict(
        mode="eval",
        clip_seconds=info.clip_seconds,
        hop_seconds=hop_seconds,
        batch_size=batch_size,
        with_track_ids=True,
    )
    mix = make_dataset(records, **settings) if needs_mix else None
    stems = make_dataset(records, stems=list(stem_names), **settings) if stem_names else None
    # eval mode reads in record order, so the two datasets yield the same clips in step
    streams = [s.as_numpy_iterator() for s in (mix, stems) if s is not None]
    for batch in zip(*streams):
        x_mix = batch[0][0] if needs_mix else None
        stem_clips = {}
        if stem_names:
            x_stems = batch[-1][0]
            stem_clips = {name: x_stems[..., i] for i, name in enumerate(stem_names)}
        _, labels, track_ids = batch[0]
        yield x_mix, stem_clips, labels, track_ids


def evaluate_records(
    model: Any,
    info: ModelInfo,
    records: str | os.PathLike,
    hop_seconds: float | None = None,
    batch_size: int = 32,
    progress: bool = True,
) -> Evaluation:
    """Scores `model` on the records in `records` (a folder written by `write_records`).

    Args:
        model: a loaded Keras model.
        info: its `ModelInfo`.
        records: the records folder; its sample rate must be the model's, and it must hold
            the stems the model's inputs use.
        hop_seconds: seconds between clips; default `info.hop_seconds`.
        batch_size: clips per model call.
        progress: show a progress bar.

    Raises:
        ValueError: the records do not fit the model (rate, stems, classes).
    """
    from sklearn.metrics import confusion_matrix, f1_score
    from tqdm.auto import tqdm

    from kgenre.data import read_manifest
    from kgenre.inference.inputs import separated_stems
    from kgenre.inference.predict import predict_clips
    from kgenre.models.aggregation import track_scores

    records = os.fspath(records)
    manifest = read_manifest(records)
    if manifest["sample_rate"] != info.sample_rate:
        raise ValueError(
            f"{records}: records at {manifest['sample_rate']} Hz, the model takes "
            f"{info.sample_rate} Hz; prepare them with --sample-rate {info.sample_rate}"
        )
    needed = separated_stems(info.stems)
    lacking = [s for s in needed if s not in manifest.get("stems", [])]
    if lacking:
        raise ValueError(
            f"{records}: the model's inputs use stems {list(needed)} but the records hold "
            f"{manifest.get('stems', [])}; prepare them with --stems"
        )
    to_model = _label_map(manifest, info)
    hop = info.hop_seconds if hop_seconds is None else hop_seconds
    probabilities, labels, track_ids = [], [], []
    batches = _clip_batches(records, info, hop, batch_size)
    for mix, stems, batch_labels, batch_tracks in tqdm(
        batches, desc="evaluating", unit="batch", disable=not progress
    ):
        clips = mix if mix is not None else next(iter(stems.values()))
        probabilities.append(predict_clips(model, info, clips, stems, batch_size))
        labels.append(to_model[batch_labels])
        track_ids.append(batch_tracks)
    if not probabilities:
        raise ValueError(f"{records}: no clips to evaluate")
    probabilities = np.concatenate(probabilities)
    labels = np.concatenate(labels)
    track_ids = np.concatenate(track_ids)
    classes = np.arange(len(info.class_names))
    # every clip of a track carries the track's label
    tracks, first = np.unique(track_ids, return_index=True)
    true_of = dict(zip(tracks.tolist(), labels[first].tolist()))
    track_accuracy, macro_f1, confusion = {}, {}, {}
    for rule in AGGREGATIONS:
        order, scores = track_scores(track_ids, probabilities, rule)
        y_true = np.array([true_of[t] for t in order.tolist()])
        y_pred = scores.argmax(axis=1)
        track_accuracy[rule] = float(np.mean(y_true == y_pred))
        # over the classes that occur (sklearn's default): a class absent from both the
        # records and the predictions says nothing about the model
        macro_f1[rule] = float(f1_score(y_true, y_pred, average="macro", zero_division=0))
        confusion[rule] = confusion_matrix(y_true, y_pred, labels=classes)
    return Evaluation(
        class_names=list(info.class_names),
        clips=len(labels),
        tracks=len(tracks),
        clip_accuracy=float(np.mean(probabilities.argmax(axis=1) == labels)),
        track_accuracy=track_accuracy,
        macro_f1=macro_f1,
        confusion=confusion,
    )
