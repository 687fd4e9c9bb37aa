"""Renderings of a change: terminal, unified, JSON and side-by-side HTML (escaping hostile text)."""
from __future__ import annotations

import html
import io
import json
import re

from rich.console import Console

from archive.render import render_html, render_json, render_terminal, render_unified

# --- renderings -----------------------------------------------------------------------------

def version(n: int, **fields) -> dict:
    base = {"version": n, "captured_at": f"2024-05-0{n}T10:00:00Z", "title": "Quake kills 2,800",
            "byline": "By Anna Petrova", "published_at": "2024-05-01T09:00:00Z",
            "modified_at": f"2024-05-0{n}T09:30:00Z", "lead": "Rescuers search the rubble.",
            "text": "Officials said 2,800 people died.\nRescue teams arrived on Monday.",
            "language": "en", "tags": ["quake", "Turkey"]}
    base.update(fields)
    return base


HOSTILE = ('<script>alert("x")</script> " onmouseover="alert(1)" <img src=x onerror=alert(2)> '
           "&amp;lt; &lt;b&gt;")


def test_html_escapes_hostile_article_text():
    old = version(1, title="Safe <b>old</b> title", byline='" onmouseover="steal()',
                  text="Line one &amp;lt; kept.\n" + HOSTILE)
    new = version(2, title="<script>alert(1)</script> headline", byline=HOSTILE,
                  text="Line one &amp;lt; kept.\n" + HOSTILE + " more <script>x</script>",
                  tags=["<script>t</script>"], language='en" onload="x')
    page = render_html(old, new)
    assert "<script" not in page.lower()
    assert "<img" not in page and "<b>old</b>" not in page
    assert 'onmouseover="' not in page and 'onload="' not in page
    assert "&lt;script&gt;" in page
    assert "&amp;amp;lt;" in page                      # entities in the text stay literal
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    head = page.split("<body>")[0]
    assert "http" not in head and "<link" not in head   # self-contained
    # the text survives: unescaping the page's cells gives the article text back
    assert html.escape(HOSTILE) in page


def test_html_side_by_side_marks_changes():
    old, new = version(1), version(2, text="Officials said 3,000 people died.\n"
                                             "Rescue teams arrived on Monday.\nAid is coming.")
    page = render_html(old, new)
    assert "<del>2,800</del>" in page and "<ins>3,000</ins>" in page
    assert "<ins>Aid is coming.</ins>" in page
    assert "death toll: 2,800 → 3,000" in page


def test_json_rendering_is_serializable_and_positional():
    old = version(1)
    new = version(2, title="Quake kills 3,000", text=old["text"].replace("Monday", "Tuesday"),
                  tags=["quake"])
    data = render_json(old, new, "word")
    json.loads(json.dumps(data))
    body = data["ops"]
    assert "".join(o["old_text"] for o in body) == old["text"]
    assert "".join(o["new_text"] for o in body) == new["text"]
    changed = [o for o in body if o["tag"] != "equal"]
    assert changed[0]["old_text"] == "Monday" and changed[0]["new_text"] == "Tuesday"
    assert old["text"][changed[0]["old_start"]:changed[0]["old_end"]] == "Monday"
    fields = {f["field"]: f for f in data["fields"]}
    assert set(fields) == {"title", "modified_at", "tags"}
    assert fields["tags"]["old"] == "Turkey, quake" and fields["tags"]["new"] == "quake"
    assert any(o["tag"] == "replace" for o in fields["title"]["ops"])
    assert "headline" in {c["class"] for c in data["classes"]}
    assert json.loads(json.dumps(render_json(None, new)))["from"] is None


def test_unified_rendering():
    old = version(1)
    new = version(2, title="Quake kills 3,000", text=old["text"] + "\nAid is coming.")
    out = render_unified(old, new)
    assert out.startswith("--- version 1 (2024-05-01T10:00:00Z)\n+++ version 2")
    assert "-Headline: Quake kills 2,800\n+Headline: Quake kills 3,000\n" in out
    assert "+Aid is coming.\n" in out
    assert " Rescue teams arrived on Monday.\n" in out
    assert render_unified(old, dict(old)) == ""


def test_terminal_rendering_colours_and_fields():
    old = version(1)
    new = version(2, title="Quake kills 3,000", text=old["text"].replace("Monday", "Tuesday"))
    console = Console(file=io.StringIO(), force_terminal=True, color_system="standard",
                      width=120)
    console.print(render_terminal(old, new, "word"))
    out = console.file.getvalue()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert plain.index("Headline:") < plain.index("Officials said")    # headline above the body
    assert "MondayTuesday" in plain
    assert re.search(r"\x1b\[[0-9;]*9[;0-9]*m[^\x1b]*Monday", out)   # struck through
    assert re.search(r"\x1b\[[0-9;]*32m[^\x1b]*Tuesday", out)        # green
    long_old = version(1, text="\n".join(f"Paragraph {i}." for i in range(30)))
    long_new = dict(long_old, version=2, text=long_old["text"].replace("Paragraph 15.",
                                                                       "Paragraph XV."))
    console = Console(file=io.StringIO(), width=120)
    console.print(render_terminal(long_old, long_new, "word", context=1))
    collapsed = console.file.getvalue()
    assert "unchanged paragraphs" in collapsed and "Paragraph 2." not in collapsed

