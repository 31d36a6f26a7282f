"""MSSincResNet training and inference throughput, side by side with the official PyTorch code.

Paper-size model (3-s clips at 16 kHz, 160 sinc filters x 3 scales, ResNet-18, SPP), random
data, the paper's SGD (lr 5e-3, momentum 0.9, Nesterov, weight decay 1e-4). Training is
forward + backward + SGD step (`train_on_batch`); inference is a forward pass
(`predict_on_batch`). With `--reference PATH/models.py` (a checkout of
github.com/PeiChunChang/MS-SincResNet; nothing of it is copied here) the official
`MS_SincResNet` runs on the same batch, on the same device, float32, the same optimizer: each
repetition times kgenre and the reference one after the other, alternating which goes first,
so both see the same machine load; the ratio is per repetition. The reference runs in a
process of its own (torch only), which waits on a pipe while kgenre runs and vice versa:
in kgenre's process, after TensorFlow had trained kgenre, the official model trained 15-25%
slower on this CPU (0.83-0.97 against 1.08-1.25 clips/s alone), which flattered
kgenre's TensorFlow ratio. `--reference-in-process` restores the old arrangement.

One command for all three backends (one child process per backend, since a process holds one
Keras backend), printing a markdown table and writing JSON:

    python bench/bench_ms_sincresnet.py --backends tensorflow jax torch \
        --reference ../MS-SincResNet/models.py --batch-size 8 --repeats 5 \
        --out bench/results/ms_sincresnet_side_by_side.json

It runs unchanged on a GPU (kgenre and the reference both use the first accelerator there) and
reports clips/s, peak device memory (each side's own allocator; on a CPU the process's peak
resident memory instead), the precision and XLA settings and the load averages around the run.
"""

import argparse
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

BACKENDS = ("tensorflow", "jax", "torch")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, help="default: KERAS_BACKEND")
    parser.add_argument("--reference", metavar="MODELS_PY", help="the official code's models.py")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--steps", type=int, default=2, help="timed steps per repetition")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--precision", default="float32", help="float32 | mixed_bfloat16 | ...")
    parser.add_argument("--jit-compile", default="auto", choices=["auto", "true", "false"])
    parser.add_argument("--implementation", default="auto", choices=["auto", "direct", "fft"])
    parser.add_argument("--preset", default="paper")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument(
        "--reference-in-process",
        action="store_true",
        help="run the official model in kgenre's process (default: a process of its own)",
    )
    parser.add_argument("--reference-server", help=argparse.SUPPRESS)  # the reference's process
    parser.add_argument("--out")
    return parser.parse_args(argv)


def synchronize():
    """Waits for queued torch GPU work (the reference, and kgenre on the torch backend)."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(step, steps):
    """Seconds per call of `step` over `steps` calls (after the caller's warm-up)."""
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def kgenre_side(args, x, y):
    """`(train_step, infer_step, settings)` for kgenre on the active backend."""
    import keras

    from kgenre.models import MSSincResNet
    from kgenre.training import speed_options

    model = MSSincResNet.from_preset(args.preset, sinc_implementation=args.implementation)
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    model.compile(
        optimizer=keras.optimizers.SGD(5e-3, momentum=0.9, nesterov=True, weight_decay=1e-4),
        loss="sparse_categorical_crossentropy",
        **speed_options(model, mixed_precision=args.precision, jit_compile=jit),
    )

    def train():
        float(np.asarray(model.train_on_batch(x, y)))

    def infer():
        np.asarray(model.predict_on_batch(x))

    settings = {
        "precision": args.precision,
        "jit_compile": model.jit_compile,
        "sinc_implementation": model.get_layer("ms_sincnet")._implementation,
        "parameters": model.count_params(),
    }
    return train, infer, settings


def reference_side(path, x, y):
    """`(train_step, infer_step, settings)` for the official PyTorch model."""
    import torch
    from official_reference import load_official_model

    torch.manual_seed(0)
    model, resnet_source = load_official_model(path)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    xt = torch.from_numpy(x[:, None, :]).to(device)
    yt = torch.from_numpy(y.astype("int64")).to(device)
    # the official main.py's optimizer and loss
    optimizer = torch.optim.SGD(
        model.parameters(), lr=5e-3, momentum=0.9, weight_decay=1e-4, nesterov=True
    )
    loss_fn = torch.nn.CrossEntropyLoss()

    def train():
        model.train()
        loss = loss_fn(model(xt)[0], yt)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        loss.item()

    def infer():
        model.eval()
        with torch.no_grad():
            model(xt)[0].cpu()

    settings = {
        "precision": "float32",
        "device": device,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "resnet18": resnet_source,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    return train, infer, settings


class ReferenceProcess:
    """The official model in a child process that runs one step per request, so that it never
    shares a process (thread pools, allocators) with kgenre's backend. Same
    `(train, infer, settings)` interface as `reference_side`, plus the child's peak memory."""

    def __init__(self, path, x, y):
        self._data = tempfile.NamedTemporaryFile(suffix=".npz", delete=False)
        np.savez(self._data, x=x, y=y)
        self._data.close()
        command = [sys.executable, os.path.abspath(__file__), "--reference-server", path]
        command += ["--out", self._data.name]
        self._child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.settings = self._ask("settings")

    def _ask(self, request):
        self._child.stdin.write(request + "\n")
        self._child.stdin.flush()
        reply = self._child.stdout.readline()
        if not reply:
            raise RuntimeError(f"the reference process exited (code {self._child.wait()})")
        return json.loads(reply)

    def side(self):
        return (lambda: self._ask("train"), lambda: self._ask("infer"), self.settings)

    def peak_gib(self):
        return self._ask("peak")

    def reset_peak(self):
        self._ask("reset")

    def close(self):
        self._child.stdin.close()
        self._child.wait()
        os.unlink(self._data.name)


def serve_reference(path, data_path):
    """The reference process: one JSON line out per request line in (`ReferenceProcess`)."""
    replies, sys.stdout = sys.stdout, sys.stderr  # nothing else may reach the pipe
    data = np.load(data_path)
    train, infer, settings = reference_side(path, data["x"], data["y"])
    actions = {
        "settings": lambda: settings,
        "train": lambda: train(),
        "infer": lambda: infer(),
        "peak": lambda: reference_peak_gib(),
        "reset": lambda: reference_peak_gib(reset=True),
    }
    for line in sys.stdin:
        value = actions[line.strip()]()
        if line.strip() in ("train", "infer"):
            synchronize()
        replies.write(json.dumps(value) + "\n")
        replies.flush()


def reference_peak_gib(reset=False):
    """The reference process's peak: torch's allocator on a GPU, resident memory on a CPU."""
    import resource

    import torch

    if torch.cuda.is_available():
        if reset:
            torch.cuda.reset_peak_memory_stats()
        return torch.cuda.max_memory_allocated() / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


class PeakMemory:
    """Peak memory of one side: its own device allocator on a GPU, process RSS on a CPU."""

    def __init__(self, side):
        self.side = side

    def reset_peak(self):
        import keras

        if self.side == "reference" or keras.backend.backend() == "torch":
            import torch

            if torch.cuda.is_available():
                torch.cuda.reset_peak_memory_stats()
        elif keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            if tf.config.list_physical_devices("GPU"):
                tf.config.experimental.reset_memory_stats("GPU:0")

    def peak_gib(self):
        import keras
        from _common import peak_memory_gib

        if self.side == "reference" or keras.backend.backend() == "torch":
            import torch

            if torch.cuda.is_available():
                return torch.cuda.max_memory_allocated() / 2**30
            return peak_memory_gib()
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            if tf.config.list_physical_devices("GPU"):
                return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**30
        return peak_memory_gib()  # JAX's own peak on a GPU, process RSS on a CPU


def run_backend(args):
    """Side-by-side figures for the active Keras backend, as a dict."""
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # share the GPU with torch
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import keras
    from _common import device_description

    from kgenre.models import MSSincResNet

    defaults = inspect.signature(MSSincResNet).parameters
    config = {name: defaults[name].default for name in ("input_length", "num_classes")}
    config.update({k: v for k, v in MSSincResNet.presets[args.preset].items() if k in config})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch_size, config["input_length"])).astype("float32")
    y = rng.integers(0, config["num_classes"], args.batch_size)
    sides = {"kgenre": kgenre_side(args, x, y)}
    remote = None
    if args.reference and args.reference_in_process:
        sides["reference"] = reference_side(args.reference, x, y)
    elif args.reference:
        remote = ReferenceProcess(args.reference, x, y)
        sides["reference"] = remote.side()
    result = {
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "device": device_description(),
        "batch_size": args.batch_size,
        "steps_per_repeat": args.steps,
        "repeats": args.repeats,
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "settings": {name: side[2] for name, side in sides.items()},
        "reference_process": "same" if args.reference_in_process else "own",
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        # how large buffers are allocated changes both sides' speed (BENCHMARKS.md)
        "allocator_env": {
            name: value
            for name, value in os.environ.items()
            if name.startswith("MALLOC_")
            or name in ("GLIBC_TUNABLES", "LD_PRELOAD", "THP_MEM_ALLOC_ENABLE")
        },
    }
    phases = ["inference"] if args.skip_training else ["training", "inference"]
    for phase in phases:
        index = 0 if phase == "training" else 1
        seconds = {name: [] for name in sides}
        peaks = {}
        for name, side in sides.items():  # warm-up: tracing and compilation
            memory = remote if name == "reference" and remote else PeakMemory(name)
            memory.reset_peak()
            side[index]()
            side[index]()
            synchronize()
            peaks[name] = memory.peak_gib()
        for repeat in range(args.repeats):
            order = list(sides) if repeat % 2 == 0 else list(sides)[::-1]
            for name in order:
                seconds[name].append(timed(sides[name][index], args.steps))
                synchronize()
            print(
                phase,
                repeat,
                {n: round(args.batch_size / s[-1], 2) for n, s in seconds.items()},
                "load",
                os.getloadavg()[0],
                file=sys.stderr,
                flush=True,
            )
        entry = {}
        for name in sides:
            rates = args.batch_size / np.array(seconds[name])
            entry[name] = {
                "clips_per_s_median": round(float(np.median(rates)), 3),
                "clips_per_s_all": [round(float(r), 3) for r in rates],
                "peak_memory_gib": round(peaks[name], 2),
            }
        if "reference" in sides:
            ratios = np.array(seconds["reference"]) / np.array(seconds["kgenre"])
            entry["ratio_median"] = round(float(np.median(ratios)), 2)
            entry["ratio_min_max"] = [round(float(ratios.min()), 2), round(float(ratios.max()), 2)]
        result[phase] = entry
    result["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    if remote:
        remote.close()
    return result


def markdown_table(results):
    """One row per backend and phase."""
    lines = [
        "| backend | phase | kgenre clips/s | reference clips/s | ratio (median, min-max) "
        "| precision, XLA | peak memory GiB (kgenre / ref) | load before -> after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        settings = r["settings"]["kgenre"]
        for phase in ("training", "inference"):
            if phase not in r:
                continue
            e = r[phase]
            ref = e.get("reference", {})
            ratio = "-"
            if ref:
                ratio = f"{e['ratio_median']} ({e['ratio_min_max'][0]}-{e['ratio_min_max'][1]})"
            lines.append(
                f"| {r['backend']} | {phase} | {e['kgenre']['clips_per_s_median']} "
                f"| {ref.get('clips_per_s_median', '-')} | {ratio} "
                f"| {settings['precision']}, jit_compile={settings['jit_compile']} "
                f"| {e['kgenre']['peak_memory_gib']} / {ref.get('peak_memory_gib', '-')} "
                f"| {r['load_average_before'][0]} -> {r['load_average_after'][0]} |"
            )
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.reference_server:
        return serve_reference(args.reference_server, args.out)
    if args.reference and not os.path.isfile(args.reference):
        sys.exit(f"--reference: no such file {args.reference!r} (the official code's models.py)")
    current = os.environ.get("KERAS_BACKEND", "tensorflow")
    backends = args.backends or [current]
    if backends == [current]:
        results = [run_backend(args)]
    else:  # one child per backend: a process holds one Keras backend
        results = []
        argv = list(sys.argv[1:] if argv is None else argv)
        for backend in backends:
            with tempfile.TemporaryDirectory() as tmp:
                child_out = os.path.join(tmp, "result.json")
                command = [sys.executable, os.path.abspath(__file__), *strip_option(argv)]
                command += ["--backends", backend, "--out", child_out]
                env = {**os.environ, "KERAS_BACKEND": backend}
                subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
                with open(child_out) as f:
                    results.extend(json.load(f)["results"])
    report = {"results": results, "table": markdown_table(results)}
    print(report["table"])
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)


def strip_option(argv):
    """`argv` without `--backends ...` and `--out ...` (the parent sets them per child)."""
    kept, skipping = [], False
    for arg in argv:
        if arg in ("--backends", "--out"):
            skipping = True
        elif skipping and arg.startswith("--"):
            skipping = False
        if not skipping:
            kept.append(arg)
    return kept


if __name__ == "__main__":
    main()
