"""TFRecords and tf.data: kgenre's stored form of a corpus, and the pipeline that feeds `fit`.

`kgenre.datasets` lists a corpus's tracks (`Track`s, from a folder, a CSV, FMA, ...);
`kgenre.data` stores those tracks as verified TFRecord shards (`write_records`) and reads them
back as batches of clips and features (`make_dataset`). It is the only kgenre package that
imports TensorFlow, and only when a function that needs it is called, so `import kgenre.data`
(and every other kgenre package) works without it.
"""

from kgenre.data.augment import GAIN_RANGE, NOISE_STDDEV, SPEC_AUGMENT_DEFAULTS
from kgenre.data.lock import RecordsLockedError
from kgenre.data.manifest import RecordsReport, check_shards, read_manifest, verify_records
from kgenre.data.reader import LOG_MEL_DEFAULTS, DatasetOptions, make_dataset
from kgenre.data.records import EncodedTrack, EncodeSettings, encode_track
from kgenre.data.writer import WriteOptions, assemble_shard, build_manifest, write_records

__all__ = [
    "GAIN_RANGE",
    "LOG_MEL_DEFAULTS",
    "NOISE_STDDEV",
    "SPEC_AUGMENT_DEFAULTS",
    "DatasetOptions",
    "EncodeSettings",
    "EncodedTrack",
    "RecordsLockedError",
    "RecordsReport",
    "WriteOptions",
    "assemble_shard",
    "build_manifest",
    "check_shards",
    "encode_track",
    "make_dataset",
    "read_manifest",
    "verify_records",
    "write_records",
]
