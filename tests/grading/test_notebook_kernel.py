"""The notebook's last cell, `from grader import check; check()`, run by a real Jupyter kernel
(nbclient with ipykernel): it grades the saved notebook and shows the table as the cell's output."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra: pip install -e '.[test]'")
pytest.importorskip("ipykernel", reason="ipykernel is in the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / "optim" / "optim.py").read_text().split("\nif __name__")[0]


def _run(notebook: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(notebook.parent)}})
    client.execute()
    return nb


def _output_text(cell) -> str:
    return "\n".join(out.get("text", "") or out.get("data", {}).get("text/plain", "") for out in cell.outputs)


def test_check_cell_in_a_kernel_shows_the_table_of_the_saved_notebook(tmp_path):
    folder = tmp_path / "optim"
    shutil.copytree(ROOT / "assignments" / "optim", folder)
    notebook = folder / "optim.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "check()" in code[-1].source  # the pack's last cell, as shipped
    code[0].source = REFERENCE  # a student who wrote every function in the first cell
    for c in code[1:-1]:
        c.source = "# (moved into the first cell)"
    nbformat.write(nb, notebook)
    done = _run(notebook)
    last = [c for c in done.cells if c.cell_type == "code"][-1]
    text = _output_text(last)
    assert "adam_update" in text and "passed" in text, text
    assert "failed" not in text and "error" not in text.lower(), text
    html = "".join(out.get("data", {}).get("text/html", "") for out in last.outputs)
    assert "<table" in html  # Jupyter shows the table, not just text


def test_check_cell_in_a_kernel_on_the_untouched_stub_says_what_to_write(tmp_path):
    folder = tmp_path / "optim"
    shutil.copytree(ROOT / "assignments" / "optim", folder)
    notebook = folder / "optim.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    nb.cells = [c for c in nb.cells if c.cell_type != "code"] + [last]  # only the check cell runs
    nbformat.write(nbformat.read(notebook, as_version=4), notebook)  # the saved notebook stays the stub
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    text = _output_text(nb.cells[-1])
    assert "NotImplementedError" in text and "total: 0/" in text, text
