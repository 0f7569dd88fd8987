"""Fixtures: a Canvas and a Moodle download (built by lms_downloads.py)."""

import pytest
from lms_downloads import canvas_zip, moodle_zip


@pytest.fixture
def canvas_download(tmp_path):
    return canvas_zip(tmp_path / "submissions.zip")


@pytest.fixture
def moodle_download(tmp_path):
    return moodle_zip(tmp_path / "NN101-Optim-123.zip")
