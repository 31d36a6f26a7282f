"""Fits a plan's (split, model) pairs in worker processes, when a machine's CPUs do the work.

A small model trained on one CPU core wastes less of it than on two: the framework's work
between operations (data slicing, callbacks, Python) runs on one core while the other idles,
and small convolutions do not split evenly across threads. On the 2-core machine the main job
(`edm_stems`) fitted its four models about 1.2x faster as two single-threaded processes than
as one process with two threads (see BENCHMARKS.md, "Main job"). So with `--workers auto` a
run on a machine without GPUs or TPUs starts one worker process per CPU core (at most
`AUTO_MAX`, each with its share of the cores' threads), and keeps this process for the
progress bar and the report.

How it works: each worker is `python -m kgenre.experiments.workers SETTINGS.json` with
`KGENRE_WORKER=index/count` set. It runs the recipe's `run(config)` as usual (its data and
features are cached by then, so this is quick; the workers take turns, so that only one at a
time opens the records folder, whose writer lock admits one process); `run_plan` sees the
variable and, instead of
fitting every pair in order, claims pairs one at a time from the run folder's claim list
(under the folder's lock) and appends each result to `results.jsonl`, the same log a serial
run writes. Resuming, the report and `model.keras` are therefore the same as in a serial
run; only the fits' float round-off differs (other thread counts). A worker whose parent dies
exits within a second; a failing worker stops the run with the end of its log.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import os
import subprocess
import sys
import threading
import time

from kgenre.experiments.run_folder import RESULTS

WORKER_ENV = "KGENRE_WORKER"
"""`index/count` in a worker process's environment."""

CLAIMS = os.path.join("workers", "claims.jsonl")
"""The run folder's claim list: one `[split, model]` line per pair a worker has taken."""

POLL_SECONDS = 2.0
"""How often the parent looks at the results log (it reads it only when it grew)."""


def worker_share() -> tuple[int, int] | None:
    """`(index, count)` in a worker process, `None` elsewhere."""
    value = os.environ.get(WORKER_ENV)
    if not value:
        return None
    index, count = (int(part) for part in value.split("/"))
    return index, count


def _has_accelerator() -> bool:
    """Whether the active Keras backend sees a GPU or TPU."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(
            tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU")
        )
    if backend == "jax":
        import jax

        return any(d.platform != "cpu" for d in jax.devices())
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    return False


def resolve_workers(config) -> int:
    """The worker processes `config.workers` means here (1: fit in this process).

    `0` (auto) means one process per CPU core, at most `AUTO_MAX`, on a machine without
    GPUs or TPUs and with no multi-device distribution; 1 elsewhere.

    Raises:
        ValueError: `workers > 1` together with `distribute data_parallel`.
    """
    from kgenre.experiments.options import RunOptions

    if not isinstance(config, RunOptions) or worker_share() is not None:
        return 1
    if config.workers > 1 and config.distribute == "data_parallel":
        raise ValueError(
            "workers > 1 runs fits side by side on CPUs; use --workers 1 with "
            "--distribute data_parallel"
        )
    if config.workers:
        return config.workers
    from kgenre.training.distribution import resolve_distribution

    if resolve_distribution(config.distribute).mode != "none" or _has_accelerator():
        return 1
    return max(1, min(AUTO_MAX, os.cpu_count() or 1))


AUTO_MAX = 4
"""Most worker processes `--workers auto` starts (each holds the corpus's features)."""


def threads_per_worker(count: int) -> int:
    """CPU threads each of `count` worker processes gets: an equal share of the cores."""
    return max(1, (os.cpu_count() or 1) // count)


def thread_environment(threads: int) -> dict:
    """Environment variables that give a worker's backend `threads` CPU threads."""
    env = {
        "OMP_NUM_THREADS": str(threads),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
    }
    if threads == 1:
        flags = os.environ.get("XLA_FLAGS", "")
        env["XLA_FLAGS"] = (
            f"{flags} --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1".strip()
        )
    return env


@contextlib.contextmanager
def folder_lock(run_dir: str):
    """An exclusive lock on the run folder (`RUN/workers/.lock`) across processes."""
    import fcntl

    os.makedirs(os.path.join(run_dir, "workers"), exist_ok=True)
    with open(os.path.join(run_dir, "workers", ".lock"), "w") as stream:
        fcntl.flock(stream, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(stream, fcntl.LOCK_UN)


def claim_next(run_dir: str, todo: list, done: set):
    """Takes the first pair of `todo` that no worker has claimed or finished; `None` when
    none is left. `todo`: `(split, candidate)` pairs; `done`: `(split index, model)` keys."""
    path = os.path.join(run_dir, CLAIMS)
    with folder_lock(run_dir):
        claimed = set()
        if os.path.exists(path):
            with open(path, encoding="utf-8") as stream:
                claimed = {tuple(json.loads(line)) for line in stream if line.strip()}
        for split, candidate in todo:
            key = (split.index, candidate.name)
            if key in claimed or key in done:
                continue
            with open(path, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(list(key)) + "\n")
            return split, candidate
    return None


def run_workers(plan, folder, count: int, bar, on_split_done) -> None:
    """Fits the plan's unfinished pairs in `count` worker processes; returns when all are done.

    Args:
        plan: the `Plan` (its recipe module and settings make the workers' plans).
        folder: the `RunFolder`.
        bar: a tqdm bar, advanced as results arrive.
        on_split_done: `(rows) -> None`, called when more splits have all their models.
    """
    run_dir = folder.path
    os.makedirs(os.path.join(run_dir, "workers"), exist_ok=True)
    with contextlib.suppress(FileNotFoundError):  # claims of an earlier, stopped invocation
        os.remove(os.path.join(run_dir, CLAIMS))
    settings = os.path.join(run_dir, "workers", "settings.json")
    config = dataclasses.replace(plan.config, progress=False)
    with open(settings, "w", encoding="utf-8") as stream:
        json.dump({"recipe": plan.recipe, "config": dataclasses.asdict(config)}, stream)
    threads = threads_per_worker(count)
    processes, logs = [], []
    try:
        for index in range(count):
            log_path = os.path.join(run_dir, "workers", f"worker-{index}.log")
            log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
            logs.append((log, log_path))
            env = {**os.environ, **thread_environment(threads), WORKER_ENV: f"{index}/{count}"}
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "kgenre.experiments.workers", settings],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        bar.write(
            f"{plan.recipe}: {count} worker processes, {threads} thread(s) each "
            f"(logs in {os.path.join(run_dir, 'workers')})"
        )
        results = folder.file(RESULTS)
        seen, splits_done, size = len(folder.results()), 0, -1
        while True:
            codes = [p.poll() for p in processes]
            if os.path.exists(results) and os.path.getsize(results) != size:
                # read under the lock: `results()` drops a torn last line, which would be a
                # worker's line half written
                with folder_lock(run_dir):
                    size = os.path.getsize(results)
                    rows = folder.results()
                bar.update(len(rows) - seen)
                seen = len(rows)
                complete = _complete_splits(rows, plan)
                if complete > splits_done:
                    splits_done = complete
                    on_split_done(rows)
            failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
            if failed:
                index = failed[0]
                raise RuntimeError(
                    f"worker {index} stopped with exit code {codes[index]}; the end of its log "
                    f"({logs[index][1]}):\n{_tail(logs[index][1])}\nFinished fits are kept; "
                    "rerun the same command to resume."
                )
            if all(code == 0 for code in codes):
                return
            time.sleep(POLL_SECONDS)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for log, _ in logs:
            log.close()


def _complete_splits(rows, plan) -> int:
    names = {c.name for c in plan.candidates}
    by_split = {}
    for row in rows:
        by_split.setdefault(row["split"], set()).add(row["model"])
    return sum(1 for models in by_split.values() if names <= models)


def _tail(path: str, lines: int = 30) -> str:
    with open(path, encoding="utf-8", errors="replace") as stream:
        return "".join(stream.readlines()[-lines:])


_SETUP = []


def _take_setup_turn(run_dir: str) -> None:
    """Waits until no other worker is preparing its data (the lock is held until
    `setup_done`)."""
    import fcntl

    stream = open(os.path.join(run_dir, "workers", ".setup"), "w")  # noqa: SIM115
    fcntl.flock(stream, fcntl.LOCK_EX)
    _SETUP.append(stream)


def setup_done() -> None:
    """Lets the next worker prepare its data (called by `run_plan` in a worker)."""
    while _SETUP:
        _SETUP.pop().close()  # closing the file releases its lock


def _exit_with_parent() -> None:
    """Ends this worker when the process that started it is gone (killed runs)."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def main(argv=None) -> int:
    """A worker: `python -m kgenre.experiments.workers SETTINGS.json` (with `KGENRE_WORKER`)."""
    argv = sys.argv[1:] if argv is None else argv
    if worker_share() is None or len(argv) != 1:
        raise SystemExit("kgenre.experiments.workers is started by run_plan (--workers)")
    _exit_with_parent()
    with open(argv[0], encoding="utf-8") as stream:
        saved = json.load(stream)
    module = importlib.import_module(f"kgenre.experiments.{saved['recipe']}")
    config = saved["config"]
    fields = {f.name: f for f in dataclasses.fields(module.Config)}
    config = {k: tuple(v) if isinstance(v, list) else v for k, v in config.items() if k in fields}
    import keras

    if keras.backend.backend() == "torch":
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    _take_setup_turn(config["run_dir"])
    module.run(module.Config(**config))
    return 0


if __name__ == "__main__":
    # run main from the package's module, not from `__main__`: `run_plan` releases the setup
    # turn through `kgenre.experiments.workers`, which must be the module that took it
    from kgenre.experiments.workers import main as worker_main

    sys.exit(worker_main())
