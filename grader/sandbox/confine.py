"""Confinement of the grading child, applied right after ``fork()``.

The warm parent forks one child per submission; the child calls, in this order::

    new_process_group(); redirect_stdio(); close_fds(keep=[result_fd])
    scrub_environment(workdir); limit_resources(cpu_seconds=...)
    restrict_filesystem(default_read_only_paths(), [workdir])   # Landlock
    restrict_syscalls(os.getpid())                              # seccomp-BPF
    drop_capabilities()                                         # optional, for a root grader

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
    for fd in sorted({0, 1, 2, *keep}):
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


# --------------------------------------------------------------------------- Landlock

_LL_CREATE_RULESET, _LL_ADD_RULE, _LL_RESTRICT_SELF = 444, 445, 446  # x86_64 and aarch64
_LL_VERSION_FLAG, _LL_RULE_PATH_BENEATH = 1, 1
(_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR, _FS_REMOVE_DIR, _FS_REMOVE_FILE,
 _FS_MAKE_CHAR, _FS_MAKE_DIR, _FS_MAKE_REG, _FS_MAKE_SOCK, _FS_MAKE_FIFO, _FS_MAKE_BLOCK,
 _FS_MAKE_SYM, _FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV) = (1 << i for i in range(16))
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1, 2

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


def _add_path_rule(ruleset_fd: int, path: str, access: int) -> bool:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:  # missing or unreachable: nothing to allow
        return False
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FS_FILE_ONLY
        if not access:
            return False
        rule = _PathBeneathAttr(access, fd)
        _syscall(_LL_ADD_RULE, ruleset_fd, _LL_RULE_PATH_BENEATH, ctypes.byref(rule), 0)
        return True
    finally:
        os.close(fd)


def restrict_filesystem(read_only: Iterable[str] | None = None,
                        read_write: Iterable[str] = ()) -> bool:
    """Confine file access with Landlock; True if enforced, False if Landlock is unavailable.

    ``read_only`` paths (default: ``default_read_only_paths()``) may be read and listed;
    ``read_write`` paths may also be written, created, renamed within and deleted. Nothing may be
    executed, no device node made, and everything else is denied, including through symlinks.
    With ABI 4+ TCP bind/connect is denied; with ABI 6+ signals to processes outside the sandbox
    and abstract unix sockets are too. Missing paths are skipped; files get file rights only.
    """
    abi = landlock_abi()
    if abi < 1:
        _applied["landlock"] = False
        return False
    _require_single_thread("Landlock")
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled,
                        _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0,
                        _SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX_SOCKET if abi >= 6 else 0)
    ruleset = _syscall(_LL_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    try:
        rules = [(p, _FS_READ) for p in (default_read_only_paths() if read_only is None
                                         else read_only)]
        rules += [(p, _FS_WRITE) for p in read_write]
        for path, access in rules:
            _add_path_rule(ruleset, os.fspath(path), access & handled)
        _no_new_privs()
        _syscall(_LL_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)
    _applied["landlock"] = f"abi {abi}"
    return True


# --------------------------------------------------------------------------- seccomp

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_SYSCALL_BIT = 0x40000000

# Syscall numbers; aarch64 has no fork, vfork (glibc uses clone there).
_SYSCALLS = {
    "x86_64": dict(
        clone=56, clone3=435, fork=57, vfork=58, execve=59, execveat=322, socket=41,
        socketpair=53, ptrace=101, process_vm_readv=310, process_vm_writev=311, kill=62,
        tkill=200, tgkill=234, rt_sigqueueinfo=129, rt_tgsigqueueinfo=297, setrlimit=160,
        prlimit64=302, pidfd_open=434, pidfd_getfd=438, pidfd_send_signal=424,
        io_uring_setup=425, io_uring_enter=426, io_uring_register=427, unshare=272, setns=308,
        mount=165, umount2=166, pivot_root=155, chroot=161, bpf=321, perf_event_open=298,
        init_module=175, finit_module=313, delete_module=176, kexec_load=246,
        kexec_file_load=320, reboot=169, open_by_handle_at=304),
    "aarch64": dict(
        clone=220, clone3=435, execve=221, execveat=281, socket=198, socketpair=199,
        ptrace=117, process_vm_readv=270, process_vm_writev=271, kill=129, tkill=130,
        tgkill=131, rt_sigqueueinfo=138, rt_tgsigqueueinfo=240, setrlimit=164, prlimit64=261,
        pidfd_open=434, pidfd_getfd=438, pidfd_send_signal=424, io_uring_setup=425,
        io_uring_enter=426, io_uring_register=427, unshare=97, setns=268, mount=40,
        umount2=39, pivot_root=41, chroot=51, bpf=280, perf_event_open=241, init_module=105,
        finit_module=273, delete_module=106, kexec_load=104, kexec_file_load=294, reboot=142,
        open_by_handle_at=265),
}
# Always EPERM: new processes and programs, sockets, reaching into other processes, io_uring
# (its operations bypass seccomp), raising rlimits, and root-only escape hatches.
_DENIED = ("fork", "vfork", "execve", "execveat", "socket", "socketpair", "ptrace",
           "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd",
           "pidfd_send_signal", "io_uring_setup", "io_uring_enter", "io_uring_register",
           "setrlimit", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "bpf",
           "perf_event_open", "init_module", "finit_module", "delete_module", "kexec_load",
           "kexec_file_load", "reboot", "open_by_handle_at")
_SIGNALS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # arg0 = pid

_CLONE_THREAD = 0x00010000
_CLONE_NEW_NAMESPACES = 0x7E020000  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
_LD_ABS, _JEQ, _JGE, _AND, _RET = 0x20, 0x15, 0x35, 0x54, 0x06
_RET_KILL_PROCESS, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
_OFF_NR, _OFF_ARCH = 0, 4


def _arg_lo(i: int) -> int:
    return 16 + 8 * i  # struct seccomp_data.args[i], low word (little-endian)


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _build_program(arch: str, own_pid: int) -> tuple[list[tuple[int, int, int, int]], int]:
    """The BPF program as (code, jt, jf, k), and the index of the instruction holding ``own_pid``.
    Jump targets are written as labels, resolved at the end."""
    nr = _SYSCALLS[arch]
    prog: list[list] = []
    labels: dict[str, int] = {}

    def op(code: int, k: int = 0, jt: int | str = 0, jf: int | str = 0) -> None:
        prog.append([code, jt, jf, k & 0xFFFFFFFF])

    op(_LD_ABS, _OFF_ARCH)
    op(_JEQ, _AUDIT_ARCH[arch], 0, "kill")          # foreign ABI (e.g. int 0x80): kill
    op(_LD_ABS, _OFF_NR)
    if arch == "x86_64":
        op(_JGE, _X32_SYSCALL_BIT, "deny", 0)       # x32 numbers share the x86_64 audit arch
    op(_JEQ, nr["clone3"], "enosys", 0)             # glibc then falls back to clone
    op(_JEQ, nr["clone"], "clone", 0)
    op(_JEQ, nr["prlimit64"], "prlimit", 0)
    for name in _SIGNALS:
        op(_JEQ, nr[name], "signal", 0)
    for name in _DENIED:
        if name in nr:
            op(_JEQ, nr[name], "deny", 0)
    op(_RET, _RET_ALLOW)
    labels["clone"] = len(prog)                     # threads only, in no new namespace
    op(_LD_ABS, _arg_lo(0))
    op(_AND, _CLONE_THREAD | _CLONE_NEW_NAMESPACES)
    op(_JEQ, _CLONE_THREAD, "allow", "deny")
    labels["signal"] = len(prog)                    # only to ourselves or our own group (0)
    op(_LD_ABS, _arg_lo(0))
    own_pid_slot = len(prog)
    op(_JEQ, own_pid, "allow", 0)
    op(_JEQ, 0, "allow", "deny")
    labels["prlimit"] = len(prog)                   # reading limits is fine, setting is not
    op(_LD_ABS, _arg_lo(2))
    op(_JEQ, 0, 0, "deny")
    op(_LD_ABS, _arg_lo(2) + 4)
    op(_JEQ, 0, "allow", "deny")
    for label, action in (("deny", _RET_ERRNO | errno.EPERM), ("enosys", _RET_ERRNO | errno.ENOSYS),
                          ("allow", _RET_ALLOW), ("kill", _RET_KILL_PROCESS)):
        labels[label] = len(prog)
        op(_RET, action)
    for i, ins in enumerate(prog):
        for j in (1, 2):
            if isinstance(ins[j], str):
                ins[j] = labels[ins[j]] - (i + 1)
                assert 0 <= ins[j] < 256, "BPF jump out of range"
    return [tuple(ins) for ins in prog], own_pid_slot


_seccomp_probe: bool | None = None
_programs: dict[str, tuple[ctypes.Array, _SockFprog, int]] = {}  # arch -> (filter, fprog, own-pid slot)


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
    children), then only the one instruction that holds the pid is rewritten."""
    if arch not in _programs:
        prog, slot = _build_program(arch, own_pid=0)
        filters = (_SockFilter * len(prog))(*prog)
        _programs[arch] = (filters, _SockFprog(len(prog), filters), slot)
    filters, fprog, slot = _programs[arch]
    filters[slot].k = own_pid & 0xFFFFFFFF
    return fprog


def restrict_syscalls(own_pid: int | None = None) -> bool:
    """Install a seccomp filter; True if enforced, False if seccomp or this CPU is unsupported.

    Forbidden calls fail with EPERM (Python raises PermissionError): fork/vfork and clone
    without CLONE_THREAD (threads still work; clone3 gets ENOSYS so glibc falls back to clone),
    execve/execveat, socket/socketpair, ptrace, process_vm_readv/writev, pidfd_*, io_uring_*,
    setrlimit and prlimit64 with a new limit, namespace/mount/chroot, bpf, perf_event_open,
    module and kexec loading, reboot, open_by_handle_at; kill/tkill/tgkill/rt_(tg)sigqueueinfo
    unless aimed at ``own_pid`` (default: this process) or 0 (own process group).
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


def drop_capabilities() -> bool:
    """Drop every Linux capability (bounding set too); True if done, False if unsupported.

    For a grader running as root: the child keeps uid 0 (so it can still read the root-owned
    workdir and Python install) but loses root's powers: it cannot raise its rlimits, override
    file permissions, make device nodes, mount, load modules or regain them through exec.
    Call it last. RLIMIT_NPROC still does not apply to uid 0.
    """
    arch = _arch()
    if arch is None:
        _applied["capabilities_dropped"] = False
        return False
    last = _last_capability()
    cap = 0
    while last is None or cap <= last:  # bounding set: stops exec from granting capabilities back
        try:
            _prctl(_PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                break  # past the last capability
            if exc.errno != errno.EPERM:  # EPERM: no CAP_SETPCAP, nothing to drop anyway
                raise
            break  # without CAP_SETPCAP nothing can be dropped: no need to try the others
        cap += 1
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
        "landlock_signal_scope": abi >= 6,
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
    info["warnings"] = warnings
    return info
