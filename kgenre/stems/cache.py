"""An on-disk stem cache, so the same audio is never separated twice."""

import hashlib
import json
import logging
import os
import tempfile
import zipfile

import numpy as np

from kgenre._paths import user_cache_dir
from kgenre.audio.sources import STEM_NAMES
from kgenre.stems.separator import Separator, check_audio

logger = logging.getLogger(__name__)

_KEY_VERSION = b"kgenre-stems-v1"


def default_cache_dir():
    """`$KGENRE_STEM_CACHE`, else `<user cache>/stems` (`~/.cache/kgenre/stems`)."""
    return os.path.abspath(
        os.environ.get("KGENRE_STEM_CACHE") or os.path.join(user_cache_dir(), "stems")
    )


class StemCache:
    """Stems on disk, one `.npz` per (audio content, separator, settings).

    The key is the SHA-256 of the float32 samples, their shape, the sample rate, the
    separator's `name` and its `get_config()`, so a change to any of them separates again
    and nothing else does. Entries are written to a temporary file in the same folder and
    renamed into place (atomic on POSIX and Windows), so an interrupted run leaves either a
    complete entry or none. An unreadable entry (a disk fault, a foreign file) is logged,
    removed and recomputed.

    Args:
        directory: cache folder; default `default_cache_dir()`.

    Example:
        >>> cache = StemCache("/tmp/stems")  # doctest: +SKIP
        >>> separator = CachedSeparator(HPSSSeparator(), cache)  # doctest: +SKIP
    """

    def __init__(self, directory=None):
        self.directory = os.path.abspath(directory or default_cache_dir())

    def key(self, audio, sample_rate, separator):
        """The cache key of one separation (hex SHA-256)."""
        x, mono = check_audio(audio, sample_rate)
        digest = hashlib.sha256(_KEY_VERSION)
        settings = json.dumps(
            {
                "separator": separator.name,
                "config": separator.get_config(),
                "sample_rate": float(sample_rate),
                "shape": list(x.shape),
                "mono": mono,
            },
            sort_keys=True,
        )
        digest.update(settings.encode())
        digest.update(x.tobytes())
        return digest.hexdigest()

    def path(self, key, separator_name):
        """Where the entry of `key` lives."""
        return os.path.join(self.directory, separator_name, key[:2], f"{key}.npz")

    def load(self, path, shape):
        """The stems stored at `path`, or None if absent or unusable (then it is removed)."""
        if not os.path.exists(path):
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                stems = {name: data[name] for name in STEM_NAMES}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
            logger.warning("kgenre: unreadable stem cache entry %s (%s); recomputing", path, error)
            self._discard(path)
            return None
        if any(stem.shape != shape or stem.dtype != np.float32 for stem in stems.values()):
            logger.warning("kgenre: stem cache entry %s has the wrong shape; recomputing", path)
            self._discard(path)
            return None
        return stems

    @staticmethod
    def _discard(path):
        try:
            os.remove(path)
        except OSError:
            pass

    def save(self, path, stems):
        """Writes an entry atomically (temporary file, fsync, rename)."""
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(stream, **{name: stems[name] for name in STEM_NAMES})
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            self._discard(temporary)
            raise


class CachedSeparator(Separator):
    """Wraps a separator with a `StemCache`: separates each distinct input only once.

    Args:
        separator: the separator to wrap (its `name` and `get_config()` key the cache).
        cache: a `StemCache` or a folder for one; default `StemCache()`.

    Attributes:
        hits: separations answered from the cache.
        misses: separations computed (and stored).
    """

    def __init__(self, separator, cache=None):
        self.separator = separator
        self.cache = cache if isinstance(cache, StemCache) else StemCache(cache)
        self.name = separator.name
        self.hits = 0
        self.misses = 0

    def get_config(self):
        return self.separator.get_config()

    def __repr__(self):
        return f"CachedSeparator({self.separator!r}, cache={self.cache.directory!r})"

    def separate(self, audio, sample_rate):
        audio = np.asarray(audio)
        path = self.cache.path(self.cache.key(audio, sample_rate, self.separator), self.name)
        stems = self.cache.load(path, audio.shape)
        if stems is not None:
            self.hits += 1
            return stems
        stems = self.separator.separate(audio, sample_rate)
        self.cache.save(path, stems)
        self.misses += 1
        return stems

    def close(self):
        self.separator.close()
