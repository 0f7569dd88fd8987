"""Reading an LMS download and its roster before a batch grades it (no grading).

    python benchmarks/lms_bench.py [--students 1000] [--repeat 5]

Builds a Canvas "Download Submissions" zip (each student one optim.py, every tenth resubmitted once,
every fifth LATE_) and the matching gradebook export, then times the roster read and the intake
(detect, group by user, keep the latest resubmission), then the same with each student's files
written to a private temporary folder and removed, one student at a time as `grade batch` does. Prints the medians and the rate per student.
"""

from __future__ import annotations

import argparse
import tempfile
import zipfile
from pathlib import Path

from _common import ROOT, median_ms

from grader.lms.intake import read_download
from grader.lms.roster import read_roster


def build(folder: Path, students: int) -> tuple[Path, Path]:
    source = (ROOT / "solutions" / "optim" / "optim.py").read_bytes()
    download, roster = folder / "submissions.zip", folder / "gradebook.csv"
    rows = ["Student,ID,SIS User ID,SIS Login ID,Section,Optim (4411)", "    Points Possible,,,,,20.00"]
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(students):
            user = 10_000 + i
            late = "LATE_" if i % 5 == 0 else ""
            zf.writestr(f"student{i}_{late}{user}_{500_000 + i}_optim.py", source)
            if i % 10 == 0:
                zf.writestr(f"student{i}_{late}{user}_{900_000 + i}_optim-1.py", source + b"\n# again\n")
            rows.append(f'"Student, Number {i}",{user},S{user},s{user},A,')
    roster.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8-sig")
    return download, roster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grade-lms-bench-") as tmp:
        download, roster_path = build(Path(tmp), args.students)
        roster_ms = median_ms(lambda: read_roster(roster_path), args.repeat, warmup=1)
        roster = read_roster(roster_path)

        def intake() -> None:
            found = read_download(download, None, "optim", roster)
            for entry in found.entries:  # as grade batch does, one student at a time
                found.materialize(entry)
                found.release(entry)
            found.close()

        read_ms = median_ms(lambda: read_download(download, None, "optim", roster).close(), args.repeat, warmup=1)
        intake_ms = median_ms(intake, args.repeat, warmup=1)
    n = args.students
    print(f"roster of {n} students: median {roster_ms:.0f} ms")
    print(f"Canvas download of {n} students read and grouped: median {read_ms:.0f} ms")
    print(f"Canvas download of {n} students ({n // 10} resubmissions): median {intake_ms:.0f} ms "
          f"({intake_ms * 1000 / n:.0f} us per student, files written and removed)")


if __name__ == "__main__":
    main()
