"""What a child reports of a traceback: the submission's own frames, with their source lines, and
nothing of the harness or numpy in between."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from grader.sandbox.child import _student_frames, import_submission


@pytest.fixture
def submission(tmp_path, monkeypatch):
    (tmp_path / "helper.py").write_text("def boom(x):\n    raise ValueError(f'bad {x}')\n")
    (tmp_path / "optim.py").write_text(
        "import numpy as np\n"
        "from helper import boom\n"
        "\n"
        "def step(w):\n"
        "    return np.apply_along_axis(boom, 0, w)  # numpy calls back into the submission\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield import_submission(str(tmp_path), "optim"), os.path.realpath(tmp_path)
    for name in ("optim", "helper"):
        sys.modules.pop(name, None)


def test_only_the_submissions_frames_are_reported_with_their_lines(submission):
    impl, workdir = submission
    with pytest.raises(ValueError) as caught:
        impl.step(np.zeros(3))
    frames = _student_frames(caught.value.__traceback__, workdir)
    assert frames == [
        ("optim.py", 5, "step", "return np.apply_along_axis(boom, 0, w)  # numpy calls back into the submission"),
        ("helper.py", 2, "boom", "raise ValueError(f'bad {x}')"),
    ]


def test_a_traceback_outside_the_submission_reports_no_frame(submission):
    _, workdir = submission
    with pytest.raises(ZeroDivisionError) as caught:
        1 / 0
    assert _student_frames(caught.value.__traceback__, workdir) == []
