"""audit.toml decisions and the verdict rules, on plain data (no sandbox)."""

import pytest

from grader.audit.classify import AssignmentAudit, classify, decide
from grader.audit.decisions import load_decisions
from grader.audit.mutants import AuditError, Mutant
from grader.audit.run import CheckOutcome, RunOutcome


def mutant(mid="f:arith:abc"):
    return Mutant(mid, "f", "arith", "m.py", 3, "x + y", "x - y", "source")


def run(*checks, same=False, status="graded"):
    """A run outcome: checks given as (name, hidden, status, score)."""
    rows = [CheckOutcome(n, h, st, sc, 1.0) for n, h, st, sc in checks]
    return RunOutcome("k", status, sum(c.score for c in rows), float(len(rows)), same, rows)


PASS = ("public", False, "passed", 1.0)
PASS_HIDDEN = ("hidden", True, "passed", 1.0)


def test_a_mutant_that_loses_points_is_killed_by_the_checks_that_took_them():
    v = classify(mutant(), run(("public", False, "failed", 0.0), PASS_HIDDEN), [])
    assert (v.kind, v.caught_by, v.hidden_only) == ("killed", ["public"], False)


def test_a_mutant_caught_only_by_hidden_checks_is_flagged():
    v = classify(mutant(), run(PASS, ("hidden", True, "failed", 0.0)), [])
    assert v.kind == "killed" and v.hidden_only


def test_a_mutant_that_only_raises_is_an_error():
    v = classify(mutant(), run(("public", False, "error", 0.0), PASS_HIDDEN), [])
    assert v.kind == "error"
    assert classify(mutant(), run(PASS, status="not_gradable"), []).kind == "error"


def test_full_marks_with_the_same_outputs_everywhere_is_equivalent():
    assert classify(mutant(), run(PASS, same=True), [run(PASS, same=True)] * 3).kind == "equivalent"


def test_full_marks_with_different_outputs_somewhere_is_a_survivor():
    assert classify(mutant(), run(PASS, same=True), [run(PASS, same=True), run(PASS, same=False)]).kind == "survived"
    assert classify(mutant(), run(PASS, same=False), [run(PASS, same=True)]).kind == "survived"


def test_full_marks_on_the_audit_inputs_but_not_on_others_is_killed_on_other_inputs_only():
    v = classify(mutant(), run(PASS, same=False), [run(("public", False, "failed", 0.0))])
    assert v.kind == "killed" and v.other_inputs_only


def test_the_score_is_killed_over_non_equivalent_with_errors_counted_as_killed():
    verdicts = [classify(mutant(f"f:arith:{i}"), r, others) for i, (r, others) in enumerate([
        (run(("public", False, "failed", 0.0)), []),
        (run(("public", False, "error", 0.0)), []),
        (run(PASS, same=False), [run(PASS)]),
        (run(PASS, same=True), [run(PASS, same=True)]),
    ])]
    tally = AssignmentAudit("a", verdicts).tally()
    assert (tally.killed, tally.errors, tally.survived, tally.equivalent) == (2, 1, 1, 1)
    assert tally.score == pytest.approx(2 / 3)


def write_decisions(tmp_path, text):
    (tmp_path / "audit.toml").write_text(text)
    return load_decisions(tmp_path)


def test_accepted_survivors_are_attached_and_unknown_ids_are_stale_with_their_line(tmp_path):
    accepted = write_decisions(tmp_path, '[[accept]]\nid = "f:arith:0"\nreason = "below tolerance"\n\n'
                                         '[[accept]]\nid = "f:arith:gone"\nreason = "old"\n')
    audit = AssignmentAudit("a", [classify(mutant("f:arith:0"), run(PASS, same=False), [run(PASS)])])
    decide(audit, accepted)
    assert audit.survivors[0].accepted.reason == "below tolerance"
    assert not audit.unaccepted
    [stale] = audit.stale
    assert stale.id == "f:arith:gone" and stale.where == f"{tmp_path / 'audit.toml'}:6"
    assert not audit.ok


def test_an_accepted_mutant_that_no_longer_survives_is_noted_not_stale(tmp_path):
    accepted = write_decisions(tmp_path, '[[accept]]\nid = "f:arith:0"\nreason = "below tolerance"\n')
    audit = AssignmentAudit("a", [classify(mutant("f:arith:0"), run(("public", False, "failed", 0.0)), [])])
    decide(audit, accepted)
    assert audit.unneeded and not audit.stale and audit.ok


def test_the_audit_fails_below_min_score_and_with_an_unaccepted_survivor():
    survivor = classify(mutant(), run(PASS, same=False), [run(PASS)])
    assert not AssignmentAudit("a", [survivor]).ok
    killed = classify(mutant(), run(("public", False, "failed", 0.0)), [])
    assert AssignmentAudit("a", [killed], min_score=1.0).ok
    survivor.accepted = object()
    assert not AssignmentAudit("a", [killed, survivor], min_score=0.9).ok
    assert AssignmentAudit("a", [killed, survivor], min_score=0.5).ok


@pytest.mark.parametrize("text, message", [
    ('[[accept]]\nid = "f:arith:0"\n', r"audit.toml:2: .*needs a reason"),
    ('[[accept]]\nid = "nonsense"\nreason = "x"\n', r"audit.toml: accept entry 1: id must be a mutant id"),
    ('[[accept]]\nid = "f:arith:0"\nreason = "x"\nwhy = "y"\n', r"audit.toml:2: .*unknown key 'why'"),
    ('accepted = 1\n', r"audit.toml: unknown key 'accepted'"),
    ('[[accept]\n', r"audit.toml: not valid TOML"),
    ('[[accept]]\nid = "f:a:0"\nreason = "x"\n[[accept]]\nid = "f:a:0"\nreason = "y"\n', "accepted twice"),
])
def test_a_bad_audit_toml_is_an_error_naming_the_file(tmp_path, text, message):
    with pytest.raises(AuditError, match=message):
        write_decisions(tmp_path, text)


def test_no_audit_toml_accepts_nothing(tmp_path):
    assert load_decisions(tmp_path) == []


def test_a_survivor_accepted_as_equivalent_leaves_the_score(tmp_path):
    accepted = write_decisions(tmp_path, '[[accept]]\nid = "f:arith:0"\nreason = "another right answer"\n'
                                         'equivalent = true\n')
    killed = classify(mutant("f:arith:1"), run(("public", False, "failed", 0.0)), [])
    audit = AssignmentAudit("a", [killed, classify(mutant("f:arith:0"), run(PASS, same=False), [run(PASS)])],
                            min_score=1.0)
    decide(audit, accepted)
    assert audit.tally().equivalent == 1 and audit.tally().score == 1.0 and audit.ok
    assert [v.mutant.id for v in audit.decided] == ["f:arith:0"]


def test_a_stale_entry_is_placed_on_its_own_line_even_when_another_id_extends_it(tmp_path):
    accepted = write_decisions(tmp_path, '[[accept]]\nid = "f:arith:0#2"\nreason = "r"\n\n'
                                         '[[accept]]\nid = "f:arith:0"\nreason = "r"\n')
    assert [(a.id, a.line) for a in accepted] == [("f:arith:0#2", 2), ("f:arith:0", 6)]
