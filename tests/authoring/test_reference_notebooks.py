"""Every reference notebook runs headless, top to bottom, and every figure cell draws an image.

The notebooks are built the way `grade generate` builds the pack's, from the reference code instead
of the stubs, in a folder holding the rest of the pack (checks, expected outputs, the reference's
figures), and executed by a real Jupyter kernel (nbclient + ipykernel), each in a process of its
own, two at a time; a cell that raises fails the test with the cell's traceback.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grader.authoring.generate import question_texts, render_assignment
from grader.authoring.render_notebook import build_notebook
from grader.course import assignment_folders, load_solution

pytest.importorskip("nbclient", reason="the notebook tests need the test extra: pip install -e '.[test]'")
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
    nb = build_notebook(source, name, name, templates, question_texts(assignment, templates))
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


HELPER = Path(__file__).with_name("_execute_notebook.py")
AT_ONCE = 2  # kernels running at a time: one waits on its sandbox or numpy while the other works
DEADLINE = 600.0  # seconds for one notebook (nbclient itself stops a cell after 120 s)


def execute_all(folders: dict[str, Path]) -> dict[str, str]:
    """Run each notebook in a process of its own, AT_ONCE at a time; name -> "" or why it failed."""
    pending, running, failed = list(folders.items()), {}, {}
    while pending or running:
        while pending and len(running) < AT_ONCE:
            name, folder = pending.pop(0)
            log = (folder / "execute.log").open("wb")
            process = subprocess.Popen([sys.executable, str(HELPER), str(folder / f"{name}.ipynb")],
                                       stdout=log, stderr=subprocess.STDOUT)
            running[name] = (process, log, time.monotonic() + DEADLINE)
        for name, (process, log, deadline) in list(running.items()):
            if process.poll() is None and time.monotonic() < deadline:
                continue
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
            text = (folders[name] / "execute.log").read_text(encoding="utf-8", errors="replace")
            failed[name] = "" if process.returncode == 0 else f"exit {process.returncode}:\n{text}"
            del running[name]
        time.sleep(0.05)
    return failed


@pytest.fixture(scope="module")
def executed(request, tmp_path_factory):
    """The selected assignments' reference notebooks, executed: name -> (notebook folder, failure)."""
    wanted = [item.callspec.params["name"] for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")]
    folders = {name: tmp_path_factory.mktemp(name) for name in wanted}
    for name, folder in folders.items():
        reference_notebook_folder(name, folder)
    failures = execute_all(folders)
    return {name: (folders[name], failures[name]) for name in wanted}


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_notebook_runs_and_draws_every_figure(name, executed):
    ran, failure = executed[name]
    assert not failure, failure  # the failing cell and its traceback
    nb = nbformat.read(ran / f"{name}.ipynb", as_version=4)
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
