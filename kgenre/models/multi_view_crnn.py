import keras

from kgenre.models._base import PresetModel, check_positive, check_rate, records_arguments
from kgenre.models._crnn_blocks import (
    CONV_FILTERS,
    apply_raw_front_end,
    apply_trunk,
    apply_view_head,
    trunk_layout,
)

VIEWS = ("mel", "gammatone", "cqt", "raw")
INPUT_NAMES = {
    "mel": "mel_spectrogram",
    "gammatone": "gammatone_spectrogram",
    "cqt": "cqt_spectrogram",
    "raw": "waveform",
}


@keras.saving.register_keras_serializable(package="kgenre")
class MultiViewCRNN(PresetModel):
    """Phan et al.'s multi-view network: one CRNN per view, joined by a multi-view head.

    Four subnetworks (`CRNN` for the mel, gammatone and CQT spectrograms, `RawCRNN` for the
    waveform) each produce a view embedding (BiGRU + attention pooling). The embeddings are
    concatenated and classified by two fully connected layers of 4,096 ReLU units and a softmax
    (the `"multiview"` output); each view also keeps its own classification branch (fc1, fc2,
    softmax; outputs `"mel"`, `"gammatone"`, `"cqt"`, `"raw"`), whose losses adaptive gradient
    blending weighs (seed 003, Sec. 2.1-2.2, Fig. 1). Dropout (one rate, lost in the extracted
    text; 0.25 here) follows the convolution blocks, the recurrent layers and every fully
    connected layer, the multi-view ones included.

    With `view_outputs=False` only the `"multiview"` output remains: the concatenation-fusion
    baseline (Sec. 3.1.4). The late-fusion baseline averages independently trained single-view
    models, see `late_fusion`.

    Args:
        num_classes: Defaults to 10.
        views: which views to use, a subset of `("mel", "gammatone", "cqt", "raw")`.
        n_mels: mel bands. Defaults to 64.
        n_gammatone: gammatone bands. Defaults to 64.
        n_cqt: CQT bins. Defaults to 84.
        raw_input_length: waveform samples. Defaults to 33330 (22,050 Hz).
        raw_pool_size: pool02 of the raw view. Defaults to 32 (22,050 Hz; 64 at 44.1 kHz).
        conv_filters: filters of each view's six conv blocks.
        gru_units: GRU units per direction. Defaults to 256.
        fc_units: the single-view branches' two dense layers. Defaults to `(512, 512)`.
        multiview_units: the multi-view branch's two dense layers. Defaults to
            `(4096, 4096)` (Sec. 2.1).
        dropout: Defaults to 0.25.
        view_outputs: keep the per-view classification outputs. Defaults to True.
        classifier_activation: `"softmax"` or `None`.
        **kwargs: `keras.Model` arguments.

    Input shape:
        a dict (keys in `INPUT_NAMES`): `"mel_spectrogram"`: `(batch, time, n_mels, 1)`,
        `"gammatone_spectrogram"`: `(batch, time, n_gammatone, 1)`, `"cqt_spectrogram"`:
        `(batch, time, n_cqt, 1)`, `"waveform"`: `(batch, raw_input_length)`. The spectrogram
        views may differ in length (time first, frequency second).

    Output shape:
        a dict of `(batch, num_classes)` probabilities keyed `"mel"`, `"gammatone"`, `"cqt"`,
        `"raw"` (the views used) and `"multiview"`.

    Example:

    >>> model = MultiViewCRNN.from_preset("small")
    >>> sorted(model.output_names)
    ['cqt', 'gammatone', 'mel', 'multiview', 'raw']

    References:
        - Phan et al., "Multi-view audio and music classification" (kgenre seed 003).
    """

    presets = {
        "paper": {},
        "paper_concat": {"view_outputs": False},
        "esc50": {"num_classes": 50, "raw_input_length": 66650, "raw_pool_size": 64},
        "small": {
            "num_classes": 4,
            "n_mels": 4,
            "n_gammatone": 4,
            "n_cqt": 4,
            "raw_input_length": 1200,
            "raw_pool_size": 8,
            "conv_filters": (4, 8),
            "gru_units": 8,
            "fc_units": (16, 16),
            "multiview_units": (32, 32),
        },
    }

    @records_arguments
    def __init__(
        self,
        num_classes=10,
        views=VIEWS,
        n_mels=64,
        n_gammatone=64,
        n_cqt=84,
        raw_input_length=33330,
        raw_pool_size=32,
        conv_filters=CONV_FILTERS,
        gru_units=256,
        fc_units=(512, 512),
        multiview_units=(4096, 4096),
        dropout=0.25,
        view_outputs=True,
        classifier_activation="softmax",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_rate("dropout", dropout)
        views = tuple(views)
        unknown = [v for v in views if v not in VIEWS]
        if unknown or not views or len(set(views)) != len(views):
            raise ValueError(f"views must be distinct names from {VIEWS}, got {views}")
        conv_filters = tuple(int(f) for f in conv_filters)
        fc_units = tuple(int(u) for u in fc_units)
        multiview_units = tuple(int(u) for u in multiview_units)
        bands = {"mel": n_mels, "gammatone": n_gammatone, "cqt": n_cqt}

        inputs, embeddings, outputs = {}, [], {}
        for view in views:
            prefix = f"{view}_"
            # inputs
            if view == "raw":
                inputs[INPUT_NAMES[view]] = x = keras.Input(
                    shape=(raw_input_length,), name=INPUT_NAMES[view]
                )
                x = apply_raw_front_end(x, (32, 64), (64, 16), (2, 2), raw_pool_size, prefix=prefix)
                kernels, pools = trunk_layout(len(conv_filters), (8, 3), (4, 2))
            else:
                inputs[INPUT_NAMES[view]] = x = keras.Input(
                    shape=(None, bands[view], 1), name=INPUT_NAMES[view]
                )
                kernels, pools = trunk_layout(len(conv_filters))
            # view subnetwork
            embedding = apply_trunk(x, conv_filters, kernels, pools, gru_units, dropout, prefix)
            embeddings.append(embedding)
            if view_outputs:
                outputs[view] = apply_view_head(
                    embedding, num_classes, fc_units, dropout, classifier_activation, prefix, view
                )
        # multi-view head
        x = (
            keras.layers.Concatenate(name="multiview_embedding")(embeddings)
            if len(embeddings) > 1
            else embeddings[0]
        )
        outputs["multiview"] = apply_view_head(
            x,
            num_classes,
            multiview_units,
            dropout,
            classifier_activation,
            "multiview_",
            "multiview",
        )
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)

    @property
    def views(self):
        return tuple(self._init_config["views"])


def late_fusion(models, name="late_fusion"):
    """The late-fusion baseline: averages the class probabilities of single-view models.

    Args:
        models: a dict `view -> model`, each a trained single-view model (e.g. `CRNN`,
            `RawCRNN`) with one input and a `(batch, num_classes)` probability output. The
            models must have distinct names.
        name: the name of the fused model.

    Returns:
        A functional `keras.Model` with a dict input keyed like `models` (the input layers
        take those names, so no model may share one) and one output `"late_fusion"`: the mean of the models' probabilities (Sec. 3.1.4). It saves and loads
        as a `.keras` file like any functional model.

    Example:

    >>> fused = late_fusion({"mel_spectrogram": CRNN.from_preset("small", name="mel_crnn"),
    ...                      "cqt_spectrogram": CRNN.from_preset("small", name="cqt_crnn")})
    """
    if not models:
        raise ValueError("late_fusion needs at least one model, got none")
    names = [m.name for m in models.values()]
    if len(set(names)) != len(names):
        raise ValueError(f"the models to fuse need distinct names, got {names}")
    widths = {m.output_shape[-1] for m in models.values()}
    if len(widths) != 1:
        raise ValueError(f"the models disagree on the number of classes: {sorted(widths)}")
    inputs = {
        view: keras.Input(shape=model.input_shape[1:], name=view) for view, model in models.items()
    }
    probabilities = [model(inputs[view]) for view, model in models.items()]
    if len(probabilities) == 1:
        fused = keras.layers.Identity(name="late_fusion")(probabilities[0])
    else:
        fused = keras.layers.Average(name="late_fusion")(probabilities)
    return keras.Model(inputs=inputs, outputs={"late_fusion": fused}, name=name)
