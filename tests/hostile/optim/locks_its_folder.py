# sgd_momentum fills its working folder with nested folders and 4 MiB of files, one of them nested
# 300 deep, then takes the permissions away (chmod 000, and read-only folders): an ordinary user's
# rmtree(ignore_errors=True) would silently leave it all behind. It still returns the right answer
# (full points); the tests check that the grader removed its folder all the same.
import os as _os

_reference_sgd_momentum = sgd_momentum


def _lock():
    root = _os.getcwd()
    try:
        _os.makedirs("locked/a/b/c", exist_ok=True)
        for sub in ("locked", "locked/a", "locked/a/b", "locked/a/b/c"):
            with open(_os.path.join(sub, "blob.bin"), "wb") as fh:
                fh.write(b"\0" * (1 << 20))
        _os.makedirs("deep", exist_ok=True)
        _os.chdir("deep")
        for _ in range(300):
            _os.makedirs("d" * 40, exist_ok=True)
            _os.chdir("d" * 40)
        _os.chmod(".", 0)
        _os.chdir(root)
        _os.chmod("locked/a/b/c", 0)
        _os.chmod("locked/a/b", 0o500)
        _os.chmod("locked/a", 0)
        _os.chmod("locked", 0o500)
        _os.chmod(root, 0o500)
    except OSError:
        pass
    finally:
        _os.chdir(root)


def sgd_momentum(w, dw, config=None):
    _lock()
    return _reference_sgd_momentum(w, dw, config)
