"""Zhang et al.'s (2016) 1D convolutions over time with the frequency bins as channels."""

import keras

from kgenre.layers import BatchNormalization


def conv(x, filters, kernel_size, name):
    x = keras.layers.Conv1D(filters, kernel_size, padding="same", name=f"{name}_conv")(x)
    x = BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def spectrogram_to_sequence(inputs):
    """`(batch, bands, frames, 1)` -> `(batch, frames, bands)`: time steps of spectra."""
    x = keras.layers.Reshape(inputs.shape[1:3], name="drop_channel")(inputs)
    return keras.layers.Permute((2, 1), name="time_major")(x)


def global_max_and_average(x):
    """Max- and average-pooling over time, concatenated (Zhang et al.'s pooling)."""
    return keras.layers.Concatenate(name="max_avg_pool")(
        [
            keras.layers.GlobalMaxPooling1D(name="global_max")(x),
            keras.layers.GlobalAveragePooling1D(name="global_avg")(x),
        ]
    )


def dense_head(x, dense_units, dropout, num_classes, classifier_activation):
    for i, units in enumerate(dense_units):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{i + 1}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"fc{i + 1}_dropout")(x)
    return keras.layers.Dense(num_classes, activation=classifier_activation, name="predictions")(x)
