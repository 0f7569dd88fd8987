"""Who `grade submit` hands in as, and when that id is obviously someone else's.

The default id is git's ``user.email``, else the computer's user name. Either can belong to someone
else: a lab machine or a cloned course repository carries the maintainer's git identity, a shared
image its author's. The id is refused (the student must pass ``--student``) when it is

* an address no person answers at: ``noreply``/``no-reply`` (GitHub's personal
  ``ID+username@users.noreply.github.com`` excepted: it is judged by its username), or a local part
  naming a role (maintainer(s), admin, root, bot, ci, github-actions), or
* a git address whose local part shares nothing with this computer's user name, when that name is a
  person's (not a shared account name such as root, jovyan, runner or student): ``jane.doe@uni``
  matches ``jdoe``, ``jane`` or ``doej``; ``maintainers@...`` matches none of them.

The batch never takes the student id from the archive (the LMS or the entry name does), so a wrong
label here costs a mismatch report, not a grade; the rule exists so a student sees it before handing in.
"""

from __future__ import annotations

import getpass
import re
import subprocess
from dataclasses import dataclass

SHARED_ACCOUNTS = {"root", "jovyan", "runner", "student", "students", "user", "ubuntu", "vscode", "codespace",
                   "admin", "administrator", "guest", "pi", "docker", "gitpod", "colab"}
ROLE_WORDS = {"maintainer", "maintainers", "admin", "administrator", "root", "bot", "ci", "noreply", "no-reply",
              "github-actions", "support", "info", "team", "staff", "course"}


class BorrowedIdentity(ValueError):
    """The default id is someone else's; the message says whose it looks like and what to pass."""


@dataclass(frozen=True)
class Identity:
    student: str
    source: str  # "--student", "git user.email", "user name"


def _parts(text: str) -> set[str]:
    return {p for p in re.split(r"[^a-z0-9]+", text.casefold()) if len(p) >= 2}


def problem(student: str, source: str, os_user: str | None) -> str | None:
    """Why ``student`` (from ``source``) is obviously not this user's id, or None."""
    local, _, domain = student.casefold().partition("@")
    personal = domain.endswith("users.noreply.github.com") and "+" in local  # ID+username: a person's own
    local = local.split("+", 1)[1] if personal else local.split("+")[0]
    words = _parts(local) | ({local} if local else set())
    if (not personal and ("noreply" in domain or "no-reply" in domain)) or words & ROLE_WORDS:
        return f"{student!r} ({source}) is a role or no-reply address, not a person's"
    if source != "git user.email" or not os_user or os_user.casefold() in SHARED_ACCOUNTS:
        return None
    user = os_user.casefold()
    squashed = re.sub(r"[^a-z0-9]", "", local)
    if user in squashed or squashed in user or any(p in user for p in _parts(local) if len(p) >= 3) \
            or any(p in squashed for p in _parts(user) if len(p) >= 3):
        return None
    initials = "".join(p[0] for p in re.split(r"[^a-z0-9]+", local) if p)
    if len(initials) >= 2 and any(user.startswith(initials[:-1]) and p in user for p in _parts(local)):
        return None
    return f"{student!r} ({source}) does not look like this computer's user {os_user!r}"


def _git_email() -> str | None:
    try:
        out = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None


def resolve(explicit: str | None) -> Identity:
    """--student, else git's user.email, else the OS user; :class:`BorrowedIdentity` when the default
    is obviously someone else's."""
    if explicit:
        return Identity(explicit, "--student")
    os_user = _os_user()
    email = _git_email()
    found = Identity(email, "git user.email") if email else Identity(os_user or "student", "user name")
    why = problem(found.student, found.source, os_user)
    if why:
        raise BorrowedIdentity(f"not handing in as {found.student}: {why}; pass your own id, e.g. "
                               f"`grade submit --student YOUR_UNIVERSITY_EMAIL` (or set yours with "
                               f"`git config --global user.email YOU@...`)")
    return found
