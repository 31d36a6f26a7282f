"""Music source separation into bass, drums, other and vocals (Mersy 2021's stems).

Two separators share one interface, `separate(audio, sample_rate) -> {stem: waveform}`:
`SpleeterSeparator` (Spleeter 4stems in its own environment, made by `kgenre stems setup`;
its released model fetched and checked by `download_model`)
and `HPSSSeparator` (median-filtering HPSS, no model needed). `get_separator` picks one and
wraps it in the on-disk `StemCache`.
"""

import logging

from kgenre.audio.sources import STEM_NAMES
from kgenre.stems.cache import CachedSeparator, StemCache, default_cache_dir
from kgenre.stems.hpss_separator import HPSSSeparator
from kgenre.stems.metrics import separation_scores, si_sdr
from kgenre.stems.separator import Separator
from kgenre.stems.spleeter_env import (
    SpleeterModelMissingError,
    SpleeterSetupError,
    default_env_dir,
    default_model_path,
    download_model,
    find_python,
    is_env_ready,
    make_untrained_model,
    setup_env,
)
from kgenre.stems.spleeter_separator import SpleeterSeparator

logger = logging.getLogger(__name__)

SEPARATORS = ("auto", "hpss", "spleeter")


def spleeter_status(env_dir=None, model_path=None, model_name="4stems"):
    """Whether Spleeter can run offline here: `(ready, reason)`."""
    from kgenre.stems import spleeter_env

    env_dir = env_dir or default_env_dir()
    if not is_env_ready(env_dir):
        return False, f"no Spleeter environment at {env_dir} (run `kgenre stems setup`)"
    directory = spleeter_env.model_dir(model_name, model_path)
    if not spleeter_env.has_checkpoint(directory):
        return False, f"no Spleeter {model_name} model in {directory}"
    return True, f"Spleeter environment {env_dir}, model {directory}"


def get_separator(name="auto", cache=True, **kwargs):
    """Makes a separator by name.

    Args:
        name: `"spleeter"`, `"hpss"`, or `"auto"`: Spleeter when its environment is set up
            and its 4stems model is on disk (see `spleeter_status`), otherwise HPSS with a
            one-line notice saying why.
        cache: `True` for the default `StemCache()`, a folder or a `StemCache`, or
            `False`/`None` for no cache.
        **kwargs: constructor arguments of the chosen separator. With `"auto"`,
            `env_dir` and `model_path` are used to look for Spleeter and dropped if HPSS
            is chosen.

    Returns:
        A `Separator` (a `CachedSeparator` unless `cache` is false).

    Raises:
        ValueError: unknown name.

    Example:
        >>> separator = get_separator("hpss", cache=False)
        >>> separator.name
        'hpss'
    """
    if name not in SEPARATORS:
        raise ValueError(f"separator must be one of {SEPARATORS}, got {name!r}")
    if name == "auto":
        ready, reason = spleeter_status(kwargs.get("env_dir"), kwargs.get("model_path"))
        if ready:
            name = "spleeter"
        else:
            logger.warning("kgenre: %s; separating stems with HPSS instead", reason)
            kwargs.pop("env_dir", None)
            kwargs.pop("model_path", None)
            name = "hpss"
    separator = SpleeterSeparator(**kwargs) if name == "spleeter" else HPSSSeparator(**kwargs)
    if cache is False or cache is None:
        return separator
    return CachedSeparator(separator, None if cache is True else cache)


__all__ = [
    "STEM_NAMES",
    "SEPARATORS",
    "CachedSeparator",
    "HPSSSeparator",
    "Separator",
    "SpleeterModelMissingError",
    "SpleeterSeparator",
    "SpleeterSetupError",
    "StemCache",
    "default_cache_dir",
    "default_env_dir",
    "default_model_path",
    "download_model",
    "find_python",
    "get_separator",
    "is_env_ready",
    "make_untrained_model",
    "separation_scores",
    "setup_env",
    "si_sdr",
    "spleeter_status",
]
