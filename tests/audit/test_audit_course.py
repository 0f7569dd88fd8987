"""Whole audits of tiny courses made like `grade new` makes them: mutants graded in the sandbox."""

from pathlib import Path

from grader.audit.course_audit import AuditOptions, audit_course
from grader.grading.engine import Settings

from _tiny_course import WEAK_CHECKS, make_course

OPTIONS = AuditOptions(jobs=1, settings=Settings(check_timeout=5, timeout=20), seeds=2)


def by_replacement(audit, original, replacement):
    [v] = [v for v in audit.verdicts if v.mutant.original == original and v.mutant.replacement == replacement]
    return v


def test_a_weak_course_has_its_survivors_reported(weak_course):
    [audit] = audit_course(weak_course, (), OPTIONS)
    flipped = by_replacement(audit, "w - target", "w + target")
    assert flipped.kind == "survived" and flipped.accepted is None
    assert len(audit.survivors) > 10
    assert audit.tally().score < 0.5 and not audit.ok


def test_a_strong_course_kills_every_mutant_that_is_not_equivalent(strong_course):
    [audit] = audit_course(strong_course, (), OPTIONS)
    assert audit.survivors == [] and audit.ok
    assert audit.tally().killed >= 15 and audit.tally().score == 1.0
    assert all(v.caught_by for v in audit.verdicts if v.kind == "killed")


def test_a_mutant_with_the_references_outputs_everywhere_is_equivalent_and_not_counted(strong_course):
    [audit] = audit_course(strong_course, (), OPTIONS)
    dropped = by_replacement(audit, "np.stack(path, axis=0)", "np.stack(path)")  # axis=0 is np.stack's default
    assert dropped.kind == "equivalent"
    swapped = by_replacement(audit, "np.stack(path, axis=0)", "np.stack(path, axis=1)")
    assert swapped.kind == "killed"
    tally = audit.tally()
    assert tally.score == tally.killed / (tally.killed + tally.survived)


def test_kills_made_only_by_hidden_checks_are_flagged(tmp_path):
    solutions = make_course(tmp_path, checks=WEAK_CHECKS, hidden=True)
    [audit] = audit_course(solutions, (), OPTIONS)
    flipped = by_replacement(audit, "w - target", "w + target")
    assert flipped.kind == "killed" and flipped.hidden_only and flipped.caught_by == ["hidden_descend_path"]


def test_a_second_audit_grades_nothing_and_editing_one_check_regrades_only_its_assignment(tmp_path):
    solutions = make_course(tmp_path, names=("bowl", "cup"))
    first = audit_course(solutions, (), OPTIONS)
    assert all(a.runs > 0 and a.cached == 0 for a in first)
    assert (tmp_path / ".grade-cache" / "audit").is_dir()
    again = audit_course(solutions, (), OPTIONS)
    assert [(a.runs, a.cached) for a in again] == [(0, a.runs) for a in first]
    assert [[v.kind for v in a.verdicts] for a in again] == [[v.kind for v in a.verdicts] for a in first]
    checks = solutions / "cup" / "checks.py"
    checks.write_text(checks.read_text().replace("steps=6", "steps=7"))
    bowl, cup = audit_course(solutions, (), OPTIONS)
    assert (bowl.runs, bowl.cached) == (0, first[0].runs)
    assert cup.runs == first[1].runs and cup.cached == 0


def test_accepting_a_survivor_changes_no_verdict_and_grades_nothing_again(weak_course):
    [audit] = audit_course(weak_course, (), OPTIONS)
    entries = "".join(f'[[accept]]\nid = "{v.mutant.id}"\nreason = "this test accepts it"\n\n'
                      for v in audit.survivors)
    (weak_course / "bowl" / "audit.toml").write_text(entries)
    [again] = audit_course(weak_course, (), OPTIONS)
    assert again.runs == 0 and not again.unaccepted and again.ok


SHIFT = '''"""Shift an array."""

import numpy as np


def shift(w, d):
    """``w + d``, leaving ``w`` as it was."""
    # BEGIN SOLUTION
    w = w + d
    return w
    # END SOLUTION
'''

SHIFT_CHECKS = '''"""The shifted values only: nothing looks at the argument after the call (it is declared free to
change, which turns off the default side-effect check)."""

import numpy as np

from grader.checks import check, may_modify


@check(points=1, functions=["shift"], mutates=may_modify("shift", "w"))
def shifted(impl, rng):
    """The values of w + d."""
    return {"out": impl.shift(rng.normal(size=4), rng.normal(size=4))}
'''


def test_a_mutant_that_changes_its_callers_array_survives_when_no_check_looks_at_it(tmp_path):
    solutions = make_course(tmp_path, names=("shift",), hidden=False)
    folder = solutions / "shift"
    (folder / "shift.py").write_text(SHIFT)
    (folder / "checks.py").write_text(SHIFT_CHECKS)
    (folder / "mistakes.py").unlink()
    [audit] = audit_course(solutions, (), OPTIONS)
    in_place = by_replacement(audit, "w = w + d", "w += d")  # the same outputs, but the caller's w changes
    assert in_place.kind == "survived"
    assert by_replacement(audit, "w + d", "w - d").kind == "killed"


def test_a_mutant_that_changes_its_callers_array_is_killed_by_the_default_side_effect_check(tmp_path):
    solutions = make_course(tmp_path, names=("shift",), hidden=False)
    folder = solutions / "shift"
    (folder / "shift.py").write_text(SHIFT)
    (folder / "checks.py").write_text(SHIFT_CHECKS.replace(', mutates=may_modify("shift", "w")', ""))
    (folder / "mistakes.py").unlink()
    [audit] = audit_course(solutions, (), OPTIONS)
    in_place = by_replacement(audit, "w = w + d", "w += d")
    assert in_place.kind == "killed" and in_place.caught_by == ["shifted"]
