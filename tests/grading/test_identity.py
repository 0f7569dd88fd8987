"""`grade submit` labels the id it hands in under and refuses one that is obviously someone else's."""

import getpass
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading.identity import SHARED_ACCOUNTS, problem

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("email, user", [("jane.doe@uni.example", "jdoe"), ("jane.doe@uni.example", "jane"),
                                         ("jdoe+nn@uni.example", "jdoe"), ("john.doe@uni.example", "doej"),
                                         ("ana@uni.example", "root"), ("ana@uni.example", "jovyan"),
                                         ("12345+jdoe@users.noreply.github.com", "jdoe")])  # GitHub's private
def test_a_git_address_that_fits_the_user_or_a_shared_account_is_accepted(email, user):
    assert problem(email, "git user.email", user) is None


@pytest.mark.parametrize("email, user", [("maintainers@users.noreply.github.com", "jdoe"),
                                         ("noreply@github.com", "jdoe"),
                                         ("12345+alice@users.noreply.github.com", "jdoe"),
                                         ("41898282+github-actions[bot]@users.noreply.github.com", "jdoe"),
                                         ("course-admin@uni.example", "root"),
                                         ("bob.smith@uni.example", "jdoe")])
def test_a_role_no_reply_or_another_persons_address_is_refused(email, user):
    assert problem(email, "git user.email", user)


def _pack_with_git_identity(tmp_path: Path, email: str) -> tuple[Path, dict]:
    pack = tmp_path / "optim"
    shutil.copytree(ROOT / "assignments" / "optim", pack)
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\temail = {email}\n")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}
    return pack, env


def test_submit_refuses_a_maintainers_git_identity_without_student(tmp_path):
    pack, env = _pack_with_git_identity(tmp_path, "maintainers@users.noreply.github.com")
    done = subprocess.run([sys.executable, "-m", "grader.cli", "submit", "--no-archive"], cwd=pack, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "not handing in as maintainers@users.noreply.github.com" in done.stderr and "--student" in done.stderr
    done = subprocess.run([sys.executable, "-m", "grader.cli", "submit", "--no-archive", "--student", "ana@uni"],
                          cwd=pack, env=env, capture_output=True, text=True, timeout=120)
    assert "handing in as: ana@uni (from --student" in done.stdout, done.stderr


def test_submit_labels_the_id_it_hands_in_under(tmp_path):
    user = getpass.getuser()
    email = "ana.lee@uni.example" if user.casefold() in SHARED_ACCOUNTS else f"{user}@uni.example"
    pack, env = _pack_with_git_identity(tmp_path, email)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "submit", "--no-archive"], cwd=pack, env=env,
                          capture_output=True, text=True, timeout=120)
    assert f"handing in as: {email} (from git user.email" in done.stdout, done.stderr
