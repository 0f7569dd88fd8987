"""The similarity pages in headless Chromium, with the harness of the feedback pages' browser test:
no errors, no scripts, nothing fetched, fits a phone, prints, and the matching lines are marked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

from test_browser import Chromium, assert_png, find_chromium  # noqa: E402

from grader.similarity.collect import load_target  # noqa: E402
from grader.similarity.report import build, write_html  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

MARKED = """(() => JSON.stringify([...document.querySelectorAll('li.match')].map(
  e => getComputedStyle(e).backgroundColor)))()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = find_chromium()
    if exe is None:
        pytest.skip("headless Chromium not found: install Debian's `chromium` package or set GRADE_CHROMIUM")
    chrome = Chromium(exe, tmp_path_factory.mktemp("chromium-profile"))
    try:
        chrome.send("Browser.getVersion", timeout=30)
        yield chrome
    finally:
        chrome.close()


@pytest.fixture(scope="module")
def site(graded_class, tmp_path_factory):
    report = build(graded_class[1], load_target(ROOT / "solutions" / "optim"))
    return write_html(report, tmp_path_factory.mktemp("similarity-html")), report


def assert_clean(page: dict) -> None:
    assert page["errors"] == []
    assert page["scripts"] == 0 and page["images"] == 0 and page["handlers"] == 0
    assert page["resources"] == []


def test_the_ranked_pairs_page_renders_cleanly(browser, site, tmp_path):
    index, report = site
    shot = tmp_path / "index.png"
    page = browser.visit(index, screenshot=shot)
    assert_clean(page)
    assert page["h1"] == "optim" and "for the instructor only" in page["text"].lower()
    assert "1 - (1 - code) * (1 - output)" in page["text"]
    assert page["scrollWidth"] <= page["innerWidth"]
    assert_png(shot, 1000)


def test_a_pair_page_shows_both_sides_with_the_marked_lines_visible(browser, site, tmp_path):
    index, report = site
    shot = tmp_path / "pair.png"
    page = browser.visit(index.parent / "pairs" / "0001.html", screenshot=shot)
    assert_clean(page)
    pair = report.scored.pairs[0]
    assert pair.a.key in page["h1"] and pair.b.key in page["h1"]
    assert_png(shot, 1000)
    # the highlight is really drawn (the stylesheet applied), on lines of both sides
    target = browser.send("Target.createTarget", {"url": (index.parent / "pairs" / "0001.html").as_uri()})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        browser.send("Page.enable", session=session)
        import json
        import time

        deadline = time.monotonic() + 15
        colours: list[str] = []
        while time.monotonic() < deadline and not colours:
            result = browser.send("Runtime.evaluate", {"expression": MARKED, "returnByValue": True}, session)
            colours = json.loads(result["result"]["value"])
        assert len(colours) > 10 and set(colours) == {"rgb(253, 230, 138)"}
    finally:
        browser.send("Target.closeTarget", {"targetId": target})


def test_the_pages_fit_a_phone_and_print(browser, site, tmp_path):
    index, _ = site
    pair = index.parent / "pairs" / "0001.html"
    narrow = browser.visit(pair, width=390)
    assert narrow["errors"] == [] and narrow["scrollWidth"] <= 391
    pdf = tmp_path / "pair.pdf"
    printed = browser.visit(pair, media="print", pdf=pdf)
    assert printed["errors"] == [] and printed["noPrintHidden"]
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
