"""Listen to and look at the synthetic genre corpus.

Renders a few tracks per genre of one family, copies their mixes (and optionally stems) as WAV
files into an output folder, and draws one PNG per genre: log-mel spectrograms of the mix and
of each true stem.

    python recipes/synthetic_preview.py --family edm --out /tmp/synth_check
    python recipes/synthetic_preview.py --family gtzan --tracks 2 --seconds 10
    python recipes/synthetic_preview.py --smoke
"""

import argparse
import dataclasses
import os
import shutil

import librosa
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import soundfile as sf  # noqa: E402

from kgenre.datasets.synthetic import FAMILIES, STEMS, synthetic  # noqa: E402


@dataclasses.dataclass
class PreviewConfig:
    family: str = "edm"
    out: str = "synthetic_preview"
    tracks: int = 1
    seconds: float = 10.0
    sample_rate: int = 22050
    seed: int = 0
    n_mels: int = 128
    copy_stems: bool = False


def _log_mel(y, sample_rate, n_mels):
    mel = librosa.feature.melspectrogram(
        y=y, sr=sample_rate, n_fft=1024, hop_length=256, n_mels=n_mels
    )
    return librosa.power_to_db(mel + 1e-10, ref=1.0, top_db=None)


def preview(config):
    """Renders the corpus into a folder under `out` and writes WAVs and PNGs into `<out>`; returns PNGs."""
    tracks = synthetic(
        os.path.join(config.out, f"corpus-{config.family}-{config.seconds:g}s-seed{config.seed}"),
        family=config.family,
        tracks_per_genre=config.tracks,
        seconds=config.seconds,
        sample_rate=config.sample_rate,
        seed=config.seed,
    )
    pngs = []
    for genre in FAMILIES[config.family]:
        chosen = [t for t in tracks if t.label == genre]
        fig, axes = plt.subplots(
            len(chosen), 1 + len(STEMS), figsize=(18, 3 * len(chosen)), squeeze=False
        )
        for row, track in zip(axes, chosen):
            shutil.copyfile(track.path, os.path.join(config.out, f"{track.track_id}.wav"))
            for name in STEMS if config.copy_stems else ():
                shutil.copyfile(
                    track.stems[name], os.path.join(config.out, f"{track.track_id}.{name}.wav")
                )
            for ax, (name, path) in zip(row, [("mix", track.path), *track.stems.items()]):
                y, sr = sf.read(path, dtype="float32")
                ax.imshow(
                    _log_mel(y, sr, config.n_mels),
                    origin="lower",
                    aspect="auto",
                    vmin=-90,
                    vmax=0,
                    cmap="magma",
                    extent=(0, len(y) / sr, 0, config.n_mels),
                )
                ax.set_title(f"{track.track_id} {name}", fontsize=9)
                ax.set_xlabel("s")
        fig.tight_layout()
        png = os.path.join(config.out, f"{config.family}_{genre}.png")
        fig.savefig(png, dpi=70)
        plt.close(fig)
        pngs.append(png)
    return pngs


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--family", default=PreviewConfig.family, choices=sorted(FAMILIES))
    parser.add_argument("--out", default=PreviewConfig.out)
    parser.add_argument("--tracks", type=int, default=PreviewConfig.tracks, help="tracks per genre")
    parser.add_argument("--seconds", type=float, default=PreviewConfig.seconds)
    parser.add_argument("--seed", type=int, default=PreviewConfig.seed)
    parser.add_argument("--stems", action="store_true", help="copy the stems' WAVs too")
    parser.add_argument("--smoke", action="store_true", help="one 2-s track per genre")
    args = parser.parse_args(argv)
    config = PreviewConfig(
        family=args.family,
        out=args.out,
        tracks=args.tracks,
        seconds=args.seconds,
        seed=args.seed,
        copy_stems=args.stems,
    )
    if args.smoke:
        config = dataclasses.replace(config, tracks=1, seconds=2.0, n_mels=64)
    for png in preview(config):
        print(png)


if __name__ == "__main__":
    main()
