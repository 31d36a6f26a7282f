"""The run folder every experiment writes, and the results log that makes runs resumable.

    RUN/
      config.json      the recipe's settings (a rerun with other settings is refused)
      results.jsonl    one line per (split, model), appended (and fsynced) as each finishes
      history.csv      per-epoch training history of every fit, rebuilt from results.jsonl
      metrics.json     summary, paired tests and per-split metrics
      report.md        what ran, the results table, tests, per-split table, figures
      *.png            confusion matrices, loss curves, metric distributions, blend weights
      model.keras      the main model's best split, with its `kgenre.inference.ModelInfo`

Only `results.jsonl` and `model.keras` are state; everything else is derived from them and
rewritten. A killed run loses at most the fit in progress: the results log is appended line
by line, a torn last line is dropped on reading, and model files are written atomically.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os

import numpy as np

CONFIG = "config.json"
RESULTS = "results.jsonl"
HISTORY = "history.csv"
METRICS = "metrics.json"
REPORT = "report.md"
MODEL = "model.keras"

IGNORED_SETTINGS = ("run_dir", "records_dir", "progress", "workers")
"""Settings that may change between a run and its resumption (they do not change results)."""


def slug(name: str) -> str:
    """A file-name-safe version of a model name."""
    out = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(name))
    return "_".join(part for part in out.split("_") if part) or "model"


def backup_dir(run_dir: str, split_name: str, model: str) -> str:
    """Where one fit keeps its resumable state while it runs: `RUN/backup/<split>-<model>`
    (see `kgenre.experiments.fitting.fit_and_select`)."""
    return os.path.join(run_dir, "backup", f"{slug(split_name)}-{slug(model)}")


def to_json(value):
    """`value` with numpy types converted and non-finite floats as `None` (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json_atomic(path: str, data) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as stream:
        json.dump(to_json(data), stream, indent=2)
        stream.write("\n")
    os.replace(tmp, path)


def write_text_atomic(path: str, text: str) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(tmp, path)


class RunFolder:
    """A run folder: its settings check and its append-only results log.

    Args:
        path: the folder (created).
        recipe: the recipe's name.
        config: the recipe's settings (a dataclass or dict).
    """

    def __init__(self, path: str, recipe: str, config):
        self.path = os.fspath(path)
        self.recipe = recipe
        settings = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else config
        self.settings = to_json(dict(settings))
        os.makedirs(self.path, exist_ok=True)
        self._check_config()

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def _check_config(self):
        import kgenre

        path = self.file(CONFIG)
        fresh = {
            "recipe": self.recipe,
            "kgenre_version": kgenre.__version__,
            "config": self.settings,
        }
        if os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as stream:
                    saved = json.load(stream)
            except (OSError, json.JSONDecodeError) as error:
                raise ValueError(f"{path}: unreadable run settings ({error})") from error
            differ = self._differences(saved)
            if differ:
                raise ValueError(
                    f"{self.path} holds a run with other settings ({'; '.join(differ)}); "
                    "resume it with the same settings or pass a new --run-dir"
                )
            return
        write_json_atomic(path, fresh)

    def _differences(self, saved):
        if saved.get("recipe") != self.recipe:
            return [f"recipe {saved.get('recipe')!r}, not {self.recipe!r}"]
        old, new = saved.get("config", {}), self.settings
        keys = sorted((set(old) | set(new)) - set(IGNORED_SETTINGS))
        return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]

    # -- the results log ------------------------------------------------------------------

    def results(self) -> list[dict]:
        """Every finished (split, model), in order; a torn last line (a killed run) is dropped
        and the log is truncated back to its last complete line."""
        path = self.file(RESULTS)
        if not os.path.exists(path):
            return []
        with open(path, "rb") as stream:
            data = stream.read()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            with open(path, "r+b") as stream:
                stream.truncate(len(complete))
        rows = []
        for number, line in enumerate(complete.decode("utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}, line {number}: not JSON ({error})") from error
        return rows

    def append(self, row: dict) -> None:
        """Appends one result line and forces it to disk."""
        line = json.dumps(to_json(row)) + "\n"
        with open(self.file(RESULTS), "a", encoding="utf-8") as stream:
            stream.write(line)
            stream.flush()
            os.fsync(stream.fileno())

    def write_history(self, rows: list[dict]) -> str:
        """`history.csv`: one row per (split, model, epoch), from the results' histories."""
        table, columns = [], []
        for row in rows:
            history = row.get("history") or {}
            keys = [k for k in history if isinstance(history[k], list)]
            columns += [k for k in keys if k not in columns]
            epochs = max((len(history[k]) for k in keys), default=0)
            for epoch in range(epochs):
                entry = {"split": row["split"], "model": row["model"], "epoch": epoch + 1}
                for k in keys:
                    if epoch < len(history[k]):
                        entry[k] = history[k][epoch]
                table.append(entry)
        path = self.file(HISTORY)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, ["split", "model", "epoch", *columns])
            writer.writeheader()
            writer.writerows(table)
        os.replace(tmp, path)
        return path
