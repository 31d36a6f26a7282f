"""The interface every source separator follows, and the input checks they share."""

import abc

import numpy as np

from kgenre.audio.checks import check_sample_rate
from kgenre.audio.io import handle_nonfinite

_MAX_CHANNELS = 8


def check_audio(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, bool]:
    """Validates a waveform and returns it as float32 `(channels, samples)`.

    Args:
        audio: `(samples,)` mono or `(channels, samples)` multichannel, as
            `kgenre.audio.load` returns it (channels first, like librosa).
        sample_rate: sampling rate in Hz.

    Returns:
        `(x, mono)`: `x` float32 C-contiguous `(channels, samples)`, and whether the input
        was 1-D (the stems are returned in the input's layout).

    Raises:
        ValueError: wrong rank, channels-last layout, no samples, NaN or infinite samples, or
            a sample rate that is not a whole number of Hz in [1, 768000]
            (`kgenre.audio.check_sample_rate`).
    """
    check_sample_rate(sample_rate)
    x = np.asarray(audio)
    if x.ndim not in (1, 2):
        raise ValueError(f"audio must be (samples,) or (channels, samples), got shape {x.shape}")
    mono = x.ndim == 1
    x = np.ascontiguousarray(np.atleast_2d(x), dtype=np.float32)
    if x.shape[0] > _MAX_CHANNELS:
        raise ValueError(
            f"audio must be channels first, (channels, samples) with at most {_MAX_CHANNELS} "
            f"channels, got shape {x.shape}; transpose channels-last audio"
        )
    if x.shape[1] == 0:
        raise ValueError(f"audio holds no samples (shape {x.shape})")
    handle_nonfinite(x, "error", "audio")
    return x, mono


def fit_length(x, length):
    """Crops or zero-pads the last axis of `x` to `length` samples."""
    if x.shape[-1] >= length:
        return x[..., :length]
    pad = [(0, 0)] * (x.ndim - 1) + [(0, length - x.shape[-1])]
    return np.pad(x, pad)


class Separator(abc.ABC):
    """A music source separator: a mix in, bass, drums, other and vocals out.

    Subclasses set `name` and implement `separate` and `get_config`. `get_config` returns
    every setting that changes the output (it keys the stem cache), as JSON-able values.
    Separators holding a process or files release them in `close`; every separator is a
    context manager.
    """

    name = None

    @abc.abstractmethod
    def separate(self, audio, sample_rate):
        """Separates one mix.

        Args:
            audio: `(samples,)` or `(channels, samples)` float waveform.
            sample_rate: its rate in Hz.

        Returns:
            dict mapping each name in `kgenre.audio.STEM_NAMES` to a float32 array of the input's shape,
            at the input's rate.
        """

    @abc.abstractmethod
    def get_config(self):
        """The settings that determine the output, as a JSON-able dict."""

    def close(self):  # noqa: B027 (an optional hook, not abstract)
        """Releases processes or files the separator holds (nothing by default)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({settings})"
