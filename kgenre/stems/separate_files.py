"""Separating a batch of audio files into stem WAV files on disk.

Each input gets its own output folder, never shared with another input and never written
over unless asked; one bad file is reported and the batch goes on.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import shutil
from collections.abc import Sequence

from kgenre._paths import replace_dir, staging_dir


@dataclasses.dataclass
class SeparationReport:
    """What `separate_files` did: `written` `(input, folder)`, `skipped` `(input, reason)`
    and `failed` `(input, error message)`."""

    written: list = dataclasses.field(default_factory=list)
    skipped: list = dataclasses.field(default_factory=list)
    failed: list = dataclasses.field(default_factory=list)


def output_folders(paths: Sequence[str], out_dir: str) -> dict:
    """One output folder per input path, distinct for distinct inputs.

    The folder is the input's path relative to the inputs' common folder, without its
    extension (`a/song.wav` and `b/song.wav` -> `OUT/a/song`, `OUT/b/song`; a single file
    `x/song.wav` -> `OUT/song`); inputs that would still share a folder keep their extension
    (`song.wav`, `song.mp3` -> `OUT/song.wav`, `OUT/song.mp3`).
    """
    absolute = {p: os.path.abspath(p) for p in paths}
    base = os.path.commonpath([os.path.dirname(a) for a in absolute.values()])
    relative = {p: os.path.relpath(a, base) for p, a in absolute.items()}
    stem = {p: os.path.splitext(r)[0] for p, r in relative.items()}
    uses = collections.Counter(stem.values())
    return {p: os.path.join(out_dir, relative[p] if uses[stem[p]] > 1 else stem[p]) for p in paths}


def separate_files(
    paths: Sequence[str],
    out_dir: str,
    separator,
    sample_rate: int | None = None,
    mono: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> SeparationReport:
    """Separates each file and writes `<folder>/<stem>.wav` (see `output_folders`).

    A folder that already exists is skipped unless `overwrite`; each folder is written
    under a temporary name and renamed when complete, so an interrupted run leaves no
    half-written folder. A file that cannot be read or separated is reported in `failed`
    and the batch goes on.

    Args:
        paths: audio files (duplicates are separated once).
        out_dir: the output folder.
        separator: a `kgenre.stems.Separator`.
        sample_rate: resample to this rate first; `None` keeps each file's rate.
        mono: mix down to mono first.
        overwrite: replace existing output folders.
        progress: show a progress bar.
    """
    import soundfile
    from tqdm.auto import tqdm

    from kgenre.audio.io import load

    unique, seen = [], set()
    for path in map(os.fspath, paths):  # one entry per file, however it was spelt
        if os.path.abspath(path) not in seen:
            seen.add(os.path.abspath(path))
            unique.append(path)
    paths = unique
    folders = output_folders(paths, out_dir)
    report = SeparationReport()
    for path in tqdm(
        paths, desc=f"separating ({separator.name})", unit="file", disable=not progress
    ):
        folder = folders[path]
        if os.path.exists(folder) and not overwrite:
            report.skipped.append((path, f"{folder} exists (pass --overwrite to replace it)"))
            continue
        staging = None
        try:
            audio, rate = load(path, sample_rate=sample_rate, mono=mono)
            stems = separator.separate(audio, rate)
            staging = staging_dir(folder)
            for name, stem in stems.items():
                soundfile.write(os.path.join(staging, f"{name}.wav"), stem.T, rate)
            replace_dir(staging, folder)
            report.written.append((path, folder))
        except Exception as error:  # one bad file never stops the batch
            report.failed.append((path, f"{type(error).__name__}: {error}"))
        finally:
            if staging and os.path.exists(staging):
                shutil.rmtree(staging)
    return report
