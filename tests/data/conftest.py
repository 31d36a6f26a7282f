import numpy as np
import pytest
import soundfile

from kgenre.datasets import Track


@pytest.fixture
def make_tracks(tmp_path):
    """Writes int16 wav tracks (noise of different lengths) and returns them as `Track`s."""

    def make(seconds, labels=("a", "b"), sample_rate=16000, stems=(), folder="audio"):
        root = tmp_path / folder
        root.mkdir(exist_ok=True)
        rng = np.random.default_rng(len(seconds))
        tracks, signals = [], []
        for i, sec in enumerate(seconds):
            y = rng.integers(-20000, 20000, int(sec * sample_rate)).astype(np.int16)
            path = root / f"t{i}.wav"
            soundfile.write(path, y, sample_rate, subtype="PCM_16")
            stem_paths = {}
            for j, name in enumerate(stems):
                stem = (y // (j + 2)).astype(np.int16)
                stem_paths[name] = str(root / f"t{i}_{name}.wav")
                soundfile.write(stem_paths[name], stem, sample_rate, subtype="PCM_16")
            tracks.append(
                Track(str(path), labels[i % len(labels)], f"t{i}", stems=stem_paths or None)
            )
            signals.append(y)
        return tracks, signals

    return make
