"""Figures drawn by an assignment's own functions: the same bytes every time, one sentence instead
of a traceback while a function is a stub or matplotlib is missing, the reference's in the pack."""

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from grader.authoring.generate import Rendered, stale_files
from grader.authoring.pack_figures import figure_functions, reference_figures
from grader.course import load_solution
from grader.errors import AuthoringError
from grader.figures import draw, figure_name, show

pytest.importorskip("matplotlib", reason="the figure tests need the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def curve_of(function):
    def figure_curve(fig):
        x = np.linspace(-3, 3, 50)
        fig.subplots().plot(x, function(x))

    return figure_curve


def stub_square(x):
    raise NotImplementedError("write stub_square")


def test_a_figure_is_a_png_with_the_same_bytes_every_time():
    first, second = draw(curve_of(np.tanh)), draw(curve_of(np.tanh))
    assert first.startswith(PNG_SIGNATURE) and first == second
    assert draw(curve_of(np.sin)) != first
    assert b"Software" not in first and b"matplotlib" not in first  # no version in the bytes


def test_a_figure_of_a_stub_names_the_function_to_write_first(capsys, tmp_path):
    assert show(curve_of(stub_square), tmp_path) is None
    out = capsys.readouterr().out
    assert out.strip() == ("The figure 'curve' calls stub_square(), which is still a stub: write stub_square "
                           "first, then run this cell again.")
    assert not (tmp_path / "figures").exists()


def test_without_matplotlib_the_figure_says_how_to_install_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    assert show(curve_of(np.tanh), tmp_path) is None
    assert "pip install 'numgrade[figures]'" in capsys.readouterr().out


def test_outside_a_notebook_the_figure_is_written_beside_the_reference(capsys, tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "curve.png").write_bytes(draw(curve_of(np.cos)))
    png = show(curve_of(np.tanh), tmp_path)
    assert (tmp_path / "figures" / "curve-yours.png").read_bytes() == png
    assert "curve.png" in capsys.readouterr().out


def test_only_a_module_s_own_figure_functions_are_drawn():
    module = types.ModuleType("lesson")
    exec("def figure_own(fig): pass\ndef helper(fig): pass", module.__dict__)
    module.figure_imported = curve_of(np.tanh)  # defined elsewhere: not this module's figure
    assert [figure_name(f) for f in figure_functions(module)] == ["own"]


def test_the_pack_holds_every_reference_figure_of_the_course():
    for folder in sorted((ROOT / "solutions").iterdir()):
        assignment = load_solution(folder)
        names = {f"figures/{figure_name(f)}.png" for f in figure_functions(assignment.reference)}
        assert names, f"{folder.name} draws no figure"
        shipped = {str(p.relative_to(ROOT / "assignments" / folder.name))
                   for p in (ROOT / "assignments" / folder.name / "figures").glob("*.png")}
        assert shipped == names


def test_a_reference_figure_that_fails_names_the_file_and_the_function(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "demo.py").write_text("def f(x):\n    return x\n\n\ndef figure_broken(fig):\n    raise ValueError('no data')\n")
    (folder / "checks.py").write_text("from grader.checks import check\n\n@check(points=1, functions=['f'])\n"
                                      "def c(impl, rng):\n    return {'x': 1.0}\n")
    with pytest.raises(AuthoringError, match=r"demo.py: figure_broken failed on the reference: ValueError: no data"):
        reference_figures(load_solution(folder))


def test_the_docs_show_every_figure_of_the_pack():
    text = (ROOT / "docs" / "figures.md").read_text(encoding="utf-8")
    for png in sorted((ROOT / "assignments").glob("*/figures/*.png")):
        assert f"](../{png.relative_to(ROOT).as_posix()})" in text, png


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "solutions").iterdir()))
def test_every_figure_of_an_untouched_stub_names_a_function_to_write(name, capsys, monkeypatch, tmp_path):
    folder = ROOT / "assignments" / name
    monkeypatch.syspath_prepend(str(folder))  # a figure may import a support module of the pack
    for module in [m for m in sys.modules if (folder / f"{m}.py").is_file()]:
        monkeypatch.delitem(sys.modules, module)
    stub = types.ModuleType(name)
    exec(compile((folder / f"{name}.py").read_text(encoding="utf-8"), str(folder / f"{name}.py"), "exec"),
         stub.__dict__)
    student_functions = load_solution(ROOT / "solutions" / name).functions()
    before = set(sys.modules)
    try:
        for function in figure_functions(stub):
            assert show(function, tmp_path) is None
            out = capsys.readouterr().out
            called = re.fullmatch(r"The figure '\w+' calls (\w+)\(\), which is still a stub: write \1 first, "
                                  r"then run this cell again\.\n", out)
            assert called and called.group(1) in student_functions, out
    finally:
        for module in set(sys.modules) - before:  # the pack's support modules: later tests import their own
            if (folder / f"{module}.py").is_file():
                del sys.modules[module]


def _disk(folder, files):
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)


def test_figures_are_compared_byte_for_byte_only_when_drawn_by_the_same_renderer(tmp_path):
    fresh = Rendered("demo", {"demo.py": b"x = 1\n", "figures/a.png": b"new pixels",
                              "figures/drawn-with.txt": b"matplotlib 3.11.2 on Linux x86_64\n"})
    _disk(tmp_path / "demo", {"demo.py": b"x = 1\n", "figures/a.png": b"old pixels",
                              "figures/drawn-with.txt": b"matplotlib 3.11.2 on Linux x86_64\n"})
    assert stale_files([fresh], tmp_path) == [f"stale:   {tmp_path / 'demo' / 'figures' / 'a.png'}"]
    _disk(tmp_path / "demo", {"figures/drawn-with.txt": b"matplotlib 3.9.0 on Darwin arm64\n"})
    notes = []
    assert stale_files([fresh], tmp_path, notes) == []
    assert notes == [f"{tmp_path / 'demo' / 'figures'}: drawn with matplotlib 3.9.0 on Darwin arm64, this is "
                     f"matplotlib 3.11.2 on Linux x86_64: figures not compared byte for byte"]
    (tmp_path / "demo" / "figures" / "a.png").unlink()  # a missing figure is missing wherever it was drawn
    assert stale_files([fresh], tmp_path) == [f"missing: {tmp_path / 'demo' / 'figures' / 'a.png'}"]
