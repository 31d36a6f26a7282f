"""The papers' augmentation and regularisation settings as named presets."""

import dataclasses

from kgenre.data.augment import GAIN_RANGE, NOISE_STDDEV


@dataclasses.dataclass(frozen=True)
class AugmentationConfig:
    """Augmentation and dropout settings of one paper.

    `dataset_kwargs()` gives the matching keyword arguments of
    `kgenre.data.make_dataset` (gain, noise, SpecAugment, clips per track).

    Args:
        gain_range: random amplitude factor interval applied to waveforms.
        noise_stddev: standard deviation of added Gaussian noise (full scale 1).
        spec_augment: `False` or a dict of SpecAugment options (masks and widths).
        clips_per_track: random clips drawn per track per epoch.
        dropout: dropout rate the paper puts before/after its output layer.
    """

    gain_range: tuple = (1.0, 1.0)
    noise_stddev: float = 0.0
    spec_augment: object = False
    clips_per_track: int = 4
    dropout: float = 0.0

    def dataset_kwargs(self):
        return {
            "augment": self.gain_range != (1.0, 1.0)
            or self.noise_stddev > 0
            or bool(self.spec_augment),
            "gain_range": tuple(self.gain_range),
            "noise_stddev": self.noise_stddev,
            "spec_augment": self.spec_augment,
            "clips_per_track": self.clips_per_track,
        }


def db_to_gain(db):
    """Amplitude factor of a gain in decibels (`10 ** (db / 20)`)."""
    return 10.0 ** (db / 20.0)


AUGMENTATION_PRESETS = {
    # Chang et al., ICMR 2021 (seed 000), Sec. 2.3: 4 random clips per track per epoch,
    # amplitude x U[0.9, 1.1], zero-mean Gaussian noise sigma = 0.02 (make_dataset's defaults).
    "ms_sincresnet": AugmentationConfig(
        gain_range=GAIN_RANGE, noise_stddev=NOISE_STDDEV, spec_augment=False, clips_per_track=4
    ),
    # Ausilio et al., SoundFusion slides (seed 001), "Regularization techniques":
    # waveforms get Gaussian noise std 0.02 and a gain between -12 dB and +12 dB;
    # spectrograms get 2 time and 2 frequency masks, probability 1, at most 30 % of the
    # axis (30 % of 64 mel bands = 19 bands; of a 5-s clip at hop 512 / 44.1 kHz,
    # ~431 frames, 129 frames); dropout 0.3-0.5 after the output layer (0.3 here, the
    # low end; the tuner explores the range).
    "soundfusion": AugmentationConfig(
        gain_range=(db_to_gain(-12.0), db_to_gain(12.0)),
        noise_stddev=0.02,
        spec_augment={
            "freq_masks": 2,
            "freq_width": 19,
            "time_masks": 2,
            "time_width": 129,
            "max_time_fraction": 0.3,
        },
        clips_per_track=4,
        dropout=0.3,
    ),
    "none": AugmentationConfig(),
}
"""Named augmentation presets; `AUGMENTATION_PRESETS["soundfusion"].dataset_kwargs()`."""
