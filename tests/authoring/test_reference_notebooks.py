"""Every reference notebook runs headless, top to bottom, and every figure cell draws an image.

The notebooks are built the way `grade generate` builds the pack's, from the reference code instead
of the stubs, in a folder holding the rest of the pack (checks, expected outputs, the reference's
figures), and executed by a real Jupyter kernel (nbclient + ipykernel); a cell that raises fails
the test with the cell's traceback. The whole course takes about a minute on the 2-core machine
(see the report of `pytest --durations`).
"""

import re
from pathlib import Path

import pytest

from grader.authoring.generate import question_texts, render_assignment
from grader.authoring.notebook import build_notebook
from grader.course import assignment_folders, load_solution

nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the test extra: pip install -e '.[test]'")
pytest.importorskip("ipykernel", reason="the notebook tests need the test extra: pip install -e '.[test]'")
pytest.importorskip("matplotlib", reason="the notebook tests need the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[2]
NAMES = [p.name for p in assignment_folders(ROOT / "solutions")]
FIGURE_CELL = re.compile(r"^\s*show\((figure_\w+)", re.M)


def reference_notebook_folder(name: str, folder: Path) -> Path:
    """The pack of ``name`` with the reference code in place of the stubs; returns the notebook."""
    assignment = load_solution(ROOT / "solutions" / name)
    templates = ROOT / "templates"
    files = render_assignment(assignment, templates).files
    # the reference's figures as the committed pack has them (test_course_pack proves that pack fresh)
    files.update({f"figures/{p.name}": p.read_bytes() for p in (ROOT / "assignments" / name).glob("figures/*.png")})
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    for source in assignment.sources():
        (folder / source.name).write_bytes(source.read_bytes())
    source = assignment.module_path.read_text(encoding="utf-8")
    import nbformat

    nb = build_notebook(source, name, name, templates, question_texts(assignment, templates))
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_notebook_runs_and_draws_every_figure(name, tmp_path):
    import nbformat

    path = reference_notebook_folder(name, tmp_path)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    figure_cells = [cell for cell in nb.cells if cell.cell_type == "code" and FIGURE_CELL.search(cell.source)]
    for cell in figure_cells:
        kinds = [set(output.get("data", {})) for output in cell.outputs]
        assert any("image/png" in k for k in kinds), f"{FIGURE_CELL.search(cell.source).group(1)}: {cell.outputs}"
        assert not any(output.get("name") == "stdout" for output in cell.outputs), cell.outputs
    drawn = {m for cell in figure_cells for m in FIGURE_CELL.findall(cell.source)}
    made = {f"figure_{p.stem}" for p in (tmp_path / "figures").glob("*.png")} if (tmp_path / "figures").is_dir() else set()
    assert drawn == made  # every figure of the pack is shown by a cell, and every cell's figure is in the pack
    check_cell = nb.cells[-1]
    assert "check()" in check_cell.source
    assert any("passed" in str(output) for output in check_cell.outputs), check_cell.outputs
