import os
import subprocess
import sys
import time

import pytest

import kgenre
from kgenre.cli.main import COMMANDS, build_parser, main

HEAVY = ("keras", "tensorflow", "jax", "torch", "numpy", "scipy", "librosa", "soundfile")
COMMAND_NAMES = ("prepare", "train", "evaluate", "predict", "info", "export-preset", "stems")


def run_cli(*args, env=None):
    """Runs `python -X importtime -m kgenre.cli.main ARGS`: (seconds, result, imported)."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kgenre.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    seconds = time.perf_counter() - start
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    return seconds, result, imported


@pytest.mark.parametrize(
    "args, status",
    [
        (("--help",), 0),
        (("--version",), 0),
        *[((name, "--help"), 0) for name in COMMAND_NAMES],
        (("stems", "download-model", "--help"), 0),
        (("predict",), 2),  # usage error: no model, no audio
        (("nonsense",), 2),
    ],
)
def test_help_and_usage_errors_are_fast_and_load_no_backend(args, status):
    # up to three tries: the machine may be busy with other work
    for _ in range(3):
        seconds, result, imported = run_cli(*args)
        if seconds <= 1.0:
            break
    assert result.returncode == status, result.stderr[-2000:]
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    assert seconds <= 1.0, f"kgenre {' '.join(args)} took {seconds:.2f} s"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"kgenre {kgenre.__version__}\n"


def test_every_command_is_registered():
    parser = build_parser()
    assert len(COMMANDS) == len(COMMAND_NAMES)
    examples = {"info": ["m"], "prepare": ["in"], "train": ["--list"], "stems": ["status"]}
    for name in COMMAND_NAMES:
        args = parser.parse_args([name, *examples.get(name, ["x", "y"])])
        assert callable(args.func)


@pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
    reason="the start-up lines are TensorFlow's",
)
def test_backend_start_up_lines_are_not_repeated(saved_models, tmp_path):
    from kgenre.testing.saved_models import write_audio

    path = saved_models["waveform"][0]
    track = write_audio(tmp_path / "t.wav", 0.5, 16000)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, "-m", "kgenre.cli.main", "predict", path, track, "--sinc", "saved"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith(f"{track}: ")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)), result.stderr
    assert "oneDNN" not in result.stderr and "absl::InitializeLog" not in result.stderr
