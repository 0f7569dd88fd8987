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
