"""`model.fit` consumes the tf.data pipeline on whichever backend KERAS_BACKEND selects."""

import keras
import numpy as np

from kgenre.audio import LogMelSpectrogram
from kgenre.data import make_dataset, write_records


def test_fit_and_evaluate_on_waveforms_and_log_mels(tmp_path, make_tracks):
    tracks, _ = make_tracks([2.0] * 6, labels=("a", "b", "c"), stems=("bass", "drums", "other"))
    write_records(
        tracks, tmp_path / "rec", sample_rate=8000, stems=("bass", "drums", "other"), progress=False
    )

    # waveform clips through an on-model log-mel layer
    train = make_dataset(tmp_path / "rec", "train", clip_seconds=1.0, batch_size=4)
    inputs = keras.Input((8000,))
    h = LogMelSpectrogram(sample_rate=8000, n_fft=256, hop_length=128, n_mels=16)(inputs)
    h = keras.layers.GlobalAveragePooling1D()(h)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(h))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all() and len(history.history["loss"]) == 2
    evaluation = make_dataset(tmp_path / "rec", "eval", clip_seconds=1.0, hop_seconds=0.5)
    loss, accuracy = model.evaluate(evaluation, verbose=0)
    assert np.isfinite(loss) and 0 <= accuracy <= 1

    # stacked per-stem log-mels computed in the pipeline, as the stems recipe feeds them
    stems = make_dataset(
        tmp_path / "rec",
        "train",
        clip_seconds=1.0,
        batch_size=4,
        feature="log_mel",
        stems=("bass", "drums", "other"),
        feature_options={"n_fft": 256, "hop_length": 128, "n_mels": 16},
    )
    inputs = keras.Input((16, 63, 3))
    h = keras.layers.Conv2D(4, 3, activation="relu")(keras.layers.BatchNormalization()(inputs))
    h = keras.layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(h))
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(stems, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
