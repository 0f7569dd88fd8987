"""The feedback pages in a real browser: headless Chromium driven over the DevTools protocol.

How the browser is driven (stdlib only): Chromium starts with ``--remote-debugging-pipe``, which
makes it read DevTools commands from file descriptor 3 and write replies and events to descriptor 4,
each message a JSON object ended by a NUL byte; the child places our two pipe ends on those numbers
(``dup2`` just before ``exec``; every other descriptor of ours is close-on-exec). Over the pipe we
open a tab, navigate to the page's ``file://`` URL, wait for the load event, collect console errors
(``Runtime.consoleAPICalled`` of type error, ``Runtime.exceptionThrown``, ``Log.entryAdded`` at
level error: CSP violations and failed loads land there), measure the DOM with ``Runtime.evaluate``
(DevTools evaluation is not subject to the page's Content-Security-Policy, so the page itself stays
script-free), and take a screenshot with ``Page.captureScreenshot`` and a PDF with
``Page.printToPDF``. One browser serves the whole module.

Skips only when no Chromium binary is found (Debian package ``chromium``; ``GRADE_CHROMIUM`` may
name another binary).
"""

from __future__ import annotations

import base64
import sys

import pytest

if sys.platform == "win32":
    pytest.skip("drives Chromium over POSIX pipes", allow_module_level=True)

import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from _samples import HOSTILE_ID, HOSTILE_MESSAGE, SECRET, class_results, student_result
from grader.reports.html import write_class_report, write_student_page

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--mute-audio", "--hide-scrollbars", "--force-color-profile=srgb", "--remote-debugging-pipe"]

MEASURE = """(() => {
  const svgs = [...document.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect(), b = s.getBBox(), t = s.querySelector(':scope > title');
    return {w: r.width, h: r.height, bw: b.width, bh: b.height, title: t ? t.textContent : null,
            role: s.getAttribute('role'), shapes: s.querySelectorAll('path, line, rect, circle, text').length};
  });
  const hidden = [...document.querySelectorAll('.no-print')].every(e => getComputedStyle(e).display === 'none');
  return JSON.stringify({
    title: document.title, h1: (document.querySelector('h1') || {}).textContent || null, svgs,
    scripts: document.scripts.length, images: document.images.length,
    handlers: [...document.querySelectorAll('*')]
      .filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    text: document.body.innerText, scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth, noPrintHidden: hidden,
    fonts: [...document.fonts].length, resources: performance.getEntriesByType('resource').map(e => e.name)});
})()"""


def find_chromium() -> str | None:
    named = os.environ.get("GRADE_CHROMIUM")
    if named:
        return shutil.which(named) or (named if os.access(named, os.X_OK) else None)
    return next((path for path in map(shutil.which, CANDIDATES) if path), None)


class Chromium:
    """A headless Chromium spoken to over ``--remote-debugging-pipe`` (NUL-separated JSON)."""

    def __init__(self, exe: str, profile: Path) -> None:
        to_chrome = os.pipe()
        from_chrome = os.pipe()
        # The child's ends, moved to 10 and above so that placing them on 3 and 4 cannot clobber one another.
        child_in, child_out = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_chrome[0], from_chrome[1]))
        os.close(to_chrome[0])
        os.close(from_chrome[1])

        def place_pipes() -> None:  # in the child, before exec: dup2 leaves 3 and 4 inheritable
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.log = profile / "chromium.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                         preexec_fn=place_pipes, close_fds=False, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, start_new_session=True)
        os.close(child_in)
        os.close(child_out)
        self.wfd, self.rfd = to_chrome[1], from_chrome[0]
        self.buffer = b""
        self.counter = 0
        self.events: list[dict[str, Any]] = []

    # The protocol ---------------------------------------------------------------------------------

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.rfd], [], [], remaining)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed the pipe:\n{self.log.read_text(errors='replace')[-2000:]}")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 15) -> dict[str, Any]:
        self.counter += 1
        message = {"id": self.counter, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.wfd, data):]
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self.counter:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            self.events.append(self._receive(deadline))

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - it is going away either way
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group of the browser started above
            self.proc.wait()
        os.close(self.wfd)
        os.close(self.rfd)

    # Pages ----------------------------------------------------------------------------------------

    def visit(self, page: Path, *, width: int = 1000, height: int = 800, media: str = "screen",
              screenshot: Path | None = None, pdf: Path | None = None) -> dict[str, Any]:
        """Load ``page`` in a fresh tab; its measurements, console errors, screenshot and PDF."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for method in ("Page.enable", "Runtime.enable", "Log.enable"):
                self.send(method, session=session)
            metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
            self.send("Emulation.setDeviceMetricsOverride", metrics, session)
            self.send("Emulation.setEmulatedMedia", {"media": media}, session)
            navigated = self.send("Page.navigate", {"url": page.resolve().as_uri()}, session)
            assert "errorText" not in navigated, navigated
            self.wait_for("Page.loadEventFired", session)
            result = self.send("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, session)
            assert "exceptionDetails" not in result, result
            report = json.loads(result["result"]["value"])
            if screenshot:
                full = self.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
                metrics["height"] = min(int(full["height"]) + 1, 6000)
                self.send("Emulation.setDeviceMetricsOverride", metrics, session)
                shot = self.send("Page.captureScreenshot", {"format": "png"}, session)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            if pdf:
                printed = self.send("Page.printToPDF", {"printBackground": False}, session, timeout=30)
                pdf.write_bytes(base64.b64decode(printed["data"]))
            report["errors"] = self._errors(session)
            return report
        finally:
            self.send("Target.closeTarget", {"targetId": target})

    def _errors(self, session: str) -> list[str]:
        errors = []
        for event in self.events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                errors.append("exception: " + params["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(f"log ({params['entry'].get('source')}): {params['entry'].get('text')}")
            elif method == "Page.javascriptDialogOpening":
                errors.append("dialog: " + params.get("message", ""))
        return errors


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    exe = find_chromium()
    if exe is None:
        pytest.skip("headless Chromium not found: install Debian's `chromium` package "
                    "(apt-get install -y chromium) or set GRADE_CHROMIUM to a Chromium binary")
    chrome = Chromium(exe, tmp_path_factory.mktemp("chromium-profile"))
    try:
        chrome.send("Browser.getVersion", timeout=30)
        yield chrome
    finally:
        chrome.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    index = write_class_report(class_results(), "optim", 15, folder / "class")
    student = write_student_page(student_result(hostile=True, late=True), folder / "student.html")
    return {"student": student, "index": index}


def assert_png(path: Path, width: int) -> None:
    """A real PNG of the given width, with enough different pixels to be a page rather than a blank."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, len(data)
    w, h = struct.unpack(">II", data[16:24])
    assert w == width and h > 400
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    assert len(set(zlib.decompress(idat))) > 64


def assert_clean(report: dict[str, Any]) -> None:
    assert report["errors"] == []
    assert report["scripts"] == 0 and report["images"] == 0 and report["handlers"] == 0
    assert report["resources"] == []  # nothing fetched: no fonts, images, styles or scripts
    assert report["svgs"]
    for s in report["svgs"]:
        assert s["w"] > 100 and s["h"] > 100, s  # rendered with a real size
        assert s["bw"] > 50 and s["bh"] > 50 and s["shapes"] > 10, s  # and something drawn in it
        assert s["title"] and s["role"] == "img", s


def test_student_page_renders_cleanly(browser: Chromium, pages: dict[str, Path], tmp_path: Path) -> None:
    shot = tmp_path / "student.png"
    report = browser.visit(pages["student"], screenshot=shot)
    assert_clean(report)
    assert len(report["svgs"]) == 3
    assert report["h1"] == f"Feedback for {HOSTILE_ID}"  # the hostile id is shown as text, not run
    assert HOSTILE_MESSAGE in report["text"] and SECRET not in report["text"]
    assert report["scrollWidth"] <= report["innerWidth"]
    assert_png(shot, 1000)


def test_class_report_and_a_linked_page_render_cleanly(browser: Chromium, pages: dict[str, Path],
                                                       tmp_path: Path) -> None:
    shot = tmp_path / "class.png"
    report = browser.visit(pages["index"], screenshot=shot)
    assert_clean(report)
    assert len(report["svgs"]) == 2
    assert HOSTILE_ID in report["text"] and "momentum_wrong_sign" in report["text"]
    assert_png(shot, 1000)
    linked = sorted((pages["index"].parent / "students").glob("alice*.html"))[0]
    assert_clean(browser.visit(linked))


def test_pages_fit_a_phone_and_print(browser: Chromium, pages: dict[str, Path], tmp_path: Path) -> None:
    narrow = browser.visit(pages["student"], width=390)
    assert narrow["errors"] == []
    assert narrow["scrollWidth"] <= 391  # no sideways scrolling: the plots scale down
    assert all(0 < s["w"] <= 390 for s in narrow["svgs"])
    pdf = tmp_path / "student.pdf"
    printed = browser.visit(pages["student"], media="print", pdf=pdf)
    assert printed["errors"] == [] and printed["noPrintHidden"]
    assert all(s["w"] > 100 and s["h"] > 100 for s in printed["svgs"])
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


def test_the_harness_notices_errors(browser: Chromium, pages: dict[str, Path], tmp_path: Path) -> None:
    """A control: an unescaped script and an outside image in a copy of a page are reported."""
    page = pages["student"].read_text(encoding="utf-8")
    bad = tmp_path / "bad.html"
    bad.write_text(page.replace("</main>", "<script>alert(1)</script><img src='http://127.0.0.1:9/x.png'></main>"),
                   encoding="utf-8")
    report = browser.visit(bad)
    assert report["errors"], "the CSP violations should have been logged"
    assert not any(e.startswith("dialog") for e in report["errors"])  # blocked by the page's CSP
