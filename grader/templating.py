"""The jinja2 environment every rendered text goes through.

A course overrides any default template by putting a file of the same name in its own
``templates/`` folder; the defaults ship inside the package (``grader.templates``).
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

from grader.wording import plural


def default_templates() -> Path:
    """The folder of the templates shipped with the package (``templates/`` in a source checkout)."""
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if (checkout / "module.py.j2").is_file():
        return checkout
    return Path(str(resources.files("grader.templates")))


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=max(width, 20), break_long_words=True, break_on_hyphens=False) or [""]


@lru_cache(maxsize=8)
def environment(course_templates: Path | None = None) -> jinja2.Environment:
    """An environment looking in ``course_templates`` first, then in the package defaults."""
    searchpath = [str(p) for p in (course_templates, default_templates()) if p and p.is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(searchpath),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "svg", "html.j2", "xml.j2", "svg.j2"),
                                            default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wrap"] = _wrap
    env.filters["pyrepr"] = repr
    env.filters["plural"] = plural
    return env


def render(name: str, course_templates: Path | None = None, **context) -> str:
    """Render template ``name`` with ``context``."""
    return environment(course_templates).get_template(name).render(**context)
