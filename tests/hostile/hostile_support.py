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
    """Relative path -> size of everything under ``folder`` (links not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            try:
                out[str(path.relative_to(folder))] = path.lstat().st_size if name in filenames else -1
            except OSError:
                pass
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
