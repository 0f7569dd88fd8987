"""`grade verify` in pieces (what the pytest plugin reports item by item) agrees with the whole."""

from __future__ import annotations

from _instructor import REPO

from grader.course import load_solution
from grader.authoring.verify import Verifier, verify


def test_per_item_findings_agree_with_the_report() -> None:
    sigmoid = load_solution(REPO / "solutions" / "sigmoid")
    verifier = Verifier(sigmoid)
    report = verifier.report()
    assert report.ok and [f.subject for f in report.findings][:2] == ["reference", "stub"]
    assert report.findings == verify(sigmoid).findings
    for c in sigmoid.checks:
        ref, stub = verifier.reference_check(c.name), verifier.stub_check(c.name)
        assert ref.ok and ref.detail == f"{c.points:g}/{c.points:g}" and ref.subject == f"reference {c.name}"
        assert stub.ok and stub.detail == f"0/{c.points:g}"
    assert [verifier.mistake(m) for m in sigmoid.mistakes] == report.findings[2:]
    ref, stub = verifier.runs()
    assert verifier.runs()[0] is ref  # graded once, then cached
