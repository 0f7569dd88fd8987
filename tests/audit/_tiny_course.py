"""Tiny courses made the way `grade new` makes them, with checks as weak or strong as a test needs."""

from pathlib import Path

from grader.authoring.scaffold import scaffold

# public checks that look only at the shape of the path: almost any mistake keeps full marks
WEAK_CHECKS = '''"""Only the shape of the path is checked."""

import numpy as np

from grader.checks import check


@check(points=2, functions=["descend"])
def descend_shape(impl, rng):
    """The path has one row per step."""
    path = impl.descend(rng.normal(size=3), rng.normal(size=3), learning_rate=0.1, steps=4)
    return {"shape": np.array(np.shape(path))}
'''


def make_course(root: Path, names=("bowl",), *, checks: str | None = None, hidden: bool = True,
                stack_axis: bool = False) -> Path:
    """A course at ``root`` with the assignments ``names`` as `grade new` writes them; ``checks``
    replaces the public checks, ``hidden=False`` drops the hidden ones, ``stack_axis`` makes the
    reference say ``np.stack(path, axis=0)`` (dropping the axis gives an equivalent mutant)."""
    solutions = root / "solutions"
    for name in names:
        folder = scaffold(solutions, name).folder
        if checks is not None:
            (folder / "checks.py").write_text(checks)
        if not hidden:
            (folder / "hidden_checks.py").unlink()
        if stack_axis:
            source = folder / f"{name}.py"
            source.write_text(source.read_text().replace("return np.stack(path)\n", "return np.stack(path, axis=0)\n"))
    return solutions
