"""A batch worker grades from what its Job carries: the student sources come computed, not rendered."""

import pickle
from pathlib import Path

import grader.bulk.worker as worker
import grader.stubs
from grader.bulk.bundle import bundle
from grader.bulk.worker import Job, engine_for
from grader.course import load_solution
from grader.grading.engine import Settings
from grader.stubs import student_sources

OPTIM = Path(__file__).resolve().parents[2] / "solutions" / "optim"


class RecordingEngine:
    """Stands in for the engine: the test is about the files a worker starts from, not grading."""

    def __init__(self, assignment, *, secret, settings):
        self.assignment = assignment

    def close(self) -> None:
        pass


def test_a_worker_given_the_jobs_student_sources_renders_nothing(monkeypatch):
    sources = student_sources(load_solution(OPTIM))
    job = pickle.loads(pickle.dumps(Job("optim", bundle(OPTIM), None, Settings(), sources=sources)))  # as shipped

    def refuse(*args, **kwargs):
        raise AssertionError("the worker rendered the student sources itself")

    monkeypatch.setattr(worker, "base_files", refuse)
    monkeypatch.setattr(grader.stubs, "render_stub", refuse)
    monkeypatch.setattr(worker, "_ENGINES", {})  # a fresh cache: this worker has made no engine yet
    engine, base = engine_for(job, RecordingEngine)
    assert isinstance(engine, RecordingEngine) and engine.assignment.name == "optim"
    assert base == sources.given and base["optim.py"] == sources.module_stub


def test_a_job_without_student_sources_still_gets_the_packs_given_files(monkeypatch):
    monkeypatch.setattr(worker, "_ENGINES", {})
    _, base = engine_for(Job("optim", bundle(OPTIM), None, Settings()), RecordingEngine)
    assert base == student_sources(load_solution(OPTIM)).given
