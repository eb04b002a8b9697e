"""examples/tour.ipynb runs from top to bottom (where nbclient and ipykernel are
installed: the ``notebook`` extra), with this checkout's autodiff_ast."""

import pathlib
import xml.etree.ElementTree as ET

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

SVG = "{http://www.w3.org/2000/svg}"
ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_the_tour_notebook_runs(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    notebook = nbformat.read(ROOT / "examples" / "tour.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o.data for o in outputs if o.output_type == "execute_result"]
    assert any("text/html" in d and "grad_loss" in d["text/html"] for d in shown)
    drawings = [d["image/svg+xml"] for d in shown if "image/svg+xml" in d]
    neuron = {t.text for t in ET.fromstring(drawings[0].encode()).iter(SVG + "text")}
    assert {"0.73", "-0.59", "-0.20", "0.39"} <= neuron
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "def grad_loss(W, b, X, y, dout=1.0):" in printed
