"""The names Moodle gives what its assignment's "Download all submissions" zip holds.

With "Download submissions in folders" on (the default since Moodle 3.1), one folder per student and
submission plugin: ``<Full name>_<participant id>_assignsubmission_file_/<file name>`` (the files as
the student uploaded them; ``assignsubmission_onlinetext_`` for online text). With it off, the same
prefix glued to each file name: ``<Full name>_<participant id>_assignsubmission_file_<file name>``.
The participant id is the number of the worksheet's ``Identifier`` ("Participant 1234").
The feedback-files zip Moodle accepts for bulk upload uses the same folder names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME = re.compile(r"(?P<fullname>.*)_(?P<participant>\d+)_(?P<plugin>assign(?:submission|feedback)_[a-z]+)_"
                  r"(?:/(?P<inner>.+)|(?P<flat>[^/]+))?")
FILE_PLUGIN = "assignsubmission_file"


@dataclass(frozen=True)
class MoodleName:
    """What the path of one entry of a Moodle download says."""

    fullname: str
    participant: str  # the number only ("1234"); the worksheet says "Participant 1234"
    plugin: str  # assignsubmission_file, assignsubmission_onlinetext, ...
    file: str | None  # the path inside the student's folder (None for the folder itself)


def parse(entry: str) -> MoodleName | None:
    """The parts of a Moodle download's entry path, or None when it is not named that way."""
    match = NAME.fullmatch(entry.rstrip("/") if entry.endswith("_/") else entry)
    if not match:
        return None
    return MoodleName(fullname=match["fullname"], participant=match["participant"], plugin=match["plugin"],
                      file=match["inner"] or match["flat"])


def folder(fullname: str, participant: str, plugin: str = FILE_PLUGIN) -> str:
    """The folder Moodle names for a student's files (feedback zips reuse it). A name is profile text a
    student may set: separators and control characters become ``_`` (Moodle matches on the id)."""
    safe = re.sub(r"[\x00-\x1f/\\:]", "_", fullname).strip(". ") or "student"
    return f"{safe}_{participant}_{plugin}_"


def participant_number(identifier: str) -> str | None:
    """``"Participant 1234"`` (the worksheet's Identifier, in any language) -> ``"1234"``."""
    match = re.search(r"(\d+)\s*$", identifier or "")
    return match.group(1) if match else None
