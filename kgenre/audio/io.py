"""Reading audio files and cutting them into fixed-length clips."""

import os

import numpy as np
import soundfile


class AudioDecodeError(ValueError):
    """An audio file exists but cannot be decoded, or holds no samples."""


def _read_soundfile(path):
    y, sr = soundfile.read(path, dtype="float32", always_2d=True)
    return y.T, sr


def _read_fallback(path):
    # audioread (through librosa) decodes what libsndfile cannot, e.g. mp3 on old libsndfile.
    import warnings

    import librosa

    with warnings.catch_warnings():
        # librosa warns that it is falling back to audioread: that is the point here.
        warnings.simplefilter("ignore")
        y, sr = librosa.load(path, sr=None, mono=False, dtype=np.float32)
    return np.atleast_2d(y), sr


def load(path, sample_rate=None, mono=True):
    """Loads an audio file as float32 samples in [-1, 1].

    Reads wav, flac, ogg, mp3 and Sun/NeXT `.au` (GTZAN's original format) with soundfile
    (libsndfile), falling back to librosa/audioread for anything libsndfile cannot decode.
    Resampling uses soxr's band-limited "high quality" resampler.

    Args:
        path: the audio file.
        sample_rate: target sample rate in Hz; `None` keeps the file's rate.
        mono: average the channels into one.

    Returns:
        `(y, sample_rate)`: `y` of shape `(samples,)` when `mono`, else `(channels, samples)`.

    Raises:
        FileNotFoundError: `path` does not exist.
        AudioDecodeError: the file cannot be decoded or holds no samples.
        ValueError: `sample_rate` is not positive.

    Example:
        >>> y, sr = load("tests/fixtures/audio/sorohan_solo_trumpet.ogg", 16000)  # doctest: +SKIP
    """
    path = os.fspath(path)
    if sample_rate is not None and sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"audio file not found: {path!r}")
    if os.path.getsize(path) == 0:
        raise AudioDecodeError(f"audio file is empty (0 bytes): {path!r}")
    try:
        y, sr = _read_soundfile(path)
    except (soundfile.LibsndfileError, RuntimeError) as sf_error:
        try:
            y, sr = _read_fallback(path)
        except Exception as error:
            raise AudioDecodeError(
                f"cannot decode audio file {path!r}: {sf_error}; fallback decoder: {error}"
            ) from error
    if y.shape[-1] == 0:
        raise AudioDecodeError(f"audio file holds no samples: {path!r}")
    if mono:
        y = y.mean(axis=0)
    if sample_rate is not None and sr != sample_rate:
        import soxr

        y = soxr.resample(y.T, sr, sample_rate, quality="HQ").T
        sr = sample_rate
    y = np.clip(np.ascontiguousarray(y, dtype=np.float32), -1.0, 1.0)
    return y, sr


def clip_starts(num_samples, clip_length, hop_length, tail="drop", pad_short=True):
    """Start offsets of the clips that `segment` cuts; the policy in one place.

    Clips start at `0, hop, 2*hop, ...` as long as they fit. With `tail="pad"` one more clip
    starts at the next hop if samples after the last full clip would otherwise be lost
    (zero-padded at the end). Audio shorter than one clip gives a single zero-padded clip
    when `pad_short`, otherwise a `ValueError`.

    Args:
        num_samples: length of the signal.
        clip_length: samples per clip.
        hop_length: samples between clip starts.
        tail: `"drop"` (default) or `"pad"`.
        pad_short: pad audio shorter than one clip instead of refusing it.

    Returns:
        int64 array of start offsets.
    """
    if clip_length <= 0 or hop_length <= 0:
        raise ValueError(
            f"clip_length and hop_length must be positive, got {clip_length}, {hop_length}"
        )
    if tail not in ("drop", "pad"):
        raise ValueError(f'tail must be "drop" or "pad", got {tail!r}')
    if num_samples <= 0:
        raise ValueError(f"cannot cut clips from an empty signal (num_samples={num_samples})")
    if num_samples < clip_length:
        if not pad_short:
            raise ValueError(
                f"audio has {num_samples} samples, shorter than one clip of {clip_length}; "
                "pass pad_short=True to zero-pad it"
            )
        return np.zeros(1, dtype=np.int64)
    count = 1 + (num_samples - clip_length) // hop_length
    if tail == "pad" and (count - 1) * hop_length + clip_length < num_samples:
        count += 1
    return np.arange(count, dtype=np.int64) * hop_length


def segment(y, sample_rate, clip_seconds, hop_seconds=None, tail="drop", pad_short=True):
    """Cuts a signal into fixed-length, possibly overlapping clips.

    Paper settings: MS-SincResNet 3-s clips with a 0.5-s hop at 16 kHz (Chang et al. 2021,
    Sec. 2); SoundFusion 5-s clips with 25% overlap (hop 3.75 s) at 22,050 Hz (Ausilio et al.,
    "Raw audio waveforms" slide); Mersy 2021 ~10-s excerpts at 22,050 Hz. The policy for the
    tail and for short audio is `clip_starts`'.

    Args:
        y: signal, shape `(samples,)` or `(channels, samples)`.
        sample_rate: its sample rate in Hz.
        clip_seconds: clip length in seconds.
        hop_seconds: seconds between clip starts; defaults to `clip_seconds` (no overlap).
        tail: `"drop"` the samples after the last full clip, or `"pad"` them into one more
            zero-padded clip.
        pad_short: zero-pad audio shorter than one clip into one clip (`True`) or raise.

    Returns:
        Clips of shape `(num_clips, clip_samples)` (or `(num_clips, channels, clip_samples)`).

    Example:
        >>> segment(np.zeros(16000 * 30, "float32"), 16000, 3.0, 0.5).shape
        (55, 48000)
    """
    y = np.asarray(y)
    clip_length = int(round(clip_seconds * sample_rate))
    hop_length = int(round((clip_seconds if hop_seconds is None else hop_seconds) * sample_rate))
    starts = clip_starts(y.shape[-1], clip_length, hop_length, tail=tail, pad_short=pad_short)
    needed = int(starts[-1]) + clip_length
    if needed > y.shape[-1]:
        pad = [(0, 0)] * (y.ndim - 1) + [(0, needed - y.shape[-1])]
        y = np.pad(y, pad)
    clips = [y[..., s : s + clip_length] for s in starts]
    return np.stack(clips)
