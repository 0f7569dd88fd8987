"""Turn a reference source into a student stub: every solution region becomes a template."""

from __future__ import annotations

import re
from pathlib import Path

from grader.authoring.markers import ParsedSource, Region, parse
from grader.templating import render

BANNER_COLUMNS = 79
MIN_BANNER = 40


def _function_at(lines: tuple[str, ...], index: int) -> str | None:
    for j in range(index, -1, -1):
        m = re.match(r"\s*(?:async\s+)?def\s+(\w+)", lines[j])
        if m:
            return m.group(1)
    return None


def render_region(source: ParsedSource, region: Region, templates: Path | None) -> list[str]:
    """The stub lines that stand in for ``region``."""
    width = max(BANNER_COLUMNS - len(region.indent.expandtabs()), MIN_BANNER)
    context = dict(indent=region.indent, prompt=region.prompt, style=region.style, names=region.names,
                   code=region.inline_code, function=_function_at(source.lines, region.start))
    text = ""
    if region.start != region.end:  # a block gets the banner; a single line keeps its place
        text += render("banner.py.j2", templates, width=width,
                       **{**context, "prompt": region.prompt or "write your code here."})
    text += render("placeholder.py.j2", templates, **context)
    return text.rstrip("\n").split("\n")


def stub_body(source: ParsedSource, templates: Path | None = None) -> str:
    """The source with each region replaced, joined with "\\n" (no trailing newline)."""
    out: list[str] = []
    cursor = 0
    for region in source.regions:
        out.extend(source.lines[cursor:region.start])
        out.extend(render_region(source, region, templates))
        cursor = region.end + 1
    out.extend(source.lines[cursor:])
    return "\n".join(out)


def render_stub(text: str, path: str, assignment: str, templates: Path | None = None) -> str:
    """The whole stub module for the reference source ``text`` (keeps its line endings)."""
    source = parse(text, path)
    module = render("module.py.j2", templates, assignment=assignment, body=stub_body(source, templates))
    module = module.rstrip("\n") + "\n"
    return module.replace("\n", source.newline) if source.newline != "\n" else module


def solution_lines(text: str, path: str) -> list[str]:
    """The code lines inside solution regions (what must never reach a stub)."""
    source = parse(text, path)
    lines: list[str] = []
    for region in source.regions:
        lines.extend(line for line in region.body if line.strip() and not line.strip().startswith("#"))
    return lines
