"""Time-frequency views of audio: the filterbank maths and the spectrogram, defined once.

The filterbanks are plain numpy functions, and the STFT and filterbank spectrogram
(`stft_power`, `filterbank_spectrogram`) are written against a small `keras.ops`-like
namespace, so that the numpy functions here, the Keras layers (`LogMelSpectrogram`,
`GammatoneSpectrogram`) and the tf.data pipeline (`kgenre.data`) compute the same numbers
from the same code.

Settings used by the papers kgenre implements:
- Multi-view (Phan et al.): log mel and log gammatone spectrograms with 40-ms windows and 50%
  overlap, filters up to the Nyquist rate; log CQT from librosa with 12 bins per octave and a
  hop of 512 at 22,050 Hz. The band counts are lost from the extracted text; kgenre uses 64
  gammatone bands and librosa's default of 84 CQT bins (7 octaves).
- SoundFusion (Ausilio et al.): 64 mel bands, window 1024, hop 512, Hann.
- Mersy 2021: 128 mel bands per stem, stacked as a (128, T, 3) image.
- MS-SincResNet (Chang et al. 2021, Sec. 4.1): spectrogram, harmonic/percussive (HPSS) and
  mel views with a 512-sample window and a 128-sample hop, shown for comparison.
"""

import numpy as np

from kgenre.audio.checks import check_count, check_number, check_sample_rate

AMIN = 1e-10
"""Floor applied before the logarithm (librosa's `power_to_db` default)."""


def hz_to_mel(frequencies, htk=False):
    """Hertz to mels: Slaney's auditory toolbox scale (linear below 1 kHz) or HTK's."""
    f = np.asarray(frequencies, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    linear = f / f_sp
    log = min_log_mel + np.log(np.maximum(f, min_log_hz) / min_log_hz) / logstep
    return np.where(f >= min_log_hz, log, linear)


def mel_to_hz(mels, htk=False):
    """Mels to hertz, the inverse of `hz_to_mel`."""
    m = np.asarray(mels, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    linear = f_sp * m
    log = min_log_hz * np.exp(logstep * (m - min_log_mel))
    return np.where(m >= min_log_mel, log, linear)


def _check_band_args(sample_rate, n_fft, n_bands, fmin, fmax):
    sample_rate = check_sample_rate(sample_rate)
    check_count(n_fft, "n_fft", minimum=2)
    check_count(n_bands, "the number of bands")
    fmin = check_number(fmin, "fmin")
    fmax = sample_rate / 2.0 if fmax is None else check_number(fmax, "fmax")
    if not 0 <= fmin < fmax <= sample_rate / 2.0:
        raise ValueError(
            f"need 0 <= fmin < fmax <= sample_rate / 2, got fmin={fmin}, fmax={fmax}, "
            f"sample_rate={sample_rate}"
        )
    return fmax


def mel_filterbank(
    sample_rate: int,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm: str | None = "slaney",
) -> np.ndarray:
    """Triangular mel filterbank, equal to `librosa.filters.mel` with the same arguments.

    kgenre keeps its own copy of librosa's formula for parity: the numpy features, the Keras
    layer and the tf.data pipeline must share one set of weights, built without importing
    librosa (slow to import, and absent from the model-building path); and
    `keras.layers.MelSpectrogram` cannot stand in for it, since its filterbank follows HTK
    (triangles linear in mels, peak 1, no Slaney area normalisation, DC bin dropped) while
    the papers' spectrograms are librosa's Slaney default. `tests/audio/test_features.py`
    checks the equality with `librosa.filters.mel`.

    Args:
        sample_rate: sample rate in Hz.
        n_fft: FFT length; the filters cover its `n_fft // 2 + 1` bins.
        n_mels: number of mel bands (128 as in Mersy 2021).
        fmin: lowest frequency in Hz.
        fmax: highest frequency in Hz, `None` for the Nyquist rate.
        htk: HTK's mel scale instead of Slaney's.
        norm: `"slaney"` (each triangle has unit area in Hz, librosa's default) or `None`
            (peak 1).

    Returns:
        float32 array `(n_mels, n_fft // 2 + 1)`.
    """
    fmax = _check_band_args(sample_rate, n_fft, n_mels, fmin, fmax)
    if norm not in ("slaney", None):
        raise ValueError(f'norm must be "slaney" or None, got {norm!r}')
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    mel_edges = np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2)
    hz_edges = mel_to_hz(mel_edges, htk)
    widths = np.diff(hz_edges)
    ramps = hz_edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (hz_edges[2:] - hz_edges[:-2]))[:, None]
    return weights.astype(np.float32)


def erb_bandwidth(frequencies):
    """Equivalent rectangular bandwidth in Hz (Glasberg & Moore 1990): 24.7 (4.37 f/1000 + 1)."""
    return 24.7 * (4.37 * np.asarray(frequencies, dtype=np.float64) / 1000.0 + 1.0)


def hz_to_erb_rate(frequencies):
    """ERB-rate (number of ERBs below f): 21.4 log10(1 + 0.00437 f) (Glasberg & Moore 1990)."""
    return 21.4 * np.log10(1.0 + 0.00437 * np.asarray(frequencies, dtype=np.float64))


def erb_rate_to_hz(erb_rates):
    """Inverse of `hz_to_erb_rate`."""
    return (10.0 ** (np.asarray(erb_rates, dtype=np.float64) / 21.4) - 1.0) / 0.00437


def gammatone_center_frequencies(n_bands, fmin, fmax):
    """Centre frequencies equally spaced on the ERB-rate scale from `fmin` to `fmax`, ascending."""
    return erb_rate_to_hz(np.linspace(hz_to_erb_rate(fmin), hz_to_erb_rate(fmax), n_bands))


def gammatone_filterbank(sample_rate, n_fft, n_bands=64, fmin=50.0, fmax=None, order=4):
    """Power responses of a gammatone filterbank on the STFT bins.

    A gammatone filter of order `n`, centre `fc` and bandwidth parameter `b = 1.019 ERB(fc)`
    has the impulse response `t^(n-1) exp(-2 pi b t) cos(2 pi fc t)` (Patterson et al. 1992);
    its magnitude response around `fc` is `(1 + ((f - fc) / b)^2)^(-n/2)`. The weights are
    that magnitude squared (the filter applied to STFT power), peak 1 at each centre, as
    Ellis' `gtgram` approximates a gammatone filterbank through the FFT.

    Args:
        sample_rate: sample rate in Hz.
        n_fft: FFT length; the filters cover its `n_fft // 2 + 1` bins.
        n_bands: number of filters (64; the multi-view paper's count is lost in the extracted
            text, 64 is the count of the gammatone front end of Phan et al.'s earlier work).
        fmin: lowest centre frequency in Hz.
        fmax: highest centre frequency in Hz, `None` for the Nyquist rate.
        order: filter order (4, the auditory model's).

    Returns:
        float32 array `(n_bands, n_fft // 2 + 1)`, bands in ascending frequency.
    """
    fmax = _check_band_args(sample_rate, n_fft, n_bands, fmin, fmax)
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    centers = gammatone_center_frequencies(n_bands, max(fmin, 1e-3), fmax)
    b = 1.019 * erb_bandwidth(centers)
    detune = (fft_freqs[None, :] - centers[:, None]) / b[:, None]
    return ((1.0 + detune**2) ** (-order)).astype(np.float32)


def power_to_db(power, amin=AMIN):
    """`10 log10(max(power, amin))`, as `librosa.power_to_db(power, ref=1, top_db=None)`."""
    return (10.0 * np.log10(np.maximum(power, amin))).astype(np.float32)


def stft_window(n_fft: int, win_length: int | None = None) -> np.ndarray:
    """The analysis window of every kgenre STFT: a periodic Hann of `win_length` samples,
    centred in `n_fft` zeros (librosa's and Keras' convention), float32 `(n_fft,)`."""
    win_length = n_fft if win_length is None else win_length
    if not 1 <= win_length <= n_fft:
        raise ValueError(f"win_length must be in [1, n_fft={n_fft}], got {win_length}")
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win_length) / win_length)
    window = np.zeros(n_fft, np.float32)
    left = (n_fft - win_length) // 2
    window[left : left + win_length] = hann
    return window


class NumpyOps:
    """The `keras.ops` functions `filterbank_spectrogram` uses, on numpy arrays.

    `kgenre.data` holds the TensorFlow twin for tf.data; a model passes `keras.ops` itself.
    Only the arguments `filterbank_spectrogram` passes are supported (`center=False`, a
    window array of `fft_length` samples). The numpy features run it in float64 (and return
    float32), a reference for the float32 layer and pipeline.
    """

    pad = staticmethod(np.pad)
    matmul = staticmethod(np.matmul)
    log = staticmethod(np.log)
    maximum = staticmethod(np.maximum)
    transpose = staticmethod(np.transpose)

    @staticmethod
    def stft(x, sequence_length, sequence_stride, fft_length, window, center):
        frames = np.lib.stride_tricks.sliding_window_view(x, fft_length, axis=-1)
        spectrum = np.fft.rfft(frames[..., ::sequence_stride, :] * window, n=fft_length)
        return spectrum.real, spectrum.imag


def stft_power(x, n_fft: int, hop_length: int, win_length: int | None = None, ops=NumpyOps):
    """|STFT|^2 of `(..., samples)` as `(..., frames, n_fft // 2 + 1)`: kgenre's one STFT.

    Frames are centred by zero-padding `n_fft // 2` samples at both ends (librosa's default
    `center=True, pad_mode="constant"`), so there are `1 + samples // hop_length` of them,
    each windowed by `stft_window(n_fft, win_length)`.

    Args:
        x: signal `(..., samples)`, float32.
        n_fft: FFT length.
        hop_length: samples between frames.
        win_length: Hann window length, `None` for `n_fft`.
        ops: a namespace with `keras.ops`' `pad`, `stft`, `matmul`, `log`, `maximum` and
            `transpose`: `NumpyOps` (default), `keras.ops` in a model, or `kgenre.data`'s
            TensorFlow twin in tf.data.
    """
    window = stft_window(n_fft, win_length)
    rank = len(x.shape)
    x = ops.pad(x, [[0, 0]] * (rank - 1) + [[n_fft // 2, n_fft // 2]])
    real, imag = ops.stft(
        x,
        sequence_length=n_fft,
        sequence_stride=hop_length,
        fft_length=n_fft,
        window=window,
        center=False,
    )
    return real * real + imag * imag


def filterbank_spectrogram(
    x,
    weights: np.ndarray,
    n_fft: int,
    hop_length: int,
    win_length: int | None = None,
    ops=NumpyOps,
):
    """Log-power filterbank spectrogram in dB: the one definition kgenre computes everywhere.

    `stft_power` weighted by the filterbank and taken to `10 log10(max(., AMIN))`. The numpy
    functions (`log_mel_spectrogram`, `gammatone_spectrogram`), the Keras layers
    (`LogMelSpectrogram`, `GammatoneSpectrogram`, with `ops=keras.ops`) and the tf.data
    pipeline (`kgenre.data.make_dataset(feature="log_mel")`, with its TensorFlow twin of the
    same functions) all call this function, so they agree to float32 precision.

    Args:
        x: signal `(..., samples)`, float32.
        weights: filterbank `(bands, n_fft // 2 + 1)` (`mel_filterbank`, `gammatone_filterbank`).
        n_fft, hop_length, win_length, ops: as `stft_power`.

    Returns:
        `(..., bands, 1 + samples // hop_length)` in dB.
    """
    power = stft_power(x, n_fft, hop_length, win_length, ops)
    bands = ops.matmul(power, np.ascontiguousarray(weights.T))
    db = ops.log(ops.maximum(bands, AMIN)) * np.float32(10.0 / np.log(10.0))
    rank = len(x.shape)
    return ops.transpose(db, [*range(rank - 1), rank, rank - 1])


def power_spectrogram(
    y: np.ndarray, n_fft: int = 1024, hop_length: int = 512, win_length: int | None = None
) -> np.ndarray:
    """|STFT|^2 (`stft_power`) of a numpy signal, as `(..., n_fft // 2 + 1, frames)` float32."""
    power = stft_power(np.asarray(y, dtype=np.float64), n_fft, hop_length, win_length)
    return np.swapaxes(power, -1, -2).astype(np.float32)


def log_mel_spectrogram(
    y: np.ndarray,
    sample_rate: int,
    n_fft: int = 1024,
    hop_length: int = 512,
    win_length: int | None = None,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
) -> np.ndarray:
    """Log-power mel spectrogram in dB (`filterbank_spectrogram` with `mel_filterbank`).

    Defaults: SoundFusion's window 1024 / hop 512 (Ausilio et al., "Audio representations"
    slide) and Mersy 2021's 128 bands. The multi-view paper uses 40-ms windows with 50%
    overlap: `win_length = round(0.04 * sample_rate)`, `hop_length = win_length // 2`. Equal
    to librosa's `power_to_db(melspectrogram(..., pad_mode="constant"), top_db=None)`.

    Args:
        y: signal `(..., samples)`.
        sample_rate: its sample rate in Hz.
        n_fft: FFT length.
        hop_length: samples between frames.
        win_length: Hann window length, `None` for `n_fft`.
        n_mels: mel bands.
        fmin: lowest frequency in Hz.
        fmax: highest frequency, `None` for Nyquist.

    Returns:
        float32 array `(..., n_mels, frames)`, frames `= 1 + samples // hop_length`.
    """
    weights = mel_filterbank(sample_rate, n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    y = np.asarray(y, dtype=np.float64)
    return filterbank_spectrogram(y, weights, n_fft, hop_length, win_length).astype(np.float32)


def gammatone_spectrogram(
    y: np.ndarray,
    sample_rate: int,
    n_fft: int = 1024,
    hop_length: int = 512,
    win_length: int | None = None,
    n_bands: int = 64,
    fmin: float = 50.0,
    fmax: float | None = None,
) -> np.ndarray:
    """Log-power gammatone spectrogram in dB: the gammatone filterbank applied to |STFT|^2.

    Arguments as `log_mel_spectrogram`; `n_bands` gammatone filters (see
    `gammatone_filterbank`).

    Returns:
        float32 array `(..., n_bands, frames)`.
    """
    weights = gammatone_filterbank(sample_rate, n_fft, n_bands=n_bands, fmin=fmin, fmax=fmax)
    y = np.asarray(y, dtype=np.float64)
    return filterbank_spectrogram(y, weights, n_fft, hop_length, win_length).astype(np.float32)


def cqt_spectrogram(y, sample_rate, hop_length=512, n_bins=84, bins_per_octave=12, fmin=None):
    """Log constant-Q spectrogram in dB, extracted offline with librosa.

    Multi-view paper: librosa's CQT with 12 bins per octave and a hop of 512 at 22,050 Hz
    (1024 at 44.1 kHz); the bin count is lost, 84 (librosa's default, 7 octaves from C1).

    Returns:
        float32 array `(..., n_bins, frames)`.
    """
    import librosa

    cqt = librosa.cqt(
        np.asarray(y, dtype=np.float32),
        sr=sample_rate,
        hop_length=hop_length,
        n_bins=n_bins,
        bins_per_octave=bins_per_octave,
        fmin=fmin,
    )
    return power_to_db(np.abs(cqt) ** 2)


def hpss_spectrograms(y, n_fft=512, hop_length=128, kernel_size=31, margin=1.0):
    """Harmonic and percussive log-power spectrograms by median-filtering HPSS.

    Fitzgerald's median-filtering separation (DAFx 2010) through `librosa.decompose.hpss`,
    with MS-SincResNet's window 512 and hop 128 (Chang et al. 2021, Sec. 4.1, Fig. 4).

    Returns:
        `(harmonic_db, percussive_db)`, each float32 `(..., n_fft // 2 + 1, frames)`.
    """
    import librosa

    spec = librosa.stft(
        np.asarray(y, dtype=np.float32),
        n_fft=n_fft,
        hop_length=hop_length,
        window="hann",
        center=True,
        pad_mode="constant",
    )
    harmonic, percussive = librosa.decompose.hpss(spec, kernel_size=kernel_size, margin=margin)
    return power_to_db(np.abs(harmonic) ** 2), power_to_db(np.abs(percussive) ** 2)


FEATURE_FUNCTIONS = {
    "log_mel": log_mel_spectrogram,
    "gammatone": gammatone_spectrogram,
    "cqt": cqt_spectrogram,
}
"""The spectrograms a model input can be made of (`kgenre.inference.InputSpec.feature`), by
name: each takes `(y, sample_rate, **options)` and returns `(..., bands, frames)`."""


def compute_feature(y, sample_rate, feature, **options):
    """`FEATURE_FUNCTIONS[feature](y, sample_rate, **options)`, with a clear error for an
    unknown name or option."""
    if feature not in FEATURE_FUNCTIONS:
        raise ValueError(f"feature must be one of {sorted(FEATURE_FUNCTIONS)}, got {feature!r}")
    fn = FEATURE_FUNCTIONS[feature]
    import inspect

    accepted = set(inspect.signature(fn).parameters) - {"y", "sample_rate"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ValueError(f"unknown {feature} options {unknown}; accepted: {sorted(accepted)}")
    return fn(y, sample_rate, **options)
