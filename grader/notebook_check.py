"""Check your work from inside a notebook: ``from grader import check; check()``.

``check()`` grades the code cells of the notebook **as saved on disk** (not the kernel's live
objects) in a confined child process, exactly as ``grade submit`` does, on the public checks of its
assignment, and returns a :class:`Feedback`: a table in Jupyter (``_repr_html_``), plain text
elsewhere (the same lines as ``grade submit``). ``check("adam")`` runs only the checks of one
function (or one check by name); several names may be given.

The notebook is found from ``path=`` (a notebook or its folder), else from what the notebook
server tells the kernel (``__session__``, ``__vsc_ipynb_file__``, ``$JPY_SESSION_NAME``), else as
the only notebook in the working directory (the one of the assignment whose ``expected.json`` is
there, when there are several); on Google Colab, where the notebook is not a file, from Colab itself.
The public checks are the ``checks.py`` and ``expected.json`` shipped beside the notebook in the
assignment pack; a notebook uploaded alone to a hosted service needs those two files uploaded next to
it, and the feedback says so, naming the folder.
"""

from __future__ import annotations

import html
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.course import CHECKS, EXPECTED

SESSION_VARIABLES = ("__session__", "__vsc_ipynb_file__")  # set in the kernel by Jupyter, VS Code
SESSION_ENV = "JPY_SESSION_NAME"
IN_SANDBOX_ENV = "GRADE_IN_SANDBOX"
SUPPORT_SUFFIXES = (".py",)
DATA_FOLDER = "data"
MAX_SUPPORT_BYTES = 8 << 20


class NotebookProblem(Exception):
    """Why a notebook cannot be checked; the message is shown to the student as it is."""


@dataclass
class Feedback:
    """The outcome of :func:`check`: a result, or the problem that stopped it, and a few notes."""

    result: Any = None  # grader.result.Result
    problem: str = ""
    notebook: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every check that ran passed."""
        return (self.result is not None and self.result.status == "graded"
                and all(c.status == "passed" for c in self.result.checks))

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.result is None:
            return "cannot check this notebook: " + self.problem
        from grader.reports.terminal import format_result

        lines = [format_result(self.result.for_student(), colour=False, width=100)]
        lines += self.notes
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        e = lambda text: html.escape(str(text), quote=True)  # noqa: E731  every text goes through here
        style = ("<style>.grade-feedback{font-family:system-ui,sans-serif;font-size:13px}"
                 ".grade-check{border-collapse:collapse}"
                 ".grade-check th,.grade-check td{border:1px solid #ddd;padding:3px 8px;text-align:left;"
                 "vertical-align:top}.grade-check th{background:#f4f4f4}.grade-check .passed{color:#1a7f37}"
                 ".grade-check .failed,.grade-check .error{color:#cf222e}.grade-check .timeout{color:#9a6700}"
                 ".grade-check .hint{color:#0969da}.grade-problem{color:#cf222e;font-weight:600}</style>")
        if self.result is None:
            return (f'<div class="grade-feedback">{style}<p class="grade-problem">cannot check this notebook: '
                    f'{e(self.problem)}</p></div>')
        r = self.result.for_student()
        parts = ['<div class="grade-feedback">', style, f"<p><b>{e(r.assignment)}</b>: {e(r.student)}</p>"]
        if r.status == "not_gradable":
            parts.append(f'<p class="grade-problem">not gradable: {e(r.message)}</p>')
        parts.append('<table class="grade-check"><thead><tr><th>check</th><th>points</th><th>status</th>'
                     "<th>message</th></tr></thead><tbody>")
        for c in r.checks:
            message = e(c.message) if c.status != "passed" else ""
            if c.hint:
                label = "note" if c.status == "passed" else "hint"
                message += f'{"<br>" if message else ""}<span class="hint">{label}: {e(c.hint)}</span>'
            status = c.status if c.status in ("passed", "failed", "error", "timeout") else "error"
            parts.append(f"<tr><td><code>{e(c.name)}</code></td><td>{e(f'{c.score:g}/{c.max_score:g}')}</td>"
                         f'<td class="{status}">{e(c.status)}</td><td>{message}</td></tr>')
        parts.append(f"</tbody><tfoot><tr><th>total</th><th>{e(f'{r.score:g}/{r.max_score:g}')}</th>"
                     f"<th colspan=\"2\"></th></tr></tfoot></table>")
        parts += [f"<p><small>{e(note)}</small></p>" for note in self.notes]
        parts.append("</div>")
        return "".join(parts)


# --------------------------------------------------------------------------- finding the notebook

@dataclass
class _Notebook:
    name: str  # shown to the student
    folder: Path  # where checks.py and expected.json belong
    data: bytes
    saved: float | None = None  # mtime, when it is a file


def _kernel_session() -> list[str]:
    """What the notebook server or editor told the kernel about the notebook's path."""
    found = []
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None) if ipython else None
    shell = get() if get else None
    namespace = getattr(shell, "user_ns", None) or {}
    for name in SESSION_VARIABLES:
        value = namespace.get(name)
        if isinstance(value, str) and value:
            found.append(value)
    if os.environ.get(SESSION_ENV):
        found.append(os.environ[SESSION_ENV])
    return found


def _as_notebook_file(value: str) -> Path | None:
    path = Path(value).expanduser()
    for candidate in ([path] if path.is_absolute() else [Path.cwd() / path, Path.cwd() / path.name]):
        if candidate.suffix == ".ipynb" and candidate.is_file():
            return candidate.resolve()
    return None


def _pack_assignment(folder: Path) -> str | None:
    from grader.submission import load_json

    try:
        value = load_json((folder / EXPECTED).read_text(encoding="utf-8")).get("assignment")
    except (OSError, ValueError, AttributeError):  # TooDeep is a ValueError
        return None
    return value if isinstance(value, str) else None


def _in_folder(folder: Path) -> Path:
    notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith("."))
    if len(notebooks) == 1:
        return notebooks[0].resolve()
    assignment = _pack_assignment(folder)
    if notebooks and assignment:
        matching = [p for p in notebooks if p.stem == assignment or _metadata_assignment(p.read_bytes()) == assignment]
        if len(matching) == 1:
            return matching[0].resolve()
    if not notebooks:
        raise NotebookProblem(f"no notebook (.ipynb) in {folder}: give its path, e.g. check(path=\"optim.ipynb\")")
    raise NotebookProblem(f"several notebooks in {folder} ({', '.join(p.name for p in notebooks)}): say which one, "
                          f"e.g. check(path=\"{notebooks[0].name}\")")


def _colab_notebook() -> _Notebook | None:
    """Google Colab keeps the notebook in Drive, not on disk: ask Colab for its current content."""
    if "google.colab" not in sys.modules:
        return None
    try:
        from google.colab import _message  # type: ignore[import-not-found]

        reply = _message.blocking_request("get_ipynb", request="", timeout_sec=30)
        content = reply["ipynb"] if isinstance(reply, dict) else None
    except Exception:
        return None
    if not isinstance(content, dict):
        return None
    return _Notebook("this Colab notebook", Path.cwd().resolve(), json.dumps(content).encode("utf-8"))


def find_notebook(path: str | os.PathLike | None = None) -> _Notebook:
    """The notebook to grade (see the module's docstring for where it is looked for)."""
    if path is not None:
        target = Path(path).expanduser()
        if target.is_dir():
            file = _in_folder(target)
        elif target.suffix == ".ipynb" and target.is_file():
            file = target.resolve()
        else:
            raise NotebookProblem(f"{target} is not a notebook (.ipynb) or a folder holding one")
    else:
        file = next((f for f in map(_as_notebook_file, _kernel_session()) if f is not None), None)
        if file is None:
            colab = _colab_notebook()
            if colab is not None:
                return colab
            file = _in_folder(Path.cwd())
    try:
        return _Notebook(file.name, file.parent, file.read_bytes(), file.stat().st_mtime)
    except OSError as exc:
        raise NotebookProblem(f"cannot read {file}: {exc.strerror}") from None


def _metadata_assignment(data: bytes) -> str | None:
    from grader.submission import load_json

    try:
        value = load_json(data.decode("utf-8-sig")).get("metadata", {}).get("grade", {}).get("assignment")
    except (ValueError, AttributeError):  # not UTF-8, not JSON, too deep, not a notebook's shape
        return None
    return value if isinstance(value, str) else None


def _missing_files(notebook: _Notebook, assignment: str | None) -> str | None:
    missing = [name for name in (CHECKS, EXPECTED) if not (notebook.folder / name).is_file()]
    if not missing:
        return None
    of = f"of the {assignment} assignment " if assignment else ""
    files = " and ".join(missing)
    return (f"{files} {'is' if len(missing) == 1 else 'are'} missing: put the {files} {of}(from the assignment "
            f"pack, where they sit next to the notebook) in {notebook.folder}, the folder of {notebook.name} "
            f"(on a hosted notebook service, upload {'it' if len(missing) == 1 else 'them'} there)")


# --------------------------------------------------------------------------- grading

def select_checks(checks: list, names: list[str], assignment: str) -> list:
    """The checks named, or exercising a function named; all of them when no name is given."""
    if not names:
        return list(checks)
    chosen, unknown = [], []
    for name in names:
        hits = [c for c in checks if c.name == name] or [c for c in checks if name in c.functions]
        if not hits:
            unknown.append(name)
        chosen += [c for c in hits if c not in chosen]
    if unknown:
        functions = sorted({f for c in checks for f in c.functions})
        raise NotebookProblem(f"{assignment} has no check or function named {', '.join(map(repr, unknown))} "
                              f"(functions: {', '.join(functions)}; checks: {', '.join(c.name for c in checks)})")
    return [c for c in checks if c in chosen]  # in the assignment's order


def _support_files(folder: Path, module: str) -> dict[str, bytes]:
    """What the child may need besides the notebook's code: the pack's helper modules and data."""
    files: dict[str, bytes] = {}
    skip = {CHECKS, "hidden_checks.py", f"{module}.py"}
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix in SUPPORT_SUFFIXES and p.name not in skip and not p.name.startswith("."):
            if p.stat().st_size <= MAX_SUPPORT_BYTES:
                files[p.name] = p.read_bytes()
    data = folder / DATA_FOLDER
    if data.is_dir():
        for p in sorted(data.rglob("*")):
            if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_SUPPORT_BYTES:
                files[p.relative_to(folder).as_posix()] = p.read_bytes()
    return files


def _missing_module_note(result, folder: Path) -> str | None:
    """A helper module of the pack that was not uploaded with the notebook: name it and where it goes."""
    import importlib.util
    import re

    found = re.search(r"No module named '([\w.]+)'", result.message or "")
    if not found:
        return None
    module = found.group(1).split(".")[0]
    if (folder / f"{module}.py").exists() or importlib.util.find_spec(module) is not None:
        return None
    return (f"hint: {module}.py is missing: put the {module}.py of the assignment pack in {folder}, "
            f"next to the notebook")


def _saved_note(saved: float | None) -> str | None:
    if saved is None:
        return None
    age = max(0.0, time.time() - saved)
    when = time.strftime("%H:%M:%S", time.localtime(saved))
    ago = f"{age:.0f} s ago" if age < 120 else f"{age / 60:.0f} min ago"
    return f"graded the notebook as saved at {when} ({ago}): save it first to grade your latest changes"


def check(*names: str, path: str | os.PathLike | None = None, timeout: float | None = None,
          start_method: str | None = None) -> Feedback | None:
    """Grade the saved notebook on its assignment's public checks (all, or those named).

    ``names``: check names or function names (``check("adam")``; lists work too). ``path``: the
    notebook or its folder (default: found as the module's docstring says). ``timeout``: seconds
    for the whole notebook. ``start_method``: "fork" or "spawn" (default: the platform's).
    Inside the grading child itself (a graded notebook that calls check()) it does nothing.
    """
    if os.environ.get(IN_SANDBOX_ENV) == "1":
        return None
    flat: list[str] = []
    for name in names:
        flat.extend([name] if isinstance(name, str) else list(name))
    try:
        notebook = find_notebook(path)
        return _grade(notebook, flat, timeout, start_method)
    except NotebookProblem as exc:
        return Feedback(problem=str(exc))


def _grade(notebook: _Notebook, names: list[str], timeout: float | None, start_method: str | None) -> Feedback:
    from grader.errors import AuthoringError
    from grader.course import load_pack
    from grader.grading.engine import Engine, Settings
    from grader.grading.files import grade_files
    from grader.submission import NotGradable, notebook_to_module

    declared = _metadata_assignment(notebook.data)
    missing = _missing_files(notebook, declared)
    if missing:
        raise NotebookProblem(missing)
    shipped = _pack_assignment(notebook.folder)
    if declared and shipped and declared != shipped:
        raise NotebookProblem(f"{notebook.name} is the {declared} assignment, but the {EXPECTED} in "
                              f"{notebook.folder} belongs to {shipped}: put the {CHECKS} and {EXPECTED} of "
                              f"{declared} there")
    try:
        pack = load_pack(notebook.folder)
    except AuthoringError as exc:
        raise NotebookProblem(str(exc)) from None
    selected = select_checks(pack.public_checks, names, pack.name)
    try:
        source = notebook_to_module(notebook.data, notebook.name)
    except NotGradable as exc:
        raise NotebookProblem(str(exc)) from None
    settings = Settings(start_method=start_method or "auto")
    if timeout:
        settings.timeout = timeout
    try:
        engine = Engine(pack, settings=settings, include_hidden=False)
    except ValueError as exc:  # a start method this platform lacks
        raise NotebookProblem(str(exc)) from None
    engine.checks = selected
    try:
        engine.sandbox.start()  # boots while the files are written
        result = grade_files(engine, {**_support_files(notebook.folder, pack.module), f"{pack.module}.py": source},
                             notebook.name)
    finally:
        engine.close()
    notes = [n for n in (_missing_module_note(result, notebook.folder), _saved_note(notebook.saved)) if n]
    return Feedback(result=result, notebook=notebook.name, notes=notes)
