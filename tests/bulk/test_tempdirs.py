"""Temporary folders left by a killed process are swept by the next batch; nothing else is."""

import os
import sys
import time

import pytest

from grader import tempdirs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sweep is Linux-only")


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def _folder(tmp_path, name: str, age: float = 3600):
    folder = tmp_path / name
    (folder / "optim").mkdir(parents=True)
    (folder / "optim" / "optim.py").write_text("reference = True\n")
    then = time.time() - age
    os.utime(folder, (then, then))
    return folder


def test_only_old_folders_of_dead_processes_in_this_namespace_go(tmp_path):
    ns, dead = tempdirs._namespace(), _dead_pid()
    gone = [_folder(tmp_path, f"grade-solutions-{ns}-{dead}-abc"), _folder(tmp_path, f"grade-zygote-{ns}-{dead}-x1"),
            _folder(tmp_path, f"grade-run-{ns}-{dead}-y2")]
    kept = [_folder(tmp_path, f"grade-run-{ns}-{os.getppid()}-alive"),  # its process is running
            _folder(tmp_path, f"grade-run-{ns}-{os.getpid()}-mine"),  # this very process
            _folder(tmp_path, f"grade-run-{ns + 1}-{dead}-other-namespace"),
            _folder(tmp_path, f"grade-run-{ns}-{dead}-young", age=5),
            _folder(tmp_path, f"grade-other-{ns}-{dead}-not-ours"),
            _folder(tmp_path, f"something-{ns}-{dead}")]
    (tmp_path / f"grade-run-{ns}-{dead}-a-file").write_text("not a folder")
    removed = tempdirs.sweep(tmp_path, min_age=60)
    assert sorted(removed) == sorted(gone)
    assert not any(f.exists() for f in gone)
    assert all(f.exists() for f in kept) and (tmp_path / f"grade-run-{ns}-{dead}-a-file").exists()


def test_made_folders_carry_their_maker_and_survive_while_it_lives(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    made = tempdirs.make("run")
    assert made.parent == tmp_path and tempdirs.NAME.match(made.name)
    assert made.name.startswith(f"grade-run-{tempdirs._namespace()}-{os.getpid()}-")
    old = time.time() - 3600
    os.utime(made, (old, old))
    assert tempdirs.sweep(tmp_path, min_age=0) == [] and made.exists()


# --------------------------------------------------------------------------- removal of locked folders

NOBODY = 65534


def _as_ordinary_user(body) -> None:
    """Run ``body()`` in a forked child that is not root (root ignores permissions: the case to prove
    is an ordinary user's); fail with what went wrong there."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(r)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            body()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(w, repr(exc).encode()[:4000])
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        message = fh.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, message


@pytest.fixture
def shared_tmp(tmp_path):
    """A folder the ordinary user of :func:`_as_ordinary_user` owns (pytest's own is private to root)."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="grade-test-remove-")
    if os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)
    yield folder
    tempdirs.remove(folder)


def _lock_a_tree(root: str) -> None:
    """What a hostile child does in its folder: nested folders with files, permissions taken away."""
    os.makedirs(os.path.join(root, "a", "b", "c"))
    for sub in ("a", "a/b", "a/b/c"):
        with open(os.path.join(root, sub, "data.bin"), "wb") as fh:
            fh.write(b"x" * 1000)
    os.symlink("/etc/hostname", os.path.join(root, "a", "link"))
    deep = os.path.join(root, "deep")
    os.mkdir(deep)
    os.chdir(deep)
    for _ in range(300):  # deeper than the folders the walk holds open, and past PATH_MAX
        os.mkdir("d" * 40)
        os.chdir("d" * 40)
    os.chmod(".", 0)
    os.chdir(root)
    os.chmod(os.path.join(root, "a", "b", "c"), 0)
    os.chmod(os.path.join(root, "a", "b"), 0o500)
    os.chmod(os.path.join(root, "a"), 0)
    os.chmod(root, 0o500)


def test_a_folder_locked_with_chmod_000_and_nested_deep_is_removed_by_an_ordinary_user(shared_tmp, capsys):
    def body():
        root = os.path.join(shared_tmp, "grade-run-locked")
        os.mkdir(root)
        _lock_a_tree(root)
        assert tempdirs.remove(root) == []
        assert not os.path.exists(root)
        assert os.path.exists("/etc/hostname")  # the link was removed, not followed

    _as_ordinary_user(body)
    assert os.listdir(shared_tmp) == []


def test_the_sweep_removes_a_locked_folder_of_a_dead_process(shared_tmp):
    ns, dead = tempdirs._namespace(), _dead_pid()

    def body():
        root = os.path.join(shared_tmp, f"grade-run-{ns}-{dead}-locked")
        os.mkdir(root)
        _lock_a_tree(root)
        old = time.time() - 3600
        os.utime(root, (old, old))
        assert [p.name for p in tempdirs.sweep(shared_tmp, min_age=60)] == [os.path.basename(root)]
        assert not os.path.exists(root)

    _as_ordinary_user(body)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs a file of another user: made as root")
def test_what_cannot_be_removed_is_named_in_a_warning(shared_tmp, capfd):
    root = os.path.join(shared_tmp, "grade-run-foreign")
    os.mkdir(root)
    os.chown(root, NOBODY, NOBODY)
    os.mkdir(os.path.join(root, "roots"))  # root's folder, inside the ordinary user's
    with open(os.path.join(root, "roots", "kept.txt"), "w") as fh:
        fh.write("root's")
    os.chmod(os.path.join(root, "roots"), 0o755)

    def body():
        assert tempdirs.remove(root) == [os.path.join(root, "roots", "kept.txt")]

    _as_ordinary_user(body)
    assert os.path.exists(os.path.join(root, "roots", "kept.txt"))
    err = capfd.readouterr().err
    assert f"warning: could not remove {os.path.join(root, 'roots', 'kept.txt')}: Permission denied" in err
