"""TFRecord writing and the tf.data reader: the only kgenre package that imports TensorFlow.

TensorFlow is imported when a function that needs it is called, so `import kgenre.data` (and
every other kgenre package) works without it.
"""

from kgenre.data.manifest import check_shards, read_manifest
from kgenre.data.reader import LOG_MEL_DEFAULTS, SPEC_AUGMENT_DEFAULTS, make_dataset
from kgenre.data.writer import write_records

__all__ = [
    "LOG_MEL_DEFAULTS",
    "SPEC_AUGMENT_DEFAULTS",
    "check_shards",
    "make_dataset",
    "read_manifest",
    "write_records",
]
