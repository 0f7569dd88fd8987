"""`grade audit` for a course: mutate each assignment's reference inside its solution regions, grade
every mutant like a submission, and classify what the checks caught (:mod:`grader.audit.classify`).

Every assignment's mutants go through one pool: run 0 of each (the audit's own inputs), and for
those that keep full marks runs 1..``seeds`` (other inputs: is it equivalent, or only unexposed?),
which the worker adds itself. Runs found in the cache are not graded again. The reference is graded
first, like a mutant: an audit means nothing unless it keeps full marks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import grader
from grader.audit.cache import AuditCache
from grader.audit.classify import EQUIVALENT, SURVIVED, AssignmentAudit, classify, decide
from grader.audit.decisions import AUDIT_FILE, load_decisions
from grader.audit.mutants import AuditError, Mutant, MutantSet, mutate_file
from grader.audit.probe import record_calls, same_behaviour
from grader.audit.run import (CourseJob, RunOutcome, audit_chunk, lost, run_key, run_seed,
                              run_student)
from grader.bulk.batch import BatchOptions, run_chunks
from grader.bulk.bundle import bundle
from grader.bulk.worker import Job
from grader.checks.expected import ReferenceExpectations
from grader.course import Assignment, load_solution
from grader.grading.engine import DEFAULT_SECRET, Settings
from grader.markers import parse
from grader.result import Result
from grader.stubs import student_sources
from grader.submission import Opened

DEFAULT_SEEDS = 3  # other inputs tried on a mutant that kept full marks


@dataclass
class AuditOptions:
    jobs: int = 1
    scheduler: str | None = None
    settings: Settings = field(default_factory=Settings)
    secret: bytes | None = None
    seeds: int = DEFAULT_SEEDS
    min_score: float | None = None


Progress = Callable[[int, int], None]  # (runs graded, runs queued: each full-marks run 0 adds its other inputs)


def assignment_mutants(assignment: Assignment) -> MutantSet:
    """Every mutant of the assignment's solution regions: its module's and those of any support module
    that has regions (an error names the module when no file has one)."""
    found = MutantSet([])
    for path in assignment.sources():
        if path != assignment.module_path and not parse(path.read_text(encoding="utf-8"), str(path)).regions:
            continue
        try:
            part = mutate_file(path)
        except AuditError:
            if path != assignment.module_path:
                raise
            part = MutantSet([])  # regions may all be in the support modules
        found.mutants += part.mutants
        found.not_compiling += part.not_compiling
        found.duplicates += part.duplicates
    if not found.mutants and not found.not_compiling:
        mutate_file(assignment.module_path)  # raises, naming the file, when it has no region
    return found


def checks_version(files: dict[str, bytes], mutated: str) -> str:
    """Everything a mutant's verdict depends on besides the mutated file: checks, mistakes, data,
    the other modules, grade's version (not audit.toml: decisions do not change verdicts)."""
    h = hashlib.sha256(f"grade {grader.__version__}\0".encode())
    for rel in sorted(files):
        if rel not in (AUDIT_FILE, mutated):
            h.update(rel.encode() + b"\0" + hashlib.sha256(files[rel]).digest())
    return h.hexdigest()


def settings_text(settings: Settings, secret: bytes | None) -> str:
    """The engine settings that can change a verdict, and the secret's digest (it seeds hidden inputs)."""
    s = settings
    digest = hashlib.sha256(secret or DEFAULT_SECRET).hexdigest()[:16]
    return (f"timeout={s.timeout} check_timeout={s.check_timeout} import_timeout={s.import_timeout} "
            f"memory={s.memory_bytes} secret={digest}")


@dataclass
class _Subject:
    """One assignment being audited: its mutants, decisions and how its runs are keyed."""

    assignment: Assignment
    mutants: MutantSet
    accepted: list
    job: Job
    versions: dict[str, str]  # mutated file -> checks version
    settings: str

    def runs(self, chosen: list[Mutant], indices: range) -> dict[tuple[str, int], tuple[str, Opened]]:
        """(mutant id, run index) -> (cache key, the run as a submission)."""
        out = {}
        for m in chosen:
            for run in indices:
                key = run_key(m.digest, self.versions[m.file], self.settings, run)
                out[(m.id, run)] = (key, Opened(run_student(key, run), {m.file: m.source.encode()},
                                                self.assignment.name, m.digest))
        return out


def _subject(folder: Path, options: AuditOptions) -> _Subject:
    assignment = load_solution(folder)
    accepted = load_decisions(folder)
    mutants = assignment_mutants(assignment)
    files = bundle(folder)
    job = Job(assignment.name, {rel: data for rel, data in files.items() if rel != AUDIT_FILE}, options.secret,
              options.settings)
    versions = {p.name: checks_version(files, p.name) for p in assignment.sources()}
    return _Subject(assignment, mutants, accepted, job, versions, settings_text(options.settings, options.secret))


def _grade_runs(subjects: list[_Subject], todo: list[Opened], options: AuditOptions, cache: AuditCache,
                progress: Progress | None) -> list[RunOutcome]:
    """Grade ``todo`` in one pool (each run 0 that keeps full marks brings its runs on other inputs)."""
    if not todo:
        return []
    working = [s for s in subjects if any(o.graded == s.assignment.name for o in todo)]
    course = CourseJob(jobs={s.assignment.name: s.job for s in working},
                       given={s.assignment.name: student_sources(s.assignment).given for s in working},
                       versions={s.assignment.name: s.versions for s in working},
                       settings=working[0].settings, seeds=options.seeds)
    batch = BatchOptions(jobs=options.jobs, settings=options.settings, scheduler=options.scheduler,
                         secret=options.secret)
    fresh: list[RunOutcome] = []
    saved = 0
    for done in run_chunks(course, iter(todo), batch, working[0].assignment, len(todo), work=audit_chunk):
        fresh.append(lost(done) if isinstance(done, Result) else done)
        if progress:
            progress(len(fresh), len(todo))
        if len(fresh) - saved >= 200:
            cache.put(fresh[saved:])  # an interrupted audit keeps what it graded
            saved = len(fresh)
    cache.put(fresh[saved:])
    return fresh


REFERENCE = "<reference>"


def _reference(assignment: Assignment) -> Mutant:
    """The reference module as a run like the mutants' (no change)."""
    path = assignment.module_path
    return Mutant(REFERENCE, "", "", path.name, 0, "", "", path.read_text(encoding="utf-8"))


def _probe_seeds(assignment: Assignment, options: AuditOptions) -> dict[str, list[int]]:
    """Every check's seeds in every run (the inputs the mutants were graded on)."""
    secret = options.secret or DEFAULT_SECRET
    expectations = ReferenceExpectations(assignment)
    return {c.name: [run_seed(c, assignment.name, secret, expectations, r) for r in range(options.seeds + 1)]
            for c in assignment.checks}


def audit_folders(folders: list[Path], options: AuditOptions, cache: AuditCache,
                  progress: Progress | None = None) -> list[AssignmentAudit]:
    """Audit the checks of the assignments in ``folders`` (``solutions/<name>/``), all in one pool."""
    subjects = [_subject(folder, options) for folder in folders]
    every = range(options.seeds + 1)
    # the reference itself goes first, graded like the mutants: a verdict on a mutant means nothing
    # unless the reference keeps full marks on the same inputs
    references = {s.assignment.name: _reference(s.assignment) for s in subjects}
    runs = {s.assignment.name: s.runs([references[s.assignment.name], *s.mutants.mutants], every) for s in subjects}
    known = cache.get([key for r in runs.values() for key, _ in r.values()])
    todo = []  # run 0 where it is not known (its worker adds the other runs); else the other runs missing
    for s in subjects:
        mine = runs[s.assignment.name]
        for m in [references[s.assignment.name], *s.mutants.mutants]:
            first = mine[(m.id, 0)][0]
            if first not in known:
                todo.append(mine[(m.id, 0)][1])
            elif known[first].full_marks:
                todo += [mine[(m.id, r)][1] for r in every[1:] if mine[(m.id, r)][0] not in known]
    fresh = _grade_runs(subjects, todo, options, cache, progress)
    outcomes = {**known, **{o.key: o for o in fresh}}
    graded = {o.key for o in fresh}
    for s in subjects:
        reference = outcomes[runs[s.assignment.name][(REFERENCE, 0)][0]]
        if not reference.full_marks:
            lost_on = ", ".join(c.name for c in reference.checks if c.score < c.max_score) or reference.message
            raise AuditError(f"{s.assignment.module_path}: the reference itself does not score full marks when "
                             f"graded like a submission ({lost_on}): fix it first (`grade verify "
                             f"{s.assignment.name}` shows why)")
    return [_audit(s, runs[s.assignment.name], outcomes, graded, options, cache) for s in subjects]


def _audit(s: _Subject, mine: dict, outcomes: dict[str, RunOutcome], graded: set[str], options: AuditOptions,
           cache: AuditCache) -> AssignmentAudit:
    """One assignment's verdicts from its runs' outcomes, and its audit.toml decisions."""
    verdicts = []
    log: list = []  # the checks' calls into the reference, recorded once, if an equivalent needs them
    every = range(options.seeds + 1)
    for m in s.mutants.mutants:
        main = outcomes[mine[(m.id, 0)][0]]
        others = [outcomes[mine[(m.id, r)][0]] for r in every[1:]] if main.full_marks else []
        verdict = classify(m, main, others)
        if verdict.kind == EQUIVALENT and not _behaves_alike(s, m, options, cache, log):
            verdict.kind = SURVIVED  # the checks' outputs agree, but the functions do not
        verdicts.append(verdict)
    used = [mine[(m.id, r)][0] for m in s.mutants.mutants for r in every
            if r == 0 or outcomes[mine[(m.id, 0)][0]].full_marks]
    now = sum(k in graded for k in used)
    audit = AssignmentAudit(s.assignment.name, verdicts, s.mutants.not_compiling, s.mutants.duplicates,
                            min_score=options.min_score, runs=now, cached=len(used) - now,
                            checks={c.name: list(c.functions) for c in s.assignment.checks})
    decide(audit, s.accepted)
    return audit


def _behaves_alike(s: _Subject, m: Mutant, options: AuditOptions, cache: AuditCache, log: list) -> bool:
    """:func:`grader.audit.probe.same_behaviour`, cached like a run."""
    key = run_key(m.digest, s.versions[m.file], s.settings, "probe")
    known = cache.get([key])
    if key in known:
        return known[key].same
    if not log:
        log.append(record_calls(s.assignment, _probe_seeds(s.assignment, options)))
    same = same_behaviour(m, s.assignment, log[0])
    cache.put([RunOutcome(key, "probed", 0.0, 0.0, same)])
    return same


def audit_course(solutions: Path, names: tuple[str, ...] | list[str], options: AuditOptions,
                 progress: Progress | None = None, cache: bool = True) -> list[AssignmentAudit]:
    """Audit the assignments named (all when none) under ``solutions``; the cache lives at the course
    root, in ``.grade-cache/audit/``."""
    from grader.audit.cache import cache_path
    from grader.config import course_root
    from grader.course import assignment_folders

    folders = assignment_folders(solutions, names)
    store = AuditCache(cache_path(course_root(solutions)) if cache else None)
    try:
        return audit_folders(folders, options, store, progress)
    finally:
        store.close()
