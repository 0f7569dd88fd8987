"""JSON, CSV, JUnit and Gradescope outputs: structure, escaping, and the same scores everywhere."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.reports.export import (FIXED_COLUMNS, fmt_score, folder_names, write_csv, write_gradescope,
                                   write_json, write_junit, write_outputs)
from grader.result import HIDDEN_MESSAGE


def test_json(tmp_path: Path, class_results) -> None:
    path = write_json(class_results, "optim", 9.0, tmp_path / "out" / "results.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["assignment"] == "optim" and data["max_score"] == 9.0
    assert data["results"] == [r.to_dict() for r in class_results]
    assert data["results"][3]["late_days"] == 2 and data["results"][3]["penalty"] == 0.2


def test_csv(tmp_path: Path, class_results) -> None:
    path = write_csv(class_results, tmp_path / "grades.csv")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8").splitlines()))
    header = rows[0]
    assert header == list(FIXED_COLUMNS) + ["sgd_update", "adam_update", "hidden_adam", "extra_check"]
    assert [r[0] for r in rows[1:]] == [r.student for r in class_results]
    by_student = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_student["late@example.edu"]["score"] == "7.2"
    assert by_student["late@example.edu"]["late_days"] == "2"
    assert by_student["late@example.edu"]["penalty"] == "0.2"
    assert by_student["b/o b<&>\""]["adam_update"] == "0.333333"
    assert by_student["alice"]["sgd_update"] == ""  # unreadable: no checks ran
    assert by_student["alice"]["status"] == "not_gradable"
    assert by_student["ada"]["submitted_at"] == "2024-05-01T10:00:00Z"


def test_junit_structure_and_escaping(tmp_path: Path, class_results) -> None:
    path = write_junit(class_results, tmp_path / "junit.xml")
    root = ET.parse(path).getroot()  # well-formed despite <, &, quotes, ESC and NUL in messages
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.student for r in class_results]
    total = {"tests": 0, "failures": 0, "errors": 0}
    for suite, result in zip(suites, class_results):
        cases = suite.findall("testcase")
        expected_cases = len(result.checks) or 1
        failures = sum(len(c.findall("failure")) for c in cases)
        errors = sum(len(c.findall("error")) for c in cases)
        assert (int(suite.get("tests")), int(suite.get("failures")), int(suite.get("errors"))) == \
            (expected_cases, failures, errors)
        assert len(cases) == expected_cases
        float(suite.get("time"))
        for case in cases:
            assert case.get("classname") == f"optim.{result.student}"
            float(case.get("time"))
        if result.status == "not_gradable":
            assert errors == expected_cases and failures == 0
            assert all(result.message in c.find("error").get("message") for c in cases)
        else:
            for case, check in zip(cases, result.checks):
                assert case.get("name") == check.name
                failure, error = case.find("failure"), case.find("error")
                label = "[instructor only] " if check.hidden and check.message else ""
                if check.status == "passed":
                    assert failure is None and error is None
                elif check.status == "error":
                    assert error is not None and error.get("message") == label + check.message
                else:
                    assert failure is not None and failure.get("type") == check.status
                    assert failure.get("message").replace("\ufffd", "") == \
                        label + check.message.replace("\x1b", "").replace("\x00", "")
        for key in total:
            total[key] += int(suite.get(key))
    assert {k: int(root.get(k)) for k in total} == total
    wrong = suites[1].findall("testcase")
    assert 'max abs error 0.5 at [0] <x> & "y"' in wrong[0].find("failure").get("message")
    assert "Hint: divide m by 1 - beta1**t" in wrong[1].find("failure").text
    text = path.read_text(encoding="utf-8")
    assert "&lt;x&gt; &amp;" in text and "\x00" not in text and "\x1b" not in text


def test_gradescope_files(tmp_path: Path, class_results, gradescope_schema) -> None:
    folder = write_gradescope(class_results, tmp_path / "gs")
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert sorted(index.values()) == sorted(r.student for r in class_results)
    assert len(index) == len(class_results)
    for name, student in index.items():
        assert "/" not in name and not name.startswith(".")
        result = next(r for r in class_results if r.student == student)
        data = json.loads((folder / name / "results.json").read_text(encoding="utf-8"))
        gradescope_schema(data)
        assert data["score"] == pytest.approx(result.score, abs=1e-6)
        assert data["visibility"] == "visible" and data["stdout_visibility"] == "hidden"
        assert [t["name"] for t in data["tests"]] == [c.name for c in result.checks]
        for test, check in zip(data["tests"], result.checks):
            assert test["visibility"] == ("after_published" if check.hidden else "visible")
            assert test["status"] == ("passed" if check.status == "passed" else "failed")
            if check.hidden:  # what a student sees: status, points and hint, never the grader's message
                assert check.message not in test["output"] or not check.message
                assert check.status == "passed" or HIDDEN_MESSAGE in test["output"]
            else:
                assert check.message in test["output"]
            if check.hint:
                assert check.hint in test["output"]
        if result.status == "not_gradable":
            assert result.message in data["output"]
        if result.late_days:
            assert "2 days late" in data["output"] and "20% penalty" in data["output"]


def test_folder_names_are_safe_and_unique() -> None:
    ids = ["ada", "Ada", "b/o b", "b_o_b", "..", ".hidden", "", "index.json", "con", "chloé", "x" * 300,
           "a@b.edu", "ünï"]
    names = folder_names(ids)
    assert len(set(n.lower() for n in names.values())) == len(ids)
    assert names["a@b.edu"] == "a@b.edu" and names["b_o_b"] == "b_o_b"  # plain ids keep their name
    for student, name in names.items():
        assert name and len(name) <= 100 and not name.startswith(".")
        assert all(ch.isascii() and (ch.isalnum() or ch in "._@+-") for ch in name)
        assert name.lower() not in {"index.json", "con", ".", ".."}
    assert folder_names(ids) == names  # stable from run to run


def test_outputs_agree(tmp_path: Path, class_results) -> None:
    written = write_outputs(class_results, "optim", 9.0, json=tmp_path / "r.json", csv=tmp_path / "r.csv",
                            junit=tmp_path / "r.xml", gradescope=tmp_path / "gs")
    assert written == [tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.xml", tmp_path / "gs"]
    from_json = {r["student"]: (r["score"], {c["name"]: c["score"] for c in r["checks"]})
                 for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    rows = list(csv.DictReader((tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()))
    fixed = set(FIXED_COLUMNS)
    from_csv = {r["student"]: (float(r["score"]), {k: float(v) for k, v in r.items() if k not in fixed and v})
                for r in rows}
    root = ET.parse(tmp_path / "r.xml").getroot()
    from_junit = {}
    for suite in root.findall("testsuite"):
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        passed = {c.get("name") for c in suite.findall("testcase") if not list(c)}
        from_junit[suite.get("name")] = (float(props["score"]), passed)
    index = json.loads((tmp_path / "gs" / "index.json").read_text())
    from_gs = {}
    for name, student in index.items():
        data = json.loads((tmp_path / "gs" / name / "results.json").read_text())
        from_gs[student] = (data["score"], {t["name"]: t["score"] for t in data["tests"]})
    assert from_json.keys() == from_csv.keys() == from_junit.keys() == from_gs.keys()
    for r in class_results:
        total, checks = from_json[r.student]
        assert total == r.score
        for other in (from_csv, from_junit, from_gs):
            assert other[r.student][0] == pytest.approx(total, abs=1e-6)
        for source in (from_csv, from_gs):
            assert source[r.student][1].keys() == checks.keys()
            for name, score in checks.items():
                assert source[r.student][1][name] == pytest.approx(score, abs=1e-6)
        assert from_junit[r.student][1] == {c.name for c in r.checks
                                            if c.status == "passed" and r.status != "not_gradable"}


def test_fmt_score() -> None:
    assert [fmt_score(x) for x in (29, 29.0, 3.6666666666, 0.5, 0, -0.0, 1e-9, 7.2)] == \
        ["29", "29", "3.666667", "0.5", "0", "0", "0", "7.2"]


def test_writes_are_atomic_replacements(tmp_path: Path, class_results) -> None:
    target = tmp_path / "r.csv"
    target.write_text("old")
    write_csv(class_results, target)
    assert target.read_text(encoding="utf-8").startswith("student,")
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]  # no temporary file left behind


def test_csv_never_turns_a_student_id_into_a_formula(tmp_path):
    import csv as _csv

    from grader.reports.export import write_csv
    from grader.result import CheckResult, Result

    rows = [Result.from_checks(sid, "optim", [CheckResult("c", ["f"], 1.0, 1.0, "passed")])
            for sid in ("=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-2", "ada")]
    write_csv(rows, tmp_path / "r.csv")
    with open(tmp_path / "r.csv", newline="", encoding="utf-8-sig") as fh:
        students = [r["student"] for r in _csv.DictReader(fh)]
    assert students == ["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-2", "ada"]
