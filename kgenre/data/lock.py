"""One writer per records folder: an `fcntl` lock that dies with its process."""

import contextlib
import os
from collections.abc import Iterator

LOCK_NAME = ".kgenre-writer.lock"


class RecordsLockedError(RuntimeError):
    """Another process is writing the same records folder."""


@contextlib.contextmanager
def writer_lock(directory: str) -> Iterator[None]:
    """Holds the exclusive writer lock of `directory` (created if needed) for the block.

    The lock is `fcntl.flock` on `directory/.kgenre-writer.lock`, which holds the owner's pid.
    The operating system releases it when the owner exits, however it exits (`kill -9`
    included), so an interrupted write never leaves the folder locked. On platforms without
    `fcntl` (Windows) no lock is taken; the per-writer temporary file names still keep two
    writers from overwriting each other's partial files.

    Raises:
        RecordsLockedError: another process holds the lock; the message names its pid.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    path = os.path.join(directory, LOCK_NAME)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RecordsLockedError(
                f"another writer holds {directory!r} (pid {owner}); wait for it to finish, or "
                "stop it and rerun (the write resumes where it stopped)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
