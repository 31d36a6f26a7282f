import keras

from kgenre.models._base import PresetModel, check_positive, check_rate, records_arguments
from kgenre.models._resnet_blocks import (
    apply_resnet,
    load_keras_hub_resnet,
    transfer_resnet_weights,
)
from kgenre.models.ms_sinc_resnet import resnet_head


@keras.saving.register_keras_serializable(package="kgenre")
class MelResNet(PresetModel):
    """ResNet-18 on a log-mel spectrogram: MS-SincResNet's hand-crafted-input baseline.

    The "ResNet (Mel-spectrogram)" row of MS-SincResNet's Table 1: the learned sinc front end
    is replaced by a log-mel spectrogram computed inside the model
    (`keras.layers.MelSpectrogram`, power in dB), so the model takes the same 48,000-sample
    clips. STFT window 512 and hop 128 are the paper's spectrogram settings (Sec. 4.1); the
    number of mel bands is not given, we use 128 (librosa's default). The single-channel
    image feeds ResNet-18; with `backbone_weights` the ImageNet stem kernel is summed over its
    RGB channels. The head is MS-SincResNet's (global average pooling by default, as in the
    ablation, then two fully connected layers).

    Args:
        num_classes: Defaults to 10.
        input_length: samples per clip. Defaults to 48000.
        sample_rate: Defaults to 16000.
        n_mels: mel bands. Defaults to 128.
        fft_length: STFT window. Defaults to 512.
        hop_length: STFT hop. Defaults to 128.
        spp: spatial pyramid pooling instead of global average pooling. Defaults to False.
        spp_levels: Defaults to `(1, 2)`.
        hidden_units: Defaults to 512.
        dropout: Defaults to 0.
        depth: 18 or 34. Defaults to 18.
        backbone_width: Defaults to 64.
        classifier_activation: `"softmax"` or `None`.
        backbone_weights: `None` (random weights, the default), `"imagenet"` (keras-hub's
            ImageNet ResNet-18, downloaded by keras-hub on first use) or a local keras-hub
            preset directory. Needs keras-hub.
        **kwargs: `keras.Model` arguments.

    Input shape:
        `(batch, input_length)` waveforms.

    Output shape:
        `(batch, num_classes)`.

    Example:

    >>> model = MelResNet.from_preset("small")
    >>> tuple(model(np.zeros((2, 4000), "float32")).shape)
    (2, 4)

    References:
        - Chang, Chen & Lee, MS-SincResNet, ICMR 2021, Table 1 and Sec. 3.3.
        - Bisharad & Laskar, "Music Genre Recognition Using Residual Neural Networks",
          TENCON 2019 (ResNet-18 on mel spectrograms of 3-s clips).
    """

    presets = {
        "paper": {},
        "small": {
            "num_classes": 4,
            "input_length": 4000,
            "n_mels": 64,
            "fft_length": 256,
            "hop_length": 64,
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
        n_mels=128,
        fft_length=512,
        hop_length=128,
        spp=False,
        spp_levels=(1, 2),
        hidden_units=512,
        dropout=0.0,
        depth=18,
        backbone_width=64,
        classifier_activation="softmax",
        backbone_weights=None,
        **kwargs,
    ):
        check_positive("num_classes", num_classes)
        check_positive("input_length", input_length)
        check_positive("n_mels", n_mels)
        check_rate("dropout", dropout)
        spp_levels = tuple(int(level) for level in spp_levels)

        # fail before building anything when the pretrained backbone cannot be had
        source = load_keras_hub_resnet(backbone_weights, depth)

        # inputs
        inputs = keras.Input(shape=(input_length,), name="waveform")
        # front end: (batch, n_mels, frames) log-mel power, as a one-channel image
        x = keras.layers.MelSpectrogram(
            fft_length=fft_length,
            sequence_stride=hop_length,
            sampling_rate=sample_rate,
            num_mel_bins=n_mels,
            min_freq=0.0,
            power_to_db=True,
            name="log_mel",
        )(inputs)
        x = keras.layers.Reshape((n_mels, -1, 1), name="to_image")(x)
        # backbone
        x = apply_resnet(x, depth=depth, width=backbone_width)
        # head
        outputs = resnet_head(
            x, num_classes, spp, spp_levels, hidden_units, dropout, classifier_activation
        )
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        if source is not None:
            transfer_resnet_weights(self, source)
