import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from class_fixture import build_class  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The fixture class graded by `grade batch` into a gradebook: (submissions folder, gradebook)."""
    from grader.bulk.batch import BatchOptions, run_batch
    from grader.bulk.gradebook import Gradebook
    from grader.grading.engine import Settings

    root = tmp_path_factory.mktemp("similarity")
    subs = build_class(root / "subs")
    with Gradebook(root / "gb.db") as book:
        run_batch(subs, SOLUTIONS / "optim", book, BatchOptions(jobs=1, settings=Settings(timeout=20)))
    return subs, root / "gb.db"


@pytest.fixture(scope="session")
def target():
    from grader.similarity.collect import load_target

    return load_target(SOLUTIONS / "optim")
