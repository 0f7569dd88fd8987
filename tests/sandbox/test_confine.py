"""Tests of grader.sandbox.confine: each test forks a child, confines it, tries things, reports back.

The child sends a JSON dict of outcomes through a pipe and always leaves with ``os._exit``; the
parent enforces a deadline (killing the child's process group), so no test can hang.
"""

from __future__ import annotations

import errno
import sys

import pytest

if not sys.platform.startswith("linux"):
    pytest.skip("the confinement layers tested here are Linux's", allow_module_level=True)

import fcntl
import json
import os
import resource
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from grader.sandbox import confine  # noqa: E402

REPORT = confine.report()
HAS_LANDLOCK = str(REPORT["landlock"]).startswith("abi")
needs_landlock = pytest.mark.skipif(not HAS_LANDLOCK, reason=f"Landlock {REPORT['landlock']}")
needs_seccomp = pytest.mark.skipif(not REPORT["seccomp"], reason="seccomp unavailable here")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
if not hasattr(os, "fork"):
    pytest.skip("needs os.fork", allow_module_level=True)


def outcome(fn: Callable[[], object]) -> str:
    """'ok' or the exception's class name (e.g. 'PermissionError')."""
    try:
        fn()
        return "ok"
    except BaseException as exc:  # noqa: BLE001 - the child reports everything
        return type(exc).__name__


def run_child(tmp_path: Path, body: Callable[[], dict], *, landlock: bool = False,
              seccomp: bool = False, caps: bool = False, keep_open: tuple[int, ...] = (),
              timeout: float = 60.0, **limits: int) -> dict:
    """Fork, apply the layers in the order the engine uses, run ``body``, return its dict."""
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    read_only = confine.default_read_only_paths()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        try:
            os.close(r)
            os.chdir(workdir)
            confine.new_process_group()
            confine.redirect_stdio()
            confine.close_fds(keep=[w, *keep_open])
            confine.scrub_environment(str(workdir))
            confine.limit_resources(**{"cpu_seconds": 5, **limits})
            applied = {}
            if landlock:
                applied["landlock"] = confine.restrict_filesystem(read_only, [str(workdir)])
            if seccomp:
                applied["seccomp"] = confine.restrict_syscalls(own_pid=os.getpid())
            if caps:
                applied["caps"] = confine.drop_capabilities()
            result = {"applied": applied, **body()}
        except BaseException:  # noqa: BLE001
            result = {"error": traceback.format_exc()}
        try:
            data = json.dumps(result).encode()
            while data:
                data = data[os.write(w, data):]
        finally:
            os._exit(0)
    os.close(w)
    deadline = time.monotonic() + timeout
    chunks = []
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([r], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(r, 65536) if ready else b""
            if ready and not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() >= deadline:
            outcome(lambda: os.killpg(pid, signal.SIGKILL))
            outcome(lambda: os.kill(pid, signal.SIGKILL))
            os.waitpid(pid, 0)
            pytest.fail(f"child did not finish within {timeout} s")
        time.sleep(0.002)
    result = json.loads(b"".join(chunks) or b'{"error": "child sent nothing"}')
    assert "error" not in result, result["error"]
    return result


# --------------------------------------------------------------------------- paths


def test_default_read_only_paths_cover_python_but_not_the_course():
    paths = confine.default_read_only_paths()
    assert all(os.path.isabs(p) and os.path.exists(p) for p in paths)
    assert len(paths) == len(set(paths))
    covered = lambda target: any(  # noqa: E731
        target == p or target.startswith(p.rstrip("/") + "/") for p in paths)
    assert covered(os.path.realpath(os.path.dirname(os.__file__)))  # stdlib
    assert covered(os.path.realpath(os.path.dirname(np.__file__)))
    grader_dir = os.path.realpath(os.path.dirname(os.path.dirname(confine.__file__)))
    assert covered(grader_dir)
    cwd = os.path.realpath(os.getcwd())
    assert not covered(cwd), "the current directory must never be readable by default"
    assert not covered(os.path.dirname(grader_dir) + "/solutions")


# --------------------------------------------------------------------------- process basics


@pytest.mark.parametrize("close_range", [None, False], ids=["as-probed", "without-close_range"])
def test_group_stdio_fds_and_environment(tmp_path, monkeypatch, close_range):
    if close_range is not None:  # the fallback of kernels before 5.9: close up to the highest open fd
        monkeypatch.setattr(confine, "_close_range_ok", close_range)
    monkeypatch.setenv("GRADER_TEST_SECRET", "hunter2")
    stray = os.open(tmp_path, os.O_RDONLY)
    pipe_r, pipe_w = os.pipe()
    high = fcntl.fcntl(stray, fcntl.F_DUPFD, 300)  # above the result pipe, too
    kept = os.open(os.devnull, os.O_RDONLY)
    devnull = os.stat(os.devnull).st_rdev

    def body():
        import ctypes
        getenv = ctypes.CDLL(None).getenv
        getenv.restype = ctypes.c_char_p
        environ_block = Path("/proc/self/environ").read_bytes() if os.path.exists(
            "/proc/self/environ") else b""
        return {
            "pgid": os.getpgid(0) == os.getpid(), "sid": os.getsid(0) == os.getpid(),
            "stdio": [os.fstat(fd).st_rdev == devnull for fd in (0, 1, 2)],
            "closed": [outcome(lambda fd=fd: os.fstat(fd)) for fd in (stray, pipe_r, pipe_w, high)],
            "kept": outcome(lambda: os.fstat(kept)),
            "env": sorted(os.environ), "secret_c": getenv(b"GRADER_TEST_SECRET"),
            "home": os.environ["HOME"] == os.getcwd(), "block_clean": b"=" not in environ_block,
            "print": outcome(lambda: print("goes to /dev/null")),
        }

    try:
        res = run_child(tmp_path, body, keep_open=(kept,))
    finally:
        for fd in (stray, pipe_r, pipe_w, high, kept):
            os.close(fd)
    assert res["pgid"] and res["sid"]
    assert res["stdio"] == [True, True, True]
    assert res["closed"] == ["OSError"] * 4 and res["kept"] == "ok"
    assert "GRADER_TEST_SECRET" not in res["env"] and res["secret_c"] is None
    assert set(res["env"]) == {"PATH", "HOME", "TMPDIR", "LANG", "PYTHONDONTWRITEBYTECODE",
                               *confine.BLAS_THREAD_VARS}
    assert res["home"] and res["print"] == "ok"
    if sys.platform.startswith("linux"):
        assert res["block_clean"], "/proc/self/environ still shows the parent's environment"


def test_resource_limits(tmp_path):
    def body():
        big = tmp_path / "work" / "big.bin"
        return {
            "two_gib": outcome(lambda: bytearray(2 << 30)),
            "two_gib_numpy": outcome(lambda: np.ones(2 << 27)),
            "hundred_mib_numpy": outcome(lambda: np.ones(100 << 17).sum()),
            "file_too_big": outcome(lambda: big.write_bytes(b"x" * (2 << 20))),
            "core": resource.getrlimit(resource.RLIMIT_CORE),
            "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
            "cpu": resource.getrlimit(resource.RLIMIT_CPU),
        }

    res = run_child(tmp_path, body, memory_bytes=1 << 30, file_bytes=1 << 20, open_files=64,
                    cpu_seconds=3)
    if REPORT["rlimit_as"]:
        assert res["two_gib"] == "MemoryError"
        assert res["two_gib_numpy"] in ("MemoryError", "_ArrayMemoryError")
    assert res["hundred_mib_numpy"] == "ok"
    assert res["file_too_big"] == "OSError"  # EFBIG: Python ignores SIGXFSZ
    assert res["core"] == [0, 0] and res["nofile"] == [64, 64] and res["cpu"] == [3, 4]


@linux_only
def test_drop_capabilities(tmp_path):
    def body():
        status = Path("/proc/self/status").read_text().splitlines()
        caps = {k: int(v, 16) for k, v in (line.split(":") for line in status)
                if k in ("CapEff", "CapPrm", "CapBnd")}
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        return {"caps": caps,
                "raise": outcome(lambda: resource.setrlimit(resource.RLIMIT_NOFILE,
                                                            (hard + 1, hard + 1)))}

    res = run_child(tmp_path, body, caps=True)
    assert res["applied"]["caps"] is True
    assert (res["caps"]["CapEff"], res["caps"]["CapPrm"]) == (0, 0)
    if os.geteuid() == 0:  # an ordinary user may not empty it (in the sandbox no_new_privs stops exec granting any)
        assert res["caps"]["CapBnd"] == 0
    assert res["raise"] == "ValueError"


# --------------------------------------------------------------------------- Landlock


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("hidden answers")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "submission.py").write_text("ANSWER = 42\n")
    return folder


def _filesystem_probe(outside: Path) -> Callable[[], dict]:
    course_file = Path(confine.__file__).resolve().parents[2] / "pyproject.toml"

    def body():
        fresh = ("fractions", "decimal", "json.tool", "zoneinfo")
        for name in fresh:  # make sure they are read from disk now
            sys.modules.pop(name, None)
        sys.path.insert(0, os.getcwd())
        return {
            "read_outside": outcome(lambda: (outside / "secret.txt").read_text()),
            "list_outside": outcome(lambda: os.listdir(outside)),
            "write_outside": outcome(lambda: (outside / "new.txt").write_text("x")),
            "read_course": outcome(lambda: course_file.read_text()) if course_file.exists()
            else "PermissionError",
            "read_work": outcome(lambda: Path("submission.py").read_text()),
            "write_work": outcome(lambda: Path("out.txt").write_text("x")),
            "mkdir_work": outcome(lambda: os.mkdir("sub")),
            "imports": outcome(lambda: [__import__(name) for name in fresh]),
            "import_submission": outcome(lambda: __import__("submission")),
            "exec": outcome(lambda: os.execv(sys.executable, [sys.executable, "-c", "pass"])),
            "mknod": outcome(lambda: os.mknod("null", 0o600 | 0o020000, os.makedev(1, 3))),
        }

    return body


@needs_landlock
def test_a_ruleset_prepared_ahead_gives_each_child_the_read_only_paths_and_its_own_folder_only(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    read_only = confine.default_read_only_paths()

    def probe(other: Path) -> Callable[[], dict]:
        def body():
            sys.modules.pop("fractions", None)  # read from disk now: a read-only rule
            return {"used_prepared": confine.prepared_ruleset() == -1,
                    "own": outcome(lambda: Path("mine.txt").write_text("x")),
                    "other": outcome(lambda: (other / "work" / "mine.txt").read_text()),
                    "stdlib": outcome(lambda: __import__("fractions"))}
        return body

    try:
        results = []
        for here, other in (("a", "b"), ("b", "a")):  # as a zygote does: a new ruleset before each fork
            assert confine.prepare_filesystem(read_only)
            results.append(run_child(tmp_path / here, probe(tmp_path / other), landlock=True,
                                     keep_open=(confine.prepared_ruleset(),)))
    finally:
        confine.release_prepared()
    for res in results:
        assert res["applied"]["landlock"] is True and res["used_prepared"]
        assert (res["own"], res["stdlib"]) == ("ok", "ok")
    # the second child cannot read what the first wrote in its folder: its ruleset never held it
    assert results[1]["other"] == "PermissionError"


@needs_landlock
def test_landlock_alone(tmp_path, outside):
    probe = _filesystem_probe(outside)

    def body():
        import socket
        res = probe()

        def connect():
            with socket.socket() as s:
                s.settimeout(1)
                s.connect(("127.0.0.1", 9))

        res["tcp"] = outcome(connect)
        res["kill_parent"] = outcome(lambda: os.kill(os.getppid(), 0))
        return res

    res = run_child(tmp_path, body, landlock=True)
    assert res["applied"]["landlock"] is True
    for key in ("read_outside", "list_outside", "write_outside", "read_course", "exec", "mknod"):
        assert res[key] == "PermissionError", key
    for key in ("read_work", "write_work", "mkdir_work", "imports", "import_submission"):
        assert res[key] == "ok", key
    if REPORT["landlock_net"]:
        assert res["tcp"] == "PermissionError"
    if REPORT["landlock_signal_scope"]:
        assert res["kill_parent"] == "PermissionError"


def test_unsupported_layers_return_false(monkeypatch):
    monkeypatch.setattr(confine, "_applied", {})  # what this test process "applied" must not outlive it
    monkeypatch.setattr(confine, "landlock_abi", lambda: 0)
    monkeypatch.setattr(confine, "_arch", lambda: None)
    assert confine.restrict_filesystem([], []) is False
    assert confine.restrict_syscalls(own_pid=os.getpid()) is False
    assert confine.drop_capabilities() is False
    assert confine.report()["applied"] == {"landlock": False, "seccomp": False, "capabilities_dropped": False}


# --------------------------------------------------------------------------- seccomp


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_filter_is_well_formed(arch):
    prog = confine._build_program(arch, own_pid=1234)[0]
    assert 0 < len(prog) < 4096  # the kernel's limit (BPF_MAXINSNS)
    assert prog[0] == (0x20, 0, 0, 4)  # first load: the audit arch
    for i, (code, jt, jf, k) in enumerate(prog):
        if code == 0x05:  # long jumps (JA) stay inside the program
            assert i + 1 + k < len(prog)
        elif code & 0x07 == 0x05:  # conditional jumps too
            assert i + 1 + max(jt, jf) < len(prog)
    assert prog[-1][0] == 0x06  # ends with a return


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_prepared_program_is_the_fresh_one_for_each_pid(arch, monkeypatch):
    # a warm parent builds the program once; each child only rewrites the pid it may aim at
    monkeypatch.setattr(confine, "_programs", {})
    for pid in (1234, 987654, 1234):
        fprog = confine._program(arch, pid)
        got = [(fprog.filter[i].code, fprog.filter[i].jt, fprog.filter[i].jf, fprog.filter[i].k)
               for i in range(fprog.len)]
        assert got == confine._build_program(arch, own_pid=pid)[0]


def _run_bpf(prog, arch_value: int, nr: int, args=(0,) * 6) -> int:
    """A tiny interpreter for the instructions the filter uses, over a fake seccomp_data."""
    args = tuple(args) + (0,) * (6 - len(args))
    words = {0: nr & 0xFFFFFFFF, 4: arch_value}
    for i, arg in enumerate(args):
        words[16 + 8 * i], words[20 + 8 * i] = arg & 0xFFFFFFFF, (arg >> 32) & 0xFFFFFFFF
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        pc += 1
        if code == 0x20:
            acc = words[k]
        elif code == 0x54:
            acc &= k
        elif code == 0x05:
            pc += k
        elif code in (0x15, 0x35):
            taken = acc == k if code == 0x15 else acc >= k
            pc += jt if taken else jf
        elif code == 0x06:
            return k
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")


# Values from the kernel's headers (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/
# unistd.h), independent of the table in confine: a wrong number there would open or close the wrong door.
KNOWN_NUMBERS = {"x86_64": {"read": 0, "getpid": 39, "socket": 41, "clone": 56, "kill": 62, "fcntl": 72,
                            "shmget": 29, "add_key": 248, "mq_open": 240, "sched_setaffinity": 203,
                            "ioprio_set": 251, "clone3": 435, "openat": 257},
                 "aarch64": {"read": 63, "getpid": 172, "socket": 198, "clone": 220, "kill": 129, "fcntl": 25,
                             "shmget": 194, "add_key": 217, "mq_open": 180, "sched_setaffinity": 122,
                             "ioprio_set": 30, "clone3": 435, "openat": 56}}


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_filter_decisions(arch):
    own, allow, eperm, enosys = 4242, 0x7FFF0000, 0x50001, 0x50000 | errno.ENOSYS
    prog = confine._build_program(arch, own_pid=own)[0]
    nr = confine._SYSCALLS[arch]
    for name, number in KNOWN_NUMBERS[arch].items():
        assert nr[name] == number, name
    audit = confine._AUDIT_ARCH[arch]
    run = lambda name, *args: _run_bpf(prog, audit, nr[name], args)  # noqa: E731
    thread_flags = 0x3D0F00  # what glibc's pthread_create passes (includes CLONE_THREAD)
    assert run("clone", thread_flags) == allow
    assert run("clone", 0x01200011) == eperm  # glibc fork(): SIGCHLD|CHILD_SETTID|CHILD_CLEARTID
    assert run("clone", 0x4111) == eperm  # posix_spawn: CLONE_VM|CLONE_VFORK|SIGCHLD
    assert run("clone", thread_flags | 0x10000000) == eperm  # a thread in a new user namespace
    assert run("clone3") == enosys
    for name in ("execve", "socket", "ptrace", "io_uring_setup", "setrlimit", "unshare", "shmget", "shmat",
                 "msgget", "semget", "mq_open", "add_key", "keyctl", "request_key", "perf_event_open", "bpf",
                 "userfaultfd", "setns", "mount", "personality", "process_vm_readv", "memfd_create",
                 "pidfd_open"):
        assert run(name) == eperm, name
    for name in ("read", "openat", "mmap", "futex", "getrandom", "exit_group", "rt_sigaction"):
        assert run(name) == allow, name
    assert _run_bpf(prog, audit, confine._newest(arch) + 1) == enosys  # newer than the table: "no such call"
    assert _run_bpf(prog, audit, 0xFFFF) == enosys
    # signals and scheduling: only itself (its pid or 0)
    assert run("kill", own, 9) == allow and run("kill", 0, 9) == allow
    assert run("kill", own + 1, 9) == eperm and run("kill", (1 << 64) - 1, 9) == eperm  # -1
    assert run("tgkill", own, own + 3, 9) == allow and run("tgkill", 1, 1, 9) == eperm
    for name in ("sched_setscheduler", "sched_setaffinity", "sched_setattr", "sched_setparam"):
        assert run(name, 0) == allow and run(name, own) == allow and run(name, own - 1) == eperm, name
    assert run("setpriority", 0, 0, 19) == allow and run("setpriority", 0, own, 19) == allow
    assert run("setpriority", 0, 1, 19) == eperm and run("setpriority", 1, 0, 19) == eperm  # PRIO_PGRP
    assert run("ioprio_set", 1, 0, 0x6000) == allow and run("ioprio_set", 1, own + 7, 0x6000) == eperm
    assert run("ioprio_set", 2, 0, 0x6000) == eperm  # IOPRIO_WHO_PGRP
    assert run("prlimit64", 0, 7, 0, 0x1000) == allow  # getrlimit: new_limit is NULL
    assert run("prlimit64", 0, 7, 0x7FFF_0000_1000, 0) == eperm
    assert run("prlimit64", own + 1, 7, 0, 0x1000) == eperm  # another process's limits
    # fcntl: Python's io and locks yes; owners and signals for SIGIO no
    for cmd in (0, 1, 2, 3, 4, 6, 1030):
        assert run("fcntl", 3, cmd) == allow, cmd
    for cmd in (8, 10, 15, 1024, 1026):  # F_SETOWN, F_SETSIG, F_SETOWN_EX, F_SETLEASE, F_NOTIFY
        assert run("fcntl", 3, cmd) == eperm, cmd
    assert run("ioctl", 0, 0x5401) == allow and run("ioctl", 0, 0x5451) == allow  # TCGETS, FIOCLEX
    assert run("ioctl", 0, 0x5412) == eperm  # TIOCSTI
    assert run("prctl", 15) == allow  # PR_SET_NAME
    for option in (4, 36, 0x59616D61, 22):  # SET_DUMPABLE, SET_CHILD_SUBREAPER, SET_PTRACER, SET_SECCOMP
        assert run("prctl", option) == eperm, option
    getpid, read = KNOWN_NUMBERS[arch]["getpid"], KNOWN_NUMBERS[arch]["read"]
    assert _run_bpf(prog, audit, getpid) == allow and _run_bpf(prog, audit, read) == allow
    assert _run_bpf(prog, 0x40000003, 1) == 0x80000000  # i386 ABI: kill the process
    if arch == "x86_64":
        assert _run_bpf(prog, audit, 0x40000000 | 41) == eperm  # x32 socket


def _syscall_probe() -> dict:
    import socket
    import subprocess
    import threading

    box = []
    thread = threading.Thread(target=lambda: box.append(np.linalg.solve(np.eye(2), np.ones(2))))
    thread.start()
    thread.join()
    return {
        "thread": len(box) == 1,
        "socket": outcome(socket.socket),
        "socketpair": outcome(socket.socketpair),
        "fork": outcome(os.fork),
        "subprocess": outcome(lambda: subprocess.run(["true"])),
        "kill_parent": outcome(lambda: os.kill(os.getppid(), 0)),
        "kill_everyone": outcome(lambda: os.kill(-1, 0)),
        "kill_self": outcome(lambda: os.kill(os.getpid(), 0)),
        "kill_own_group": outcome(lambda: os.kill(0, 0)),
        "set_rlimit": outcome(lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0))),
        "get_rlimit": outcome(lambda: resource.getrlimit(resource.RLIMIT_CORE)),
    }


# --------------------------------------------------------------------------- namespaces


def _sysv_segments() -> set[str]:
    with open("/proc/sysvipc/shm") as fh:
        return {line.split()[1] for line in fh.readlines()[1:] if line.strip()}


def test_a_child_in_its_own_ipc_namespace_sees_no_segment_of_ours_and_leaves_none(tmp_path):
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    ours = libc.shmget(ctypes.c_int(0), ctypes.c_size_t(4096), ctypes.c_int(0o1600))  # IPC_PRIVATE
    assert ours >= 0
    try:
        ipc_before = os.stat("/proc/self/ns/ipc").st_ino
        segments_before = _sysv_segments()

        def body():
            isolated = confine.isolate_ipc()
            sees_ours = libc.shmat(ctypes.c_int(ours), None, 0) != -1  # before it makes one with that id
            made = libc.shmget(ctypes.c_int(0x5EC), ctypes.c_size_t(1 << 20), ctypes.c_int(0o1666))
            return {"isolated": isolated, "ns": os.stat("/proc/self/ns/ipc").st_ino, "sees_ours": sees_ours,
                    "made": made >= 0, "segments": sorted(_sysv_segments())}

        res = run_child(tmp_path, body)
        if not res["isolated"]:
            pytest.skip("no IPC namespace here (needs root or unprivileged user namespaces)")
        assert res["ns"] != ipc_before and res["made"]  # in a namespace of its own, where it may make one
        assert len(res["segments"]) == 1 and not res["sees_ours"]  # only its own, not ours
        assert _sysv_segments() == segments_before  # and it went with the child
    finally:
        for segment in (ours, libc.shmget(ctypes.c_int(0x5EC), ctypes.c_size_t(0), ctypes.c_int(0))):
            if segment >= 0:  # the child's, too, should it have made it out here
                libc.shmctl(ctypes.c_int(segment), 0, None)  # IPC_RMID


@needs_seccomp
def test_seccomp_alone(tmp_path):
    res = run_child(tmp_path, _syscall_probe, seccomp=True)
    assert res["applied"]["seccomp"] is True
    assert res["thread"] is True
    for key in ("socket", "socketpair", "fork", "subprocess", "kill_parent", "kill_everyone"):
        assert res[key] == "PermissionError", key
    assert res["set_rlimit"] == "ValueError"  # Python's wording of EPERM from setrlimit
    for key in ("kill_self", "kill_own_group", "get_rlimit"):
        assert res[key] == "ok", key


# --------------------------------------------------------------------------- all together


@needs_landlock
@needs_seccomp
def test_all_layers_numpy_still_works(tmp_path, outside):
    files = _filesystem_probe(outside)

    def body():
        from concurrent.futures import ThreadPoolExecutor

        rng = np.random.default_rng(0)
        a = rng.standard_normal((200, 200))
        b = rng.standard_normal(200)
        x = np.linalg.solve(a, b)
        with ThreadPoolExecutor(2) as pool:
            doubled = list(pool.map(lambda v: 2 * v, range(4)))
        return {**files(), **_syscall_probe(),
                "matmul": bool(np.allclose((a @ np.eye(200)), a)),
                "solve": bool(np.allclose(a @ x, b)), "pool": doubled,
                "report": confine.report()["applied"]}

    res = run_child(tmp_path, body, landlock=True, seccomp=True, caps=True)
    assert res["applied"] == {"landlock": True, "seccomp": True, "caps": True}
    assert res["matmul"] and res["solve"] and res["thread"] and res["pool"] == [0, 2, 4, 6]
    for key in ("read_work", "write_work", "imports", "import_submission", "kill_self"):
        assert res[key] == "ok", key
    for key in ("read_outside", "write_outside", "read_course", "exec", "socket", "fork",
                "subprocess", "kill_parent"):
        assert res[key] == "PermissionError", key
    assert res["report"]["landlock"].startswith("abi") and res["report"]["seccomp"] is True


def test_the_report_says_what_this_platform_offers_and_that_the_grader_itself_is_unconfined():
    info = confine.report()
    abi = confine.landlock_abi()
    assert info["platform"] == sys.platform
    if abi >= 1:
        assert info["landlock"] == f"abi {abi}"
    else:
        assert str(info["landlock"]).startswith(("unavailable", "not supported"))
    assert info["landlock_net"] is (abi >= 4)
    assert info["root"] is (os.geteuid() == 0) and info["rlimit_nproc"] is (os.geteuid() != 0)
    assert any("running as root" in w for w in info["warnings"]) is info["root"]
    assert info["applied"] == {}, "the grader's own process applied a confinement layer"


def test_the_report_warns_once_for_each_missing_layer(monkeypatch):
    """A kernel without Landlock or seccomp: each missing layer is a warning that says what follows."""
    monkeypatch.setattr(confine, "_landlock_probe", (0, "unavailable (Function not implemented)"))
    monkeypatch.setattr(confine, "_seccomp_supported", lambda: False)
    info = confine.report()
    assert info["landlock"] == "unavailable (Function not implemented)" and info["seccomp"] is False
    assert info["landlock_net"] is False and info["landlock_signal_scope"] is False
    layers = [w for w in info["warnings"] if not w.startswith("running as root")]
    assert layers == ["Landlock unavailable (Function not implemented): submissions can read any file this user can",
                      "seccomp unavailable: submissions can open sockets, start processes and signal other processes"]
    monkeypatch.setattr(confine, "_landlock_probe", (3, "abi 3"))
    monkeypatch.setattr(confine, "_seccomp_supported", lambda: True)
    info = confine.report()
    assert info["landlock_net"] is False
    assert [w for w in info["warnings"] if not w.startswith("running as root")] == [
        "Landlock abi 3 cannot deny TCP; only seccomp blocks sockets"]
