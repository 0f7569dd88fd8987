"""Marker parsing: blocks, inline forms, indentation, tabs, CRLF, and every malformed case."""

import pytest

from grader.markers import MarkerError, parse
from grader.stubs import render_stub, solution_lines


def test_block_inside_function_becomes_raise():
    src = "def f(x):\n    # BEGIN SOLUTION: double x\n    y = 2 * x\n    return y\n    # END SOLUTION\n"
    (region,) = parse(src, "f.py").regions
    assert (region.start, region.end, region.indent, region.style) == (1, 4, "    ", "raise")
    assert region.prompt == "double x"
    stub = render_stub(src, "f.py", "demo")
    assert "raise NotImplementedError" in stub and "2 * x" not in stub
    assert "    # TODO: double x" in stub


def test_module_level_block_sets_names_to_none():
    src = "import numpy as np\n# BEGIN SOLUTION: error terms\nerr = 1\nterm, other = err * 2, 3\nerr += 1\n# END SOLUTION\n"
    (region,) = parse(src, "m.py").regions
    assert region.style == "names" and region.names == ("err", "term", "other")
    stub = render_stub(src, "m.py", "demo")
    assert "err = None\nterm = None\nother = None\n" in stub


def test_forced_styles():
    src = "def f():\n    # BEGIN SOLUTION [names]: set a\n    a = 1\n    # END SOLUTION\n    return a\n"
    assert parse(src, "f.py").regions[0].style == "names"
    src2 = "# BEGIN SOLUTION [raise]\nprint(1)\n# END SOLUTION\n"
    assert parse(src2, "g.py").regions[0].style == "raise"


def test_inline_forms():
    src = ("def f(x):\n    y = 2 * x  # SOLUTION\n    z = y + 1  # SOLUTION: add one\n"
           "    w = z / 2  # SOLUTION = 0.0\n    a, b = w, z  # SOLUTION\n    return a + b  # SOLUTION\n")
    stub = render_stub(src, "f.py", "demo")
    assert "    y = None\n" in stub
    assert "    z = None  # TODO: add one\n" in stub
    assert "    w = 0.0\n" in stub
    assert "    a, b = None, None\n" in stub
    assert "raise NotImplementedError" in stub
    for line in solution_lines(src, "f.py"):
        assert line.strip() not in stub


def test_banner_is_79_columns_and_wraps_long_prompts():
    prompt = "word " * 40
    src = f"def f():\n    # BEGIN SOLUTION: {prompt}\n    return 1\n    # END SOLUTION\n"
    stub = render_stub(src, "f.py", "demo")
    banner = [l for l in stub.splitlines() if l.lstrip().startswith("#") and l.rstrip().endswith("#")]
    assert len(banner) >= 4
    assert all(len(l) == 79 for l in banner)


def test_tabs_are_kept():
    src = "def f():\n\t# BEGIN SOLUTION: tabbed\n\treturn 1\n\t# END SOLUTION\n"
    stub = render_stub(src, "f.py", "demo")
    assert "\traise NotImplementedError" in stub
    compile(stub, "f.py", "exec")


def test_crlf_is_kept():
    src = "def f():\r\n    # BEGIN SOLUTION: x\r\n    return 1\r\n    # END SOLUTION\r\n"
    stub = render_stub(src, "f.py", "demo")
    assert "\r\n" in stub and "\n" not in stub.replace("\r\n", "")
    compile(stub, "f.py", "exec")


@pytest.mark.parametrize("src, line, words", [
    ("# BEGIN SOLUTION\nx = 1\n# BEGIN SOLUTION\ny = 2\n# END SOLUTION\n# END SOLUTION\n", 3, "nested"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "never closed"),
    ("x = 1\n# END SOLUTION\n", 2, "without a BEGIN"),
    ("# BEGIN SOLUTION\n# END SOLUTION\n", 1, "empty"),
    ("# BEGIN SOLUTION\n# just a comment\n# END SOLUTION\n", 1, "empty"),
    ('s = """\n# BEGIN SOLUTION\n"""\n', 2, "inside a string"),
    ("x = '# SOLUTION'\n", 1, "inside a string"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n  # END SOLUTION\n", 4, "indented differently"),
    ("x = 1  # BEGIN SOLUTION\n", 1, "line of their own"),
    ("# SOLUTION\n", 1, "own line"),
    ("print(1)  # SOLUTION\n", 1, "assignment or a return"),
    ("# BEGIN SOLUTION [names]\nprint(1)\n# END SOLUTION\n", 1, "assign at least one"),
])
def test_malformed_markers_name_file_and_line(src, line, words):
    with pytest.raises(MarkerError) as info:
        parse(src, "bad.py")
    assert info.value.path == "bad.py" and info.value.line == line
    assert words in info.value.message
    assert str(info.value).startswith(f"bad.py:{line}: ")


def test_source_without_markers_is_copied_unchanged():
    src = '"""Doc."""\nimport numpy as np\n\n\ndef given(x):\n    return np.exp(x)\n'
    stub = render_stub(src, "g.py", "demo")
    assert stub.endswith(src)
