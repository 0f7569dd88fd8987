"""Pipelined grading (``Engine.grade_all``): the next submission runs in the sandbox while the last
one is judged. Results must be exactly those of grading one at a time, in order, whatever each
submission does, and a zygote that dies mid-pipeline costs only the submission it was running."""

import os
import signal
import sys

import pytest

from grader.grading.workdir import base_files, remove, write_run_folder

HANG = '''
def rmsprop(w, dw, config=None):
    while True:
        pass
'''
DOUBLE_STEP = '''
def sgd(w, dw, config=None):
    config = {"learning_rate": 1e-2, **(config or {})}
    return w - 2 * config["learning_rate"] * dw, config
'''
CRASH = '''
def adam(w, dw, config=None):
    import os
    os._exit(3)
'''


def _sources(reference: str) -> dict[str, str]:
    return {"right": reference, "hangs": reference + HANG, "syntax": "def sgd(:\n", "crashes": reference + CRASH,
            "wrong": reference + DOUBLE_STEP, "again": reference}


def _summary(result):
    return (result.student, result.status, result.score,
            [(c.name, c.status, c.score, c.message) for c in result.checks])


def _grade_all(engine, optim, sources):
    base = base_files(optim)
    folders = []

    def items():
        for student, source in sources.items():
            folders.append(write_run_folder({**base, "optim.py": source.encode()}))
            yield folders[-1], student, {"sha256": student}

    try:
        return list(engine.grade_all(items()))
    finally:
        for folder in folders:
            remove(folder)


def test_pipelined_results_equal_one_at_a_time(engine, optim, grade_source, optim_reference_source):
    sources = _sources(optim_reference_source)
    piped = _grade_all(engine, optim, sources)
    single = [grade_source(source, student) for student, source in sources.items()]
    assert [r.student for r in piped] == list(sources)
    assert [_summary(r) for r in piped] == [_summary(r) for r in single]
    assert all(r.sha256 == r.student for r in piped)  # the extra fields follow their own submission
    outcome = {r.student: (r.status, r.score) for r in piped}
    full = sum(c.max_score for c in piped[0].checks)
    assert outcome["right"] == outcome["again"] == ("graded", full)
    assert outcome["syntax"][0] == "not_gradable"
    assert outcome["hangs"][1] < outcome["right"][1] and outcome["crashes"][1] < outcome["right"][1]
    assert outcome["wrong"][1] < outcome["right"][1]


def test_an_abandoned_pipeline_does_not_leak_into_the_next_grade(engine, optim, grade_source, optim_reference_source):
    base = base_files(optim)
    folders = [write_run_folder({**base, "optim.py": src.encode()})
               for src in ("def sgd(:\n", optim_reference_source)]
    try:
        stream = engine.grade_all([(folders[0], "first", {}), (folders[1], "second", {})])
        assert next(stream).student == "first"  # the second is already queued in the sandbox
        stream.close()
        again = grade_source("def sgd(:\n", "third")
        assert again.student == "third" and again.status == "not_gradable"
        assert grade_source(optim_reference_source, "fourth").score == _grade_all(
            engine, optim, {"x": optim_reference_source})[0].score
    finally:
        for folder in folders:
            remove(folder)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGALRM and a forking zygote")
def test_a_zygote_killed_mid_pipeline_costs_only_its_submission(optim, optim_reference_source):
    from grader.grading.engine import Engine, Settings

    sleeper = optim_reference_source + '''
def sgd(w, dw, config=None):
    import time
    time.sleep(30)
'''
    with Engine(optim, settings=Settings(timeout=20, check_timeout=10, start_method="fork")) as eng:
        base = base_files(optim)
        folders = [write_run_folder({**base, "optim.py": s.encode()}) for s in (sleeper, optim_reference_source)]
        try:
            stream = eng.grade_all([(folders[0], "victim", {}), (folders[1], "next", {})])

            def kill_zygote_once_the_victim_runs(*_):
                running = eng.sandbox._running
                if running is None or running.child is None:  # the zygote is still booting: later
                    signal.setitimer(signal.ITIMER_REAL, 0.2)
                    return
                os.kill(eng.sandbox.proc.pid, signal.SIGKILL)

            signal.signal(signal.SIGALRM, kill_zygote_once_the_victim_runs)
            signal.setitimer(signal.ITIMER_REAL, 0.5)
            try:
                first = next(stream)  # sgd sleeps 30 s: a timeout (10 s) would leave it graded, not this
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
            assert first.student == "victim" and first.status == "not_gradable"
            second = next(stream)
            assert second.student == "next" and second.status == "graded"
            assert second.score == sum(c.max_score for c in second.checks)
        finally:
            for folder in folders:
                remove(folder)


def test_one_child_at_a_time_and_queued_jobs_wait_in_the_worker(engine, optim, optim_reference_source, monkeypatch):
    """Pipelining never runs two children at once: a queued job stays in the grader's process until
    the child before it has stopped (the zygote is never handed a job ahead of time)."""
    alive, most, queued_at_stop = [0], [0], []
    real = engine.sandbox._start_child

    def spy(job, seconds_left):
        child = real(job, seconds_left)
        alive[0] += 1
        most[0] = max(most[0], alive[0])
        stop = child.stop

        def stopped(*args, **kwargs):
            alive[0] -= 1
            queued_at_stop.append(len(engine.sandbox._queue))
            return stop(*args, **kwargs)

        child.stop = stopped
        return child

    monkeypatch.setattr(engine.sandbox, "_start_child", spy)
    results = _grade_all(engine, optim, {"a": optim_reference_source, "b": "def sgd(:\n", "c": optim_reference_source})
    assert [(r.student, r.status) for r in results] == [("a", "graded"), ("b", "not_gradable"), ("c", "graded")]
    assert most[0] == 1 and alive[0] == 0
    assert queued_at_stop[0] == 2  # the next job was submitted, and waited here, while the first ran
