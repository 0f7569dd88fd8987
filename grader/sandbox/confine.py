"""Confinement of the grading child, applied right after ``fork()``.

The warm parent forks one child per submission; the child calls, in this order::

    new_process_group(); redirect_stdio(); close_fds(keep=[result_fd])
    scrub_environment(workdir); isolate_ipc()                   # an IPC namespace of its own
    limit_resources(cpu_seconds=...)
    restrict_filesystem(default_read_only_paths(), [workdir])   # Landlock
    restrict_syscalls(os.getpid())                              # the seccomp-BPF allow-list
    drop_capabilities()                                         # optional, for a root grader

(the zygote itself calls ``isolate_network()`` once, so all its children share a network namespace
with nothing in it; and it prepares what it can for the next child, before the first fork and
after each one: ``drop_bounding_set()`` once, ``renew_ipc_namespace()`` and
``prepare_filesystem(read_only)`` (right before each fork), which the child's ``isolate_ipc()``, ``restrict_filesystem()``
and ``drop_capabilities()`` then take over; the child keeps ``prepared_ruleset()`` open through
``close_fds``).

Every layer is plain ``ctypes``/stdlib. A layer the platform lacks (not Linux, old kernel, a
container that forbids it) makes its function return ``False`` rather than raise; ``report()``
says which layers exist here, for a one-time warning. Call the Linux layers while the process is
single-threaded (a forked child is): Landlock and seccomp bind the calling thread and its future
threads only. The verdict logic never depends on these layers; they limit what a hostile
submission can reach.
"""

from __future__ import annotations

import ctypes
import errno
import math
import os
import platform
import site
import stat
import struct
import sys
from collections.abc import Iterable

try:
    import resource
except ImportError:  # Windows: no rlimits (the parent's timeouts still hold)
    resource = None  # type: ignore[assignment]

__all__ = [
    "die_with_parent", "new_process_group", "redirect_stdio", "close_fds", "scrub_environment", "limit_resources",
    "restrict_filesystem", "restrict_syscalls", "drop_capabilities", "default_read_only_paths",
    "isolate_network", "isolate_ipc", "renew_ipc_namespace", "drop_bounding_set",
    "prepare_filesystem", "ruleset_taken", "prepared_ruleset", "release_prepared", "discard_prepared",
    "landlock_abi", "prepare", "report",
]

_LINUX = sys.platform.startswith("linux")
_applied: dict[str, object] = {}  # what this process actually applied, shown by report()

BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


# --------------------------------------------------------------------------- libc plumbing

_libc_handle: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL:
    global _libc_handle
    if _libc_handle is None:
        _libc_handle = ctypes.CDLL(None, use_errno=True)
        _libc_handle.syscall.restype = ctypes.c_long
    return _libc_handle


if _LINUX:
    _libc()  # load once in the warm parent, not in every child


def _check(ret: int, what: str) -> int:
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return ret


def _syscall(nr: int, *args: object) -> int:
    """Raw syscall; ints are passed as C longs, ctypes objects as they are."""
    cargs = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    return _check(_libc().syscall(ctypes.c_long(nr), *cargs), f"syscall {nr}")


def _prctl(option: int, arg2: int = 0, arg3: object = 0) -> int:
    """prctl(2); ``arg3`` may be a ctypes pointer."""
    a3 = ctypes.c_ulong(arg3) if isinstance(arg3, int) else arg3
    return _check(_libc().prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), a3,
                                ctypes.c_ulong(0), ctypes.c_ulong(0)), f"prctl {option}")


_PR_GET_SECCOMP, _PR_SET_SECCOMP, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 21, 22, 24, 38
_SECCOMP_MODE_FILTER = 2


def _no_new_privs() -> None:
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)


def _arch() -> str | None:
    """``x86_64`` or ``aarch64`` for a 64-bit process on those CPUs, else None."""
    if not _LINUX or struct.calcsize("P") != 8:
        return None
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64",
            "arm64": "aarch64"}.get(platform.machine().lower())


def _thread_count() -> int | None:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def _require_single_thread(layer: str) -> None:
    count = _thread_count()
    if count is not None and count > 1:
        raise RuntimeError(f"{layer} must be applied while single-threaded ({count} threads)")


# --------------------------------------------------------------------------- process basics

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Have the kernel SIGKILL this process when its parent ends (Linux ``PR_SET_PDEATHSIG``).

    So that a killed ``grade batch`` (SIGKILL, the OOM killer) takes its workers, their zygotes and
    the children grading submissions with it, instead of leaving them waiting (or sleeping) forever.
    ``parent``: the pid the parent had (default: the current parent); if it has already changed,
    this process exits at once. The signal fires when the parent *thread* that started this process
    ends, so call it only in processes started from a long-lived thread. True if armed.
    """
    if parent is None:
        parent = os.getppid()
    armed = False
    if _LINUX:
        try:
            _prctl(_PR_SET_PDEATHSIG, 9)  # SIGKILL
            armed = True
        except OSError:
            pass
    if os.getppid() != parent:  # the parent ended before the signal was armed
        os._exit(1)
    _applied["die_with_parent"] = armed
    return armed


def new_process_group() -> int:
    """Start a new session (or at least a new process group) so the parent can kill the group.

    Returns the new process group id. A process started with ``start_new_session`` already leads
    its own session (nothing to do); on Windows the parent gave it a process group of its own
    (``CREATE_NEW_PROCESS_GROUP``), so there is nothing to do either (returns 0).
    """
    if not hasattr(os, "setsid"):
        _applied["process_group"] = "set by the parent"
        return 0
    if os.getsid(0) == os.getpid():
        _applied["process_group"] = True
        return os.getpgid(0)
    try:
        os.setsid()
    except OSError:  # already a group leader: a new group still works
        os.setpgid(0, 0)
    _applied["process_group"] = True
    return os.getpgid(0)


def redirect_stdio() -> None:
    """Point descriptors 0, 1 and 2 at /dev/null and rebind sys.stdin/stdout/stderr to them.

    The new Python streams drop whatever the parent had buffered before fork and keep working
    even when the parent's streams wrote elsewhere (pytest capture, a progress bar's fd).
    """
    fd = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        if fd != target:
            os.dup2(fd, target)
    if fd > 2:
        os.close(fd)
    sys.stdin = open(0, encoding="utf-8", errors="replace", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",
                      closefd=False)


def _fd_ceiling() -> int:
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return max(int(name) for name in os.listdir(folder)) + 1
        except (OSError, ValueError):
            pass
    if hasattr(os, "sysconf"):
        return os.sysconf("SC_OPEN_MAX")
    return 512  # Windows: the C runtime's descriptors (handles are not inherited anyway)


_CLOSE_RANGE_NR = {"x86_64": 436, "aarch64": 436}
_close_range_ok: bool | None = None


def _has_close_range() -> bool:
    """Whether close_range(2) works here (Linux 5.9+); probed once, on a range with nothing open."""
    global _close_range_ok
    if _close_range_ok is None:
        _close_range_ok = False
        if _arch() is not None:
            try:
                _syscall(_CLOSE_RANGE_NR[_arch()], 0x7FFFFFF0, 0x7FFFFFFF, 0)
                _close_range_ok = True
            except OSError:
                pass
    return _close_range_ok


def close_fds(keep: Iterable[int] = ()) -> None:
    """Close every descriptor except 0, 1, 2 and those in ``keep``."""
    fast = _has_close_range()
    low = 0
    for fd in sorted({0, 1, 2, *(k for k in keep if k >= 0)}):
        if fd > low:
            os.closerange(low, fd)
        low = max(low, fd + 1)
    if fast:  # one system call, however many descriptors there are
        _syscall(_CLOSE_RANGE_NR[_arch()], low, 0xFFFFFFFF, 0)
    else:
        os.closerange(low, max(low, _fd_ceiling()))


def _wipe_initial_environment() -> bool:
    """Zero the environment strings the kernel placed on the stack at exec time.

    Without this, ``/proc/self/environ`` and a memory scan still show the parent's original
    environment after ``os.environ`` is cleared. Linux only; best effort.
    """
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[47]), int(fields[48])  # fields 50, 51: env_start, env_end
    except (OSError, IndexError, ValueError):
        return False
    if 0 < start < end:
        ctypes.memset(start, 0, end - start)
        return True
    return False


def scrub_environment(workdir: str, extra: dict[str, str] | None = None, *, wipe: bool = True) -> dict[str, str]:
    """Replace the environment by a minimal safe set and return it.

    Keeps nothing of the parent's environment: PATH=/usr/bin:/bin, HOME and TMPDIR = workdir,
    LANG=C.UTF-8, PYTHONDONTWRITEBYTECODE=1, the BLAS thread variables = 1, plus ``extra``.
    Also clears the C-level environment (``clearenv``), wipes the exec-time environment block
    on Linux, and mirrors what the variables would do in an already-running interpreter
    (``sys.dont_write_bytecode``, ``tempfile.tempdir``). PYTHONHASHSEED is left out: the hash
    seed was fixed when the parent started and cannot change after fork. ``wipe=False`` skips
    the exec-time block, for a process forked from a parent that wiped it already (the memory is
    inherited wiped).
    """
    workdir = os.fspath(workdir)
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1", **{name: "1" for name in BLAS_THREAD_VARS},
           **(extra or {})}
    if os.name == "nt":  # Windows cannot start Python (random numbers, DLLs) without these
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "WINDIR", "SYSTEMDRIVE") if k in os.environ})
        env.update({"TEMP": workdir, "TMP": workdir, "USERPROFILE": workdir,
                    "PATH": os.pathsep.join(p for p in (os.path.dirname(sys.executable),
                                                        os.environ.get("SYSTEMROOT", "")) if p)})
    os.environ.clear()
    if _LINUX:
        _libc().clearenv()
        _applied["environ_block_wiped"] = _wipe_initial_environment() if wipe else "by the parent"
    os.environ.update(env)
    sys.dont_write_bytecode = True
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None  # recomputed from TMPDIR on next use
    _applied["environment"] = sorted(env)
    return env


def environment_wiped() -> bool:
    """Whether this process (or the parent it was forked from) wiped its exec-time environment block."""
    return _applied.get("environ_block_wiped") in (True, "by the parent")


def limit_resources(*, cpu_seconds: float, memory_bytes: int | None = 1 << 30,
                    file_bytes: int | None = 16 << 20, open_files: int | None = 64,
                    processes: int | None = None) -> dict[str, bool]:
    """Set hard and soft rlimits; return which ones took effect.

    CPU: soft = ceil(cpu_seconds) (SIGXCPU), hard = soft + 1 (SIGKILL). Address space, file size
    and open files as given (None leaves one alone); no core dumps. ``processes`` sets
    RLIMIT_NPROC, which counts every process and thread of the real user and is ignored for root,
    so it is off by default. A limit the platform refuses (macOS and RLIMIT_AS) is reported False.
    """
    if resource is None:
        _applied["rlimits"] = {}
        return {}
    wanted = [("cpu", resource.RLIMIT_CPU, math.ceil(cpu_seconds), 1),
              ("as", resource.RLIMIT_AS, memory_bytes, 0),
              ("fsize", resource.RLIMIT_FSIZE, file_bytes, 0),
              ("nofile", resource.RLIMIT_NOFILE, open_files, 0),
              ("core", resource.RLIMIT_CORE, 0, 0),
              ("nproc", resource.RLIMIT_NPROC, processes, 0)]
    done: dict[str, bool] = {}
    for name, which, soft, slack in wanted:
        if soft is None:
            continue
        hard = soft + slack
        try:
            _, current = resource.getrlimit(which)
            if current != resource.RLIM_INFINITY:
                soft, hard = min(soft, current), min(hard, current)
            resource.setrlimit(which, (soft, hard))
            done[name] = True
        except (ValueError, OSError):
            done[name] = False
    _applied["rlimits"] = done
    return done


# --------------------------------------------------------------------------- namespaces

_CLONE_NEWIPC, _CLONE_NEWUSER, _CLONE_NEWNET = 0x08000000, 0x10000000, 0x40000000
_own_user_namespace = False  # this process (or the zygote it was forked from) made a user namespace


def _unshare(flags: int) -> str | None:
    """unshare(2) ``flags``; where that needs a user namespace (an ordinary user), make one too, with
    this process's own uid and gid mapped to themselves (files and ``getuid()`` look as before).
    Returns how (``"as root"``, ``"in a user namespace"``) or None when the kernel or its policy
    (no unprivileged user namespaces, a container, AppArmor) says no."""
    global _own_user_namespace
    libc = _libc()
    if libc.unshare(ctypes.c_int(flags)) == 0:
        return "in a user namespace" if _own_user_namespace else "as root"
    if ctypes.get_errno() != errno.EPERM:
        return None
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(ctypes.c_int(flags | _CLONE_NEWUSER)) != 0:
        return None
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write(text)
    except OSError:
        pass  # unmapped ids only look different (65534); access is still checked with the real ones
    _own_user_namespace = True
    return "in a user namespace"


def isolate_network() -> bool:
    """For the zygote, once: a network namespace of its own, which its children share.

    It holds nothing but a loopback interface that is down: no route anywhere, no other process's
    sockets (abstract Unix sockets included). One per zygote rather than one per child because one
    per child adds 1 to 2 ms of wall-clock time (mostly the kernel's teardown; a sixth of a
    submission's time), and it keeps nothing between children: a socket ends with its process, and configuring
    the namespace needs capabilities the children drop. As an ordinary user it comes with a user
    namespace (its children then inherit the right to make their own IPC namespace). Linux, as root
    or where unprivileged user namespaces are allowed; True if done (what ``report()`` shows).
    """
    done = _unshare(_CLONE_NEWNET) if _arch() is not None and _thread_count() in (1, None) else None
    _applied["network_namespace"] = done or False
    return done is not None


def isolate_ipc() -> bool:
    """For each child: an IPC namespace of its own, so SysV shared memory, semaphores and message
    queues and POSIX message queues of other processes do not exist for it, and whatever it makes
    dies with it (the namespace ends with its last process). A child forked by a zygote usually
    finds one made for it already (:func:`renew_ipc_namespace`) and has nothing to do; otherwise
    it makes its own (0.3 ms of CPU and about 1 ms of waiting in the kernel).
    Call it before Landlock and before capabilities are dropped; True if done."""
    global _ipc_isolated, _ipc_fresh
    if _ipc_isolated == os.getpid():  # already done in this process (a fork does it before reading its job)
        return True
    done, _ipc_fresh = _ipc_fresh, None  # made by the parent for the one child it forked next
    if done is None:
        done = _unshare(_CLONE_NEWIPC) if _arch() is not None else None
    _applied["ipc_namespace"] = done or False
    if done is not None:
        _ipc_isolated = os.getpid()
    return done is not None


def renew_ipc_namespace() -> bool:
    """For the zygote, before it forks and again after each fork: move into a new, empty IPC
    namespace, which the next child it forks inherits and :func:`isolate_ipc` then takes as its own.

    The zygote itself makes no IPC object, and it leaves each namespace right after forking one
    child into it: so each child still has a namespace no other child has ever been in, which ends
    with it, while the kernel's cost of making one (a wait of about 1 ms) is paid here, while that
    child runs, instead of on the child's own path. Where it fails, the next child makes its own.
    True if done."""
    global _ipc_fresh
    _ipc_fresh = _unshare(_CLONE_NEWIPC) if _arch() is not None else None
    return _ipc_fresh is not None


_ipc_isolated = 0  # the pid of the process that made its own IPC namespace (a fork inherits the variable)
_ipc_fresh: str | None = None  # how this process moved into an IPC namespace nobody else is in, if it did


# --------------------------------------------------------------------------- Landlock

_LL_CREATE_RULESET, _LL_ADD_RULE, _LL_RESTRICT_SELF = 444, 445, 446  # x86_64 and aarch64
_LL_VERSION_FLAG, _LL_RULE_PATH_BENEATH = 1, 1
(_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR, _FS_REMOVE_DIR, _FS_REMOVE_FILE,
 _FS_MAKE_CHAR, _FS_MAKE_DIR, _FS_MAKE_REG, _FS_MAKE_SOCK, _FS_MAKE_FIFO, _FS_MAKE_BLOCK,
 _FS_MAKE_SYM, _FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV) = (1 << i for i in range(16))
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1, 2

# TEST ONLY: GRADE_TEST_LANDLOCK_SIGNAL_SCOPE=off leaves signals out of Landlock's scoping, so that the
# hostile corpus proves on any kernel that the seccomp allow-list alone stops signals sent without kill
# (SIGIO through fcntl), as it must on kernels before 6.12. Read once, at import (the zygote's
# environment is scrubbed afterwards); it weakens the sandbox, so never set it outside the tests.
SIGNAL_SCOPE_SWITCH = "GRADE_TEST_LANDLOCK_SIGNAL_SCOPE"
_signal_scope_off = os.environ.get(SIGNAL_SCOPE_SWITCH) == "off"

_FS_FILE_ONLY = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
_FS_READ = _FS_READ_FILE | _FS_READ_DIR  # no EXECUTE: nothing may be exec'd
_FS_WRITE = (_FS_READ | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_REMOVE_DIR | _FS_REMOVE_FILE
             | _FS_MAKE_DIR | _FS_MAKE_REG | _FS_MAKE_SYM | _FS_REFER)  # never device nodes


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_landlock_probe: tuple[int, str] | None = None


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is unavailable."""
    global _landlock_probe
    if _landlock_probe is None:
        if _arch() is None:
            _landlock_probe = (0, f"not supported on {sys.platform}/{platform.machine()}")
        else:
            try:
                abi = _syscall(_LL_CREATE_RULESET, None, 0, _LL_VERSION_FLAG)
                _landlock_probe = (abi, f"abi {abi}")
            except OSError as exc:
                _landlock_probe = (0, f"unavailable ({exc.strerror})")
    return _landlock_probe[0]


def _handled_fs(abi: int) -> int:
    """All filesystem rights this ABI knows: ABI 1 has 13, +REFER (2), +TRUNCATE (3), +IOCTL_DEV (5)."""
    bits = 13 if abi == 1 else 14 if abi == 2 else 15 if abi < 5 else 16
    return (1 << bits) - 1


def _path_rule(path: str, access: int) -> tuple[int, int] | None:
    """An ``O_PATH`` descriptor of ``path`` and the rights a rule on it may grant (files get file
    rights only); None when it is missing or unreachable (nothing to allow). The caller closes it."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FS_FILE_ONLY
    except OSError:
        access = 0
    if not access:
        os.close(fd)
        return None
    return fd, access


def _add_rule(ruleset_fd: int, path_fd: int, access: int) -> None:
    rule = _PathBeneathAttr(access, path_fd)
    _syscall(_LL_ADD_RULE, ruleset_fd, _LL_RULE_PATH_BENEATH, ctypes.byref(rule), 0)


def _add_path_rule(ruleset_fd: int, path: str, access: int) -> bool:
    opened = _path_rule(path, access)
    if opened is None:
        return False
    try:
        _add_rule(ruleset_fd, *opened)
        return True
    finally:
        os.close(opened[0])


def _new_ruleset(abi: int) -> int:
    attr = _RulesetAttr(_handled_fs(abi),
                        _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0,
                        (0 if _signal_scope_off else _SCOPE_SIGNAL) | _SCOPE_ABSTRACT_UNIX_SOCKET if abi >= 6 else 0)
    return _syscall(_LL_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)


# A zygote's read-only rules, made ahead for the next child it forks (prepare_filesystem): the
# descriptors of the read-only paths (opened once), and one ruleset holding their rules, new after
# every fork: (read-only paths, their descriptors and rights, the ruleset's descriptor or -1).
_prepared: tuple[tuple[str, ...], list[tuple[int, int]], int] | None = None


def prepare_filesystem(read_only: Iterable[str]) -> bool:
    """For the zygote, right before each fork: a Landlock ruleset that already
    holds the rules of ``read_only``, for the next child (:func:`restrict_filesystem` adds its own
    folder and enforces it). The paths are opened once, here; the ruleset is new for each child.

    The ruleset is a kernel object that a fork shares: the child adds its folder to it, so this
    process closes its own descriptor right after the fork (:func:`ruleset_taken`; here too, should
    it still hold one), never to add to it or enforce it. Each child's ruleset therefore holds the read-only rules and its own folder, nobody
    else's. True if prepared (False without Landlock)."""
    global _prepared
    abi = landlock_abi()
    if abi < 1:
        return False
    paths = tuple(os.fspath(p) for p in read_only)
    if _prepared is None or _prepared[0] != paths:
        release_prepared()
        handled = _handled_fs(abi)
        opened = [_path_rule(p, _FS_READ & handled) for p in paths]
        _prepared = (paths, [o for o in opened if o is not None], -1)
    paths, rules, ruleset = _prepared
    if ruleset >= 0:
        os.close(ruleset)  # the last child's: it holds that child's folder now
        _prepared = (paths, rules, -1)
    try:
        ruleset = _new_ruleset(abi)
    except OSError:  # out of descriptors, say: the child makes its own ruleset, as without a zygote
        return False
    try:
        for path_fd, access in rules:
            _add_rule(ruleset, path_fd, access)
    except OSError:
        os.close(ruleset)
        return False
    _prepared = (paths, rules, ruleset)
    return True


def ruleset_taken() -> None:
    """For the zygote, right after a fork: close its descriptor of the ruleset the child took (the
    child adds its folder to it: never to be added to or enforced here)."""
    global _prepared
    if _prepared is not None and _prepared[2] >= 0:
        os.close(_prepared[2])
        _prepared = (_prepared[0], _prepared[1], -1)


def prepared_ruleset() -> int:
    """The descriptor of the ruleset prepared for this child (-1 if none): to keep when other
    descriptors are closed, until :func:`restrict_filesystem` has used it."""
    return _prepared[2] if _prepared is not None else -1


def release_prepared() -> None:
    """Close every descriptor :func:`prepare_filesystem` opened (the process that prepared them)."""
    global _prepared
    if _prepared is None:
        return
    _, rules, ruleset = _prepared
    _prepared = None
    for fd in [ruleset] + [path_fd for path_fd, _ in rules]:
        if fd >= 0:
            os.close(fd)


def discard_prepared() -> None:
    """In a forked child, after :func:`close_fds` (which closed the zygote's path descriptors): close
    the prepared ruleset if it is still open (unused: Landlock off for this job) and forget it all."""
    global _prepared
    if _prepared is not None and _prepared[2] >= 0:
        os.close(_prepared[2])
    _prepared = None


def restrict_filesystem(read_only: Iterable[str] | None = None,
                        read_write: Iterable[str] = ()) -> bool:
    """Confine file access with Landlock; True if enforced, False if Landlock is unavailable.

    ``read_only`` paths (default: ``default_read_only_paths()``) may be read and listed;
    ``read_write`` paths may also be written, created, renamed within and deleted. Nothing may be
    executed, no device node made, and everything else is denied, including through symlinks.
    With ABI 4+ TCP bind/connect is denied; with ABI 6+ signals to processes outside the sandbox
    and abstract unix sockets are too. Missing paths are skipped; files get file rights only.
    A ruleset the zygote prepared for these read-only paths (:func:`prepare_filesystem`) is used
    and closed: only ``read_write`` is added to it (call :func:`close_fds` first, keeping
    :func:`prepared_ruleset`).
    """
    abi = landlock_abi()
    if abi < 1:
        _applied["landlock"] = False
        return False
    _require_single_thread("Landlock")
    handled = _handled_fs(abi)
    read_only = [os.fspath(p) for p in (default_read_only_paths() if read_only is None else read_only)]
    prepared = _prepared is not None and _prepared[2] >= 0 and list(_prepared[0]) == read_only
    ruleset = _prepared[2] if prepared else _new_ruleset(abi)
    try:
        rules = [] if prepared else [(p, _FS_READ) for p in read_only]
        rules += [(os.fspath(p), _FS_WRITE) for p in read_write]
        for path, access in rules:
            _add_path_rule(ruleset, path, access & handled)
        _no_new_privs()
        _syscall(_LL_RESTRICT_SELF, ruleset, 0)
    finally:
        if prepared:
            discard_prepared()  # the path descriptors were closed with the others (close_fds)
        else:
            os.close(ruleset)
    _applied["landlock"] = f"abi {abi}"
    return True


# --------------------------------------------------------------------------- seccomp

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_SYSCALL_BIT = 0x40000000

# Syscall numbers, taken once from libseccomp's tables (`scmp_sys_resolver -a ARCH NAME`); the tests
# check a few against the kernel headers' values. aarch64 has no open, stat, fork... (only the *at
# forms; glibc uses those there).
_SYSCALLS = {
    "x86_64": dict(
        read=0, write=1, open=2, close=3, stat=4, fstat=5, lstat=6, poll=7, lseek=8, mmap=9, mprotect=10,
        munmap=11, brk=12, rt_sigaction=13, rt_sigprocmask=14, rt_sigreturn=15, ioctl=16, pread64=17,
        pwrite64=18, readv=19, writev=20, access=21, pipe=22, select=23, sched_yield=24, mremap=25,
        msync=26, mincore=27, madvise=28, shmget=29, shmat=30, shmctl=31, dup=32, dup2=33, pause=34,
        nanosleep=35, getitimer=36, alarm=37, setitimer=38, getpid=39, sendfile=40, socket=41,
        socketpair=53, clone=56, fork=57, vfork=58, execve=59, exit=60, wait4=61, kill=62, uname=63,
        semget=64, semop=65, semctl=66, shmdt=67, msgget=68, msgsnd=69, msgrcv=70, msgctl=71, fcntl=72,
        flock=73, fsync=74, fdatasync=75, truncate=76, ftruncate=77, getdents=78, getcwd=79, chdir=80,
        fchdir=81, rename=82, mkdir=83, rmdir=84, creat=85, link=86, unlink=87, symlink=88, readlink=89,
        chmod=90, fchmod=91, umask=95, gettimeofday=96, getrlimit=97, getrusage=98, sysinfo=99, times=100,
        ptrace=101, getuid=102, getgid=104, geteuid=107, getegid=108, getppid=110, getpgrp=111,
        getgroups=115, getresuid=118, getresgid=120, getpgid=121, getsid=124, capget=125, capset=126,
        rt_sigpending=127, rt_sigtimedwait=128, rt_sigqueueinfo=129, rt_sigsuspend=130, sigaltstack=131,
        utime=132, personality=135, statfs=137, fstatfs=138, getpriority=140, setpriority=141,
        sched_setparam=142, sched_getparam=143, sched_setscheduler=144, sched_getscheduler=145,
        sched_get_priority_max=146, sched_get_priority_min=147, sched_rr_get_interval=148, prctl=157,
        arch_prctl=158, setrlimit=160, mount=165, gettid=186, getxattr=191, lgetxattr=192, fgetxattr=193,
        listxattr=194, llistxattr=195, flistxattr=196, tkill=200, time=201, futex=202,
        sched_setaffinity=203, sched_getaffinity=204, epoll_create=213, getdents64=217,
        set_tid_address=218, restart_syscall=219, semtimedop=220, fadvise64=221, timer_create=222,
        timer_settime=223, timer_gettime=224, timer_getoverrun=225, timer_delete=226, clock_gettime=228,
        clock_getres=229, clock_nanosleep=230, exit_group=231, epoll_wait=232, epoll_ctl=233, tgkill=234,
        utimes=235, mq_open=240, mq_unlink=241, mq_timedsend=242, mq_timedreceive=243, mq_notify=244,
        mq_getsetattr=245, waitid=247, add_key=248, request_key=249, keyctl=250, ioprio_set=251,
        ioprio_get=252, openat=257, mkdirat=258, futimesat=261, newfstatat=262, unlinkat=263,
        renameat=264, linkat=265, symlinkat=266, readlinkat=267, fchmodat=268, faccessat=269,
        pselect6=270, ppoll=271, unshare=272, set_robust_list=273, utimensat=280, epoll_pwait=281,
        signalfd=282, timerfd_create=283, eventfd=284, fallocate=285, timerfd_settime=286,
        timerfd_gettime=287, signalfd4=289, eventfd2=290, epoll_create1=291, dup3=292, pipe2=293,
        preadv=295, pwritev=296, rt_tgsigqueueinfo=297, perf_event_open=298, prlimit64=302, setns=308,
        getcpu=309, process_vm_readv=310, process_vm_writev=311, sched_setattr=314, sched_getattr=315,
        renameat2=316, getrandom=318, memfd_create=319, bpf=321, execveat=322, userfaultfd=323,
        membarrier=324, copy_file_range=326, preadv2=327, pwritev2=328, statx=332, rseq=334,
        pidfd_send_signal=424, io_uring_setup=425, io_uring_enter=426, io_uring_register=427,
        pidfd_open=434, clone3=435, close_range=436, openat2=437, faccessat2=439, epoll_pwait2=441,
        futex_waitv=449, fchmodat2=452, map_shadow_stack=453),
    "aarch64": dict(
        getxattr=8, lgetxattr=9, fgetxattr=10, listxattr=11, llistxattr=12, flistxattr=13, getcwd=17,
        eventfd2=19, epoll_create1=20, epoll_ctl=21, epoll_pwait=22, dup=23, dup3=24, fcntl=25, ioctl=29,
        ioprio_set=30, ioprio_get=31, flock=32, mkdirat=34, unlinkat=35, symlinkat=36, linkat=37,
        renameat=38, mount=40, statfs=43, fstatfs=44, truncate=45, ftruncate=46, fallocate=47,
        faccessat=48, chdir=49, fchdir=50, fchmod=52, fchmodat=53, openat=56, close=57, pipe2=59,
        getdents64=61, lseek=62, read=63, write=64, readv=65, writev=66, pread64=67, pwrite64=68,
        preadv=69, pwritev=70, sendfile=71, pselect6=72, ppoll=73, signalfd4=74, readlinkat=78,
        newfstatat=79, fstat=80, fsync=82, fdatasync=83, timerfd_create=85, timerfd_settime=86,
        timerfd_gettime=87, utimensat=88, capget=90, capset=91, personality=92, exit=93, exit_group=94,
        waitid=95, set_tid_address=96, unshare=97, futex=98, set_robust_list=99, nanosleep=101,
        getitimer=102, setitimer=103, timer_create=107, timer_gettime=108, timer_getoverrun=109,
        timer_settime=110, timer_delete=111, clock_gettime=113, clock_getres=114, clock_nanosleep=115,
        ptrace=117, sched_setparam=118, sched_setscheduler=119, sched_getscheduler=120,
        sched_getparam=121, sched_setaffinity=122, sched_getaffinity=123, sched_yield=124,
        sched_get_priority_max=125, sched_get_priority_min=126, sched_rr_get_interval=127,
        restart_syscall=128, kill=129, tkill=130, tgkill=131, sigaltstack=132, rt_sigsuspend=133,
        rt_sigaction=134, rt_sigprocmask=135, rt_sigpending=136, rt_sigtimedwait=137, rt_sigqueueinfo=138,
        rt_sigreturn=139, setpriority=140, getpriority=141, getresuid=148, getresgid=150, times=153,
        getpgid=155, getsid=156, getgroups=158, uname=160, getrlimit=163, setrlimit=164, getrusage=165,
        umask=166, prctl=167, getcpu=168, gettimeofday=169, getpid=172, getppid=173, getuid=174,
        geteuid=175, getgid=176, getegid=177, gettid=178, sysinfo=179, mq_open=180, mq_unlink=181,
        mq_timedsend=182, mq_timedreceive=183, mq_notify=184, mq_getsetattr=185, msgget=186, msgctl=187,
        msgrcv=188, msgsnd=189, semget=190, semctl=191, semtimedop=192, semop=193, shmget=194, shmctl=195,
        shmat=196, shmdt=197, socket=198, socketpair=199, brk=214, munmap=215, mremap=216, add_key=217,
        request_key=218, keyctl=219, clone=220, execve=221, mmap=222, fadvise64=223, mprotect=226,
        msync=227, mincore=232, madvise=233, rt_tgsigqueueinfo=240, perf_event_open=241, wait4=260,
        prlimit64=261, setns=268, process_vm_readv=270, process_vm_writev=271, sched_setattr=274,
        sched_getattr=275, renameat2=276, getrandom=278, memfd_create=279, bpf=280, execveat=281,
        userfaultfd=282, membarrier=283, copy_file_range=285, preadv2=286, pwritev2=287, statx=291,
        rseq=293, pidfd_send_signal=424, io_uring_setup=425, io_uring_enter=426, io_uring_register=427,
        pidfd_open=434, clone3=435, close_range=436, openat2=437, faccessat2=439, epoll_pwait2=441,
        futex_waitv=449, fchmodat2=452, map_shadow_stack=453),
}


def _newest(arch: str) -> int:
    """The highest number in the table. Numbers above it are syscalls newer than the table: they get
    ENOSYS, as on a kernel that lacks them, so a libc that tries a new call (futex_wait, mseal...)
    and falls back to an old one keeps working."""
    return max(_SYSCALLS[arch].values())


# The allow-list: what CPython, numpy (OpenBLAS limited to one thread) and the harness need. Files
# (Landlock decides which), memory, time, signals to itself, threads, waiting. Everything else fails
# with EPERM: processes and programs, sockets, SysV IPC, POSIX message queues, keyrings, ptrace and
# process_vm_*, io_uring, bpf, perf_event_open, userfaultfd, namespaces, mount, personality,
# memfd_create, setrlimit, splice... (anything not named here).
_ALLOWED = (
    # files and descriptors
    "read", "write", "open", "openat", "openat2", "creat", "close", "close_range", "pread64", "pwrite64",
    "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2", "lseek", "stat", "fstat", "lstat",
    "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2", "getdents",
    "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename",
    "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "readlink", "readlinkat", "chmod",
    "fchmod", "fchmodat", "fchmodat2", "truncate", "ftruncate", "fallocate", "fsync", "fdatasync", "flock",
    "utime", "utimes", "utimensat", "futimesat", "umask", "fadvise64", "getxattr", "lgetxattr",
    "fgetxattr", "listxattr", "llistxattr", "flistxattr", "sendfile", "copy_file_range", "dup", "dup2",
    "dup3", "pipe", "pipe2", "select", "poll", "ppoll", "pselect6", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd",
    "signalfd4", "timerfd_create", "timerfd_settime", "timerfd_gettime",
    # memory
    "brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "mincore", "msync", "membarrier",
    "map_shadow_stack",
    # who am I, what time is it
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid",
    "getresgid", "getpgid", "getpgrp", "getsid", "uname", "sysinfo", "getrusage", "times", "getrlimit",
    "getcpu", "capget", "capset", "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
    "gettimeofday", "time", "alarm", "setitimer", "getitimer", "timer_create", "timer_settime",
    "timer_gettime", "timer_getoverrun", "timer_delete", "getrandom",
    # signals (sending them is filtered below), threads, the end
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait",
    "sigaltstack", "pause", "restart_syscall", "futex", "futex_waitv", "set_robust_list",
    "set_tid_address", "rseq", "sched_yield", "sched_get_priority_max", "sched_get_priority_min",
    "arch_prctl", "exit", "exit_group", "wait4", "waitid",
)
# Allowed with some arguments only: syscall -> the block of the filter that looks at them.
_FILTERED = {
    "clone": "clone",          # threads only: CLONE_THREAD and no new namespace
    "clone3": "enosys",        # its flags are in memory, out of a filter's reach: glibc falls back to clone
    "fcntl": "fcntl",          # no F_SETOWN/F_SETOWN_EX/F_SETSIG/F_SETLEASE/F_NOTIFY (signals via SIGIO)
    "ioctl": "ioctl",          # the few requests Python's io asks (no TIOCSTI and the like)
    "prctl": "prctl",          # reading options, naming a thread, dropping capabilities
    "prlimit64": "prlimit",    # reading its own limits only
    **{name: "self" for name in (
        "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",  # arg0 = pid (tgid)
        "sched_setscheduler", "sched_getscheduler", "sched_setparam", "sched_getparam", "sched_setattr",
        "sched_getattr", "sched_setaffinity", "sched_getaffinity", "sched_rr_get_interval")},
    "getpriority": "priority", "setpriority": "priority",  # (PRIO_PROCESS, itself)
    "ioprio_get": "ioprio", "ioprio_set": "ioprio",        # (IOPRIO_WHO_PROCESS, itself)
}
_FCNTL_ALLOWED = (0, 1, 2, 3, 4, 5, 6, 7,  # F_DUPFD, F_GETFD/SETFD, F_GETFL/SETFL, F_GETLK/SETLK/SETLKW
                  9, 11, 16,               # F_GETOWN, F_GETSIG, F_GETOWN_EX: reading is harmless
                  36, 37, 38,              # F_OFD_GETLK/SETLK/SETLKW
                  1025, 1030, 1031, 1032, 1033, 1034)  # F_GETLEASE, F_DUPFD_CLOEXEC, pipe size, seals
_IOCTL_ALLOWED = (0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451)  # TCGETS, TIOCGWINSZ, FIONREAD,
#                                                                 # FIONBIO, FIONCLEX, FIOCLEX
_PRCTL_ALLOWED = (2, 3, 7, 15, 16, 21, 23, 24, 30, 34, 38, 39, 40, 42,  # PR_GET_*, PR_SET_NAME,
                  0x53564D41)  # PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS (both only take away), PR_SET_VMA
_PRIO_PROCESS, _IOPRIO_WHO_PROCESS = 0, 1

_CLONE_THREAD = 0x00010000
_CLONE_NEW_NAMESPACES = 0x7E020000  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
_LD_ABS, _JA, _JEQ, _JGE, _AND, _RET = 0x20, 0x05, 0x15, 0x35, 0x54, 0x06
_RET_KILL_PROCESS, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
_OFF_NR, _OFF_ARCH = 0, 4
_RETURNS = {"allow": _RET_ALLOW, "deny": _RET_ERRNO | errno.EPERM, "enosys": _RET_ERRNO | errno.ENOSYS,
            "kill": _RET_KILL_PROCESS}


def _arg_lo(i: int) -> int:
    return 16 + 8 * i  # struct seccomp_data.args[i], low word (little-endian)


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


class _Assembler:
    """Classic BPF with labels: ``jt``/``jf`` may name a label (resolved to a short forward jump),
    and a ``_JA`` instruction's ``k`` may too (a long jump)."""

    def __init__(self) -> None:
        self.prog: list[list] = []
        self.labels: dict[str, int] = {}
        self.own_pid_slots: list[int] = []

    def op(self, code: int, k: int | str = 0, jt: int | str = 0, jf: int | str = 0) -> None:
        self.prog.append([code, jt, jf, k if isinstance(k, str) else k & 0xFFFFFFFF])

    def label(self, name: str) -> None:
        self.labels[name] = len(self.prog)

    def ret(self, action: str) -> None:
        self.op(_RET, _RETURNS[action])

    def own_pid_or_zero(self, arg: int) -> None:
        """Allow when argument ``arg`` is 0 (itself) or its own pid (patched per child), else deny."""
        self.op(_LD_ABS, _arg_lo(arg))
        self.own_pid_slots.append(len(self.prog))
        self.op(_JEQ, 0, 1, 0)  # k: the child's pid
        self.op(_JEQ, 0, 0, 1)
        self.ret("allow")
        self.ret("deny")

    def one_of(self, arg: int, values: Iterable[int]) -> None:
        """Allow when argument ``arg`` (its low 32 bits: an int or unsigned int) is one of ``values``."""
        values = list(values)
        self.op(_LD_ABS, _arg_lo(arg))
        for i, value in enumerate(values):
            self.op(_JEQ, value, len(values) - i, 0)
        self.ret("deny")
        self.ret("allow")

    def resolve(self) -> list[tuple[int, int, int, int]]:
        for i, ins in enumerate(self.prog):
            for j in (1, 2):
                if isinstance(ins[j], str):
                    ins[j] = self.labels[ins[j]] - (i + 1)
                    assert 0 <= ins[j] < 256, "BPF jump out of range"
            if isinstance(ins[3], str):
                ins[3] = self.labels[ins[3]] - (i + 1)
        return [tuple(ins) for ins in self.prog]


def _ranges(arch: str) -> list[tuple[int, str]]:
    """The syscall space as (first number, action or block) runs, in order: what the dispatcher
    searches."""
    numbers = _SYSCALLS[arch]
    target = {numbers[name]: "allow" for name in _ALLOWED if name in numbers}
    target.update({numbers[name]: block for name, block in _FILTERED.items() if name in numbers})
    runs: list[tuple[int, str]] = []
    newest = _newest(arch)
    for nr in range(newest + 2):
        action = target.get(nr, "deny") if nr <= newest else "enosys"
        if not runs or runs[-1][1] != action:
            runs.append((nr, action))
    return runs


def _dispatch(asm: _Assembler, runs: list[tuple[int, str]], depth: int = 0) -> None:
    """A binary search over ``runs`` on the syscall number in the accumulator: about log2(runs)
    comparisons per syscall instead of one per listed syscall."""
    if len(runs) == 1:
        action = runs[0][1]
        if action in _RETURNS:
            asm.ret(action)
        else:
            asm.op(_JA, action)
        return
    mid = len(runs) // 2
    right = f"range{runs[mid][0]}"
    asm.op(_JGE, runs[mid][0], 0, 1)
    asm.op(_JA, right)
    _dispatch(asm, runs[:mid], depth + 1)
    asm.label(right)
    _dispatch(asm, runs[mid:], depth + 1)


def _build_program(arch: str, own_pid: int) -> tuple[list[tuple[int, int, int, int]], list[int]]:
    """The BPF program as (code, jt, jf, k), and the indices of the instructions holding ``own_pid``."""
    asm = _Assembler()
    asm.op(_LD_ABS, _OFF_ARCH)
    asm.op(_JEQ, _AUDIT_ARCH[arch], 1, 0)
    asm.ret("kill")                                  # foreign ABI (e.g. int 0x80): kill
    asm.op(_LD_ABS, _OFF_NR)
    if arch == "x86_64":
        asm.op(_JGE, _X32_SYSCALL_BIT, 0, 1)         # x32 numbers share the x86_64 audit arch
        asm.ret("deny")
    _dispatch(asm, _ranges(arch))
    asm.label("clone")
    asm.op(_LD_ABS, _arg_lo(0))
    asm.op(_AND, _CLONE_THREAD | _CLONE_NEW_NAMESPACES)
    asm.op(_JEQ, _CLONE_THREAD, 0, 1)
    asm.ret("allow")
    asm.ret("deny")
    asm.label("fcntl")
    asm.one_of(1, _FCNTL_ALLOWED)
    asm.label("ioctl")
    asm.one_of(1, _IOCTL_ALLOWED)
    asm.label("prctl")
    asm.one_of(0, _PRCTL_ALLOWED)
    asm.label("self")
    asm.own_pid_or_zero(0)
    asm.label("prlimit")                             # reading limits is fine, setting is not
    asm.op(_LD_ABS, _arg_lo(2))
    asm.op(_JEQ, 0, 1, 0)
    asm.ret("deny")
    asm.op(_LD_ABS, _arg_lo(2) + 4)
    asm.op(_JEQ, 0, 1, 0)
    asm.ret("deny")
    asm.own_pid_or_zero(0)
    for label, which in (("priority", _PRIO_PROCESS), ("ioprio", _IOPRIO_WHO_PROCESS)):
        asm.label(label)                             # (which, who): one process, itself
        asm.op(_LD_ABS, _arg_lo(0))
        asm.op(_JEQ, which, 1, 0)
        asm.ret("deny")
        asm.own_pid_or_zero(1)
    prog = asm.resolve()
    for slot in asm.own_pid_slots:
        prog[slot] = (*prog[slot][:3], own_pid & 0xFFFFFFFF)
    return prog, asm.own_pid_slots


_seccomp_probe: bool | None = None
_programs: dict[str, tuple[ctypes.Array, _SockFprog, list[int]]] = {}  # arch -> (filter, fprog, pid slots)


def _seccomp_supported() -> bool:
    global _seccomp_probe
    if _seccomp_probe is None:
        _seccomp_probe = False
        if _arch() is not None:
            try:
                _prctl(_PR_GET_SECCOMP)
                _seccomp_probe = True
            except OSError:
                pass
    return _seccomp_probe


def _program(arch: str, own_pid: int) -> _SockFprog:
    """The filter for ``own_pid``: built once per process (a warm parent builds it for all its
    children), then only the few instructions that hold the pid are rewritten."""
    if arch not in _programs:
        prog, slots = _build_program(arch, own_pid=0)
        filters = (_SockFilter * len(prog))(*prog)
        _programs[arch] = (filters, _SockFprog(len(prog), filters), slots)
    filters, fprog, slots = _programs[arch]
    for slot in slots:
        filters[slot].k = own_pid & 0xFFFFFFFF
    return fprog


def restrict_syscalls(own_pid: int | None = None) -> bool:
    """Install the seccomp allow-list; True if enforced, False if seccomp or this CPU is unsupported.

    Only the syscalls in ``_ALLOWED`` run; a few more only with harmless arguments (``_FILTERED``):
    clone for threads only (clone3 gets ENOSYS so glibc falls back to clone), fcntl and ioctl with a
    short list of commands, prctl with harmless options, prlimit64 to read, and the calls that take
    a pid (signals, scheduling, priorities) only when aimed at ``own_pid`` (default: this process)
    or 0 (itself, or its own process group). Everything else fails with EPERM (Python raises
    PermissionError), syscalls newer than the table with ENOSYS; a foreign syscall ABI kills.
    """
    arch = _arch()
    if arch is None or not _seccomp_supported():
        _applied["seccomp"] = False
        return False
    _require_single_thread("seccomp")
    fprog = _program(arch, os.getpid() if own_pid is None else own_pid)
    _no_new_privs()
    try:
        _prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog))
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ENOSYS, errno.EACCES):
            _applied["seccomp"] = False
            return False
        raise
    _applied["seccomp"] = True
    return True


# --------------------------------------------------------------------------- capabilities

_CAPSET_NR = {"x86_64": 126, "aarch64": 91}
_CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


_cap_last: list[int | None] = []  # read once: a warm parent's children inherit it


def _last_capability() -> int | None:
    """The kernel's highest capability number (``/proc/sys/kernel/cap_last_cap``), if known."""
    if not _cap_last:
        try:
            with open("/proc/sys/kernel/cap_last_cap", "rb") as f:
                _cap_last.append(int(f.read().strip()))
        except (OSError, ValueError):
            _cap_last.append(None)
    return _cap_last[0]


def drop_bounding_set() -> bool:
    """Drop every capability from the bounding set, so that no exec can grant one back; True if the
    set is (now) empty, False without the right to change it (an ordinary user, which has nothing to
    drop) or off Linux. A zygote does it once for all its children: the bounding set is inherited
    by a fork, and it only ever takes away (the zygote's own effective capabilities, which it needs to
    make namespaces, stay; it never execs)."""
    global _bounding_dropped
    if _bounding_dropped:
        return True
    if _arch() is None:
        return False
    last = _last_capability()
    cap = 0
    while last is None or cap <= last:
        try:
            _prctl(_PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                break  # past the last capability
            if exc.errno != errno.EPERM:  # EPERM: no CAP_SETPCAP, nothing to drop anyway
                raise
            return False  # without CAP_SETPCAP nothing can be dropped: no need to try the others
        cap += 1
    _bounding_dropped = True
    return True


_bounding_dropped = False  # this process's bounding set is empty (a fork inherits both)


def drop_capabilities() -> bool:
    """Drop every Linux capability (bounding set too); True if done, False if unsupported.

    For a grader running as root: the child keeps uid 0 (so it can still read the root-owned
    workdir and Python install) but loses root's powers: it cannot raise its rlimits, override
    file permissions, make device nodes, mount, load modules or regain them through exec.
    Call it last. RLIMIT_NPROC still does not apply to uid 0. The bounding set is left alone when
    the zygote emptied it already (:func:`drop_bounding_set`).
    """
    arch = _arch()
    if arch is None:
        _applied["capabilities_dropped"] = False
        return False
    drop_bounding_set()  # stops exec from granting capabilities back
    header, data = _CapHeader(_CAP_VERSION_3, 0), (_CapData * 2)()
    _syscall(_CAPSET_NR[arch], ctypes.byref(header), data)
    _applied["capabilities_dropped"] = True
    return True


# --------------------------------------------------------------------------- paths and report

def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def default_read_only_paths() -> list[str]:
    """What a forked Python child needs to read to import stdlib and installed packages lazily.

    The interpreter's prefixes, the sys.path entries that are Python installation folders (inside
    a prefix, or a site-packages folder), the numpy package, the ``grader`` package folder itself
    (never its parent), shared libraries, zoneinfo, ld.so.cache, /dev/null and /dev/urandom.
    The current directory and anything other on sys.path are left out (pass extras explicitly),
    as is any folder that contains the current directory or a course repository (the grader's
    parent when it holds ``solutions/``). Existing paths only, resolved, deduplicated.
    """
    prefixes = {os.path.realpath(p) for p in
                (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    site_dirs = set()
    if hasattr(site, "getsitepackages"):
        site_dirs.update(os.path.realpath(p) for p in site.getsitepackages())
    if site.ENABLE_USER_SITE:
        site_dirs.add(os.path.realpath(site.getusersitepackages()))
    grader_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    numpy = sys.modules.get("numpy")
    numpy_dir = os.path.dirname(numpy.__file__) if getattr(numpy, "__file__", None) else None

    candidates = sorted(prefixes)
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else None
        if real and (real in site_dirs or any(_within(real, p) for p in prefixes)):
            candidates.append(real)
    candidates += [p for p in (numpy_dir, grader_dir) if p]
    candidates += ["/usr/lib", "/lib", "/lib64", "/usr/lib64", "/usr/share/zoneinfo",
                   "/etc/ld.so.cache", "/dev/null", "/dev/urandom"]

    protected = [os.path.realpath(os.getcwd())]
    course_root = os.path.dirname(grader_dir)
    if os.path.isdir(os.path.join(course_root, "solutions")):
        protected.append(os.path.realpath(course_root))
    paths: list[str] = []
    for path in candidates:
        real = os.path.realpath(path)
        if (os.path.exists(real) and real not in paths
                and not any(_within(p, real) for p in protected)):
            paths.append(real)
    # drop entries already covered by another entry
    return [p for p in paths if not any(q != p and _within(p, q) for q in paths)]


def prepare() -> None:
    """Probe the kernel and build the seccomp program now, in a warm parent, so that each forked
    child applies its confinement with a few system calls instead of working it all out again."""
    landlock_abi()
    _has_close_range()
    _last_capability()
    arch = _arch()
    if arch is not None and _seccomp_supported():
        _program(arch, 0)


def report() -> dict[str, object]:
    """Which confinement layers this platform offers, what this process applied, and warnings.

    Keys: platform, arch, landlock ("abi N" or "unavailable (...)"), landlock_net (TCP denied),
    landlock_signal_scope, seccomp, rlimit_as, rlimit_nproc (False for root), root, applied
    (what was applied in this process) and warnings (one line per missing layer).
    """
    abi = landlock_abi()
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    info: dict[str, object] = {
        "platform": sys.platform,
        "arch": _arch() or platform.machine(),
        "landlock": _landlock_probe[1] if _landlock_probe else "unavailable",
        "landlock_net": abi >= 4,
        "landlock_signal_scope": abi >= 6 and not _signal_scope_off,
        "seccomp": _seccomp_supported(),
        "rlimit_as": _LINUX,
        "rlimit_nproc": not root,
        "root": root,
        "applied": dict(_applied),
    }
    warnings = []
    if abi < 1:
        warnings.append(f"Landlock {info['landlock']}: submissions can read any file this user can")
    elif abi < 4:
        warnings.append(f"Landlock abi {abi} cannot deny TCP; only seccomp blocks sockets")
    if not info["seccomp"]:
        warnings.append("seccomp unavailable: submissions can open sockets, start processes "
                        "and signal other processes")
    if resource is None:
        warnings.append("no rlimits on this platform: CPU time, memory and file sizes are not limited "
                        "(timeouts still are, by the parent)")
    elif not _LINUX:
        warnings.append("RLIMIT_AS is not enforced here: memory use is not limited")
    if root:
        warnings.append("running as root: RLIMIT_NPROC is ignored; use drop_capabilities()")
    if _applied.get("network_namespace") is False:
        warnings.append("no network or IPC namespaces (they need root or unprivileged user namespaces): "
                        "only seccomp keeps sockets and SysV/POSIX IPC away")
    info["warnings"] = warnings
    return info
