import keras
from keras import ops

from kgenre.layers import MultiScaleSincNet, SpatialPyramidPooling
from kgenre.models._base import (
    PresetModel,
    check_positive,
    check_rate,
    classifier,
    records_arguments,
)
from kgenre.models._resnet_blocks import (
    apply_resnet,
    load_keras_hub_resnet,
    transfer_resnet_weights,
)


def resnet_head(x, num_classes, spp, spp_levels, hidden_units, dropout, classifier_activation):
    """Pools a ResNet feature map (SPP or global average) and applies two dense layers."""
    if spp:
        x = SpatialPyramidPooling(levels=spp_levels, pooling="avg", name="spp")(x)
    else:
        x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dense(hidden_units, activation="relu", name="fc1")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="fc1_dropout")(x)
    return classifier(x, num_classes, classifier_activation, "predictions")


@keras.saving.register_keras_serializable(package="kgenre")
class MSSincResNet(PresetModel):
    """MS-SincResNet: multi-scale SincNet front end, ResNet-18, spatial pyramid pooling.

    A 3-s clip at 16 kHz (48,000 samples) is layer-normalised and filtered by three banks of
    160 learnable sinc band-pass filters (lengths 251, 501, 1001); each bank is batch
    normalised, rectified and average-pooled to 1,024 frames, and the three 160x1024 maps are
    stacked as the channels of an image (`MultiScaleSincNet`, Sec. 2.2.2, Fig. 2). ResNet-18
    turns the 160x1024x3 image into a 512@5x32 map (conv5_2, Sec. 2.2.3); spatial pyramid
    pooling with levels (1, 2) gives 2,560 features (Sec. 2.2.4, Fig. 3) and two fully
    connected layers classify them (Fig. 1).

    The paper starts ResNet-18 from ImageNet weights; the default here is random weights,
    because they need keras-hub and a download (pass `backbone_weights="imagenet"`, or a local
    preset directory, to start as the paper does).

    Choices where the paper is silent: the width of the first fully connected layer is not
    given; we use 512 (the ResNet-18 feature width; the reference code has a single 512 -> 10
    layer after global average pooling). With `spp=False` the map is globally averaged, as in
    the reference code.

    Args:
        num_classes: genres. Defaults to 10 (GTZAN).
        input_length: samples per clip. Defaults to 48000 (3 s at 16 kHz, Sec. 2.2.1).
        sample_rate: Defaults to 16000.
        filters: sinc filters per scale (K). Defaults to 160 (the paper also tries 80).
        kernel_sizes: sinc kernel lengths (L), one per channel. Defaults to `(251, 501, 1001)`.
        output_length: frames after adaptive average pooling. Defaults to 1024.
        spp: spatial pyramid pooling (True) or global average pooling (False).
        spp_levels: pyramid levels. Defaults to `(1, 2)`.
        hidden_units: width of the first fully connected layer. Defaults to 512.
        dropout: dropout after the first fully connected layer. Defaults to 0 (none in the
            paper).
        depth: ResNet depth, 18 (paper) or 34.
        backbone_width: ResNet first-stage width. Defaults to 64 (ResNet-18).
        classifier_activation: `"softmax"` or `None` (logits).
        backbone_weights: `None` (random weights, the default), `"imagenet"` (keras-hub's
            `resnet_18_imagenet` preset, downloaded by keras-hub on first use), or a local
            keras-hub preset directory (offline machines): the ImageNet initialisation of the
            ResNet-18 that the paper fine-tunes. Needs keras-hub. Only the backbone is
            pretrained; the sinc front end and the head start from scratch.
        sinc_implementation: `"auto"` (the default), `"direct"` or `"fft"` convolution in
            the sinc banks, equal within float32 rounding (see `MultiScaleSincNet`;
            `"auto"` is FFT, from BENCHMARKS.md).
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, input_length)`.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = MSSincResNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 4000), "float32")).shape)
    (2, 4)
    >>> maps = model.representation_model()  # (batch, filters, frames, 3), for Fig. 4

    References:
        - Chang, Chen & Lee, "MS-SincResNet: Joint learning of 1D and 2D kernels using
          multi-scale SincNet and ResNet for music genre classification", ICMR 2021.
        - Reference code: github.com/PeiChunChang/MS-SincResNet (`models.py`).
    """

    presets = {
        "paper": {},
        "paper_k80": {"filters": 80},
        "paper_no_spp": {"spp": False},
        "small": {
            "num_classes": 4,
            "input_length": 4000,
            "filters": 64,
            "kernel_sizes": (51, 101, 201),
            "output_length": 64,
            "hidden_units": 16,
            "backbone_width": 8,
        },
    }

    # the weights travel with a saved file; a reload never fetches them again
    not_saved = ("backbone_weights",)

    @records_arguments
    def __init__(
        self,
        num_classes=10,
        input_length=48000,
        sample_rate=16000,
        filters=160,
        kernel_sizes=(251, 501, 1001),
        output_length=1024,
        spp=True,
        spp_levels=(1, 2),
        hidden_units=512,
        dropout=0.0,
        depth=18,
        backbone_width=64,
        classifier_activation="softmax",
        backbone_weights=None,
        sinc_implementation="auto",
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("input_length", input_length)
        check_positive("hidden_units", hidden_units)
        check_rate("dropout", dropout)
        kernel_sizes = tuple(int(k) for k in kernel_sizes)
        spp_levels = tuple(int(level) for level in spp_levels)

        # fail before building anything when the pretrained backbone cannot be had
        source = load_keras_hub_resnet(backbone_weights, depth)

        # inputs
        inputs = keras.Input(shape=(input_length,), name="waveform")
        # front end: the learned 2D representation (Fig. 2)
        maps = MultiScaleSincNet(
            filters=filters,
            kernel_sizes=kernel_sizes,
            sample_rate=sample_rate,
            output_length=output_length,
            implementation=sinc_implementation,
            name="ms_sincnet",
        )(inputs)
        # backbone
        x = apply_resnet(maps, depth=depth, width=backbone_width)
        # head
        outputs = resnet_head(
            x, num_classes, spp, spp_levels, hidden_units, dropout, classifier_activation
        )
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        if source is not None:
            transfer_resnet_weights(self, source)

    def representation_model(self):
        """A model mapping waveforms to the learned `(batch, filters, frames, scales)` maps.

        It shares its layers with this model, so it always shows the current filters (the
        paper's Fig. 4 (e) plots these maps, one image per scale).
        """
        front = self.get_layer("ms_sincnet")
        return keras.Model(self.input, front.output, name=f"{self.name}_representation")

    def learned_representations(self, waveforms):
        """The three learned 2D maps of `waveforms`, as numpy `(batch, scales, filters, frames)`.

        Computed in inference mode (batch norm uses its moving statistics).
        """
        front = self.get_layer("ms_sincnet")
        maps = front(ops.convert_to_tensor(waveforms, "float32"), training=False)
        return ops.convert_to_numpy(ops.transpose(maps, (0, 3, 1, 2)))

    def sinc_cutoffs_hz(self):
        """`[(low, high), ...]`, the learned cutoffs in Hz of each scale's sinc filters."""
        return [sinc.cutoffs_hz() for sinc in self.get_layer("ms_sincnet").sinc]
