"""The Jinja2 environment every page is rendered with.

Autoescaping is on for every template whatever its name (not only *.html): article text, URLs and
headers are attacker-controlled as far as these pages are concerned, so nothing reaches the page
unescaped, and there is no `|safe` anywhere in the templates. Undefined names fail loudly, so a
template mistake is a failing test rather than an empty cell.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import jinja2
from starlette.templating import Jinja2Templates

from web import timefmt

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _percent(rate) -> str:
    return f"{(rate or 0) * 100:.1f} %"


def cell_text(value) -> str:
    """A value in a results table or metadata list, as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timefmt.stamp(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell_text(v)}" for k, v in value.items())
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(stamp=timefmt.stamp, iso=timefmt.iso, duration=timefmt.duration, percent=_percent,
                       cell=cell_text)
    env.globals.update(relative=lambda when: timefmt.relative(
        timefmt.as_utc(when), datetime.now(timezone.utc)))
    return env


templates = Jinja2Templates(env=_environment())
