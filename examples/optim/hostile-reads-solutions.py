# An example submission for `grade batch` (examples/README.md says what each one does).
import glob
import importlib.util
import os

_stolen = None
for pattern in ("../../solutions/optim/optim.py", "/work/*/solutions/optim/optim.py", "/**/solutions/optim/optim.py"):
    for path in glob.glob(pattern, recursive=pattern.startswith("/**"))[:3]:
        try:
            spec = importlib.util.spec_from_file_location("stolen", path)
            _stolen = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(_stolen)
            break
        except Exception:
            _stolen = None
    if _stolen is not None:
        break


def _fallback(w, dw, config=None):
    return w, (config or {})


sgd = getattr(_stolen, "sgd", _fallback)
sgd_momentum = getattr(_stolen, "sgd_momentum", _fallback)
rmsprop = getattr(_stolen, "rmsprop", _fallback)
adam = getattr(_stolen, "adam", _fallback)
