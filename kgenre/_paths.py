"""Where kgenre keeps what it builds for the user: one cache root for every subsystem."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

CACHE_ENV = "KGENRE_CACHE"
"""The variable that moves every kgenre cache at once (e.g. to a Google Drive folder on Colab)."""


def user_cache_dir() -> str:
    """kgenre's cache root: `$KGENRE_CACHE` if set, else `$XDG_CACHE_HOME/kgenre`,
    `~/.cache/kgenre` by default (`%LOCALAPPDATA%\\kgenre` on Windows).

    Stems (`stems/`), the Spleeter environment (`spleeter-env/`) and the synthetic corpus
    (`synthetic/`) live below it; each also has its own override variable
    (`KGENRE_STEM_CACHE`, `KGENRE_SPLEETER_ENV`, `KGENRE_SYNTHETIC_CACHE`), which wins.
    """
    root = os.environ.get(CACHE_ENV)
    if root:
        return os.path.abspath(os.path.expanduser(root))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "kgenre")


def staging_dir(target: str) -> str:
    """A new empty folder beside `target` (same file system, so `replace_dir` is a rename),
    with the permissions a plain `mkdir` would give (mkdtemp's are private)."""
    parent = os.path.dirname(os.path.abspath(target))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}-", dir=parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)
    return staging


def replace_dir(staging: str, target: str) -> None:
    """Puts the complete folder `staging` at `target`, replacing what was there. Readers see
    the old folder or the new one; a crash between the two steps leaves no `target`, never
    a mixed one."""
    if os.path.exists(target):
        shutil.rmtree(target)
    os.replace(staging, target)
