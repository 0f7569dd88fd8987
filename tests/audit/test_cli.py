"""`grade audit` in-process (click's CliRunner) and once as a subprocess: outputs and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main

FAST = ["--jobs", "1", "--seeds", "1"]


def audit(solutions: Path, *args: str):
    return CliRunner().invoke(main, ["audit", "--solutions", str(solutions), *FAST, *args])


def test_a_weak_course_fails_listing_its_survivors_and_writes_json_and_html(weak_course, tmp_path):
    r = audit(weak_course, "--json", str(tmp_path / "audit.json"), "--html", str(tmp_path / "pages"))
    assert r.exit_code == 1
    assert "SURVIVED descend:" in r.output and "w - target  ->  w + target" in r.output
    assert "bowl (" in r.output and "neither killed nor accepted" in r.output
    data = json.loads((tmp_path / "audit.json").read_text())
    [bowl] = data["assignments"]
    assert bowl["total"]["survived"] == sum(m["verdict"] == "survived" for m in bowl["mutants"]) > 0
    page = (tmp_path / "pages" / "index.html").read_text()
    assert "+++ mutant/bowl.py" in page and "descend_shape" in page and "1 equivalent mutant:" in page


def test_a_strong_course_passes(strong_course):
    r = audit(strong_course)
    assert r.exit_code == 0, r.output
    assert "SURVIVED" not in r.output


def test_accepting_every_survivor_makes_the_audit_pass_and_a_stale_entry_fails_it(weak_course):
    r = audit(weak_course, "--json", str(weak_course.parent / "a.json"))
    survivors = [m for m in json.loads((weak_course.parent / "a.json").read_text())["assignments"][0]["mutants"]
                 if m["verdict"] == "survived"]
    decisions = weak_course / "bowl" / "audit.toml"
    decisions.write_text("".join(f'[[accept]]\nid = "{m["id"]}"\nreason = "a test accepts it"\n\n'
                                 for m in survivors))
    r = audit(weak_course)
    assert r.exit_code == 0, r.output
    assert "accepted descend:" in r.output
    decisions.write_text(decisions.read_text() + '[[accept]]\nid = "descend:arith:0000000000"\nreason = "gone"\n')
    r = audit(weak_course)
    assert r.exit_code == 1
    assert f"STALE    {decisions}:{4 * len(survivors) + 2}: descend:arith:0000000000" in r.output


def test_a_score_below_min_score_fails_even_with_every_survivor_accepted(weak_course):
    audit(weak_course, "--json", str(weak_course.parent / "a.json"))
    survivors = [m for m in json.loads((weak_course.parent / "a.json").read_text())["assignments"][0]["mutants"]
                 if m["verdict"] == "survived"]
    (weak_course / "bowl" / "audit.toml").write_text("".join(
        f'[[accept]]\nid = "{m["id"]}"\nreason = "a test accepts it"\n' for m in survivors))
    config = weak_course.parent / "course.toml"
    config.write_text(config.read_text().replace("[grading]", "[audit]\nmin_score = 0.95\n\n[grading]"))
    r = audit(weak_course)
    assert r.exit_code == 1 and "below min_score 0.95" in r.output


def test_a_min_score_outside_0_to_1_is_an_error_naming_the_file_and_key(strong_course):
    config = strong_course.parent / "course.toml"
    config.write_text(config.read_text().replace("[grading]", "[audit]\nmin_score = 95\n\n[grading]"))
    r = audit(strong_course)
    assert r.exit_code == 2
    assert f"{config}: [audit] min_score must be a mutation score between 0 and 1" in r.output


def test_an_assignment_without_a_solution_region_is_an_error_naming_its_file(strong_course):
    module = strong_course / "bowl" / "bowl.py"
    module.write_text("\n".join(line for line in module.read_text().splitlines()
                                if "SOLUTION" not in line).replace("# SOLUTION", "") + "\n")
    r = audit(strong_course)
    assert r.exit_code == 2
    assert f"{module}: no solution region" in r.output


def test_grade_audit_runs_as_a_command(strong_course):
    done = subprocess.run([sys.executable, "-m", "grader.cli", "audit", *FAST], cwd=strong_course.parent,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bowl" in done.stdout and "1 assignment, " in done.stdout
    assert (strong_course.parent / ".grade-cache" / "audit" / "runs.db").is_file()


def test_a_reference_that_loses_points_in_the_sandbox_stops_the_audit_naming_its_file(strong_course, monkeypatch):
    # the sandbox scrubs the environment: this reference computes other numbers there than here
    module = strong_course / "bowl" / "bowl.py"
    module.write_text(module.read_text().replace("    w = np.array(w, dtype=float)\n",
                                                 "    w = np.array(w, dtype=float) * float(__import__('os')"
                                                 ".environ.get('AUDIT_TEST_SCALE', '1'))\n"))
    monkeypatch.setenv("AUDIT_TEST_SCALE", "2")
    r = audit(strong_course)
    assert r.exit_code == 2
    assert f"{module}: the reference itself does not score full marks" in r.output


DASK_SCRIPT = '''
import sys
from distributed import LocalCluster
from click.testing import CliRunner
from grader.cli import main

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = CliRunner().invoke(main, ["audit", "--solutions", sys.argv[1], "--seeds", "1", "--no-cache",
                                           "--json", sys.argv[2], "--scheduler", cluster.scheduler_address],
                                    catch_exceptions=False)
        print(result.output)
        sys.exit(result.exit_code)
'''


def test_a_dask_cluster_gives_the_verdicts_of_local_workers(weak_course, tmp_path):
    import pytest

    pytest.importorskip("distributed")
    audit(weak_course, "--json", str(tmp_path / "local.json"), "--no-cache")
    script = tmp_path / "run_dask.py"  # workers re-import __main__: run from a file, not stdin
    script.write_text(DASK_SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(weak_course), str(tmp_path / "dask.json")],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # the weak course's survivors fail it there too

    def verdicts(name):
        data = json.loads((tmp_path / name).read_text())
        return {m["id"]: m["verdict"] for a in data["assignments"] for m in a["mutants"]}
    assert verdicts("dask.json") == verdicts("local.json") and "survived" in verdicts("local.json").values()


def test_kills_only_hidden_checks_make_are_noted_and_do_not_fail_the_audit(tmp_path):
    from _tiny_course import WEAK_CHECKS, make_course

    solutions = make_course(tmp_path, checks=WEAK_CHECKS, hidden=True)
    r = audit(solutions)
    assert r.exit_code == 0, r.output
    assert "w - target  ->  w + target is caught only by hidden checks (hidden_descend_path)" in r.output
