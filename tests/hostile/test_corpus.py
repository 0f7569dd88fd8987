"""The hostile corpus: every file under tests/hostile/<assignment>/ graded through the real engine,
then the whole corpus through ``grade batch`` as a subprocess, against one table of expectations.

Each submission cheats (or attacks) in a few functions and is honest elsewhere. It must score zero
where it cheats, keep the points of its honest functions, and the grader must survive: no crash, no
hang, a row for every student, no process left behind, nothing written outside the grader's own
temporary folders, no secret, file, socket or signal reaching outside the sandbox.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hostile_support import (ASSIGNMENTS, ROOT, SOLUTIONS, compose, corpus_files, kill_all, leftover_channels,
                             needs_proc, processes, reference_source, remove_channels, restore_scheduling,
                             scheduling, tree, wait_gone)
from grader.checks.side_effects import is_side
from grader.course import load_solution
from grader.grading.engine import Engine, Settings
from grader.grading.workdir import base_files, remove, write_run_folder
from grader.sandbox import confine

pytestmark = [needs_proc, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox")]


@dataclass(frozen=True)
class Expect:
    """What grading one hostile file must give.

    zero: functions whose every check scores 0 (a check naming several functions counts for all).
    partial: functions that keep some but not all of their points.
    full: functions that keep every point (None: all functions not in zero or partial).
    status / message: the result's status, and a substring of its message when not gradable.
    checks: check name -> substring of that check's feedback.
    got: check name -> the value its feedback must show as "got" (what the submission found).
    needs: confinement layers the expectation relies on (skipped where the platform lacks one).
    """

    zero: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()
    full: tuple[str, ...] | None = None
    status: str = "graded"
    message: str = ""
    checks: dict[str, str] = field(default_factory=dict)
    got: dict[str, float] = field(default_factory=dict)
    needs: tuple[str, ...] = ()


NOT_GRADABLE = "not_gradable"

EXPECTED: dict[str, Expect] = {
    # ---- optim: exits
    "optim/exit_sys_at_import": Expect(status=NOT_GRADABLE, message="called exit() while being imported"),
    "optim/exit_os_at_import": Expect(status=NOT_GRADABLE, message="ended the process while being imported"),
    "optim/exit_in_functions": Expect(
        zero=("sgd", "rmsprop", "adam"),
        checks={"sgd_update": "SystemExit", "rmsprop_update": "SystemExit", "adam_update": "process ended"}),
    # ---- optim: time
    "optim/infinite_loop": Expect(zero=("sgd_momentum",), checks={"sgd_momentum_update": "timed out after"}),
    "optim/long_sleep": Expect(zero=("rmsprop",), checks={"rmsprop_update": "timed out after"}),
    "optim/catches_base_exception": Expect(zero=("sgd",), checks={"sgd_update": "timed out after"}),
    "optim/replaces_signal_handlers": Expect(zero=("adam",), checks={"adam_update": "timed out after"}),
    "optim/hangs_at_import": Expect(status=NOT_GRADABLE, message="did not finish importing within"),
    "optim/lingering_thread": Expect(),
    # ---- optim: processes
    "optim/fork_bomb": Expect(zero=("sgd", "sgd_momentum"), got={"sgd_update": 0, "sgd_momentum_update": 0},
                              needs=("seccomp",)),
    "optim/setsid_escape": Expect(zero=("rmsprop",), got={"rmsprop_update": 0}, needs=("seccomp",)),
    # ---- optim: resources
    "optim/memory_bomb": Expect(zero=("rmsprop",), checks={"rmsprop_update": "MemoryError"}, needs=("rlimit_as",)),
    "optim/deep_recursion": Expect(zero=("adam", "rmsprop"),
                                   checks={"adam_update": "RecursionError", "rmsprop_update": "SIGSEGV"}),
    "optim/floods_output": Expect(),
    "optim/huge_output": Expect(zero=("rmsprop",), checks={"rmsprop_update": "exceeds the per-array cap"}),
    "optim/huge_small_dtype_output": Expect(zero=("sgd",), checks={"sgd_update": "exceed the per-check cap"}),
    # ---- optim: lying to the comparison
    "optim/patches_numpy_math_builtins": Expect(zero=("sgd",)),
    "optim/patches_grader_modules": Expect(zero=("sgd", "rmsprop")),
    "optim/lying_objects": Expect(zero=("sgd", "sgd_momentum", "rmsprop"),
                                  checks={"sgd_update": "got 12345", "rmsprop_update": "look elsewhere"}),
    "optim/nan_inf": Expect(zero=("sgd", "sgd_momentum", "rmsprop"),
                            checks={"sgd_update": "NaN at index", "sgd_momentum_update": "inf at index",
                                    "rmsprop_update": "NaN at index 0"}),
    "optim/wrong_shapes_and_dtypes": Expect(zero=("sgd", "sgd_momentum", "adam"),
                                            checks={"sgd_update": "wrong shape (1, 6), expected (6,)",
                                                    "adam_update": "could not convert string to float"}),
    "optim/big_endian_and_float32": Expect(partial=("rmsprop",), checks={"rmsprop_update": "values differ"}),
    # ---- optim: fake results, descriptors
    "optim/fake_results_and_files": Expect(zero=("adam",), got={"adam_update": 0}, needs=("landlock",)),
    "optim/writes_inherited_fds": Expect(zero=("sgd_momentum",), checks={"sgd_momentum_update": "protocol"}),
    "optim/deep_result_header": Expect(zero=("sgd_momentum",), checks={"sgd_momentum_update": "nested more than"}),
    # ---- optim: reaching out
    "optim/reads_secrets": Expect(zero=("sgd",), got={"sgd_update": 0}, needs=("landlock",)),
    "optim/reads_course_files": Expect(zero=("sgd_momentum",), got={"sgd_momentum_update": 0}, needs=("landlock",)),
    "optim/imports_reference": Expect(zero=("adam",), needs=("landlock",)),
    "optim/opens_sockets": Expect(zero=("rmsprop",), got={"rmsprop_update": 0}, needs=("seccomp",)),
    "optim/signals_grader": Expect(zero=("sgd_momentum",), got={"sgd_momentum_update": 0}, needs=("seccomp",)),
    # ---- optim: kernel side doors a deny-list misses (SIGIO signals, IPC and keyrings, scheduling others)
    "optim/signals_through_sigio": Expect(zero=("adam",), got={"adam_update": 0}, needs=("seccomp",)),
    "optim/ipc_and_keyrings": Expect(zero=("rmsprop",), got={"rmsprop_update": 0}, needs=("seccomp",)),
    "optim/schedules_others": Expect(zero=("sgd",), got={"sgd_update": 0}, needs=("seccomp",)),
    # ---- optim: leftovers
    "optim/locks_its_folder": Expect(),
    # ---- optim: other students' data in the memory a child is forked from
    "optim/plants_marker": Expect(zero=("adam",), checks={"adam_update": "ValueError"}),
    "optim/scans_memory_for_others": Expect(zero=("sgd", "sgd_momentum", "rmsprop"),
                                            got={"sgd_update": 0, "sgd_momentum_update": 0}),
    # ---- gradient_descent
    "gradient_descent/killed_at_import": Expect(status=NOT_GRADABLE, message="ended the process while being imported"),
    "gradient_descent/kills_itself_in_function": Expect(
        zero=("standardize", "gradient_step", "train_minibatch", "train_batch", "train_stochastic"),
        checks={"standardize_values": "killed by SIGKILL", "gradient_step_values": "SystemExit"}),
    "gradient_descent/lying_sigmoid": Expect(
        zero=("sigmoid", "train", "gradient_step", "train_minibatch", "train_batch", "train_stochastic"),
        checks={"gradient_step_values": "got 7"}),
    "gradient_descent/sleeps_in_train": Expect(zero=("train",), checks={"train_epochs": "timed out after"}),
    "gradient_descent/memory_bomb": Expect(
        zero=("iterate_minibatches", "train_minibatch", "train_batch", "train_stochastic"),
        checks={"minibatch_order": "MemoryError", "train_stochastic_values": "MemoryError"}, needs=("rlimit_as",)),
    "gradient_descent/dtypes_and_nan": Expect(
        zero=("inverse_time_decay", "exponential_decay", "inverse_sqrt_decay"), partial=("standardize",),
        checks={"inverse_time_decay_values": "NaN", "exponential_decay_values": "kind complex",
                "inverse_sqrt_decay_values": "not numeric", "standardize_values": "wrong shape (1, 3)"}),
    "gradient_descent/reads_hidden_and_secret": Expect(
        zero=("gradient_step", "train_minibatch", "train_batch", "train_stochastic"),
        got={"gradient_step_values": 0}, needs=("landlock",)),
    "gradient_descent/patches_wire_and_numpy": Expect(zero=("inverse_time_decay",),
                                                      checks={"inverse_time_decay_values": "not numeric"}),
}

CASES = [(a, p) for a in ASSIGNMENTS for p in corpus_files(a)]


def test_every_file_has_an_expectation_and_back():
    keys = {f"{a}/{p.stem}" for a, p in CASES}
    assert keys == set(EXPECTED), (sorted(keys - set(EXPECTED)), sorted(set(EXPECTED) - keys))


# --------------------------------------------------------------------------- verification

def layer_missing(needs: tuple[str, ...]) -> str | None:
    info = confine.report()
    for layer in needs:
        ok = {"landlock": str(info.get("landlock", "")).startswith("abi"), "seccomp": info.get("seccomp") is True,
              "rlimit_as": info.get("rlimit_as") is True}[layer]
        if not ok:
            return f"this platform lacks {layer}"
    return None


GOT = re.compile(r"got ([^,]+), expected")
HIDDEN_VALUE = re.compile(r"\b(got|expected) [-+(\[\d]")


def check_result(result, expect: Expect, key: str, secret: str) -> None:
    """Assert ``expect`` on one graded result, plus the invariants every result must hold."""
    where = f"{key}: " + "; ".join(f"{c.name}={c.score:g}/{c.max_score:g} {c.status} {c.message[:90]}"
                                   for c in result.checks)
    assert result.status == expect.status, f"{key}: {result.status} {result.message}"
    assert result.checks, key
    assert result.score == pytest.approx(sum(c.score for c in result.checks)), key
    for c in result.checks:
        assert secret not in c.message and secret[:16] not in c.message, key
        if c.hidden and c.status != "passed":  # never a value of a hidden check
            assert not HIDDEN_VALUE.search(c.message), (key, c.name, c.message)
    if expect.status == NOT_GRADABLE:
        assert result.score == 0, where
        assert expect.message in result.message, f"{key}: {result.message}"
        return
    functions = {f for c in result.checks for f in c.functions}
    zero, partial = set(expect.zero), set(expect.partial)
    assert zero | partial <= functions, key
    full = set(expect.full) if expect.full is not None else functions - zero - partial
    for c in result.checks:
        names = set(c.functions)
        if names & zero:
            assert c.score == 0, f"{c.name} should score 0: {where}"
        elif names <= full:
            assert c.score == c.max_score, f"{c.name} should keep its points: {where}"
    for f in partial:
        got = sum(c.score for c in result.checks if c.functions == [f])
        most = sum(c.max_score for c in result.checks if c.functions == [f])
        assert 0 < got < most, f"{f} should keep part of its points: {where}"
    by_name = {c.name: c for c in result.checks}
    for name, text in expect.checks.items():
        assert text in by_name[name].message, f"{key}: {name}: {by_name[name].message!r} lacks {text!r}"
    for name, value in expect.got.items():
        found = GOT.search(by_name[name].message)
        assert found, f"{key}: {name}: no 'got' value in {by_name[name].message!r}"
        assert float(found.group(1)) == value, f"{key}: {name} found {found.group(1)} (expected {value}): " \
                                               f"{by_name[name].message}"


def snapshot(places, *pids: int) -> dict:
    """What grading must leave as it was: the test's folders, and how the test process (and ``pids``:
    the zygote) are scheduled."""
    return {**{name: tree(getattr(places, name)) for name in ("outside", "home", "cwd")},
            "scheduling": {pid: scheduling(pid) for pid in (os.getpid(), *pids)}}


def assert_nothing_escaped(places, before: dict) -> None:
    left = wait_gone(places.mark, within=3.0)
    kill_all(left)
    assert not left, f"processes outlived grading: {left}"
    assert places.listener.received() == [], "a submission reached the loopback listener"
    assert places.signals == [], "a submission signalled the test process"
    for name in ("outside", "home", "cwd"):
        assert tree(getattr(places, name)) == before[name], f"something was written in {name}"
    channels = leftover_channels(places.mark)
    remove_channels(places.mark)
    assert not channels, f"IPC objects or keys outlived grading: {channels}"
    for pid, state in before["scheduling"].items():
        now = scheduling(pid)
        restore_scheduling(pid, state)
        assert now == state, f"a submission changed how process {pid} is scheduled: {state} -> {now}"


@pytest.fixture(autouse=True)
def put_back(places):
    """Whatever a test asserts, a failing one leaves no IPC object or key and no slowed-down test process."""
    state = scheduling(os.getpid())
    yield
    remove_channels(places.mark)
    restore_scheduling(os.getpid(), state)


# --------------------------------------------------------------------------- through the engine

# A hostile check that hangs is cut by the check timeout; the honest checks beside it need a few
# milliseconds on a quiet machine: 3 s (and 5 s to import) leave a loaded machine a wide margin.
ENGINE_SETTINGS = dict(timeout=20, check_timeout=3.0, import_timeout=5.0)


@pytest.fixture(scope="module")
def engines(places):
    saved = os.environ.get("GRADE_SECRET")
    os.environ["GRADE_SECRET"] = places.secret  # the grader's environment holds it; no child may
    made = {}

    def get(assignment: str, **settings) -> Engine:
        key = (assignment, tuple(sorted(settings.items())))
        if key not in made:
            made[key] = Engine(load_solution(SOLUTIONS / assignment), secret=places.secret.encode(),
                               settings=Settings(**{**ENGINE_SETTINGS, **settings}))
        return made[key]

    yield get
    for engine in made.values():
        engine.close()
    if saved is None:
        os.environ.pop("GRADE_SECRET", None)
    else:
        os.environ["GRADE_SECRET"] = saved


def grade_file(engine: Engine, assignment: str, path: Path, places, **values):
    source = compose(assignment, path, places.values(GRADEBOOK=places.outside / "gradebook.db",
                                                     SUBMISSIONS=places.outside, **values))
    root = write_run_folder({**base_files(engine.assignment), f"{engine.assignment.module}.py": source.encode()})
    try:
        return engine.grade(root, "mallory")
    finally:
        left = remove(root)
        assert not left and not root.exists(), f"the working folder stayed: {left}"


def warm_up(engine: Engine) -> None:
    """Start the engine's zygote by grading the reference (no timer to wait for)."""
    source = reference_source(engine.assignment.name).encode()
    root = write_run_folder({**base_files(engine.assignment), f"{engine.assignment.module}.py": source})
    try:
        assert engine.grade(root, "warm-up").status == "graded"
    finally:
        remove(root)


@pytest.mark.parametrize("assignment, path", CASES, ids=[f"{a}/{p.stem}" for a, p in CASES])
def test_engine(assignment, path, engines, places):
    key = f"{assignment}/{path.stem}"
    expect = EXPECTED[key]
    missing = layer_missing(expect.needs)
    if missing:
        pytest.skip(missing)
    engine = engines(assignment)
    before = snapshot(places, *([engine.sandbox.proc.pid] if engine.sandbox.proc is not None else []))
    result = grade_file(engine, assignment, path, places)
    check_result(result, expect, key, places.secret)
    assert_nothing_escaped(places, before)
    assert engine.sandbox.proc is not None and engine.sandbox.proc.poll() is None, "the zygote died"


def test_signals_through_sigio_reach_nobody_without_landlock_signal_scoping(monkeypatch, places):
    """Kernels before 6.12 have no Landlock signal scoping: there the seccomp allow-list alone must keep
    F_SETOWN/F_SETSIG from arming a SIGKILL for the zygote or a SIGUSR1 for the test (the scoping is
    switched off for this zygote with the test-only variable)."""
    monkeypatch.setenv(confine.SIGNAL_SCOPE_SWITCH, "off")
    engine = Engine(load_solution(SOLUTIONS / "optim"), secret=places.secret.encode(),
                    settings=Settings(**ENGINE_SETTINGS))
    try:
        warm_up(engine)  # the zygote is up
        zygote = engine.sandbox.proc.pid
        assert engine.sandbox.layers["landlock_signal_scope"] is False
        before = snapshot(places, zygote)
        result = grade_file(engine, "optim", ROOT / "tests/hostile/optim/signals_through_sigio.py", places)
        check_result(result, EXPECTED["optim/signals_through_sigio"], "sigio without scoping", places.secret)
        assert engine.sandbox.proc.pid == zygote and engine.sandbox.proc.poll() is None, "the zygote died"
        assert_nothing_escaped(places, before)
    finally:
        engine.close()


def test_signals_leave_the_zygote_alive(engines, places):
    engine = engines("optim")
    warm_up(engine)  # warm
    zygote = engine.sandbox.proc.pid
    result = grade_file(engine, "optim", ROOT / "tests/hostile/optim/signals_grader.py", places)
    assert result.status == "graded"
    assert engine.sandbox.proc.pid == zygote and engine.sandbox.proc.poll() is None
    assert places.signals == []


def test_no_students_data_in_the_memory_the_next_child_is_forked_from(places):
    """An earlier student's error (message and source line: frames a relaying zygote handled) and a
    later student's job (their hidden-input seeds, queued behind) must not be in the memory of the
    child that runs the student in between. Three submissions queued at once in one fresh worker:
    the earlier one plants a marker, the middle one scans its own memory for both."""
    optim = load_solution(SOLUTIONS / "optim")
    with Engine(optim, secret=places.secret.encode(), settings=Settings(**ENGINE_SETTINGS, start_method="fork")) as eng:
        later = "a-later-student"
        seeds = {student: ",".join(str(eng.seed(c, student)) for c in eng.checks if c.hidden)
                 for student in (later, "scanner")}
        files = {"earlier": "plants_marker", "scanner": "scans_memory_for_others", later: None}
        roots = []
        try:
            for stem in files.values():
                source = reference_source("optim") if stem is None else compose(
                    "optim", ROOT / "tests/hostile/optim" / f"{stem}.py",
                    places.values(LATER_SEEDS=seeds[later], OWN_SEEDS=seeds["scanner"]))
                roots.append(write_run_folder({**base_files(optim), "optim.py": source.encode()}))
            for root, student in zip(roots, files):  # queued back to back, while the first one imports
                jobs = [{"name": c.name, "seed": eng.seed(c, student), "timeout": 10.0} for c in eng.checks]
                eng.sandbox.submit(root, "optim", jobs, timeout=30, import_timeout=5)
            reports = [eng.sandbox.collect() for _ in files]
        finally:
            for root in roots:
                remove(root)
    earlier, scanner, _ = reports
    assert earlier.checks["adam_update"].status == "error"
    assert places.earlier_marker in earlier.checks["adam_update"].error["message"]  # it did plant it
    found = {name: scanner.checks[name].arrays for name in ("sgd_update", "sgd_momentum_update", "rmsprop_update")}
    assert all(scanner.checks[name].status == "ok" for name in found), scanner.checks
    counts = {name: {float(v) for key, value in arrays.items() if not is_side(key) for v in value.array.ravel()}
              for name, arrays in found.items()}  # the answers, not the records of the calls' arguments
    assert min(counts.pop("rmsprop_update")) > 0, "the scan did not even find the scanner's own seeds"
    assert counts == {"sgd_update": {0.0}, "sgd_momentum_update": {0.0}}, \
        f"copies found (earlier marker, later seeds): {counts}"


@pytest.mark.parametrize("name", ["fork_bomb", "setsid_escape"])
def test_without_seccomp_escaped_processes_are_still_killed(name, engines, places):
    """With the fork ban off (seccomp disabled), processes a submission starts, even in a session of
    their own, must not outlive its grading: the zygote is their subreaper and kills them."""
    engine = engines("optim", seccomp=False)
    result = grade_file(engine, "optim", ROOT / "tests/hostile/optim" / f"{name}.py", places)
    assert result.status == "graded"
    left = wait_gone(places.mark, within=3.0)
    kill_all(left)
    assert not left, f"processes outlived grading without seccomp: {left}"


def test_without_seccomp_landlock_still_denies_tcp(engines, places):
    """Layers overlap: Landlock (ABI 4+) alone refuses TCP connections and (ABI 6+) abstract Unix
    sockets. It does not cover UDP, which only seccomp stops (a documented limit)."""
    info = confine.report()
    if not info.get("landlock_net"):
        pytest.skip("Landlock cannot deny TCP on this kernel")
    engine = engines("optim", seccomp=False)
    grade_file(engine, "optim", ROOT / "tests/hostile/optim/opens_sockets.py", places)
    received = places.listener.received()
    assert "tcp" not in received
    if info.get("landlock_signal_scope"):
        assert "unix" not in received


def _namespaces(engine) -> bool:
    """Whether this zygote got a namespace of its own (its children then get their IPC namespaces)."""
    return bool(engine.sandbox.layers.get("applied", {}).get("network_namespace"))


def test_without_seccomp_namespaces_still_take_the_network_and_ipc_away(places):
    """Layers overlap: with the syscall filter off, the zygote's network namespace leaves a child no
    route to any listener (UDP and abstract Unix sockets included), and its own IPC namespace takes
    every SysV object and POSIX queue it made with it. Keyrings are not namespaced (seccomp alone
    keeps them away, a documented limit): the key it adds goes when its zygote and, for an ordinary
    user, the zygote's user namespace are gone."""
    engine = Engine(load_solution(SOLUTIONS / "optim"), secret=places.secret.encode(),
                    settings=Settings(**ENGINE_SETTINGS, seccomp=False))
    try:
        warm_up(engine)  # the zygote is up
        if not _namespaces(engine):
            pytest.skip("no namespaces here (needs root or unprivileged user namespaces)")
        grade_file(engine, "optim", ROOT / "tests/hostile/optim/opens_sockets.py", places)
        assert places.listener.received() == []
        grade_file(engine, "optim", ROOT / "tests/hostile/optim/ipc_and_keyrings.py", places)
        left = [item for item in leftover_channels(places.mark) if "keyring" not in item]
        assert left == [], f"IPC objects outlived the child: {left}"
    finally:
        engine.close()
        remove_channels(places.mark)  # the key, where this user may remove it
    deadline = time.monotonic() + 30
    while leftover_channels(places.mark) and time.monotonic() < deadline:
        time.sleep(0.1)  # a key in a user namespace's keyring goes when the kernel collects the namespace
    assert leftover_channels(places.mark) == []


SPAWNED = ["optim/exit_os_at_import", "optim/catches_base_exception", "optim/fork_bomb", "optim/reads_secrets",
           "optim/reads_course_files", "optim/signals_grader", "optim/patches_grader_modules",
           "optim/signals_through_sigio", "optim/ipc_and_keyrings", "optim/schedules_others"]


@pytest.mark.parametrize("key", SPAWNED)
def test_spawn_start_method(key, engines, places):
    """The same expectations when each child is a fresh interpreter (the Windows/macOS way)."""
    if "start_method" not in Settings.__dataclass_fields__:
        pytest.skip("this engine has no start methods")
    expect = EXPECTED[key]
    missing = layer_missing(expect.needs)
    if missing:
        pytest.skip(missing)
    assignment, stem = key.split("/")
    before = snapshot(places)
    engine = engines(assignment, start_method="spawn", check_timeout=4.0)
    result = grade_file(engine, assignment, ROOT / "tests/hostile" / assignment / f"{stem}.py", places)
    check_result(result, expect, key, places.secret)
    assert_nothing_escaped(places, before)


# --------------------------------------------------------------------------- through `grade batch`

def batch_order(assignment: str) -> list[Path]:
    """The corpus in the order its students are named for the batch (which grades chunks of 8 in name
    order): a submission that hangs at import first, beside quick ones, and those that wait for a
    check to time out last, so that the waits overlap instead of adding up in one worker."""
    def waits(path: Path) -> int:
        expect = EXPECTED[f"{assignment}/{path.stem}"]
        if "did not finish importing" in expect.message:
            return 0
        return 2 if any("timed out" in text for text in expect.checks.values()) else 1

    return sorted(corpus_files(assignment), key=waits)


def batch_time_options() -> list[str]:
    """Per-submission (and, where the command has it, per-check) time limits for the batch: long enough
    for one stuck function plus the honest work, so that honest functions keep their points."""
    import grader.cli

    if any(p.name == "check_timeout" for p in grader.cli.batch.params):
        return ["--timeout", "20", "--check-timeout", "4"]
    return ["--timeout", "16"]  # the default check timeout (10 s) plus honest work


def test_whole_corpus_through_grade_batch(tmp_path, places):
    """Both assignments' corpora graded at once by two `grade batch` processes, each in a fresh working
    folder, HOME and TMPDIR, with the course secret in its environment."""
    work, home, tmp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for d in (work, home, tmp):
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
    env.update(GRADE_SECRET=places.secret, GRADE_CANARY=places.mark, HOME=str(home), TMPDIR=str(tmp),
               PYTHONDONTWRITEBYTECODE="1")
    env[confine.SIGNAL_SCOPE_SWITCH] = "off"  # as on kernels before 6.12: the allow-list alone must hold
    scheduled = scheduling(os.getpid())
    runs, folders = {}, {}
    for assignment in ASSIGNMENTS:
        subs = tmp_path / f"submissions-{assignment}"
        subs.mkdir()
        gradebook = work / f"{assignment}.db"
        for order, path in enumerate(batch_order(assignment)):
            text = compose(assignment, path, places.values(GRADEBOOK=gradebook, SUBMISSIONS=subs, CWD=work,
                                                           HOME=home))
            (subs / f"{order:02d}_{path.stem}.py").write_text(text, encoding="utf-8")
        folders[assignment] = (subs, tree(subs))
    before = {name: tree(getattr(places, name)) for name in ("outside",)}
    started = time.monotonic()
    for assignment in ASSIGNMENTS:
        command = [sys.executable, "-m", "grader.cli", "batch", str(folders[assignment][0]),
                   "--assignment", assignment, "--solutions", str(SOLUTIONS), "--gradebook", f"{assignment}.db",
                   "--json", f"{assignment}.json", "--jobs", "3", *batch_time_options()]
        # a session of its own: a submission that managed to signal its process group could not reach pytest
        runs[assignment] = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    outputs = {}
    for assignment, proc in runs.items():
        try:
            outputs[assignment] = proc.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"grade batch {assignment} hung")
    elapsed = time.monotonic() - started
    for assignment, proc in runs.items():
        out, err = outputs[assignment]
        assert proc.returncode == 0, f"{assignment}: exit {proc.returncode}\n{out}\n{err[-3000:]}"
    print(f"both batches: {elapsed:.1f} s")

    # no process outlives the batch; nothing reached the outside
    left = wait_gone(places.mark, str(tmp), within=5.0)
    kill_all(left)
    assert not left, f"processes outlived the batch: {left}"
    assert places.listener.received() == []
    assert places.signals == []
    channels = leftover_channels(places.mark)
    remove_channels(places.mark)
    assert not channels, f"IPC objects or keys outlived the batch: {channels}"
    assert scheduling(os.getpid()) == scheduled, "a submission changed how the test process is scheduled"
    assert tree(places.outside) == before["outside"]
    assert tree(home) == {}, "something was written in HOME"
    assert tree(tmp) == {}, f"the grader left files in its temporary folder: {sorted(tree(tmp))[:20]}"
    allowed = {f"{a}{suffix}" for a in ASSIGNMENTS for suffix in (".db", ".db-wal", ".db-shm", ".json")}
    assert set(tree(work)) <= allowed, f"unexpected files in the working folder: {set(tree(work)) - allowed}"
    for assignment, (subs, snapshot) in folders.items():
        assert tree(subs) == snapshot, "the submissions folder changed"

    # every student exactly one row, each as expected
    from grader.bulk.gradebook import Gradebook

    for assignment in ASSIGNMENTS:
        with Gradebook(work / f"{assignment}.db") as book:
            results = {r.student: r for r in book.results(assignment)}
        stems = {f"{i:02d}_{p.stem}" for i, p in enumerate(batch_order(assignment))}
        assert set(results) == stems, (sorted(stems - set(results)), sorted(set(results) - stems))
        for student, result in sorted(results.items()):
            key = f"{assignment}/{student.split('_', 1)[1]}"
            expect = EXPECTED[key]
            if layer_missing(expect.needs):
                continue
            check_result(result, expect, f"batch {key}", places.secret)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _grader_peaks(proc: subprocess.Popen) -> dict[int, int]:
    """Poll until ``proc`` ends: the peak resident size (VmHWM, bytes) of it and every process it
    started, except the sandbox's children (a child's memory is the submission's, bounded by its own
    rlimit). The kernel keeps each peak, so polling only has to find every process before it ends."""
    def field(pid: str, name: str) -> str:
        try:
            with open(f"/proc/{pid}/status") as fh:
                return next((line.split(":", 1)[1].strip() for line in fh if line.startswith(name + ":")), "")
        except OSError:
            return ""

    peaks: dict[int, int] = {}
    while proc.poll() is None:
        parents = {int(p): int(field(p, "PPid") or 0) for p in os.listdir("/proc") if p.isdigit()}
        zygotes = {pid for pid in parents if b"grader.sandbox.zygote" in _cmdline(pid)}
        zygotes = {z for z in zygotes if parents[z] not in zygotes}  # a zygote's forked children look alike
        ours = {proc.pid}
        for _ in range(4):  # batch -> workers -> zygotes (never a zygote's children)
            ours |= {pid for pid, parent in parents.items() if parent in ours and parent not in zygotes}
        for pid in ours:
            hwm = field(str(pid), "VmHWM")
            if hwm:
                peaks[pid] = max(peaks.get(pid, 0), int(hwm.split()[0]) * 1024)
        time.sleep(0.02)
    return peaks


def test_batch_peak_memory_stays_under_1_gib_whatever_submissions_answer(tmp_path, places):
    """Submissions whose answers grow 8-fold once converted to float64 (and one over the cap on the
    wire), graded beside honest ones by `grade batch --jobs 2`: the grader's processes (the batch, its
    workers, their zygotes) peak under 1 GiB together, counting each at its own peak, and the honest
    keep full marks."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("huge_small_dtype_output", "huge_output"):
        text = compose("optim", ROOT / "tests/hostile/optim" / f"{name}.py", places.values())
        (subs / f"{name}.py").write_text(text, encoding="utf-8")
    for i in range(2):
        (subs / f"honest{i}.py").write_text(reference_source("optim"), encoding="utf-8")
    command = [sys.executable, "-m", "grader.cli", "batch", str(subs), "--assignment", "optim",
               "--solutions", str(SOLUTIONS), "--gradebook", str(tmp_path / "gb.db"),
               "--json", str(tmp_path / "results.json"), "--jobs", "2", "--timeout", "60", "--check-timeout", "10"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        peaks = _grader_peaks(proc)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    total, largest = sum(peaks.values()), max(peaks.values())
    print(f"grader processes: {len(peaks)}, peaks summed {total / 2**20:.0f} MiB, largest {largest / 2**20:.0f} MiB")
    assert len(peaks) >= 3  # the batch, a worker, a zygote at least
    assert total < 1 << 30, f"the grader's processes peaked at {total / 2**20:.0f} MiB together"
    import json

    results = json.loads((tmp_path / "results.json").read_text())
    results = results if isinstance(results, list) else results.get("results", results)
    scores = {r["student"]: (r["score"], r["max_score"]) for r in results}
    assert set(scores) == {"huge_small_dtype_output", "huge_output", "honest0", "honest1"}
    assert scores["honest0"][0] == scores["honest0"][1] and scores["honest1"][0] == scores["honest1"][1]
    assert scores["huge_small_dtype_output"][0] < scores["huge_small_dtype_output"][1]
