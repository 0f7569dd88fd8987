"""`grade batch` and `grade report` as a user runs them: the same output options, the same way of
failing to write, and the same numbers from the gradebook."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main
from grader.course import load_solution

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
REFERENCE = (SOLUTIONS / "optim" / "optim.py").read_text()
FULL = load_solution(SOLUTIONS / "optim").max_score
OUTPUTS = {"--json", "--csv", "--junit", "--gradescope", "--html"}


def submissions(folder: Path) -> Path:
    """Two right submissions and one that does not parse (not gradable)."""
    folder.mkdir()
    (folder / "ana.py").write_text(REFERENCE)
    (folder / "ben.py").write_text(REFERENCE)
    (folder / "cai.py").write_text("def adam(:\n")
    return folder


def options_of(command: str) -> dict[str, str | None]:
    return {opt: p.help for p in main.commands[command].params for opt in p.opts if opt in OUTPUTS}


def test_batch_and_report_take_the_same_output_options() -> None:
    assert options_of("batch").keys() == OUTPUTS
    assert options_of("batch") == options_of("report")


def test_a_batch_that_cannot_write_an_output_says_so_and_keeps_its_gradebook(tmp_path: Path) -> None:
    subs = submissions(tmp_path / "subs")
    (tmp_path / "a-file").write_text("not a folder")
    done = CliRunner().invoke(main, ["batch", str(subs), "--assignment", "optim", "--solutions", str(SOLUTIONS),
                                     "--gradebook", str(tmp_path / "gb.db"), "--jobs", "1",
                                     "--csv", str(tmp_path / "a-file" / "r.csv")])
    assert done.exit_code == 2 and "cannot write the outputs" in done.output and "a-file" in done.output
    assert "Traceback" not in done.output
    # every row is in the gradebook: the outputs can be written again without grading
    again = CliRunner().invoke(main, ["report", "--gradebook", str(tmp_path / "gb.db"), "--assignment", "optim",
                                      "--json", str(tmp_path / "r.json")])
    assert again.exit_code == 0, again.output
    scores = {r["student"]: r["score"] for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    assert scores == {"ana": FULL, "ben": FULL, "cai": 0}


def test_batch_then_report_as_subprocesses_agree_and_name_both_means(tmp_path: Path) -> None:
    subs = submissions(tmp_path / "subs")
    grade = [sys.executable, "-m", "grader.cli"]
    batch = subprocess.run(grade + ["batch", str(subs), "--assignment", "optim", "--solutions", str(SOLUTIONS),
                                    "--gradebook", str(tmp_path / "gb.db"), "--csv", str(tmp_path / "batch.csv")],
                           capture_output=True, text=True, timeout=120)
    assert batch.returncode == 0, batch.stderr
    assert "graded 3/3" in batch.stderr and "\r" not in batch.stderr
    mean_all, mean_graded = f"{2 * FULL / 3:.1f}", f"{FULL:.1f}"
    assert (f"3 students: mean {mean_all}/{FULL:g} over all 3 (not gradable counted as 0), "
            f"{mean_graded} over the 2 graded;") in batch.stdout
    report = subprocess.run(grade + ["report", "--gradebook", str(tmp_path / "gb.db"), "--assignment", "optim",
                                     "--csv", str(tmp_path / "report.csv")],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert f"optim: 3 students from {tmp_path / 'gb.db'}" in report.stdout
    assert (tmp_path / "report.csv").read_text() == (tmp_path / "batch.csv").read_text()
