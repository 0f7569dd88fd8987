"""Stub rendering against golden files, template overrides, and notebook building."""

from pathlib import Path

import nbformat

from grader.authoring.render_notebook import build_notebook
from grader.stubs import cells_of, render_stub
from grader.submission import notebook_source
from grader.templating import environment

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def test_stub_matches_golden_file():
    src = (GOLDEN / "region.py").read_text()
    assert render_stub(src, "region.py", "golden") == (GOLDEN / "region.stub.py").read_text()


def test_course_templates_override_defaults(tmp_path):
    (tmp_path / "placeholder.py.j2").write_text("{{ indent }}pass  # your turn\n")
    environment.cache_clear()
    src = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    stub = render_stub(src, "f.py", "demo", tmp_path)
    assert "    pass  # your turn" in stub and "NotImplementedError" not in stub
    assert "# TODO" in stub  # the banner still comes from the defaults


def test_notebook_cells_follow_percent_format():
    stub = render_stub((GOLDEN / "region.py").read_text(), "region.py", "golden")
    cells = cells_of(stub)
    kinds = [k for k, _ in cells]
    assert kinds[0] == "markdown" and "golden-file test" in cells[0][1]
    assert ("markdown", "## A worked example\nThe variable below is set at module level.") in cells
    nb = build_notebook(stub, "golden", "Golden")
    nbformat.validate(nb)
    assert [c.id for c in nb.cells] == [f"golden-{i:02d}" for i in range(len(nb.cells))]
    assert nb.cells[-1].cell_type == "code" and nb.cells[-1].source == "from grader import check\n\ncheck()"


def test_notebook_source_skips_magics_and_shell_lines():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np"),
                nbformat.v4.new_markdown_cell("text"),
                nbformat.v4.new_code_cell("!pip install x\nx = np.ones(2)"),
                nbformat.v4.new_code_cell("%%bash\necho hi")]
    src = notebook_source(nb)
    assert "import numpy as np" in src and "x = np.ones(2)" in src
    assert "%" not in src and "!" not in src and "echo" not in src
    compile(src, "nb.py", "exec")


def test_the_notebook_heads_with_the_title_once_and_keeps_headings_outside_the_docstring():
    def headings(source):
        nb = build_notebook(source, "demo", "The title")
        return [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.split("\n")
                if line.startswith("# ")]

    assert headings('"""\n# The title\n\nThe lesson.\n"""\nx = 1\n') == ["# The title"]
    assert headings('"""\n# An older heading\n"""\nx = 1\n') == ["# The title"]  # course.toml's title wins
    assert headings("# %% [markdown]\n# # A section of the lesson\n\n# %%\nx = 1\n") == [
        "# The title", "# A section of the lesson"]
