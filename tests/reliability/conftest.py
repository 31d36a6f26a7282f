import zlib

import numpy as np
import pytest
import soundfile

from kgenre.datasets import Track


@pytest.fixture
def write_audio(tmp_path):
    """`write_audio(name, samples=None, seconds=0.5, subtype="PCM_16")`: a file under tmp_path.

    `samples` defaults to seeded noise at 8 kHz; give float samples with `subtype="FLOAT"` to
    store NaN or infinities.
    """

    def write(name, samples=None, seconds=0.5, subtype="PCM_16", sample_rate=8000):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if samples is None:
            rng = np.random.default_rng(zlib.crc32(name.encode()))
            samples = rng.uniform(-0.5, 0.5, int(seconds * sample_rate))
        fmt = {"au": "AU", "flac": "FLAC", "wav": "WAV"}[name.rsplit(".", 1)[-1]]
        soundfile.write(path, np.asarray(samples), sample_rate, format=fmt, subtype=subtype)
        return str(path)

    return write


@pytest.fixture
def noise_tracks(write_audio):
    """`noise_tracks(n)`: n half-second noise tracks labelled a/b, as `Track`s."""

    def make(n, folder="audio"):
        return [Track(write_audio(f"{folder}/t{i}.wav"), "ab"[i % 2], f"t{i}") for i in range(n)]

    return make
