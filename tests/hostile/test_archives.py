"""Bad archives and files: each gets a row with a clear not-gradable reason or a correct grade;
nothing is ever extracted (the opener reads bytes); no pickle that came with a submission is ever
loaded.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import stat
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from hostile_support import SOLUTIONS, reference_source, tree
from grader.submission import MAX_ENTRIES, MAX_FILE_BYTES, MAX_TOTAL_BYTES, NotGradable, open_submission

REFERENCE = reference_source("optim")


# --------------------------------------------------------------------------- building bad entries

def make_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def symlink_entry(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    info.create_system = 3  # Unix
    return info


def patch_headers(path: Path, *, flags: int = 0, declared_size: int | None = None) -> Path:
    """Rewrite the first entry's local and central headers: OR in ``flags``, lie about its size."""
    data = bytearray(path.read_bytes())
    for signature, flag_at, size_at in ((b"PK\x03\x04", 6, 22), (b"PK\x01\x02", 8, 24)):
        at = data.find(signature)
        (old,) = struct.unpack_from("<H", data, at + flag_at)
        struct.pack_into("<H", data, at + flag_at, old | flags)
        if declared_size is not None:
            struct.pack_into("<I", data, at + size_at, declared_size)
    path.write_bytes(bytes(data))
    return path


def deep_json(depth: int) -> str:
    """A JSON array nested ``depth`` deep: the standard parser recurses once per level."""
    return "[" * depth + "]" * depth


def notebook_json(code: str, metadata: str = "{}") -> str:
    """A notebook holding ``code`` in one cell, with ``metadata`` as raw JSON text."""
    cell = json.dumps({"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
                       "source": code})
    return f'{{"cells": [{cell}], "metadata": {metadata}, "nbformat": 4, "nbformat_minor": 5}}'


DEEP_FOLDERS = 1_500


def nest_folders(top: Path, depth: int = DEEP_FOLDERS) -> Path:
    """``depth`` folders one inside the other under ``top`` (one by one: ``os.makedirs`` recurses)."""
    path = top
    for _ in range(depth):
        path = path / "d"
        path.mkdir()
    return path


def remove_nested(top: Path) -> None:
    """Remove what :func:`nest_folders` made, deepest first (``shutil.rmtree`` recurses too)."""
    chain = []
    path = top / "d"
    while path.is_dir() and not path.is_symlink():
        chain.append(path)
        path = path / "d"
    for path in reversed(chain):
        for item in path.iterdir():
            if not item.is_dir():
                item.unlink()
        path.rmdir()


class Detonator:
    """Unpickling this creates the marker file: proof that something loaded a submitted pickle."""

    marker = ""

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('unpickled')",))


def evil_pickles(marker: Path) -> dict[str, bytes]:
    Detonator.marker = str(marker)
    buf = io.BytesIO()
    np.save(buf, np.array([Detonator()], dtype=object), allow_pickle=True)
    npz = io.BytesIO()
    np.savez(npz, weights=np.array([Detonator()], dtype=object))
    return {"log.pkl": pickle.dumps(Detonator()), ".OTTER_LOG": pickle.dumps(Detonator()),
            "weights.npy": buf.getvalue(), "cache.npz": npz.getvalue(), "model.joblib": pickle.dumps(Detonator())}


def build_entries(folder: Path, marker: Path, outside: Path) -> dict[str, tuple[str, str]]:
    """Write every bad entry into ``folder``; return student -> (expected status, reason substring)."""
    expect: dict[str, tuple[str, str]] = {}
    ok = ("graded", "")

    make_zip(folder / "dotdot.zip", [("optim.py", REFERENCE.encode()), ("../../escaped.py", b"x = 1")])
    expect["dotdot"] = ("not_gradable", "unsafe entry name")
    make_zip(folder / "absolute.zip", [("optim.py", REFERENCE.encode()), (zipfile.ZipInfo("/tmp/escaped.py"), b"x")])
    expect["absolute"] = ("not_gradable", "unsafe entry name")
    make_zip(folder / "backslashes.zip", [(zipfile.ZipInfo("..\\..\\escaped.py"), b"x"), ("optim.py", b"x")])
    expect["backslashes"] = ("not_gradable", "unsafe entry name")
    make_zip(folder / "drive.zip", [(zipfile.ZipInfo("C:/escaped.py"), b"x"), ("optim.py", b"x")])
    expect["drive"] = ("not_gradable", "unsafe entry name")
    make_zip(folder / "zipped_symlink.zip", [(symlink_entry("optim.py", str(SOLUTIONS / "optim" / "optim.py")), b"")])
    expect["zipped_symlink"] = ("not_gradable", "is a symbolic link")

    # a symbolic link (the entry itself, and inside a folder) to the instructor's own solution
    os.symlink(SOLUTIONS / "optim" / "optim.py", folder / "linked.py")
    expect["linked"] = ("not_gradable", "is a symbolic link")
    (folder / "linked_inside").mkdir()
    os.symlink(SOLUTIONS / "optim" / "optim.py", folder / "linked_inside" / "optim.py")
    expect["linked_inside"] = ("not_gradable", "is a link or special file")
    (folder / "linked_folder").mkdir()
    os.symlink(SOLUTIONS / "optim", folder / "linked_folder" / "optim")  # a link to the solutions folder
    expect["linked_folder"] = ("not_gradable", "no optim.py or optim.ipynb found")

    # hard links are regular files: graded by their content (a student who could hard-link the
    # instructor's file could read it anyway; solutions/ must not be readable by students)
    honest = outside / "honest-optim.py"
    honest.write_text(REFERENCE)
    (folder / "hardlinked").mkdir()
    os.link(honest, folder / "hardlinked" / "optim.py")
    os.link(honest, folder / "hardlinked" / "backup.py")
    expect["hardlinked"] = ok

    # zip bombs: total uncompressed size, entry count, lying sizes
    block = b"\0" * (MAX_FILE_BYTES - 1024)
    make_zip(folder / "bomb_total.zip", [("optim.py", REFERENCE.encode())]
             + [(f"data{i}.bin", block) for i in range(MAX_TOTAL_BYTES // len(block) + 1)])
    expect["bomb_total"] = ("not_gradable", "MB uncompressed")
    make_zip(folder / "bomb_entries.zip", [("optim.py", REFERENCE.encode())] + [(f"f{i}.txt", b"") for i in range(MAX_ENTRIES)],
             zipfile.ZIP_STORED)
    expect["bomb_entries"] = ("not_gradable", f"more than {MAX_ENTRIES} entries")
    make_zip(folder / "bomb_lying_small.zip", [("optim.py", REFERENCE.encode() + b"#" * (40 << 20))])
    patch_headers(folder / "bomb_lying_small.zip", declared_size=len(REFERENCE))
    expect["bomb_lying_small"] = ("not_gradable", "cannot be read")
    make_zip(folder / "bomb_lying_large.zip", [("optim.py", REFERENCE.encode())])
    patch_headers(folder / "bomb_lying_large.zip", declared_size=1 << 31)
    expect["bomb_lying_large"] = ("not_gradable", "larger than")
    make_zip(folder / "encrypted.zip", [("optim.py", REFERENCE.encode())])
    patch_headers(folder / "encrypted.zip", flags=0x1)
    expect["encrypted"] = ("not_gradable", "cannot be read")

    # nested zips, duplicates, empty archives
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("optim.py", REFERENCE)
    make_zip(folder / "nested.zip", [("inner.zip", inner.getvalue())])
    expect["nested"] = ("not_gradable", "no optim.py or optim.ipynb found")
    with pytest.warns(UserWarning, match="Duplicate name"):
        make_zip(folder / "duplicates.zip", [("optim.py", REFERENCE.encode()), ("optim.py", b"def sgd(): pass")])
    expect["duplicates"] = ("not_gradable", "appears twice")
    make_zip(folder / "duplicates_dot.zip", [("optim.py", REFERENCE.encode()), ("./optim.py", b"def sgd(): pass")])
    expect["duplicates_dot"] = ("not_gradable", "appears twice")
    make_zip(folder / "empty_archive.zip", [])
    expect["empty_archive"] = ("not_gradable", "no optim.py or optim.ipynb found")
    (folder / "zero_bytes.zip").write_bytes(b"")
    expect["zero_bytes"] = ("not_gradable", "not a readable zip archive")
    (folder / "not_a_zip.zip").write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
    expect["not_a_zip"] = ("not_gradable", "not a readable zip archive")

    # huge files
    (folder / "huge.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    expect["huge"] = ("not_gradable", "larger than")
    make_zip(folder / "huge_entry.zip", [("optim.py", REFERENCE.encode() + b"#" * MAX_FILE_BYTES)])
    expect["huge_entry"] = ("not_gradable", "larger than")
    (folder / "huge_inside").mkdir()
    (folder / "huge_inside" / "optim.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    expect["huge_inside"] = ("not_gradable", "larger than")
    (folder / "big_data").mkdir()  # a large data file beside honest work is simply left out
    (folder / "big_data" / "optim.py").write_text(REFERENCE)
    with open(folder / "big_data" / "dataset.bin", "wb") as fh:
        fh.truncate(200 << 20)  # sparse: costs no disk
    expect["big_data"] = ok

    # notebooks, encodings, empty files, folders and special files named like files
    (folder / "notebook_not_json.ipynb").write_text("{ this is not json")
    expect["notebook_not_json"] = ("not_gradable", "it is not JSON")
    (folder / "notebook_no_cells.ipynb").write_text(json.dumps({"metadata": {}}))
    expect["notebook_no_cells"] = ("not_gradable", "has no list of cells")
    (folder / "notebook_bad_format.ipynb").write_text(json.dumps(
        {"cells": [{"cell_type": "code", "source": 42}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    expect["notebook_bad_format"] = ("not_gradable", "not a valid notebook")
    (folder / "latin1.py").write_bytes("# résumé: naïve\n".encode("latin-1") + REFERENCE.encode())
    expect["latin1"] = ("not_gradable", "is not UTF-8 text")
    (folder / "empty.py").write_bytes(b"")
    expect["empty"] = ("not_gradable", "is empty")
    (folder / "blank.py").write_bytes(b"\n   \n\t\n")
    expect["blank"] = ("not_gradable", "is empty")
    (folder / "folder.py").mkdir()
    (folder / "folder.py" / "optim.py").write_text(REFERENCE)
    expect["folder"] = ("not_gradable", "is a folder, not a file")
    os.mkfifo(folder / "pipe.py")  # reading it would block forever
    expect["pipe"] = ("not_gradable", "not a regular file")
    (folder / "notes.txt").write_text("not a submission")
    expect["notes"] = ("not_gradable", "expected a folder, a .zip, a .py or an .ipynb")

    # shapes that crash a recursive parser or walker (RecursionError, not ValueError): each entry
    # must still get its row, and the batch must go on
    deep = deep_json(50_000)
    make_zip(folder / "deep_manifest.zip", [("optim.py", REFERENCE.encode()), ("manifest.json", deep.encode())])
    expect["deep_manifest"] = ok  # student-written metadata that cannot be read is ignored, as if absent
    (folder / "deep_manifest_folder").mkdir()
    (folder / "deep_manifest_folder" / "optim.py").write_text(REFERENCE)
    (folder / "deep_manifest_folder" / "manifest.json").write_text(deep)
    expect["deep_manifest_folder"] = ok
    (folder / "deep_notebook.ipynb").write_text(notebook_json(REFERENCE, deep))
    expect["deep_notebook"] = ("not_gradable", "nested more than")
    make_zip(folder / "deep_notebook_zip.zip", [("optim.ipynb", notebook_json(REFERENCE, deep).encode())])
    expect["deep_notebook_zip"] = ("not_gradable", "nested more than")
    (folder / "notebook_200_deep.ipynb").write_text(notebook_json(REFERENCE, '{"x": ' + deep_json(200) + "}"))
    expect["notebook_200_deep"] = ("not_gradable", "nested more than")  # parses, but nbformat would recurse on it
    for name, notebook in (("beside_py_deep_notebook", notebook_json("x = 1", deep)),
                           ("beside_py_bad_cells", json.dumps({"cells": [{"cell_type": "code", "source": [[1], 2]}],
                                                               "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))):
        # both files at the top: the opener reads the notebook (unvalidated) to see whether it was edited
        (folder / name).mkdir()
        (folder / name / "optim.ipynb").write_text(notebook)
        (folder / name / "optim.py").write_text(REFERENCE)
        os.utime(folder / name / "optim.ipynb", (1_000_000_000, 1_000_000_000))  # the .py is the newer one
        expect[name] = ok
    (folder / "deep_folders").mkdir()
    (folder / "deep_folders" / "optim.py").write_text(REFERENCE)
    (nest_folders(folder / "deep_folders") / "notes.txt").write_text("at the bottom")
    expect["deep_folders"] = ("not_gradable", "folders nested more than")
    (folder / "deep_folders_only").mkdir()
    nest_folders(folder / "deep_folders_only")
    expect["deep_folders_only"] = ("not_gradable", "folders nested more than")

    # pickles that would leave a marker if anything loaded them (zip and folder), beside honest work
    pickles = evil_pickles(marker)
    make_zip(folder / "pickles.zip", [("optim.py", REFERENCE.encode())] + list(pickles.items()))
    expect["pickles"] = ok
    (folder / "pickles_folder").mkdir()
    (folder / "pickles_folder" / "optim.py").write_text(REFERENCE)
    for name, data in pickles.items():
        (folder / "pickles_folder" / name).write_bytes(data)
    expect["pickles_folder"] = ok
    make_zip(folder / "pickles_manifest.zip", [("optim.py", REFERENCE.encode()),
                                               ("manifest.json", json.dumps({"graded": "log.pkl", "files": {}}).encode()),
                                               ("log.pkl", pickles["log.pkl"])])
    expect["pickles_manifest"] = ok

    # what a student writes in manifest.json: a time that is not one must not stop the batch (it
    # applies a late policy), a claimed identity must not erase another student's row
    for name, when in (("time_garbage", "yesterday, honest"), ("time_year_99999", "99999-01-01T00:00:00Z"),
                       ("time_before_year_1", "0001-01-01T00:00:00+05:00"), ("time_not_text", {"utc": 1})):
        make_zip(folder / f"{name}.zip", [("optim.py", REFERENCE.encode()),
                                          ("manifest.json", json.dumps({"submitted_at": when}).encode())])
        expect[name] = ok
    make_zip(folder / "impostor.zip", [("optim.py", (REFERENCE + "\n\ndef sgd(w, dw, config=None):\n"
                                                     "    return w, config\n").encode()),
                                       ("manifest.json", json.dumps({"student": "victim"}).encode())])
    expect["impostor"] = ("impostor", "")
    (folder / "victim.py").write_text(REFERENCE)
    expect["victim"] = ("victim", "")
    return expect


# --------------------------------------------------------------------------- the opener alone

@pytest.fixture
def entries(tmp_path):
    folder, outside = tmp_path / "submissions", tmp_path / "outside"
    folder.mkdir(), outside.mkdir()
    marker = tmp_path / "UNPICKLED"
    yield folder, build_entries(folder, marker, outside), marker
    for name in ("deep_folders", "deep_folders_only"):
        remove_nested(folder / name)  # before pytest's own (recursive) clean-up meets them


def _student(entry: Path) -> str:
    """The key of ``expect`` for an entry: its name without the last suffix."""
    return entry.name.rsplit(".", 1)[0] if "." in entry.name else entry.name


def batch_student(entry: Path, status: str) -> str:
    """The row `grade batch` writes for an entry: the opener's student id when it opens, else the
    entry's name without a .zip/.py/.ipynb suffix (a folder keeps its whole name)."""
    if status != "not_gradable":
        return _student(entry)
    for suffix in (".zip", ".py", ".ipynb"):
        if entry.name.endswith(suffix) and not entry.is_dir():
            return entry.name[: -len(suffix)]
    return entry.name


def test_the_opener_reads_bytes_and_never_extracts_or_unpickles(entries, tmp_path, monkeypatch):
    folder, expect, marker = entries
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir(), tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))

    def refuse(*args, **kwargs):
        raise AssertionError("the opener loaded a pickle")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(np, "load", refuse)
    before = {p: tree(p) for p in (folder, tmp_path / "outside")}
    seen = set()
    for entry in sorted(folder.iterdir()):
        student = _student(entry)
        seen.add(student)
        status, reason = expect[student]
        try:
            opened = open_submission(entry, "optim")
        except NotGradable as exc:
            assert status == "not_gradable", f"{entry.name}: refused ({exc}) but should be graded"
            assert reason in str(exc), f"{entry.name}: {exc!r} lacks {reason!r}"
        else:
            assert status != "not_gradable", f"{entry.name}: opened, but should be refused for {reason!r}"
            if status == "impostor":
                assert opened.student == "victim"
                continue
            assert opened.files["optim.py"] == REFERENCE.encode()
            assert set(opened.files) <= {"optim.py", "backup.py"}, "only Python sources reach the sandbox"
    assert seen == set(expect)
    assert tree(cwd) == {} and tree(tmp) == {}, "the opener wrote files"
    assert {p: tree(p) for p in before} == before, "the opener changed the submissions"
    assert not marker.exists()
    assert not (folder.parent / "escaped.py").exists() and not Path("/tmp/escaped.py").exists()


def test_entry_count_is_refused_before_the_directory_is_parsed(tmp_path, monkeypatch):
    """A hundred thousand entries are refused from the end record, without zipfile parsing them all."""
    path = make_zip(tmp_path / "many.zip", [(f"{i}", b"") for i in range(100_000)], zipfile.ZIP_STORED)

    def parse(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    with monkeypatch.context() as patched:
        patched.setattr(zipfile, "ZipFile", parse)
        with pytest.raises(NotGradable, match="more than"):
            open_submission(path, "optim")
    # a directory that lies about its entry count is caught by its size in bytes
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 3, 3)
    path.write_bytes(bytes(data))
    with pytest.raises(NotGradable, match="more than"):
        open_submission(path, "optim")


# --------------------------------------------------------------------------- through `grade batch`

def test_bad_entries_through_grade_batch(entries, tmp_path):
    folder, expect, marker = entries
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir(), tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
    env.update(TMPDIR=str(tmp), HOME=str(work))
    done = subprocess.run([sys.executable, "-m", "grader.cli", "batch", str(folder), "--assignment", "optim",
                           "--solutions", str(SOLUTIONS), "--gradebook", "gb.db", "--jobs", "2", "--timeout", "20",
                           "--deadline", "2100-01-01T00:00:00Z", "--late-policy", "10%/day"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    from grader.bulk.gradebook import Gradebook

    with Gradebook(work / "gb.db") as book:
        results = {r.student: r for r in book.results("optim")}
    # the impostor's manifest claims the victim's id, but an entry of the batch owns that name:
    # the impostor is graded under its own entry's name and the victim's row is the victim's
    claimed = {name: r for name, r in results.items() if name.startswith(("victim", "impostor"))}
    assert set(claimed) == {"victim", "impostor"}, sorted(claimed)
    assert claimed["victim"].score == claimed["victim"].max_score
    assert claimed["impostor"].score < claimed["impostor"].max_score
    results = {name: r for name, r in results.items() if name not in claimed}
    rows = {batch_student(entry, expect[_student(entry)][0]): expect[_student(entry)] for entry in folder.iterdir()
            if expect[_student(entry)][0] not in ("impostor", "victim")}
    assert set(results) == set(rows), (sorted(set(rows) - set(results)), sorted(set(results) - set(rows)))
    for student, (status, reason) in rows.items():
        r = results[student]
        assert r.status == status, f"{student}: {r.status} {r.message}"
        if status == "graded":
            assert r.score == r.max_score > 0, f"{student}: {r.score}/{r.max_score}"
        else:
            assert r.score == 0 and reason in r.message, f"{student}: {r.message!r} lacks {reason!r}"
    assert not marker.exists(), "a submitted pickle was loaded"
    assert tree(tmp) == {}, f"the grader left files behind: {sorted(tree(tmp))[:10]}"
    assert not (folder.parent / "escaped.py").exists()


# --------------------------------------------------------------------------- bounded reads

PEAK_SCRIPT = """
import resource, sys
from grader.cli import main
try:
    main(sys.argv[1:])
finally:
    print("PEAK_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def test_a_huge_sparse_file_costs_the_batch_no_memory(tmp_path):
    """An entry holding a 3 GiB file (sparse: no disk) and no module: its row says why, and the batch's
    main process (which opens entries and hashes the ones it cannot grade) never holds the file."""
    subs, work = tmp_path / "submissions", tmp_path / "work"
    (subs / "sparse").mkdir(parents=True), work.mkdir()
    with open(subs / "sparse" / "data.bin", "wb") as fh:
        fh.truncate(3 << 30)
    (subs / "honest.py").write_text(REFERENCE)
    with open(subs / "huge.py", "wb") as fh:
        fh.truncate(3 << 30)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
    env.update(TMPDIR=str(tmp_path), HOME=str(work))
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, "batch", str(subs), "--assignment", "optim",
                           "--solutions", str(SOLUTIONS), "--gradebook", "gb.db", "--jobs", "2", "--timeout", "20"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=180)
    peak = re.search(r"PEAK_KIB (\d+)", done.stdout)
    assert done.returncode == 0 and peak, done.stdout + done.stderr[-3000:]
    from grader.bulk.gradebook import Gradebook

    with Gradebook(work / "gb.db") as book:
        results = {r.student: r for r in book.results("optim")}
    assert results["honest"].score == results["honest"].max_score > 0
    assert results["sparse"].status == "not_gradable" and "no optim.py" in results["sparse"].message
    assert results["huge"].status == "not_gradable" and "larger than" in results["huge"].message
    peak_mib = int(peak.group(1)) / 1024
    print(f"peak RSS of the batch's main process: {peak_mib:.0f} MiB")
    assert peak_mib < 400, f"the main process peaked at {peak_mib:.0f} MiB: it read the 3 GiB file"


def test_json_depth_is_bounded_at_the_limit_not_below_it():
    from grader.submission import MAX_JSON_DEPTH, TooDeep, load_json

    assert load_json(deep_json(MAX_JSON_DEPTH)) == load_json(deep_json(MAX_JSON_DEPTH))
    for depth in (MAX_JSON_DEPTH + 1, 5_000, 500_000):
        with pytest.raises(TooDeep, match="nested more than"):
            load_json(deep_json(depth))


def test_folders_are_walked_to_the_depth_limit_and_no_further(tmp_path):
    from grader.submission import MAX_DEPTH

    for depth, graded in ((MAX_DEPTH, True), (MAX_DEPTH + 1, False)):
        entry = tmp_path / f"depth{depth}"
        entry.mkdir()
        (nest_folders(entry, depth) / "optim.py").write_text(REFERENCE)
        if graded:
            assert open_submission(entry, "optim").files["optim.py"] == REFERENCE.encode()
        else:
            with pytest.raises(NotGradable, match=f"{entry.name}: folders nested more than {MAX_DEPTH} deep"):
                open_submission(entry, "optim")


def test_a_folder_with_too_many_names_is_refused_before_they_are_all_looked_at(tmp_path, monkeypatch):
    from grader import submission

    entry = tmp_path / "crowded"
    entry.mkdir()
    (entry / "optim.py").write_text(REFERENCE)
    for i in range(submission.MAX_LISTED):  # hidden files: never read, but listing them costs
        (entry / f".junk{i}").touch()
    looked = []
    real = os.lstat
    monkeypatch.setattr(submission.os, "lstat", lambda path, *a, **k: looked.append(path) or real(path, *a, **k))
    with pytest.raises(NotGradable, match=f"crowded: more than {submission.MAX_LISTED} files and folders"):
        open_submission(entry, "optim")
    assert not looked, "the names were looked at one by one before the count was checked"


def test_the_digest_of_an_entry_follows_its_content_without_reading_a_huge_file(tmp_path, monkeypatch):
    from grader import submission
    from grader.submission import entry_digest

    entry = tmp_path / "sparse"
    entry.mkdir()
    with open(entry / "data.bin", "wb") as fh:
        fh.truncate(1 << 30)
    (entry / "notes.txt").write_text("v1")
    read = []
    real = submission._chunks
    monkeypatch.setattr(submission, "_chunks", lambda path, limit: (read.append((path.name, limit)), real(path, limit))[1])
    first = entry_digest(entry)
    assert first == entry_digest(entry) and "data.bin" not in {name for name, _ in read}
    (entry / "notes.txt").write_text("v2")
    second = entry_digest(entry)
    os.truncate(entry / "data.bin", 2 << 30)
    assert len({first, second, entry_digest(entry)}) == 3, "a change of content or size changes the digest"
