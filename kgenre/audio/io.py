"""Reading audio files (checked by content, not by name) and the clip positions of a signal."""

import os
import tempfile
import threading
import typing

import numpy as np
import soundfile

from kgenre.audio.checks import check_choice, check_count, check_sample_rate, seconds_to_samples


class AudioDecodeError(ValueError):
    """An audio file exists but is not audio, cannot be decoded, or holds no usable samples."""


_HEAD_BYTES = 64


def _mpeg_frame_at(head, i):
    """Whether `head[i:i + 4]` is a plausible MPEG audio frame header (mp3, mp2, ADTS AAC)."""
    if i + 3 > len(head) or head[i] != 0xFF or head[i + 1] & 0xE0 != 0xE0:
        return False
    if head[i + 1] & 0x18 == 0x08:  # reserved MPEG version
        return False
    if head[i + 1] & 0x06 == 0:  # layer "reserved" also marks ADTS AAC (0xFFF sync)
        return head[i + 1] & 0xF6 == 0xF0
    return head[i + 2] >> 4 != 0xF and (head[i + 2] >> 2) & 0x3 != 0x3


def sniff_audio_format(head: bytes) -> str | None:
    """The container an audio file's first bytes announce, or `None` if they match none.

    Checks the magic numbers of the formats kgenre reads: WAV (RIFF/RIFX/RF64/BW64 and Sony
    Wave64), Sun/NeXT `.au`/`.snd`, FLAC, Ogg (Vorbis, Opus, FLAC), MP3 (an ID3 tag or an MPEG
    frame header), AIFF/AIFC, Apple CAF, MP4/M4A, WavPack and NIST SPHERE.

    Args:
        head: the file's first bytes (at least 12; 64 are read by `load`).

    Returns:
        A short format name (`"wav"`, `"au"`, `"flac"`, `"ogg"`, `"mp3"`, `"aiff"`, `"caf"`,
        `"mp4"`, `"wavpack"`, `"nist"`), or `None`.

    Example:
        >>> sniff_audio_format(b"fLaC\\x00\\x00\\x00\\x22")
        'flac'
        >>> sniff_audio_format(b"this is not audio") is None
        True
    """
    head = bytes(head)
    if head[:4] in (b"RIFF", b"RIFX", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"riff" and head[8:12] == b"\x2e\x91\xcf\x11":  # Sony Wave64 GUID
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    table = {
        b".snd": "au",
        b"dns.": "au",  # little-endian NeXT
        b"fLaC": "flac",
        b"OggS": "ogg",
        b"ID3": "mp3",
        b"caff": "caf",
        b"wvpk": "wavpack",
        b"NIST_1A": "nist",
    }
    for magic, name in table.items():
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return "mp4"
    if _mpeg_frame_at(head, 0):
        return "mp3"
    return None


_PRIMED = threading.Event()
_PRIMING = threading.Lock()


def prime_soundfile() -> None:
    """Reads and writes one tiny WAV file once per process, under a lock.

    cffi 2.x realizes libsndfile's C types lazily on first use without a lock on GIL builds
    of Python (python-cffi/cffi#271), and two threads realizing the same type at once abort
    the process (`realize_c_type_or_func_lock_held: Assertion ... failed`). The records
    writer decodes tracks in a thread pool, so the first decode realizes every type on one
    thread before others can.
    """
    if _PRIMED.is_set():
        return
    with _PRIMING:
        if _PRIMED.is_set():
            return
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "prime.wav")
            soundfile.write(path, np.zeros((8, 1), np.float32), 8000, subtype="PCM_16")
            soundfile.info(path)
            soundfile.read(path, dtype="float32", always_2d=True)
        _PRIMED.set()


def _read_soundfile(path):
    prime_soundfile()
    y, sample_rate = soundfile.read(path, dtype="float32", always_2d=True)
    return y.T, sample_rate


def _read_fallback(path):
    # audioread (through librosa) decodes what libsndfile cannot, e.g. mp3 on old libsndfile.
    import warnings

    import librosa

    with warnings.catch_warnings():
        # librosa warns that it is falling back to audioread: that is the point here.
        warnings.simplefilter("ignore")
        y, sample_rate = librosa.load(path, sr=None, mono=False, dtype=np.float32)
    return np.atleast_2d(y), sample_rate


NONFINITE_POLICIES = ("error", "zero")
"""What to do with NaN or infinite samples: refuse the audio, or zero them and report how many."""


def handle_nonfinite(
    y: np.ndarray, nonfinite: str = "error", source: str = "audio"
) -> tuple[np.ndarray, int]:
    """Applies the non-finite policy to a waveform: `(y, number of samples zeroed)`.

    Args:
        y: samples (any shape).
        nonfinite: `"error"` refuses audio holding NaN or infinite samples; `"zero"` replaces
            them with 0 and returns how many there were (callers report the count).
        source: what the samples are (a path), for the message.

    Raises:
        AudioDecodeError: non-finite samples under `nonfinite="error"`.
    """
    check_choice(nonfinite, "nonfinite", NONFINITE_POLICIES)
    bad = ~np.isfinite(y)
    count = int(bad.sum())
    if count and nonfinite == "error":
        raise AudioDecodeError(
            f"{source} has {count} NaN or infinite samples of {y.size}; "
            "pass nonfinite='zero' to zero them instead"
        )
    if count:
        y = np.where(bad, 0.0, y).astype(y.dtype)
    return y, count


class LoadedAudio(typing.NamedTuple):
    """What `load_audio` returns."""

    samples: np.ndarray
    """float32 in [-1, 1]: `(samples,)` when mono, else `(channels, samples)`."""
    sample_rate: int
    nonfinite: int
    """Non-finite samples found (and zeroed) in the file; always 0 with `nonfinite="error"`."""


def load_audio(
    path: str | os.PathLike,
    sample_rate: int | None = None,
    mono: bool = True,
    nonfinite: str = "error",
) -> LoadedAudio:
    """Reads an audio file after checking that its content is audio; see `load`.

    Returns:
        A `LoadedAudio` `(samples, sample_rate, nonfinite)`.
    """
    path = os.fspath(path)
    if sample_rate is not None:
        sample_rate = check_sample_rate(sample_rate)
    check_choice(nonfinite, "nonfinite", NONFINITE_POLICIES)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"audio file not found: {path!r}")
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        raise AudioDecodeError(f"audio file is empty (0 bytes): {path!r}")
    if sniff_audio_format(head) is None:
        raise AudioDecodeError(
            f"{path!r} is not audio: its first bytes {head[:12]!r} match no audio format "
            "(WAV, AU/SND, FLAC, Ogg, MP3, AIFF, CAF, MP4, WavPack, NIST)"
        )
    try:
        y, rate = _read_soundfile(path)
    except (soundfile.LibsndfileError, RuntimeError) as sf_error:
        try:
            y, rate = _read_fallback(path)
        except Exception as error:
            raise AudioDecodeError(
                f"cannot decode audio file {path!r}: {sf_error}; fallback decoder: {error}"
            ) from error
    if y.shape[-1] == 0:
        raise AudioDecodeError(f"audio file holds no samples: {path!r}")
    y, zeroed = handle_nonfinite(y, nonfinite, repr(path))
    if mono:
        y = y.mean(axis=0)
    if sample_rate is not None and rate != sample_rate:
        import soxr

        y = soxr.resample(y.T, rate, sample_rate, quality="HQ").T
        rate = sample_rate
    y = np.clip(np.ascontiguousarray(y, dtype=np.float32), -1.0, 1.0)
    return LoadedAudio(y, int(rate), zeroed)


def load(
    path: str | os.PathLike,
    sample_rate: int | None = None,
    mono: bool = True,
    nonfinite: str = "error",
) -> tuple[np.ndarray, int]:
    """Loads an audio file as float32 samples in [-1, 1].

    The file must be audio by its content: its first bytes must carry the magic number of an
    audio format (`sniff_audio_format`), whatever its extension (a text file named `.au`
    would otherwise decode as headerless noise). It is read with soundfile (libsndfile: wav,
    flac, ogg, mp3, Sun/NeXT `.au`, GTZAN's format), falling back to librosa/audioread for
    anything libsndfile cannot decode. NaN or infinite samples are refused (or zeroed with
    `nonfinite="zero"`; `load_audio` also returns how many). Resampling uses soxr's
    band-limited "high quality" resampler.

    Args:
        path: the audio file.
        sample_rate: target sample rate in Hz; `None` keeps the file's rate.
        mono: average the channels into one.
        nonfinite: `"error"` (default) or `"zero"`.

    Returns:
        `(y, sample_rate)`: `y` of shape `(samples,)` when `mono`, else `(channels, samples)`.

    Raises:
        FileNotFoundError: `path` does not exist.
        AudioDecodeError: the file is not audio, cannot be decoded, holds no samples, or holds
            non-finite samples under `nonfinite="error"`.
        ValueError: `sample_rate` is not a whole number of Hz in [1, 768000].

    Example:
        >>> y, sr = load("tests/fixtures/audio/sorohan_solo_trumpet.ogg", 16000)  # doctest: +SKIP
    """
    y, rate, _ = load_audio(path, sample_rate, mono=mono, nonfinite=nonfinite)
    return y, rate


TAIL_POLICIES = ("drop", "pad")


def clip_span(num_samples: int, clip_length: int) -> int:
    """How many start positions a clip of `clip_length` has in `num_samples` (at least 1).

    Random clips start at `floor(u * clip_span)` for `u ~ U[0, 1)`: anywhere a whole clip
    fits, or at 0 (zero-padded) when the signal is shorter than one clip.
    """
    return max(int(num_samples) - int(clip_length), 0) + 1


def clip_count(num_samples: int, clip_length: int, hop_length: int, tail: str = "drop") -> int:
    """How many clips `clip_starts` cuts (the policy is `clip_starts`'); short audio gives 1."""
    if num_samples < clip_length:
        return 1
    count = 1 + (num_samples - clip_length) // hop_length
    if tail == "pad" and (count - 1) * hop_length + clip_length < num_samples:
        count += 1
    return int(count)


def clip_starts(
    num_samples: int,
    clip_length: int,
    hop_length: int,
    tail: str = "drop",
    pad_short: bool = True,
) -> np.ndarray:
    """Start offsets of the clips that `segment` cuts; the policy in one place.

    Clips start at `0, hop, 2*hop, ...` as long as they fit. With `tail="pad"` one more clip
    starts at the next hop if samples after the last full clip would otherwise be lost
    (zero-padded at the end). Audio shorter than one clip gives a single zero-padded clip
    when `pad_short`, otherwise a `ValueError`. The tf.data reader (`kgenre.data`) takes its
    evaluation clips from this function too.

    Args:
        num_samples: length of the signal.
        clip_length: samples per clip.
        hop_length: samples between clip starts.
        tail: `"drop"` (default) or `"pad"`.
        pad_short: pad audio shorter than one clip instead of refusing it.

    Returns:
        int64 array of start offsets.
    """
    clip_length = check_count(clip_length, "clip_length")
    hop_length = check_count(hop_length, "hop_length")
    num_samples = check_count(num_samples, "num_samples", minimum=0)
    check_choice(tail, "tail", TAIL_POLICIES)
    if num_samples == 0:
        raise ValueError("cannot cut clips from an empty signal (num_samples=0)")
    if num_samples < clip_length and not pad_short:
        raise ValueError(
            f"audio has {num_samples} samples, shorter than one clip of {clip_length}; "
            "pass pad_short=True to zero-pad it"
        )
    count = clip_count(num_samples, clip_length, hop_length, tail)
    return np.arange(count, dtype=np.int64) * hop_length


def segment(
    y: np.ndarray,
    sample_rate: int,
    clip_seconds: float,
    hop_seconds: float | None = None,
    tail: str = "drop",
    pad_short: bool = True,
) -> np.ndarray:
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

    Raises:
        ValueError: a bad rate or duration (see `kgenre.audio.checks`), an empty signal, or a
            short one with `pad_short=False`.

    Example:
        >>> segment(np.zeros(16000 * 30, "float32"), 16000, 3.0, 0.5).shape
        (55, 48000)
    """
    y = np.asarray(y)
    clip_length = seconds_to_samples(clip_seconds, sample_rate, "clip_seconds")
    hop = clip_seconds if hop_seconds is None else hop_seconds
    hop_length = seconds_to_samples(hop, sample_rate, "hop_seconds")
    starts = clip_starts(y.shape[-1], clip_length, hop_length, tail=tail, pad_short=pad_short)
    needed = int(starts[-1]) + clip_length
    if needed > y.shape[-1]:
        pad = [(0, 0)] * (y.ndim - 1) + [(0, needed - y.shape[-1])]
        y = np.pad(y, pad)
    clips = [y[..., s : s + clip_length] for s in starts]
    return np.stack(clips)
