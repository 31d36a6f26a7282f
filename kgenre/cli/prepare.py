"""`kgenre prepare`: audio files to TFRecords (`kgenre.data.write_records`).

The input is listed by a `kgenre.datasets` adapter: a folder per genre (GTZAN), a CSV or TSV
of path and label, FMA (`--format fma --metadata fma_metadata`), ISMIR2004, or the built-in
synthetic corpus (`synthetic:edm`, `synthetic:gtzan`).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from kgenre.cli._runtime import import_backend

FORMATS = ("auto", "folder", "csv", "fma", "ismir2004", "synthetic")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `prepare` command."""
    parser = subparsers.add_parser(
        "prepare",
        help="write audio files as sharded TFRecords with a manifest (resumable)",
        description=(
            "Lists the tracks of INPUT, decodes and resamples them, and writes sharded "
            "TFRecords with manifest.json into --out. Rerunning after an interruption skips "
            "finished shards; unreadable or too-short files are skipped and listed in the "
            "manifest. INPUT: a folder with one sub-folder per genre, a .csv/.tsv of path "
            "and label, an FMA audio folder (with --metadata), an ISMIR2004 folder, or "
            "synthetic:edm / synthetic:gtzan."
        ),
    )
    parser.add_argument(
        "input", help="folder, CSV, FMA audio folder, ISMIR2004 folder, synthetic:FAMILY"
    )
    parser.add_argument("--out", help="output folder (default: tf_records/<input name>)")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="input kind (auto)")
    parser.add_argument("--metadata", help="FMA: the fma_metadata folder (or tracks.csv)")
    parser.add_argument(
        "--sample-rate",
        type=int,
        default=22050,
        help="stored rate in Hz (22050; 16000 for MS-SincResNet)",
    )
    parser.add_argument(
        "--stems",
        help="store the tracks' own stems too: comma-separated names or 'all' (corpora with "
        "true stems, e.g. synthetic)",
    )
    parser.add_argument("--genres", help="comma-separated genres to keep, in label order")
    parser.add_argument("--tracks-per-shard", type=int, default=64, help="tracks per shard (64)")
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=1.0,
        help="skip tracks shorter than this as broken (1.0)",
    )
    parser.add_argument("--workers", type=int, help="decoding threads (default: up to 4)")
    parser.add_argument("--path-column", default="path", help="CSV: path column (path)")
    parser.add_argument("--label-column", default="label", help="CSV: label column (label)")
    parser.add_argument(
        "--tracks-per-genre",
        type=int,
        default=20,
        help="synthetic: tracks per genre (20)",
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="synthetic: track length (30)")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check every shard's size and SHA-256 against the manifest after writing; with "
        "a records folder as INPUT, only check it",
    )
    parser.set_defaults(func=_run)


def _verify(folder: str) -> int:
    from kgenre.data import verify_records

    report = verify_records(folder)
    print(report)
    return 0 if report.ok else 1


def _detect(args: argparse.Namespace) -> str:
    source = args.input
    if args.format != "auto":
        return args.format
    if source.startswith("synthetic:"):
        return "synthetic"
    if args.metadata:
        return "fma"
    if os.path.isfile(source) and source.lower().endswith((".csv", ".tsv", ".tab", ".txt")):
        return "csv"
    if os.path.isdir(os.path.join(source, "metadata")) and os.path.isdir(
        os.path.join(source, "audio")
    ):
        return "ismir2004"
    if os.path.isdir(source):
        return "folder"
    raise FileNotFoundError(f"{source!r} is neither a folder nor a CSV file")


def _tracks(kind: str, args: argparse.Namespace, genres: list | None) -> list:
    from kgenre import datasets

    if kind == "folder":
        return datasets.folder_per_genre(args.input, genres=genres)
    if kind == "csv":
        return datasets.from_csv(
            args.input,
            path_column=args.path_column,
            label_column=args.label_column,
            class_names=genres,
        )
    if kind == "fma":
        if not args.metadata:
            raise ValueError("--format fma needs --metadata (the fma_metadata folder)")
        return datasets.fma_small(args.metadata, args.input)
    if kind == "ismir2004":
        return datasets.ismir2004(args.input)
    family = args.input.split(":", 1)[1] if ":" in args.input else args.input
    return datasets.synthetic(
        family=family,
        tracks_per_genre=args.tracks_per_genre,
        seconds=args.seconds,
        genres=genres,
    )


def _run(args: argparse.Namespace) -> int:
    if args.verify and os.path.isfile(os.path.join(args.input, "manifest.json")):
        return _verify(args.input)
    kind = _detect(args)
    genres = [g.strip() for g in args.genres.split(",")] if args.genres else None
    name = args.input.split(":", 1)[1] if kind == "synthetic" else args.input
    out = args.out or os.path.join("tf_records", os.path.basename(os.path.normpath(name)))
    stems = args.stems
    if stems:
        stems = True if stems == "all" else [s.strip() for s in stems.split(",")]
    import_backend(keras=False, tensorflow=True)
    from kgenre.data import write_records

    tracks = _tracks(kind, args, genres)
    if genres:
        tracks = [t for t in tracks if t.label in genres]
    if not tracks:
        raise ValueError(f"{args.input}: no tracks found ({kind})")
    print(f"{len(tracks)} tracks ({kind}) -> {out}", file=sys.stderr)
    with warnings.catch_warnings():
        # write_records warns with the skipped files; they are listed below instead
        warnings.filterwarnings("ignore", message="write_records skipped")
        manifest = write_records(
            tracks,
            out,
            sample_rate=args.sample_rate,
            class_names=genres,
            stems=stems,
            tracks_per_shard=args.tracks_per_shard,
            min_seconds=args.min_seconds,
            workers=args.workers,
            name=os.path.basename(os.path.normpath(out)),
        )
    counts = ", ".join(f"{c} {n}" for c, n in manifest["class_counts"].items())
    print(
        f"{manifest['num_tracks']} tracks written to {os.path.join(out, 'manifest.json')} "
        f"({counts}); {len(manifest['skipped'])} skipped"
    )
    for item in manifest["skipped"]:
        print(f"  skipped {item['path']}: {item['reason']}", file=sys.stderr)
    return _verify(out) if args.verify else 0
