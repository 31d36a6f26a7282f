"""`make_dataset(num_shards=..., shard_index=...)`: each training worker reads its own files."""

import numpy as np
import pytest

from kgenre.data import make_dataset, write_records


@pytest.fixture
def records(tmp_path, make_tracks):
    """Five one-track shards; each track has its own label, so a label names its shard."""
    tracks, _ = make_tracks([1.0] * 5, labels=("a", "b", "c", "d", "e"), sample_rate=8000)
    write_records(tracks, tmp_path / "rec", sample_rate=8000, tracks_per_shard=1, progress=False)
    return tmp_path / "rec"


def _labels(ds):
    return [np.asarray(y).tolist() for _, y in ds]


def test_workers_read_disjoint_files_and_take_equal_steps(records):
    common = dict(clip_seconds=0.25, clips_per_track=2, batch_size=2, num_shards=2)
    parts = [make_dataset(records, "train", shard_index=i, **common) for i in range(2)]
    batches = [_labels(ds) for ds in parts]
    # Worker 0 holds shards 0, 2, 4 (6 clips), worker 1 shards 1, 3 (4 clips): 2 steps each.
    assert [len(b) for b in batches] == [2, 2]
    assert [int(ds.cardinality()) for ds in parts] == [2, 2]
    assert set(np.ravel(batches[0])) <= {0, 2, 4}
    assert set(np.ravel(batches[1])) == {1, 3}
    everything = _labels(make_dataset(records, "train", **dict(common, num_shards=1)))
    assert len(everything) == 5  # unsharded: every file, 10 clips


def test_bad_sharding_is_refused(records):
    with pytest.raises(ValueError, match="only training data is sharded"):
        make_dataset(records, "eval", num_shards=2)
    with pytest.raises(ValueError, match="shard_index must be in"):
        make_dataset(records, "train", num_shards=2, shard_index=2)
    with pytest.raises(ValueError, match="num_shards=6 workers need at least as many shard files"):
        make_dataset(records, "train", num_shards=6)
