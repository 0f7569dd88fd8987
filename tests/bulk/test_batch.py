"""`grade batch` end to end: entry kinds, outputs that agree, incremental regrade, late policy,
a crashing or hanging student never blocks the batch, and the same work on a Dask LocalCluster."""

import csv
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_solution

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
REFERENCE = (SOLUTIONS / "optim" / "optim.py").read_text()
STUB = (ROOT / "assignments" / "optim" / "optim.py").read_text()
FULL = load_solution(SOLUTIONS / "optim").max_score


def make_submissions(folder: Path) -> Path:
    folder.mkdir()
    (folder / "ana.py").write_text(REFERENCE)
    (folder / "ben.py").write_text(STUB)
    (folder / "cai").mkdir()
    (folder / "cai" / "optim.py").write_text(REFERENCE)
    with zipfile.ZipFile(folder / "dee.zip", "w") as zf:
        zf.writestr("work/optim.py", REFERENCE)
        zf.writestr("manifest.json", json.dumps({"student": "dee@uni.example", "submitted_at": "2026-11-20T10:00:00Z"}))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext autoreload\n" + REFERENCE.split("\nif __name__")[0])]
    (folder / "eve.ipynb").write_text(nbformat.writes(nb))
    (folder / "fay.py").write_text("def adam(:\n")
    (folder / "gus.py").write_text(REFERENCE + "\n\ndef sgd(w, dw, config=None):\n    while True:\n        pass\n")
    (folder / "hal.py").write_text("import os\nos._exit(3)\n")
    return folder


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def batch_args(tmp: Path, subs: Path) -> list[str]:
    """`grade batch` of ``subs`` into the gradebook and outputs under ``tmp`` (every path absolute)."""
    out = tmp / "out"
    return ["batch", str(subs), "--assignment", "optim", "--solutions", str(SOLUTIONS), "--jobs", "2",
            "--gradebook", str(tmp / "gb.db"), "--json", str(out / "r.json"), "--csv", str(out / "r.csv"),
            "--junit", str(out / "r.xml"), "--gradescope", str(out / "gs"), "--timeout", "20"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One batch of every entry kind, graded once for the module. Read only: a test that changes
    submissions or the gradebook does so on its own copy (:func:`copy_of_graded`)."""
    tmp = tmp_path_factory.mktemp("batch")
    subs = make_submissions(tmp / "subs")
    result = run(batch_args(tmp, subs))
    assert result.exit_code == 0, result.output
    return tmp, result


def copy_of_graded(graded, tmp_path: Path) -> tuple[Path, list[str]]:
    """The graded batch's submissions and gradebook copied to ``tmp_path``: (submissions, arguments)."""
    source, _ = graded
    shutil.copytree(source / "subs", tmp_path / "subs")
    shutil.copy(source / "gb.db", tmp_path / "gb.db")
    return tmp_path / "subs", batch_args(tmp_path, tmp_path / "subs")


def scores(out: Path) -> dict:
    return {r["student"]: r for r in json.loads((out / "r.json").read_text())["results"]}


def test_every_entry_kind_gets_a_row_with_the_right_grade(graded):
    tmp, _ = graded
    rows = scores(tmp / "out")
    assert set(rows) == {"ana", "ben", "cai", "dee", "eve", "fay", "gus", "hal"}
    for full in ("ana", "cai", "dee", "eve"):
        assert rows[full]["score"] == FULL and rows[full]["status"] == "graded", full
    assert rows["ben"]["score"] == 0 and rows["ben"]["status"] == "graded"
    assert rows["fay"]["status"] == "not_gradable" and "SyntaxError" in rows["fay"]["message"]
    assert rows["hal"]["status"] == "not_gradable" and "ended the process" in rows["hal"]["message"]
    gus = {c["name"]: c for c in rows["gus"]["checks"]}
    assert gus["sgd_update"]["status"] == "timeout"
    assert rows["gus"]["score"] == FULL - sum(c["max_score"] for c in gus.values() if c["functions"] == ["sgd"])
    # no time source named: the manifest's time (written on the student's machine) is not used
    assert rows["dee"]["submitted_at"] is None and rows["dee"]["late_source"] == "none"


def test_the_entry_name_decides_the_student_and_a_manifest_that_disagrees_is_reported(graded):
    tmp, result = graded
    assert "dee@uni.example" not in scores(tmp / "out")
    assert "dee.zip: its manifest.json names 'dee@uni.example'; graded as 'dee'" in result.output


def test_outputs_agree_with_each_other(graded):
    tmp, _ = graded
    out = tmp / "out"
    rows = scores(out)
    with open(out / "r.csv", newline="") as fh:
        table = {r["student"]: r for r in csv.DictReader(fh)}
    suites = {s.get("name"): s for s in ET.parse(out / "r.xml").getroot().iter("testsuite")}
    index = json.loads((out / "gs" / "index.json").read_text())
    gradescope = {student: json.loads((out / "gs" / folder / "results.json").read_text())
                  for folder, student in index.items()}
    assert set(rows) == set(table) == set(suites) == set(gradescope)
    for student, r in rows.items():
        assert float(table[student]["score"]) == pytest.approx(r["score"])
        assert gradescope[student]["score"] == pytest.approx(r["score"])
        for c in r["checks"]:
            assert float(table[student][c["name"]]) == pytest.approx(c["score"])
        failing = sum(c["status"] != "passed" for c in r["checks"])
        suite = suites[student]
        assert int(suite.get("failures")) + int(suite.get("errors")) == failing


def test_second_run_grades_only_what_changed(graded, tmp_path):
    subs, args = copy_of_graded(graded, tmp_path)
    (subs / "ben.py").write_text(REFERENCE)  # ben fixes his work
    result = run(args)
    assert result.exit_code == 0, result.output
    assert "1 graded now, 7 unchanged" in result.output
    out = tmp_path / "out"
    assert scores(out)["ben"]["score"] == FULL
    before = {s: (r["score"], [c["status"] for c in r["checks"]]) for s, r in scores(out).items()}
    again = run(args + ["--regrade"])
    assert "8 graded now, 0 unchanged" in again.output
    after = {s: (r["score"], [c["status"] for c in r["checks"]]) for s, r in scores(out).items()}
    assert after == before  # grading the same content again gives the same verdicts


def test_late_policy_from_options_with_the_time_source_the_instructor_names(graded, tmp_path):
    _, args = copy_of_graded(graded, tmp_path)
    out = tmp_path / "out"
    late = ["--deadline", "2026-11-19T10:00:00Z", "--late-policy", "10%/day,max=50%"]
    result = run(args + late)
    assert result.exit_code == 0, result.output
    assert "0 graded now, 8 unchanged" in result.output  # the policy is applied to the kept results
    assert scores(out)["dee"]["late_days"] == 0 and scores(out)["dee"]["late_source"] == "none"
    assert "no late penalty was applied" in result.output
    result = run(args + late + ["--time-from", "manifest"])
    assert result.exit_code == 0, result.output
    dee = scores(out)["dee"]
    assert dee["late_days"] == 1 and dee["penalty"] == pytest.approx(0.1) and dee["late_source"] == "manifest"
    assert dee["score"] == pytest.approx(FULL * 0.9)
    with open(out / "r.csv", newline="") as fh:
        assert {r["student"]: r for r in csv.DictReader(fh)}["dee"]["late_source"] == "manifest"
    assert "lateness decided by: manifest 1, none 7" in result.output  # the entries without a manifest


def test_bad_arguments_exit_nonzero_with_a_message(tmp_path):
    subs = make_submissions(tmp_path / "s")
    r = CliRunner().invoke(main, ["batch", str(subs), "--assignment", "nope", "--solutions", str(SOLUTIONS),
                                  "--gradebook", str(tmp_path / "g.db")])
    assert r.exit_code != 0 and "no assignment named nope" in r.output
    (tmp_path / "a-file").write_text("not a folder")
    r = CliRunner().invoke(main, ["batch", str(subs), "--assignment", "optim", "--solutions", str(SOLUTIONS),
                                  "--gradebook", str(tmp_path / "a-file" / "g.db")])
    assert r.exit_code != 0 and "g.db" in r.output
    r = CliRunner().invoke(main, ["batch", str(subs), "--assignment", "optim", "--solutions", str(SOLUTIONS),
                                  "--late-policy", "zero", "--gradebook", str(tmp_path / "g2.db")])
    assert r.exit_code != 0 and "--deadline" in r.output


def test_batch_as_a_subprocess_is_line_oriented(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(3):
        (subs / f"s{i}.py").write_text(REFERENCE)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "batch", str(subs), "--assignment", "optim",
                           "--solutions", str(SOLUTIONS), "--gradebook", str(tmp_path / "g.db"),
                           "--json", str(tmp_path / "r.json")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "graded 3/3" in done.stderr and "\r" not in done.stderr  # no progress-bar redraws in CI logs
    assert "3 graded now" in done.stdout
    assert all(r["score"] == FULL for r in json.loads((tmp_path / "r.json").read_text())["results"])


DASK_SCRIPT = '''
import sys
from distributed import LocalCluster
from click.testing import CliRunner
from grader.cli import main

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = CliRunner().invoke(main, ["batch", sys.argv[1], "--assignment", "optim", "--solutions", sys.argv[2],
                                           "--gradebook", sys.argv[3], "--json", sys.argv[4],
                                           "--scheduler", cluster.scheduler_address], catch_exceptions=False)
        print(result.output)
        sys.exit(result.exit_code)
'''


def test_dask_local_cluster_grades_the_same(tmp_path):
    pytest.importorskip("distributed")
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(6):
        (subs / f"s{i}.py").write_text(REFERENCE if i % 2 == 0 else STUB)
    script = tmp_path / "run_dask.py"  # workers re-import __main__: run from a file, not stdin
    script.write_text(DASK_SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(subs), str(SOLUTIONS), str(tmp_path / "g.db"),
                           str(tmp_path / "r.json")], capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["student"]: r["score"] for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    assert rows == {f"s{i}": (FULL if i % 2 == 0 else 0.0) for i in range(6)}


def test_chunks_are_long_but_every_worker_gets_several():
    from grader.bulk.batch import MAX_CHUNK, chunk_size

    assert chunk_size(10_000, 2) == MAX_CHUNK
    assert chunk_size(40, 2) == 5  # 8 tasks for 2 workers
    assert chunk_size(3, 2) == 1 and chunk_size(0, 2) == 1
    for entries in range(1, 400):
        for workers in (1, 2, 3, 8):
            size = chunk_size(entries, workers)
            assert 1 <= size <= MAX_CHUNK
            assert size == 1 or entries // size >= 4 * workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sweep is Linux-only")
def test_a_batch_sweeps_what_a_killed_batch_left_behind(tmp_path, monkeypatch):
    import os
    import time

    from grader import tempdirs

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)  # a pid that no longer runs: the "killed" batch's worker
    stale = tmp_path / f"grade-solutions-{tempdirs._namespace()}-{child}-dead"
    (stale / "optim").mkdir(parents=True)
    (stale / "optim" / "optim.py").write_text(REFERENCE)
    then = time.time() - 2 * tempdirs.MIN_AGE
    os.utime(stale, (then, then))
    live = tmp_path / f"grade-run-{tempdirs._namespace()}-{os.getpid()}-live"  # as old, but its maker runs
    live.mkdir()
    os.utime(live, (then, then))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(REFERENCE)
    result = run(["batch", str(subs), "--assignment", "optim", "--solutions", str(SOLUTIONS), "--jobs", "1",
                  "--gradebook", str(tmp_path / "gb.db")])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert live.exists(), "a folder of a process that still runs was swept"
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith("grade-")]
    assert all(f"-{os.getpid()}-" in name for name in left), left
