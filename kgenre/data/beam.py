"""Writing records with Apache Beam: `write_records`' shards and manifest, on any Beam runner.

`write_records_beam` plans the write exactly as `write_records` does (`plan_write`: the same
checks, shards and fingerprints), holds the folder's writer lock on the launching machine, and
runs the per-track work as a Beam pipeline:

1. `shard_work`: each shard is checked where it lies (`finished_shard`: description,
   fingerprint, size, SHA-256); a finished one is kept, any other becomes one work item per
   track;
2. `encode_item`: the items are spread over the workers (`Reshuffle`) and each track is
   decoded, resampled, checked and serialized (`encode_or_skip`, the bad-input policy of
   `write_records`: an unreadable, too-short or silent track becomes a reported skip);
3. `assemble`: the results are grouped by shard, put back in track order and written by
   `write_shard`, the function `write_records` uses, so the shard bytes are the same;
4. back on the launcher, the manifest is built from the shard descriptions and written last
   (`write_folder`, shared with `write_records`).

The pipeline runs unchanged on the DirectRunner (this machine), Dataflow, Flink or Spark:
pipeline options are passed through. Every worker must be able to read the audio files and
write the records folder at the same paths (a local disk for the DirectRunner; a shared
file system such as NFS, Filestore or a gcsfuse mount on a cluster), and must have kgenre
and TensorFlow installed (`--requirements_file`, `--extra_package` or a custom container).
Apache Beam is an optional dependency: `pip install "kgenre[beam]"`.
"""

from __future__ import annotations

import json
import logging
import os
import typing
import warnings
from collections.abc import Iterable, Sequence

from kgenre.data.writer import (
    EncodeResult,
    ShardPlan,
    WriteOptions,
    WritePlan,
    encode_or_skip,
    finished_shard,
    plan_write,
    write_folder,
    write_shard,
)

if typing.TYPE_CHECKING:
    from apache_beam.options.pipeline_options import PipelineOptions

    from kgenre.data.records import EncodeSettings
    from kgenre.datasets.track import Track

logger = logging.getLogger(__name__)

METRICS_NAMESPACE = "kgenre"
"""Namespace of the pipeline's counters: `tracks_written`, `tracks_skipped`, `shards_kept`,
`shards_written` (shown by the runner's monitoring, and logged at the end)."""


MULTI_THREADING_WARNING = (
    "Beam's DirectRunner loses elements now and then in --direct_running_mode=multi_threading "
    "with several workers and large elements (Beam 2.77: 5 runs in 30 here, with a pipeline "
    "that has nothing of kgenre); write_records_beam notices a lost track and stops "
    "before writing its shard (a rerun resumes). Use --direct_running_mode=multi_processing"
)
"""Why `multi_threading` with several workers is discouraged (`bench/beam_thread_loss.py`
reproduces the loss without kgenre)."""


class TrackItem(typing.NamedTuple):
    """One track to encode: its shard's number, its position in the shard, the track."""

    shard: int
    position: int
    track_index: int
    track: Track


def beam():
    """Returns the `apache_beam` module, or raises an `ImportError` saying how to get it."""
    try:
        import apache_beam as module
    except ImportError as error:
        raise ImportError(
            "write_records_beam needs Apache Beam: pip install 'kgenre[beam]'"
        ) from error
    return module


def _count(name: str, value: int = 1) -> None:
    beam().metrics.Metrics.counter(METRICS_NAMESPACE, name).inc(value)


def shard_work(item: tuple[int, ShardPlan], directory: str) -> list[TrackItem]:
    """Stage 1: nothing for a finished shard, else one `TrackItem` per track of the shard."""
    number, shard = item
    if finished_shard(directory, shard) is not None:
        _count("shards_kept")
        logger.info("kept %s (finished and intact)", shard.file)
        return []
    return [
        TrackItem(number, position, shard.first_index + position, track)
        for position, track in enumerate(shard.tracks)
    ]


def encode_item(item: TrackItem, settings: EncodeSettings) -> tuple[int, tuple]:
    """Stage 2: `(shard number, (position, EncodeResult))` of one track."""
    result = encode_or_skip(settings, item.track, item.track_index)
    _count("tracks_written" if result.encoded is not None else "tracks_skipped")
    return item.shard, (item.position, result)


def assemble(
    group: tuple[int, Iterable[tuple[int, EncodeResult]]], directory: str, shards: Sequence
) -> str:
    """Stage 3: writes one shard from `(shard number, its (position, result) pairs)`."""
    number, results = group
    shard = shards[number]
    ordered = sorted(results, key=lambda pair: pair[0])
    positions = [position for position, _ in ordered]
    if positions != list(range(len(shard.tracks))):
        # A runner that loses or repeats elements would otherwise write a wrong shard.
        missing = sorted(set(range(len(shard.tracks))) - set(positions))
        repeated = sorted({p for p in positions if positions.count(p) > 1})
        raise RuntimeError(
            f"{shard.file}: the runner delivered {len(positions)} results for its "
            f"{len(shard.tracks)} tracks (missing positions {missing}, repeated {repeated})"
        )
    info = write_shard(directory, shard, [result for _, result in ordered])
    _count("shards_written")
    logger.info(
        "wrote %s (%d tracks, %d skipped)", shard.file, info["num_tracks"], len(info["skipped"])
    )
    return shard.file


def build_pipeline(pipeline, directory: str, plan: WritePlan) -> None:
    """Adds the stages of the write of `plan` into `directory` to a `beam.Pipeline`."""
    b = beam()
    shards = list(plan.shards)
    (
        pipeline
        | "shards" >> b.Create(list(enumerate(shards)))
        | "spread shards" >> b.Reshuffle()
        | "shard work" >> b.FlatMap(shard_work, directory)
        | "spread tracks" >> b.Reshuffle()
        | "encode" >> b.Map(encode_item, plan.settings)
        | "group by shard" >> b.GroupByKey()
        | "assemble" >> b.Map(assemble, directory, shards)
    )


def shard_descriptions(directory: str, plan: WritePlan) -> list[dict]:
    """The `<shard>.json` descriptions of every shard of `plan`, in shard order.

    Raises:
        RuntimeError: a shard has no description matching this write (the pipeline did not
            write it); rerunning resumes.
    """
    infos = []
    for shard in plan.shards:
        path = os.path.join(directory, shard.file + ".json")
        try:
            with open(path, encoding="utf-8") as handle:
                info = json.load(handle)
        except (OSError, ValueError):
            info = None
        if not isinstance(info, dict) or info.get("fingerprint") != shard.fingerprint:
            raise RuntimeError(
                f"the pipeline finished but {path} does not describe this write's shard; "
                "rerun write_records_beam (finished shards are kept)"
            )
        infos.append(info)
    return infos


def pipeline_options(options: PipelineOptions | Sequence[str] | str | None) -> PipelineOptions:
    """`PipelineOptions` from flags (`["--runner=DataflowRunner", ...]` or one string).

    `None` runs Beam's default, the DirectRunner in this process. Warns about the
    DirectRunner's `multi_threading` mode with several workers (`MULTI_THREADING_WARNING`).
    """
    import shlex

    from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions

    if not isinstance(options, PipelineOptions):
        options = PipelineOptions(shlex.split(options) if isinstance(options, str) else options)
    direct = options.view_as(DirectOptions)
    if direct.direct_running_mode == "multi_threading" and direct.direct_num_workers != 1:
        warnings.warn(MULTI_THREADING_WARNING, stacklevel=3)
    return options


def _run(directory: str, plan: WritePlan, options: PipelineOptions) -> list[dict]:
    """The Beam engine of `write_folder`: runs the pipeline, returns the shard descriptions."""
    b = beam()
    pipeline = b.Pipeline(options=options)
    build_pipeline(pipeline, directory, plan)
    result = pipeline.run()
    state = result.wait_until_finish()
    if state != b.runners.runner.PipelineState.DONE:
        raise RuntimeError(f"the Beam pipeline ended in state {state}; rerun to resume")
    counters = result.metrics().query(b.metrics.MetricsFilter().with_namespace(METRICS_NAMESPACE))
    totals = {c.key.metric.name: c.committed for c in counters["counters"]}
    logger.info("Beam pipeline done: %s", totals)
    return shard_descriptions(directory, plan)


def write_records_beam(
    tracks: Iterable[Track],
    output_dir: str | os.PathLike = "tf_records",
    sample_rate: int | None = None,
    *,
    options: WriteOptions | None = None,
    beam_options: PipelineOptions | Sequence[str] | str | None = None,
    **overrides,
) -> dict:
    """`write_records` as an Apache Beam pipeline: the same shards, byte for byte, and manifest.

    For the same tracks and settings the shards are byte-identical to `write_records`' and
    the manifest differs only in its `created` time, so readers (`make_dataset`,
    `verify_records`) cannot tell which wrote a folder, and either one resumes the other's
    interrupted write. The policy on bad input is the same: unreadable, too-short, silent or
    non-finite tracks are skipped and listed in the manifest's `skipped`, never abort the
    pipeline. `WriteOptions.workers` and `progress` do not apply: the runner decides the
    parallelism (e.g. `--direct_num_workers`) and shows progress (its counters are in
    `METRICS_NAMESPACE`; each shard is logged).

    Args:
        tracks: list of `kgenre.datasets.Track` (every worker must read their paths).
        output_dir: records folder (every worker must write it at this path).
        sample_rate: stored rate; overrides `options.sample_rate`.
        options: a `WriteOptions`; default `WriteOptions()`.
        beam_options: Beam pipeline options (`PipelineOptions`, a list of flags, or one string
            of flags), passed through unchanged; default: the DirectRunner in this process.
            E.g. `"--direct_num_workers=2 --direct_running_mode=multi_processing"`, or
            `"--runner=DataflowRunner --project=P --region=R --temp_location=gs://B/tmp"`.
        **overrides: fields of `WriteOptions` to override.

    Returns:
        The manifest dict (also in `output_dir/manifest.json`).

    Raises:
        ImportError: Apache Beam is not installed.
        ValueError: as `write_records` (bad options, no tracks, duplicate ids, unknown labels,
            no track readable).
        RecordsLockedError: another process is writing `output_dir`.
        RuntimeError: the pipeline failed (finished shards are kept; rerun to resume).

    Example:
        >>> tracks = kgenre.datasets.folder_per_genre("gtzan/genres")  # doctest: +SKIP
        >>> write_records_beam(tracks, "tf_records/gtzan16k", 16000,  # doctest: +SKIP
        ...                    beam_options="--direct_num_workers=2")
    """
    beam()  # fail before anything is written when Beam is missing
    plan = plan_write(tracks, sample_rate, options, **overrides)
    flags = pipeline_options(beam_options)
    return write_folder(output_dir, plan, lambda directory, p: _run(directory, p, flags))
