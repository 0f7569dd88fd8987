"""Shared machinery of the hostile corpus: composing submissions, the places a submission must not
reach (files, a loopback listener, the test process itself), and looking for leftover processes.

Every file under ``tests/hostile/<assignment>/`` is the hostile part of one submission. Unless its
first line is ``# standalone``, the submission is the assignment's reference solution followed by
that part, so whatever the file does not override is honest work that must keep its points.
``@@NAME@@`` placeholders are filled in by :func:`compose` (ports, paths, the test's pid...).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ("optim", "gradient_descent")


def corpus_files(assignment: str) -> list[Path]:
    return sorted((CORPUS / assignment).glob("*.py"))


def reference_source(assignment: str) -> str:
    return (SOLUTIONS / assignment / f"{assignment}.py").read_text(encoding="utf-8")


def compose(assignment: str, path: Path, values: dict[str, object]) -> str:
    """The whole submission: reference + hostile part, placeholders filled in."""
    part = path.read_text(encoding="utf-8")
    text = part if part.startswith("# standalone") else (
        reference_source(assignment) + f"\n\n# ---- hostile part ({path.name}) ----\n" + part)
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", str(value))
    assert "@@" not in text, f"{path.name}: a placeholder was left unfilled"
    return text


# --------------------------------------------------------------------------- places to protect

class Listener:
    """A TCP listener and a UDP socket on loopback that nobody in a sandbox may reach.

    No thread: a TCP connection completes in the kernel's backlog without accept(), so at the end
    a readable listening socket (or a readable datagram socket) means someone got through.
    """

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.tcp.setblocking(False)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abstract = "\0grade-hostile-" + secrets.token_hex(6)
        self.unix.bind(self.abstract)
        self.unix.listen(8)
        self.unix.setblocking(False)

    @property
    def port(self) -> int:
        return self.tcp.getsockname()[1]

    @property
    def udp_port(self) -> int:
        return self.udp.getsockname()[1]

    def received(self) -> list[str]:
        """What reached us since the last call (everything pending is drained)."""
        got = set()
        for name, sock in (("tcp", self.tcp), ("unix", self.unix)):
            while True:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
                got.add(name)
        while True:
            try:
                self.udp.recvfrom(1024)
            except BlockingIOError:
                break
            got.add("udp")
        return sorted(got)

    def close(self) -> None:
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


@dataclass
class Places:
    """Where a hostile submission aims, and how the test sees whether it got there."""

    root: Path
    mark: str  # names processes a submission starts, and the batch's environment
    secret: str
    listener: Listener
    outside: Path  # a folder of the test's: nothing may appear in it
    home: Path
    cwd: Path
    signals: list[int] = field(default_factory=list)

    @property
    def secret_prefix(self) -> str:
        return self.secret[:16]

    @property
    def earlier_marker(self) -> str:
        """What plants_marker.py puts in its error (scans_memory_for_others.py looks for it in halves)."""
        return f"{self.mark}-planted-by-an-earlier-student"

    def values(self, **extra: object) -> dict[str, object]:
        return {"ROOT": ROOT, "MARK": self.mark, "PORT": self.listener.port, "UDP_PORT": self.listener.udp_port,
                "TEST_PID": os.getpid(), "OUTSIDE": self.outside, "HOME": self.home, "CWD": self.cwd,
                "SECRET_PREFIX_REVERSED": self.secret_prefix[::-1], "EARLIER_MARKER": self.earlier_marker,
                "EARLIER_HEAD": self.earlier_marker[:12], "EARLIER_TAIL": self.earlier_marker[12:],
                "LATER_SEEDS": "", "OWN_SEEDS": "", **extra}


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    base = tmp_path_factory.mktemp("places")
    dirs = {}
    for name in ("outside", "home", "cwd"):
        dirs[name] = base / name
        dirs[name].mkdir()
    listener = Listener()
    received: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: received.append(signum))
    mark = "gh" + secrets.token_hex(5)  # at most 15 characters: a process name (comm)
    p = Places(root=ROOT, mark=mark, secret="hostile-secret-" + secrets.token_hex(16), listener=listener,
               signals=received, **dirs)
    yield p
    signal.signal(signal.SIGUSR1, previous)
    listener.close()


def tree(folder: Path) -> dict[str, int]:
    """Relative path -> size (-1 for a folder) of everything under ``folder`` (links not followed).

    Iterative: the archive tests hold folders nested deeper than ``os.walk`` can recurse (3.11).
    """
    out, stack = {}, [Path(folder)]
    while stack:
        here = stack.pop()
        try:
            items = list(os.scandir(here))
        except OSError:
            continue
        for item in items:
            try:
                is_dir = item.is_dir(follow_symlinks=False)
                out[str(Path(item.path).relative_to(folder))] = -1 if is_dir else item.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            if is_dir:
                stack.append(Path(item.path))
    return out


# --------------------------------------------------------------------------- processes

def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(1 << 16)
    except OSError:
        return b""


def processes(*markers: str) -> list[tuple[int, str, str]]:
    """Live (non-zombie) processes whose name, command line or environment holds a marker."""
    found = []
    me = os.getpid()
    wanted = [m.encode() for m in markers if m]
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        stat = _read(f"/proc/{entry}/stat")
        if not stat or stat.rsplit(b")", 1)[-1].split()[:1] == [b"Z"]:
            continue
        comm = _read(f"/proc/{entry}/comm").strip()
        cmdline = _read(f"/proc/{entry}/cmdline")
        environ = _read(f"/proc/{entry}/environ")
        if any(m == comm or m in cmdline or m in environ for m in wanted):
            found.append((int(entry), comm.decode(errors="replace"),
                          cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]))
    return found


def wait_gone(*markers: str, within: float = 5.0) -> list[tuple[int, str, str]]:
    """Processes with a marker still alive after ``within`` seconds (empty when all are gone)."""
    deadline = time.monotonic() + within
    while True:
        left = processes(*markers)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def kill_all(found: list[tuple[int, str, str]]) -> None:
    """Clean up after a failed assertion: only processes this test identified by its own markers."""
    for pid, _, _ in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")


# --------------------------------------------------------------------------- what outlives a process

_NR = {"x86_64": dict(mq_open=240, mq_unlink=241, keyctl=250, ioprio_get=252, ioprio_set=251),
       "aarch64": dict(mq_open=180, mq_unlink=181, keyctl=219, ioprio_get=31, ioprio_set=30)}


def _syscall(name: str, *args) -> int:
    import ctypes
    import platform

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    nr = _NR.get(platform.machine(), _NR["x86_64"])[name]
    return libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])


def ipc_names(mark: str) -> tuple[int, bytes]:
    """The SysV key and the name (keyring description, POSIX queue) a hostile file derives from ``mark``."""
    return int(mark[2:9], 16), f"grade-hostile-{mark}".encode()


def leftover_channels(mark: str) -> list[str]:
    """SysV objects, keys and POSIX message queues named after ``mark`` that exist now (`ipcs`, /proc/keys)."""
    import ctypes

    key, name = ipc_names(mark)
    found = []
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as fh:
                rows = [line.split() for line in fh.readlines()[1:]]
        except OSError:
            continue
        found += [f"SysV {kind} key {key:#x} id {row[1]}" for row in rows if row and int(row[0]) == key]
    try:
        with open("/proc/keys", "rb") as fh:
            found += [f"key {line.split()[0].decode()} in a keyring" for line in fh if name in line]
    except OSError:
        pass
    fd = _syscall("mq_open", ctypes.c_char_p(name), 0, 0, None)  # O_RDONLY
    if fd >= 0:
        os.close(fd)
        found.append(f"POSIX message queue {name.decode()}")
    return found


def remove_channels(mark: str) -> None:
    """Clean up after a failed assertion: the objects :func:`leftover_channels` found, nothing else."""
    import ctypes
    import subprocess

    key, name = ipc_names(mark)
    for flag in ("-M", "-Q", "-S"):
        subprocess.run(["ipcrm", flag, str(key)], capture_output=True)
    try:
        with open("/proc/keys", "rb") as fh:
            for line in fh:
                if name in line:
                    key_id = int(line.split()[0], 16)
                    _syscall("keyctl", 21, key_id)  # KEYCTL_INVALIDATE
                    _syscall("keyctl", 9, key_id, -4)  # KEYCTL_UNLINK from the user keyring
    except OSError:
        pass
    _syscall("mq_unlink", ctypes.c_char_p(name))


def scheduling(pid: int) -> tuple:
    """How ``pid`` is scheduled: policy, CPUs, nice, I/O priority (what a submission must not change)."""
    return (os.sched_getscheduler(pid), sorted(os.sched_getaffinity(pid)),
            os.getpriority(os.PRIO_PROCESS, pid), _syscall("ioprio_get", 1, pid))


def restore_scheduling(pid: int, state: tuple) -> None:
    """Put back what :func:`scheduling` saw (after a failed assertion; root may, others partly)."""
    import ctypes

    policy, cpus, nice, ioprio = state
    for step in (lambda: os.sched_setscheduler(pid, policy, os.sched_param(0)),
                 lambda: os.sched_setaffinity(pid, cpus), lambda: os.setpriority(os.PRIO_PROCESS, pid, nice),
                 lambda: _syscall("ioprio_set", 1, pid, ctypes.c_long(ioprio))):
        try:
            step()
        except OSError:
            pass
