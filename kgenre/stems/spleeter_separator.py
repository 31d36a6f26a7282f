"""Spleeter 4stems, run in its own environment through a long-lived worker process."""

import atexit
import json
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import weakref

import numpy as np

from kgenre.audio.sources import STEM_NAMES
from kgenre.stems import spleeter_env
from kgenre.stems.separator import Separator, check_audio, fit_length

logger = logging.getLogger(__name__)


def _missing_model_message(directory, model_name, reason):
    return (
        f"Spleeter's {model_name} model is missing: no checkpoint in {directory} ({reason}). "
        f"Run `kgenre stems download-model` to fetch and check it, or put the unpacked "
        f"{spleeter_env.RELEASE_URL.format(model_name)} archive there as "
        f"`pretrained_models/{model_name}` under the folder MODEL_PATH names (now "
        f"{os.path.dirname(directory)}), or set MODEL_PATH to the folder that holds "
        f"`{model_name}/`."
    )


def _close_all(separators):
    for separator in list(separators):
        separator.close()


_OPEN = weakref.WeakSet()
atexit.register(_close_all, _OPEN)


class SpleeterSeparator(Separator):
    """Spleeter's pretrained U-Net separation (4 stems) driven from kgenre.

    Spleeter 2.4.2 needs TensorFlow 2.12 / numpy<2 / Python<3.12, so it runs in its own
    virtual environment (made by `kgenre stems setup`) inside a worker process that starts
    on the first `separate` call, restores the model once and stays alive until `close`
    (or the end of the `with` block, or interpreter exit). Audio travels through `.npy`
    files in a private temporary folder. Spleeter works on 44.1 kHz stereo: the input is
    resampled (soxr, high quality) and duplicated to two channels, and each stem is brought
    back to the input's rate, channel count (mono input: the mean of the two channels) and
    length.

    The model comes from `<model_path>/4stems` (`model_path` defaults to `$MODEL_PATH`,
    else `./pretrained_models`, as in Spleeter). If it is missing, Spleeter's download from
    GitHub is tried once with a 20-s network timeout when `allow_download`, and otherwise,
    or when that fails, `SpleeterModelMissingError` says where the model must go.

    Args:
        model_name: Spleeter configuration, `"4stems"` (the paper's, Mersy 2021).
        model_path: folder holding Spleeter's models; default `$MODEL_PATH` or
            `pretrained_models`.
        env_dir: the Spleeter environment; default `$KGENRE_SPLEETER_ENV` or
            `~/.cache/kgenre/spleeter-env`.
        allow_download: try Spleeter's download when the model is missing.
        start_timeout: seconds to wait for the worker to load the model.
        request_timeout: seconds to wait for one separation.

    Example:
        >>> with SpleeterSeparator() as separator:  # doctest: +SKIP
        ...     stems = separator.separate(mix, 22050)

    References:
        R. Hennequin, A. Khlif, F. Voituret, M. Moussallam. Spleeter: a fast and efficient
        music source separation tool with pre-trained models. JOSS 5(50), 2020 (ISMIR 2019
        late-breaking demo), cited by Mersy, AAAI 2021, Methods.
    """

    name = "spleeter"

    def __init__(
        self,
        model_name="4stems",
        model_path=None,
        env_dir=None,
        allow_download=True,
        start_timeout=600.0,
        request_timeout=600.0,
    ):
        if model_name != "4stems":
            raise ValueError(
                f"model_name must be '4stems' (kgenre's stems are {STEM_NAMES}), got {model_name!r}"
            )
        self.model_name = model_name
        self.model_path = os.path.abspath(model_path or spleeter_env.default_model_path())
        self.env_dir = os.path.abspath(env_dir or spleeter_env.default_env_dir())
        self.allow_download = bool(allow_download)
        self.start_timeout = float(start_timeout)
        self.request_timeout = float(request_timeout)
        self.sample_rate = 44100
        self._process = None
        self._replies = None
        self._reader = None
        self._workdir = None
        self._requests = 0
        self._fingerprint = None
        self._lock = threading.Lock()

    @property
    def model_dir(self):
        """The folder the checkpoint is read from: `<model_path>/<model_name>`."""
        return spleeter_env.model_dir(self.model_name, self.model_path)

    def get_config(self):
        if self._fingerprint is None:
            if not spleeter_env.has_checkpoint(self.model_dir):
                # The key needs the weights; fetching them means starting the worker.
                self._start()
            self._fingerprint = spleeter_env.checkpoint_fingerprint(self.model_dir)
        return {"model_name": self.model_name, "checkpoint_sha256": self._fingerprint}

    def __repr__(self):
        return f"SpleeterSeparator(model_dir={self.model_dir!r}, env_dir={self.env_dir!r})"

    def _start(self):
        if self._process is not None and self._process.poll() is None:
            return
        if not spleeter_env.is_env_ready(self.env_dir):
            raise spleeter_env.SpleeterSetupError(
                f"no Spleeter environment at {self.env_dir}; run `kgenre stems setup` "
                "(or kgenre.stems.setup_env()) first"
            )
        directory = self.model_dir
        present = spleeter_env.has_checkpoint(directory)
        if not present and not self.allow_download:
            raise spleeter_env.SpleeterModelMissingError(
                _missing_model_message(directory, self.model_name, "downloads disabled")
            )
        if present and spleeter_env.is_untrained(directory):
            logger.warning(
                "kgenre: %s holds an UNTRAINED Spleeter checkpoint; its stems are meaningless",
                directory,
            )
        self._workdir = tempfile.mkdtemp(prefix="kgenre-spleeter-")
        log_path = os.path.join(self._workdir, "worker.log")
        with open(log_path, "w") as log:
            self._process = subprocess.Popen(
                [
                    spleeter_env.env_python(self.env_dir),
                    "-I",
                    spleeter_env.WORKER_SCRIPT,
                    self.model_name,
                    directory,
                    "1" if self.allow_download else "0",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                bufsize=1,
                env=spleeter_env.worker_environment(self.model_path),
            )
        self._replies = queue.Queue()
        self._reader = threading.Thread(
            target=self._read_replies, args=(self._process.stdout, self._replies), daemon=True
        )
        self._reader.start()
        _OPEN.add(self)
        reply = self._next_reply(self.start_timeout, "loading the Spleeter model")
        if reply.get("event") == "ready":
            return
        self.close()
        if reply.get("kind") == "model_missing":
            raise spleeter_env.SpleeterModelMissingError(
                _missing_model_message(directory, self.model_name, reply["message"])
            )
        raise spleeter_env.SpleeterSetupError(
            f"the Spleeter worker could not load {directory}:\n{reply.get('message')}"
        )

    @staticmethod
    def _read_replies(stream, replies):
        for line in stream:
            try:
                replies.put(json.loads(line))
            except ValueError:
                replies.put({"event": "error", "kind": "protocol", "message": line})
        replies.put(None)

    def _worker_log_tail(self):
        try:
            with open(os.path.join(self._workdir, "worker.log")) as stream:
                return stream.read()[-3000:]
        except (OSError, TypeError):
            return ""

    def _next_reply(self, timeout, what):
        try:
            reply = self._replies.get(timeout=timeout)
        except queue.Empty:
            log = self._worker_log_tail()
            self.close()
            raise TimeoutError(
                f"the Spleeter worker took more than {timeout:.0f} s {what}; its log:\n{log}"
            ) from None
        if reply is None:
            log = self._worker_log_tail()
            self.close()
            raise spleeter_env.SpleeterSetupError(
                f"the Spleeter worker exited while {what}; its log:\n{log}"
            )
        return reply

    def separate(self, audio, sample_rate):
        import soxr

        x, mono = check_audio(audio, sample_rate)
        length = x.shape[-1]
        if x.shape[0] == 1:
            stereo = np.repeat(x, 2, axis=0)
        else:
            # Spleeter takes two channels; more are folded into two by their mean.
            stereo = np.stack([x[0::2].mean(axis=0), x[1::2].mean(axis=0)])
        wave = stereo.T
        if sample_rate != self.sample_rate:
            wave = soxr.resample(wave, sample_rate, self.sample_rate, quality="HQ")
        with self._lock:
            self._start()
            self._requests += 1
            request_id = self._requests
            source = os.path.join(self._workdir, f"in-{request_id}.npy")
            target = os.path.join(self._workdir, f"out-{request_id}.npz")
            np.save(source, np.ascontiguousarray(wave, dtype=np.float32))
            try:
                self._process.stdin.write(
                    json.dumps({"id": request_id, "input": source, "output": target}) + "\n"
                )
                self._process.stdin.flush()
            except (BrokenPipeError, OSError):
                log = self._worker_log_tail()
                self.close()
                raise spleeter_env.SpleeterSetupError(
                    f"the Spleeter worker is gone; its log:\n{log}"
                ) from None
            reply = self._next_reply(self.request_timeout, "separating")
            try:
                if not reply.get("ok") or reply.get("id") != request_id:
                    raise RuntimeError(f"Spleeter failed to separate the audio: {reply}")
                with np.load(target, allow_pickle=False) as data:
                    raw = {name: data[name] for name in STEM_NAMES}
            finally:
                for path in (source, target):
                    if os.path.exists(path):
                        os.remove(path)
        stems = {}
        for name, stem in raw.items():
            if sample_rate != self.sample_rate:
                stem = soxr.resample(stem, self.sample_rate, sample_rate, quality="HQ")
            stem = stem.T
            if x.shape[0] == 1:
                stem = stem.mean(axis=0, keepdims=True)
            else:
                # With more than two channels, each gets the stem of the pair it was folded into.
                stem = stem[np.arange(x.shape[0]) % 2]
            stem = fit_length(stem, length).astype(np.float32)
            stems[name] = stem[0] if mono else stem
        return stems

    def close(self):
        """Stops the worker (it finishes the current request first) and removes its files."""
        process, self._process = self._process, None
        if process is not None:
            try:
                process.stdin.close()
            except OSError:
                pass
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            # The reader thread ends at the pipe's end of file; closing the pipe under it
            # would race with its read.
            self._reader.join(timeout=10)
            if not self._reader.is_alive():
                process.stdout.close()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        _OPEN.discard(self)

    def __del__(self):
        if getattr(self, "_process", None) is not None:
            self.close()
