"""Figures drawn by a student's own functions, beside the reference's: ``show(figure_sigmoid)``.

A figure function of an assignment module takes a ``matplotlib.figure.Figure`` and draws on it
(``fig.subplots()``, ``ax.plot(...)``), calling the module's own functions, so the module itself never
imports matplotlib and importing it (which is how it is graded) needs nothing more than numpy.
``grade generate`` draws every ``figure_<name>`` function of the reference into the pack's
``figures/<name>.png``; :func:`show` draws the student's version and shows the two side by side.

matplotlib is optional (``pip install 'numgrade[figures]'``): without it, and while a function the
figure calls is still a stub, the cell prints one sentence saying what to do instead of a traceback.
"""

from __future__ import annotations

import base64
import html
import io
import traceback
from pathlib import Path
from typing import Callable

PREFIX = "figure_"
FOLDER = "figures"
DPI = 80
INSTALL = "pip install 'numgrade[figures]'"  # or simply: pip install matplotlib

# Every rendering starts from matplotlib's defaults (no user matplotlibrc, no notebook style), with
# the text metadata that would make two renderings of the same figure differ left out.
FIXED_RC = {"figure.dpi": DPI, "savefig.dpi": DPI, "svg.hashsalt": "grade", "path.simplify": True}


DRAWN_WITH = "drawn-with.txt"  # in the pack's figures/: the renderer its PNGs came from


def renderer() -> str:
    """What decides a figure's exact pixels besides its code: matplotlib's version and the platform
    (wheels bundle their own FreeType, but compilers and maths libraries differ between platforms)."""
    import platform

    import matplotlib

    return f"matplotlib {matplotlib.__version__} on {platform.system()} {platform.machine()}"


def figure_name(function: Callable) -> str:
    """``figure_sigmoid`` -> ``sigmoid``: the name of the figure's file."""
    name = function.__name__
    return name[len(PREFIX):] if name.startswith(PREFIX) else name


def draw(function: Callable) -> bytes:
    """Run the figure function on a fresh figure and return it as PNG bytes (the same bytes for the
    same drawing: matplotlib's defaults, the Agg renderer, no date or software metadata)."""
    import matplotlib
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.style.context("default"), matplotlib.rc_context(FIXED_RC):
        fig = Figure(figsize=(8, 3.2), layout="constrained")
        FigureCanvasAgg(fig)
        function(fig)
        out = io.BytesIO()
        fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _stub_function(exc: BaseException) -> str:
    """The innermost function of the traceback: the stub that raised NotImplementedError."""
    frames = traceback.extract_tb(exc.__traceback__)
    return frames[-1].name if frames else "?"


def _display(student: bytes, reference: Path | None, name: str) -> None:
    from IPython.display import display

    own = base64.b64encode(student).decode("ascii")
    panels = [("your functions", own)]
    if reference is not None:
        panels.append(("the reference", base64.b64encode(reference.read_bytes()).decode("ascii")))
    cells = "".join(f'<figure style="margin:0 12px 0 0"><img src="data:image/png;base64,{data}" '
                    f'style="max-width:100%"><figcaption style="text-align:center">{html.escape(caption)}'
                    f'</figcaption></figure>' for caption, data in panels)
    bundle = {"image/png": own, "text/plain": f"<figure {name}: your functions>",
              "text/html": f'<div style="display:flex;flex-wrap:wrap">{cells}</div>'}
    display(bundle, raw=True)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def show(function: Callable, folder: str | Path = ".") -> bytes | None:
    """Draw ``function``'s figure with your code and show it beside the reference's.

    In a notebook the two appear side by side (the reference from ``figures/<name>.png`` of the
    assignment folder ``folder``); elsewhere your figure is written to ``figures/<name>-yours.png``.
    Returns your figure's PNG bytes, or None when it could not be drawn (the reason is printed).
    """
    name = figure_name(function)
    try:
        png = draw(function)
    except ImportError as exc:
        if "matplotlib" not in str(exc):
            raise
        print(f"The figure {name!r} needs matplotlib, which is not installed: run `{INSTALL}` "
              f"(or `pip install matplotlib`) and then this cell again.")
        return None
    except NotImplementedError as exc:
        print(f"The figure {name!r} calls {_stub_function(exc)}(), which is still a stub: write "
              f"{_stub_function(exc)} first, then run this cell again.")
        return None
    reference = Path(folder) / FOLDER / f"{name}.png"
    if _in_notebook():
        _display(png, reference if reference.is_file() else None, name)
    else:
        target = Path(folder) / FOLDER / f"{name}-yours.png"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(png)
        print(f"your figure {name!r}: {target}" + (f"; the reference's: {reference}" if reference.is_file() else ""))
    return png
