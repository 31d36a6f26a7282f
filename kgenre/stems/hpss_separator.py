"""An offline, training-free separator from harmonic-percussive source separation."""

import numpy as np

from kgenre.audio.sources import STEM_NAMES
from kgenre.stems.separator import Separator, check_audio


class HPSSSeparator(Separator):
    """Bass, drums and other from median-filtering HPSS and a low-pass split of the harmonics.

    The mix's STFT is split by Fitzgerald's median-filtering harmonic-percussive separation
    (DAFx 2010, through `librosa.decompose.hpss`) with soft (Wiener-like) masks that sum to
    one, so nothing is lost or added:

    - drums: the percussive part;
    - bass: the harmonic part in the STFT bins below `bass_cutoff_hz`;
    - other: the harmonic part at and above `bass_cutoff_hz`;
    - vocals: zeros. Median filtering has no notion of a voice (sung notes are harmonic and
      land in `other`); the stem is kept so every separator returns the same four.

    Hence `bass + drums + other` equals the mix up to STFT round-off. This is the default
    when Spleeter is not set up; it is far cruder than Spleeter's trained U-Nets (see the
    separator table in the README) but needs no model and no download.

    Args:
        bass_cutoff_hz: split frequency between bass and other, default 200 Hz: electronic
            and pop bass lines sit at about 40-200 Hz (the lowest notes of a bass guitar
            are 41 Hz, E1; the kick drum's low end is percussive and goes to drums).
        n_fft: STFT window length in samples at the input rate (default 2048, 93 ms at
            22,050 Hz, long enough to resolve bass notes 11 Hz apart).
        hop_length: STFT hop in samples (default 512).
        kernel_size: median filter length, in frames and bins (librosa's default, 31).
        power: exponent of the soft masks (librosa's default, 2: Wiener-like).

    Example:
        >>> import numpy as np
        >>> sr = 22050
        >>> mix = np.random.default_rng(0).standard_normal(sr).astype("float32")
        >>> stems = HPSSSeparator().separate(mix, sr)
        >>> sorted(stems), stems["bass"].shape
        (['bass', 'drums', 'other', 'vocals'], (22050,))

    References:
        D. Fitzgerald. Harmonic/percussive separation using median filtering. DAFx 2010.
    """

    name = "hpss"

    def __init__(self, bass_cutoff_hz=200.0, n_fft=2048, hop_length=512, kernel_size=31, power=2.0):
        if not bass_cutoff_hz > 0:
            raise ValueError(f"bass_cutoff_hz must be positive, got {bass_cutoff_hz}")
        if int(n_fft) < 16:
            raise ValueError(f"n_fft must be >= 16, got {n_fft}")
        if not 0 < int(hop_length) <= int(n_fft):
            raise ValueError(f"hop_length must be in 1..n_fft ({n_fft}), got {hop_length}")
        if int(kernel_size) < 1:
            raise ValueError(f"kernel_size must be >= 1, got {kernel_size}")
        if not power > 0:
            raise ValueError(f"power must be positive, got {power}")
        self.bass_cutoff_hz = float(bass_cutoff_hz)
        self.n_fft = int(n_fft)
        self.hop_length = int(hop_length)
        self.kernel_size = int(kernel_size)
        self.power = float(power)

    def get_config(self):
        return {
            "bass_cutoff_hz": self.bass_cutoff_hz,
            "n_fft": self.n_fft,
            "hop_length": self.hop_length,
            "kernel_size": self.kernel_size,
            "power": self.power,
        }

    def separate(self, audio, sample_rate):
        import librosa

        x, mono = check_audio(audio, sample_rate)
        length = x.shape[-1]
        stft = librosa.stft(
            x, n_fft=self.n_fft, hop_length=self.hop_length, window="hann", center=True
        )
        mask_harmonic, mask_percussive = librosa.decompose.hpss(
            stft, kernel_size=self.kernel_size, power=self.power, mask=True
        )
        freqs = librosa.fft_frequencies(sr=sample_rate, n_fft=self.n_fft)
        low = (freqs < self.bass_cutoff_hz)[:, None]
        harmonic = stft * mask_harmonic
        parts = {
            "bass": harmonic * low,
            "drums": stft * mask_percussive,
            "other": harmonic * ~low,
        }
        stems = {
            name: librosa.istft(
                spec, hop_length=self.hop_length, window="hann", center=True, length=length
            ).astype(np.float32)
            for name, spec in parts.items()
        }
        stems["vocals"] = np.zeros_like(x)
        return {name: stems[name][0] if mono else stems[name] for name in STEM_NAMES}
