"""Runs examples/colab_quickstart.ipynb top to bottom on the active backend, small.

The cell tagged `parameters` is followed by one that overrides its values, as papermill
does: no install (kgenre is importable here), this run's backend, a corpus of a few short
tracks and one epoch.
"""

import os

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "colab_quickstart.ipynb")


def test_quickstart_runs_top_to_bottom(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells]
    position = next(i for i, t in enumerate(tags) if "parameters" in t)
    overrides = f"""
INSTALL = False
BACKEND = {os.environ.get("KERAS_BACKEND", "tensorflow")!r}
CACHE = {str(tmp_path / "cache")!r}
WORKDIR = {str(tmp_path / "work")!r}
GENRES = ["techno", "house", "dubstep"]
TRACKS_PER_GENRE = 4
TRACK_SECONDS = 1.5
CLIP_SECONDS = 0.25
EPOCHS = 1
"""
    notebook.cells.insert(position + 1, nbformat.v4.new_code_cell(overrides))
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the cell's traceback, on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"on {os.environ.get('KERAS_BACKEND', 'tensorflow')}" in text
    assert "9 training and 3 test tracks" in text
    assert "(true genre" in text and "kgenre predict" in text
    assert "clip accuracy" in text and "model.weights.h5" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "no inline figure"
    assert (tmp_path / "cache" / "synthetic").is_dir()  # KGENRE_CACHE took effect
    assert (tmp_path / "work" / "model.keras").is_file()
