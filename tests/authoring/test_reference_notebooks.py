"""Every reference notebook runs headless, top to bottom, and every figure cell draws an image.

The notebooks are built the way `grade generate` builds the pack's, from the reference code instead
of the stubs, in a folder holding the rest of the pack (checks, expected outputs, the reference's
figures), and executed by a real Jupyter kernel (nbclient + ipykernel), two at a time; a cell that raises fails
the test with the cell's traceback.
"""

import re
from concurrent.futures import ThreadPoolExecutor
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


def execute(name: str, folder: Path):
    """Build and run the reference notebook of ``name`` in ``folder``; the executed notebook."""
    import nbformat

    nb = nbformat.read(reference_notebook_folder(name, folder), as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    return nb  # execute() raised CellExecutionError, with the cell and its traceback, on any error


@pytest.fixture(scope="module")
def executed(request, tmp_path_factory):
    """The selected assignments' notebooks, run two at a time (each in its own kernel, so a kernel
    waiting on its sandbox or on numpy lets the other work): name -> future of the executed notebook."""
    wanted = [item.callspec.params["name"] for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")]
    pool = ThreadPoolExecutor(max_workers=2)
    futures = {name: pool.submit(execute, name, tmp_path_factory.mktemp(name)) for name in wanted}
    yield futures
    pool.shutdown(wait=True)


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_notebook_runs_and_draws_every_figure(name, executed):
    nb = executed[name].result()
    folder = ROOT / "assignments" / name
    figure_cells = [cell for cell in nb.cells if cell.cell_type == "code" and FIGURE_CELL.search(cell.source)]
    for cell in figure_cells:
        kinds = [set(output.get("data", {})) for output in cell.outputs]
        assert any("image/png" in k for k in kinds), f"{FIGURE_CELL.search(cell.source).group(1)}: {cell.outputs}"
        assert not any(output.get("name") == "stdout" for output in cell.outputs), cell.outputs
    drawn = {m for cell in figure_cells for m in FIGURE_CELL.findall(cell.source)}
    made = {f"figure_{p.stem}" for p in folder.glob("figures/*.png")}
    assert drawn == made  # every figure of the pack is shown by a cell, and every cell's figure is in the pack
    check_cell = nb.cells[-1]
    assert "check()" in check_cell.source
    assert any("passed" in str(output) for output in check_cell.outputs), check_cell.outputs
