"""The CRNN pieces shared by the single-view and multi-view networks of Phan et al. (seed 003).

The extracted paper lost Table 1 and 2's numbers (filter counts, kernel sizes, GRU size,
fully connected widths, dropout rate, input sizes). What the text keeps is used as given:
six conv -> BN -> ReLU -> max-pool blocks whose pooling halves frequency and keeps time,
SAME convolutions and VALID pooling, a reshape to a sequence, a bidirectional GRU, attention
pooling, two ReLU fully connected layers and a softmax; the raw-waveform front end (conv01,
conv02, pool02, VALID) of EnvNet-v2 (Tokozume et al. [14]), whose pool02 is halved at
22,050 Hz. The lost numbers are our choices, stated once here and in the model docstrings:

- filters (64, 64, 128, 128, 256, 256), 3x3 kernels, (1, 2) pooling in (time, frequency);
- a GRU of 256 units per direction; two fully connected layers of 512 units;
- one dropout rate 0.25 after every convolution block, the GRU and the fully connected layers;
- raw front end as EnvNet-v2: conv01 32 filters x 64 stride 2, conv02 64 filters x 16
  stride 2, pool02 64 (44.1 kHz) / 32 (22,050 Hz); conv1 (8, 3) kernel and (4, 2) pooling,
  a longer temporal kernel and pooling as the text says.
"""

import contextlib

import keras

from kgenre.layers import AttentionPooling, BatchNormalization, Conv2D, MaxPooling2D

CONV_FILTERS = (64, 64, 128, 128, 256, 256)


def conv_block(x, filters, kernel_size, pool_size, dropout, name):
    x = Conv2D(filters, kernel_size, padding="same", name=f"{name}_conv")(x)
    x = BatchNormalization(name=f"{name}_bn")(x)
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    x = MaxPooling2D(pool_size, padding="valid", name=f"{name}_pool")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return x


def apply_trunk(x, conv_filters, kernel_sizes, pool_sizes, gru_units, dropout, prefix):
    """Conv blocks on a `(batch, time, freq, channels)` map, then BiGRU and attention pooling.

    Returns the `(batch, 2 * gru_units)` view embedding.
    """
    for i, (filters, kernel, pool) in enumerate(zip(conv_filters, kernel_sizes, pool_sizes)):
        if x.shape[2] is not None and x.shape[2] < pool[1]:
            raise ValueError(
                f"{prefix}: the frequency axis has {x.shape[2]} bins left before block "
                f"{i + 1}, too few to pool by {pool[1]}; use more bands or fewer blocks"
            )
        x = conv_block(x, filters, kernel, pool, dropout, f"{prefix}conv{i + 1}")
    x = keras.layers.Reshape((-1, x.shape[2] * x.shape[3]), name=f"{prefix}reshape")(x)
    with _without_object_sharing():
        birnn = keras.layers.Bidirectional(
            keras.layers.GRU(gru_units, return_sequences=True), name=f"{prefix}birnn"
        )
    x = birnn(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{prefix}birnn_dropout")(x)
    return AttentionPooling(name=f"{prefix}attention")(x)


@contextlib.contextmanager
def _without_object_sharing():
    """Keras' shared-object tracking switched off while a `Bidirectional` is built.

    `Bidirectional.__init__` serializes its GRU twice (forward and backward copies). While
    `keras.saving.load_model` runs, Keras records every serialized object by `id()` to find
    shared ones; the GRU passed in is a temporary, so a later view's GRU can get the same
    `id()` and be "found" as the earlier view's backward GRU. A loaded two-view
    `MultiViewCRNN` then failed now and then with "Forward layer and backward layer should
    have different `go_backwards` value" (seen in CI, depending on memory reuse). Nothing in
    a model's own construction is meant to be shared, so the tracking is off there.
    """
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # a Keras without this module has no such tracking to switch off
        yield
        return
    keys = ("shared_objects/id_to_obj_map", "shared_objects/id_to_config_map")
    saved = [global_state.get_global_attribute(key) for key in keys]
    for key in keys:
        global_state.set_global_attribute(key, None)
    try:
        yield
    finally:
        for key, value in zip(keys, saved):
            global_state.set_global_attribute(key, value)


def apply_view_head(x, num_classes, fc_units, dropout, classifier_activation, prefix, name):
    """fc1 -> fc2 (ReLU, dropout) -> fc3 classifier named `name`."""
    for i, units in enumerate(fc_units):
        x = keras.layers.Dense(units, activation="relu", name=f"{prefix}fc{i + 1}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{prefix}fc{i + 1}_dropout")(x)
    return keras.layers.Dense(num_classes, activation=classifier_activation, name=name)(x)


def apply_raw_front_end(x, front_filters, front_kernels, front_strides, pool_size, prefix):
    """conv01 -> conv02 -> pool02 on a waveform, reshaped to a `(time, filters, 1)` map."""
    x = keras.layers.Reshape((-1, 1), name=f"{prefix}to_sequence")(x)
    for i, (filters, kernel, stride) in enumerate(zip(front_filters, front_kernels, front_strides)):
        x = keras.layers.Conv1D(
            filters, kernel, strides=stride, padding="valid", name=f"{prefix}conv0{i + 1}_conv"
        )(x)
        x = BatchNormalization(name=f"{prefix}conv0{i + 1}_bn")(x)
        x = keras.layers.ReLU(name=f"{prefix}conv0{i + 1}_relu")(x)
    x = keras.layers.MaxPooling1D(pool_size, padding="valid", name=f"{prefix}pool02")(x)
    # the filters of conv02 become the "frequency" axis of a one-channel image
    return keras.layers.Reshape((-1, front_filters[-1], 1), name=f"{prefix}to_image")(x)


def trunk_layout(n_blocks, first_kernel=(3, 3), first_pool=(1, 2)):
    kernels = [tuple(first_kernel)] + [(3, 3)] * (n_blocks - 1)
    pools = [tuple(first_pool)] + [(1, 2)] * (n_blocks - 1)
    return kernels, pools
