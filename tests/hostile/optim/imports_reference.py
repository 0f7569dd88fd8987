# adam tries to borrow the instructor's adam through sys.path and import tricks: the course's
# solutions folder (found from the grader package's own location, from a guess, from the zygote's
# command line), grader.course.load_solution, and a fresh `import optim` with its folder first on
# sys.path. If any worked it would score; with none it returns w unchanged (zero).
import importlib
import importlib.util
import os as _os
import sys as _sys


def _candidates():
    folders = ["@@ROOT@@/solutions/optim"]
    try:
        import grader
        folders.append(_os.path.join(_os.path.dirname(_os.path.dirname(grader.__file__)), "solutions", "optim"))
    except Exception:
        pass
    for arg in getattr(_sys, "orig_argv", []):
        if arg.endswith(".py"):
            folders.append(_os.path.dirname(arg))
    return folders


def _borrow():
    if getattr(_sys, "_hostile_borrowing", False):  # re-imported by the trick below: stop there
        return None
    _sys._hostile_borrowing = True
    for folder in _candidates():
        try:
            spec = importlib.util.spec_from_file_location("borrowed_optim", _os.path.join(folder, "optim.py"))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module.adam
        except Exception:
            pass
        try:
            saved = _sys.modules.pop("optim", None)
            _sys.path.insert(0, folder)
            try:
                module = importlib.import_module("optim")
                if getattr(module, "__file__", "").startswith(folder):
                    return module.adam
            finally:
                _sys.path.remove(folder)
                if saved is not None:
                    _sys.modules["optim"] = saved
        except Exception:
            pass
        try:
            from pathlib import Path

            from grader.course import load_solution
            return load_solution(Path(folder)).reference.adam
        except Exception:
            pass
    for name, module in list(_sys.modules.items()):  # anything already loaded?
        if name.startswith("_grade_") and "reference" in name and hasattr(module, "adam"):
            return module.adam
    return None


_borrowed = _borrow()


def adam(w, dw, config=None):
    if _borrowed is not None:
        return _borrowed(w, dw, config)
    return w, (config or {})
