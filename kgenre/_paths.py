"""Where kgenre keeps what it builds for the user: one cache root for every subsystem."""

import os
import sys


def user_cache_dir():
    """kgenre's user cache folder: `$XDG_CACHE_HOME/kgenre`, `~/.cache/kgenre` by default
    (`%LOCALAPPDATA%\\kgenre` on Windows). Stems, the Spleeter environment and the synthetic
    corpus live below it, each with its own override variable."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "kgenre")
