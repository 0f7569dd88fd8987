"""Local workers start warm: each gets the job once, its zygote launched early and adopted by the
engine, and a pool broken by a dying worker is replaced by one that starts warm and grades right."""

import hashlib
import os
from pathlib import Path

import pytest

from grader.bulk.batch import BatchOptions, run_chunks
from grader.bulk.bundle import bundle
from grader.bulk.worker import Job, grade_chunk
from grader.course import load_solution
from grader.grading.engine import Engine, Settings
from grader.grading.files import grade_files
from grader.sandbox.launch import launch
from grader.stubs import student_sources
from grader.submission import Opened

ROOT = Path(__file__).resolve().parents[2]
OPTIM = ROOT / "solutions" / "optim"
REFERENCE = (OPTIM / "optim.py").read_bytes()
MARKERS = "GRADE_TEST_DEATH_MARKERS"  # a folder: a victim's worker dies once, leaving a marker there

_SEEN: list = []  # in a worker: every job object a chunk was given (kept alive, so ids stay apart)


def die_once_then_grade(job: Job, items: list[Opened]) -> list:
    """grade_chunk, except that a worker handed a victim it has not died for yet dies at once."""
    for opened in items:
        marker = Path(os.environ[MARKERS]) / opened.student
        if opened.student.startswith("victim") and not marker.exists():
            marker.touch()
            os._exit(1)
    return grade_chunk(job, items)


def jobs_seen(job: Job, items: list[Opened]) -> list:
    """For each item: this worker's pid and how many distinct job objects its chunks were given."""
    _SEEN.append(job)
    return [(os.getpid(), len({id(j) for j in _SEEN})) for _ in items]


def optim_job() -> tuple[Job, object]:
    assignment = load_solution(OPTIM)
    return Job("optim", bundle(OPTIM), None, Settings(timeout=30), sources=student_sources(assignment)), assignment


def opened(student: str, source: bytes = REFERENCE) -> Opened:
    return Opened(student=student, files={"optim.py": source}, graded="optim.py",
                  sha256=hashlib.sha256(source).hexdigest())


def test_a_pool_broken_by_a_dying_worker_is_replaced_by_warm_workers_that_grade_every_submission(tmp_path,
                                                                                                 monkeypatch):
    monkeypatch.setenv(MARKERS, str(tmp_path))
    job, assignment = optim_job()
    students = ["ana", "victim-ben", "cai", "dee", "eve", "fay"]
    results = list(run_chunks(job, [opened(s) for s in students], BatchOptions(jobs=2), assignment, 2 * len(students),
                              work=die_once_then_grade))
    assert (tmp_path / "victim-ben").exists()  # its worker did die, breaking the first pool
    assert sorted(r.student for r in results) == sorted(students)
    assert all(r.status == "graded" and r.score == assignment.max_score for r in results), \
        [(r.student, r.status, r.message) for r in results]


def test_every_chunk_a_worker_grades_uses_the_one_job_it_received_when_it_started():
    job, assignment = optim_job()
    items = [opened(f"s{k:02d}") for k in range(24)]
    found = list(run_chunks(job, items, BatchOptions(jobs=2), assignment, 8, work=jobs_seen))
    assert len(found) == len(items)
    assert {distinct for _, distinct in found} == {1}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a zygote is started only with the fork start method")
def test_an_engine_adopts_a_zygote_started_early_for_its_check_files_and_grades_with_it():
    assignment = load_solution(OPTIM)
    with Engine(assignment, settings=Settings(start_method="fork")) as engine:
        launched = launch(engine.sandbox.check_files, "fork")
        assert engine.sandbox.adopt(launched)
        result = grade_files(engine, {**student_sources(assignment).given, "optim.py": REFERENCE}, "ana")
        assert engine.sandbox.proc is launched.proc and launched.proc.poll() is None
    assert result.status == "graded" and result.score == assignment.max_score


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a zygote is started only with the fork start method")
def test_a_zygote_started_for_other_check_files_is_stopped_and_the_engine_starts_its_own():
    assignment = load_solution(OPTIM)
    with Engine(assignment, settings=Settings(start_method="fork")) as engine:
        assert len(engine.sandbox.check_files) == 2  # checks.py and hidden_checks.py
        launched = launch(engine.sandbox.check_files[:1], "fork")
        assert not engine.sandbox.adopt(launched)
        assert launched.proc.poll() is not None  # stopped, not left to warm up for nobody
        result = grade_files(engine, {**student_sources(assignment).given, "optim.py": REFERENCE}, "ana")
        assert engine.sandbox.proc is not None and engine.sandbox.proc is not launched.proc
    assert result.status == "graded" and result.score == assignment.max_score


def test_chunks_shrink_towards_the_end_so_no_worker_is_left_alone_with_a_long_last_task():
    from grader.bulk.batch import MAX_CHUNK, _chunked, chunk_size

    sizes = [len(chunk) for chunk in _chunked(range(1000), lambda handed: chunk_size(1000, 2, handed))]
    assert sum(sizes) == 1000 and sizes[0] == MAX_CHUNK
    handed = 0
    for size in sizes:  # each a quarter of a worker's share of what is left, at most
        assert size == max(1, min(MAX_CHUNK, (1000 - handed) // 8))
        handed += size
    assert sizes[-8:] == [1] * 8
