"""Imports in grader/ run downhill: a module imports only from its own layer or the layers below.

The layers, bottom to top. Read upward, they are the data path of one submission: the course's
solutions are turned into what a student starts from, the submission runs in the sandbox, its
outputs are compared by the checks, grading judges them, bulk records a class of them, reports and
the instructor's tools read the result. Where the import order differs from the data path, the
reason is written beside the layer.

0. shared      grader (the package: its version, and ``check()`` for a notebook), atomic, tempdirs,
               times, result, templating, figures, errors, wording, course_toml (where course.toml is, and
               the title it gives an assignment): plain helpers that import nothing of the grader
1. checks      checks/: what an instructor declares and how outputs compare. Below the sandbox,
               because the child runs a check's scenarios (it imports the declarations, never verdicts)
2. sandbox     sandbox/: run a submission in a confined child, stream its outputs back
3. course      course, markers, stubs, submission: an assignment loaded from its folder, its student
               sources (stubs rendered from the marked regions, without running anything), a
               submission opened as bytes
4. grading     grading/: one submission run and judged
5. reports     reports/ (but gradescope.py): results as files and pages. Below bulk, because the
               LMS writers and the regrade history format scores with them
6. bulk        bulk/, lms/: a class of submissions into a gradebook; LMS downloads in, gradebooks out
7. settings    config: course.toml into the settings of every layer below
8. tools       authoring/ (the pack), audit/, similarity/, reports/gradescope.py (it packs the course
               into an autograder zip, with its settings), notebook (the student's ``check()``),
               pytest_plugin, and the orchestration of `grade batch` and `grade report`
               (bulk/batch_options, pipeline, closing, report_from_gradebook: course.toml plus the
               command line, so above the settings)
9. cli         cli: the commands

Every import counts, a function's deferred one too. The one deliberate upward import is the
package's ``check()`` (``from grader import check`` in a student's notebook), which imports the
checker only when it is called, so that importing ``grader`` stays cheap.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "grader"

LAYERS = {  # module or package prefix -> layer (bottom 0); the longest prefix decides
    "grader": 0, "grader.atomic": 0, "grader.tempdirs": 0, "grader.times": 0, "grader.result": 0,
    "grader.templating": 0, "grader.figures": 0, "grader.errors": 0, "grader.wording": 0,
    "grader.course_toml": 0,
    "grader.checks": 1,
    "grader.sandbox": 2,
    "grader.course": 3, "grader.markers": 3, "grader.stubs": 3, "grader.submission": 3,
    "grader.grading": 4,
    "grader.reports": 5,
    "grader.bulk": 6, "grader.lms": 6,
    "grader.config": 7,
    "grader.authoring": 8, "grader.audit": 8, "grader.similarity": 8, "grader.reports.gradescope": 8,
    "grader.notebook_check": 8,  # the student's check()
    "grader.pytest_plugin": 8, "grader.bulk.batch_options": 8, "grader.bulk.report_from_gradebook": 8,
    "grader.bulk.pipeline": 8, "grader.bulk.closing": 8,
    "grader.cli": 9,
}

# (importer, imported) -> why it may point upward
ALLOWED_UPWARD = {
    ("grader", "grader.notebook_check"): "from grader import check: the package imports the checker when called",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def layer(module: str) -> int | None:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    return None


def imports(module: str) -> set[str]:
    """The grader modules ``module`` imports, wherever the import stands (a function's included)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, one level up per extra dot
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:  # `from grader import tempdirs` imports the module grader.tempdirs
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {name for name in found if name == "grader" or name.startswith("grader.")}


def upward_imports() -> dict[tuple[str, str], str]:
    """(importer, imported) -> "layer a -> layer b" for every import that points to a higher layer."""
    found = {}
    for module in MODULES:
        for target in imports(module):
            if layer(target) > layer(module):
                found[(module, target)] = f"layer {layer(module)} -> layer {layer(target)}"
    return found


def test_every_module_of_the_grader_has_a_layer():
    assert [m for m in MODULES if layer(m) is None] == []


def test_imports_run_downhill_but_for_the_packages_check():
    unexplained = {edge: how for edge, how in upward_imports().items() if edge not in ALLOWED_UPWARD}
    assert unexplained == {}, "move the helper down (or the importer up) and say why in this file's docstring"


def test_every_allowed_upward_import_still_exists():
    stale = [edge for edge in ALLOWED_UPWARD if edge[0] in MODULES and edge[1] in MODULES
             and edge[1] not in imports(edge[0])]
    gone = [edge for edge in ALLOWED_UPWARD if edge[0] not in MODULES]
    assert stale == [], "this upward import is gone: delete its line from ALLOWED_UPWARD"
    assert gone == [], "this module is gone (moved or renamed): delete its line from ALLOWED_UPWARD"


def test_grading_bulk_sandbox_and_checks_import_nothing_from_authoring():
    lower = ("grader.grading.", "grader.bulk.", "grader.sandbox.", "grader.checks.")
    found = {(m, t) for m in MODULES if m.startswith(lower) for t in imports(m)
             if t.startswith("grader.authoring") and (m, t) not in ALLOWED_UPWARD}
    assert found == set()


def test_the_walk_sees_deferred_imports_and_from_grader_import_module():
    # the walk itself: a deferred import inside a function, and `from grader import tempdirs`
    assert "grader.notebook_check" in imports("grader")
    assert "grader.tempdirs" in imports("grader.grading.workdir")
