"""Spleeter worker: loads a model once and separates the waveforms kgenre sends it.

Runs in the Spleeter environment (not in kgenre's), started by
`kgenre.stems.SpleeterSeparator` as `python -I _spleeter_worker.py MODEL_NAME MODEL_DIR
ALLOW_DOWNLOAD`. The protocol is one JSON object per line:

- worker -> kgenre, once: `{"event": "ready", "instruments": [...], "sample_rate": 44100}`
  after the model is restored, or `{"event": "error", "kind": ..., "message": ...}`;
- kgenre -> worker: `{"id": N, "input": "in.npy", "output": "out.npz"}` where `in.npy` is
  float32 `(samples, 2)` at the model's rate; the worker writes one `(samples, 2)` array
  per instrument to `out.npz` and answers `{"id": N, "ok": true, "seconds": ...}` or
  `{"id": N, "ok": false, "error": ...}`;
- an empty line or end of input stops the worker.

The graph is built and the checkpoint restored once, in one TensorFlow session, with
Spleeter's own builder (the graph its `tf.estimator` path builds for every call).
"""

import json
import os
import socket
import sys
import time
import traceback

# Only protocol lines may reach kgenre: anything else printed (TensorFlow, Spleeter) is
# sent to stderr, which kgenre logs to a file.
_PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr


def _send(message):
    _PROTOCOL.write(json.dumps(message) + "\n")
    _PROTOCOL.flush()


def _download(model_name, model_dir):
    """Spleeter's GitHub download into a staging folder renamed on success: Spleeter itself
    leaves an empty folder behind on failure and never retries."""
    from spleeter.model.provider import ModelProvider
    from spleeter.model.provider.github import GithubModelProvider

    socket.setdefaulttimeout(20)
    parent = os.path.dirname(model_dir)
    os.makedirs(parent, exist_ok=True)
    staging = os.path.join(parent, f".{model_name}.download-{os.getpid()}")
    os.makedirs(staging, exist_ok=True)
    try:
        GithubModelProvider.from_environ().download(model_name, staging)
        ModelProvider.writeProbe(staging)
        os.replace(staging, model_dir)
    finally:
        if os.path.isdir(staging):
            import shutil

            shutil.rmtree(staging)


def _load(model_name, model_dir):
    import tensorflow as tf
    from spleeter.model import EstimatorSpecBuilder, InputProviderFactory
    from spleeter.utils.configuration import load_configuration

    params = load_configuration(f"spleeter:{model_name}")
    params["model_dir"] = model_dir
    params["MWF"] = False
    checkpoint = tf.train.latest_checkpoint(model_dir)
    if checkpoint is None:
        raise FileNotFoundError(f"no TensorFlow checkpoint in {model_dir}")
    graph = tf.Graph()
    with graph.as_default():
        features = InputProviderFactory.get(params).get_input_dict_placeholders()
        builder = EstimatorSpecBuilder(features, params)
        outputs = {name: builder.outputs[name] for name in builder.instruments}
        saver = tf.compat.v1.train.Saver()
        session = tf.compat.v1.Session(graph=graph)
        saver.restore(session, checkpoint)
    return params, session, features, outputs


def main(model_name, model_dir, allow_download):
    import numpy as np

    has_model = os.path.isfile(os.path.join(model_dir, "checkpoint"))
    if not has_model:
        if not allow_download:
            _send({"event": "error", "kind": "model_missing", "message": "download disabled"})
            return 1
        try:
            _download(model_name, model_dir)
        except Exception as error:  # any network or archive failure means "not available"
            _send(
                {"event": "error", "kind": "model_missing", "message": f"download failed: {error}"}
            )
            return 1
    try:
        params, session, features, outputs = _load(model_name, model_dir)
    except Exception:
        _send({"event": "error", "kind": "load", "message": traceback.format_exc()})
        return 1
    sample_rate = int(params["sample_rate"])
    _send({"event": "ready", "instruments": sorted(outputs), "sample_rate": sample_rate})
    for line in sys.stdin:
        if not line.strip():
            break
        request = json.loads(line)
        start = time.perf_counter()
        try:
            waveform = np.load(request["input"], allow_pickle=False).astype(np.float32)
            if waveform.ndim != 2 or waveform.shape[1] != params["n_channels"]:
                raise ValueError(f"expected (samples, 2) audio, got shape {waveform.shape}")
            stems = session.run(
                outputs,
                feed_dict={features["waveform"]: waveform, features["audio_id"]: ""},
            )
            np.savez(request["output"], **{k: v.astype(np.float32) for k, v in stems.items()})
        except Exception as error:
            _send(
                {"id": request.get("id"), "ok": False, "error": f"{type(error).__name__}: {error}"}
            )
            continue
        _send({"id": request.get("id"), "ok": True, "seconds": time.perf_counter() - start})
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3] == "1"))
