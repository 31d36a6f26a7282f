"""kgenre's models: the four papers' networks as Keras 3 functional models.

MS-SincResNet (seed 000): `MSSincResNet`, `SincResNet`, `SincNet`, `MelResNet`, `ResNet`.
Multi-view CRNN (seed 003): `CRNN`, `RawCRNN`, `MultiViewCRNN`, `late_fusion`.
SoundFusion (seed 001): `SimpleCNN`, `ResNet` (ResNet2D), `NNet1`, `NNet2` (`NNet1` with
nnet2's residual block), `VGG16Transfer`, `ResNet1D`, `SoundFusion`, `DecisionWeighting`.
Stems (seed 002): `StemConvNet` (`block="conv"` or `"separable"`), `StemSepConvNet` (its
separable preset).
Clip-to-track aggregation: `track_scores` (mean or vote), `aggregate_tracks`, `majority_vote`.
"""

from kgenre.models.aggregation import (
    aggregate_tracks,
    majority_vote,
    mean_probability,
    track_scores,
    vote_counts,
)
from kgenre.models.crnn import CRNN
from kgenre.models.mel_resnet import MelResNet
from kgenre.models.ms_sinc_resnet import MSSincResNet
from kgenre.models.multi_view_crnn import MultiViewCRNN, late_fusion
from kgenre.models.nnet1 import NNet1
from kgenre.models.nnet2 import NNet2
from kgenre.models.raw_crnn import RawCRNN
from kgenre.models.resnet import ResNet
from kgenre.models.resnet1d import ResNet1D
from kgenre.models.simple_cnn import SimpleCNN
from kgenre.models.sinc_net import SincNet
from kgenre.models.sinc_resnet import SincResNet
from kgenre.models.sound_fusion import DecisionWeighting, SoundFusion
from kgenre.models.stem_conv_net import StemConvNet
from kgenre.models.stem_sep_conv_net import StemSepConvNet
from kgenre.models.vgg16_transfer import VGG16Transfer

__all__ = [
    "CRNN",
    "DecisionWeighting",
    "MSSincResNet",
    "MelResNet",
    "MultiViewCRNN",
    "NNet1",
    "NNet2",
    "RawCRNN",
    "ResNet",
    "ResNet1D",
    "SimpleCNN",
    "SincNet",
    "SincResNet",
    "SoundFusion",
    "StemConvNet",
    "StemSepConvNet",
    "VGG16Transfer",
    "aggregate_tracks",
    "late_fusion",
    "majority_vote",
    "mean_probability",
    "track_scores",
    "vote_counts",
]
