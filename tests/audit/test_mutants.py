"""Mutants: each operator makes its one change, inside solution regions only, with stable ids."""

import ast
import textwrap
from pathlib import Path

import pytest

from grader.audit.mutants import AuditError, mutate_file
from grader.audit.operators import OPERATORS


def region_file(tmp_path: Path, body: str, before: str = "", after: str = "") -> Path:
    """A module whose function ``f`` has ``body`` as its solution region."""
    indented = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    text = (f"import numpy as np\n\n{before}\n\ndef f(x, y, config=None):\n    # BEGIN SOLUTION\n{indented}\n"
            f"    # END SOLUTION\n\n{after}\n")
    path = tmp_path / "m.py"
    path.write_text(text)
    return path


def changes(path: Path, operator: str) -> set[tuple[str, str]]:
    return {(m.original, m.replacement) for m in mutate_file(path, {operator: OPERATORS[operator]}).mutants}


@pytest.mark.parametrize("operator, body, expected", [
    ("arith", "return x + y", ("x + y", "x - y")),
    ("arith", "return x * y", ("x * y", "x / y")),
    ("arith", "return x ** 2", ("x ** 2", "x * 2")),
    ("arith", "x -= y\nreturn x", ("x -= y", "x += y")),
    ("sign", "return -x", ("-x", "(x)")),
    ("sign", "z = x + y\nreturn z", ("z = x + y", "z = -(x + y)")),
    ("constant", "return x + 1e-08", ("1e-08", "0.0")),
    ("constant", "return x * 0", ("0", "1")),
    ("constant", "return x * 3", ("3", "30")),
    ("constant", "return x * 3", ("3", "0.3")),
    ("compare", "return x < y", ("x < y", "x <= y")),
    ("compare", "return x >= y", ("x >= y", "x > y")),
    ("off_by_one", "return [x for t in range(y)]", ("range(y)", "range(y + 1)")),
    ("off_by_one", "return x[y]", ("x[y]", "x[y - 1]")),
    ("off_by_one", "return x ** y", ("x ** y", "x ** (y + 1)")),
    ("drop_term", "return x + y", ("x + y", "(x)")),
    ("drop_term", "return x * y", ("x * y", "(y)")),
    ("drop_term", "return x / y", ("x / y", "(x)")),
    ("remove_statement", "config['m'] = x\nreturn x", ("config['m'] = x", "pass")),
    ("remove_statement", "x = 0\nx = y\nreturn x", ("x = y", "pass")),
    ("swap_args", "return np.dot(x, y)", ("np.dot(x, y)", "np.dot(y, x)")),
    ("axis", "return x.sum(axis=0)", ("x.sum(axis=0)", "x.sum(axis=1)")),
    ("axis", "return x.sum(axis=0)", ("x.sum(axis=0)", "x.sum()")),
    ("drop_call", "return x.T", ("x.T", "(x)")),
    ("drop_call", "return np.sqrt(x)", ("np.sqrt(x)", "(x)")),
    ("replace_variable", "x_hat = x / 2\nreturn x_hat", ("x_hat", "x")),
    ("copy", "x = x + y\nreturn x", ("x = x + y", "x += y")),
    ("copy", "x += y\nreturn x", ("x += y", "x = x + y")),
    ("copy", "return x.copy()", ("x.copy()", "(x)")),
    ("keepdims", "return x.sum(axis=0, keepdims=True)", ("x.sum(axis=0, keepdims=True)", "x.sum(axis=0)")),
])
def test_each_operator_makes_its_change(tmp_path, operator, body, expected):
    found = changes(region_file(tmp_path, body), operator)
    assert expected in found


def test_a_mutant_is_the_reference_with_only_that_node_replaced(tmp_path):
    path = region_file(tmp_path, "return x + y  # the sum", after="def g(x):\n    return x + 1\n")
    [mutant] = mutate_file(path, {"arith": OPERATORS["arith"]}).mutants
    assert mutant.source == path.read_text().replace("return x + y  # the sum", "return x - y  # the sum")
    assert (mutant.function, mutant.operator, mutant.file) == ("f", "arith", "m.py")


def test_code_outside_the_solution_regions_is_never_mutated(tmp_path):
    path = region_file(tmp_path, "return x", before="def helper(a, b):\n    return a * b + 3\n")
    found = mutate_file(path)
    assert all(m.function == "f" for m in found.mutants)
    assert all("a * b + 3" in m.source for m in found.mutants)


def test_ids_survive_edits_to_other_functions(tmp_path):
    path = region_file(tmp_path, "return np.sqrt(x * y + 1e-8)")
    before = {m.id for m in mutate_file(path).mutants}
    path.write_text("import os\n\n\ndef other():\n    return 42\n\n" + path.read_text())
    after = {m.id for m in mutate_file(path).mutants}
    assert before == after and len(before) > 5


def test_ids_name_function_operator_and_a_hash_and_are_unique(tmp_path):
    found = mutate_file(region_file(tmp_path, "a = x + 1\nb = y + 1\nreturn a * b")).mutants
    ids = [m.id for m in found]
    assert len(ids) == len(set(ids))
    assert all(i.split(":")[0] == "f" and i.split(":")[1] in OPERATORS for i in ids)


def test_identical_mutant_sources_are_kept_once(tmp_path):
    found = mutate_file(region_file(tmp_path, "return x + x"))
    sources = [m.source for m in found.mutants]
    assert len(sources) == len(set(sources))
    assert found.duplicates > 0  # dropping either term of x + x gives the same file


def test_a_mutant_that_does_not_compile_is_skipped_and_counted(tmp_path):
    def broken(node, scope):
        if isinstance(node, ast.Return):
            yield "return )"
    found = mutate_file(region_file(tmp_path, "return x"), {"broken": broken})
    assert found.mutants == [] and found.not_compiling == 1


def test_every_mutant_compiles_and_differs_from_the_reference(tmp_path):
    path = region_file(tmp_path, """
        config = {} if config is None else config
        m = config.get("m", np.zeros_like(x))
        m = 0.9 * m + (1 - 0.9) * y
        m_hat = m / (1 - 0.9 ** 2)
        config["m"] = m
        return x - 0.01 * m_hat / (np.sqrt(np.sum(m_hat ** 2, axis=0, keepdims=True)) + 1e-8)
    """)
    reference = path.read_text()
    found = mutate_file(path)
    assert {m.operator for m in found.mutants} >= {"arith", "sign", "constant", "drop_term", "remove_statement",
                                                    "swap_args", "axis", "drop_call", "replace_variable", "keepdims"}
    for m in found.mutants:
        compile(m.source, "m.py", "exec")
        assert m.source != reference


def test_a_file_without_a_solution_region_is_an_error_naming_it(tmp_path):
    path = tmp_path / "plain.py"
    path.write_text("def f(x):\n    return x\n")
    with pytest.raises(AuditError, match="plain.py: no solution region"):
        mutate_file(path)
