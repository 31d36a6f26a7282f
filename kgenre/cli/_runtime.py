"""Process-wide set-up for the command line: log levels, and importing the backend quietly."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys

_STATE = {"quiet_native_logs": False}


def setup_logging() -> None:
    """Sets up output once per process, before anything imports a backend.

    TensorFlow's C++ logs INFO lines (oneDNN notices, CPU feature lines) once per loaded
    library, so they came twice. Unless the user set `TF_CPP_MIN_LOG_LEVEL`, it is set to 2
    (warnings and errors only) and `import_backend` silences the lines TensorFlow prints
    before its logging is initialised, which ignore that variable. kgenre's own warnings
    (`kgenre.*` loggers) go to stderr through one handler and do not propagate, so a handler
    that TensorFlow's absl logging puts on the root logger cannot print them a second time.
    """
    if "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        _STATE["quiet_native_logs"] = True
    logger = logging.getLogger("kgenre")
    if not any(getattr(h, "_kgenre_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._kgenre_cli = True
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def import_backend(keras: bool = True, tensorflow: bool = False) -> None:
    """Imports Keras (so its backend) and, with `tensorflow=True`, TensorFlow (for
    `kgenre.data`), with native stderr silenced while they load when `setup_logging` chose
    the log level: the only output lost is TensorFlow's start-up notices. An import error is
    still raised, after stderr is restored."""
    names = ["keras"] if keras else []
    if tensorflow and importlib.util.find_spec("tensorflow") is not None:
        names.insert(0, "tensorflow")
    names = [name for name in names if name not in sys.modules]
    if not names:
        return
    if not _STATE["quiet_native_logs"]:
        for name in names:
            importlib.import_module(name)
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
