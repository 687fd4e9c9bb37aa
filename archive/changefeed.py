"""An Atom 1.0 feed (RFC 4287) of recent revisions, for feed readers and newsroom tools.

One entry per revision (version 2 and up) and per pulled article, newest first, as
archive.recent lists them. Each entry has an id that depends only on the article and the version
(or the time it was pulled), so it is the same in every run and on every machine; the headline
with the versions and classes as its title; the one-line summary; and the diff as HTML with
<del>/<ins> marks.

Everything is built as elements (lxml) and serialized, so escaping is the serializer's job:
article text is never pasted into markup. The entry's HTML is built the same way, serialized,
and then carried as text in <content type="html">, escaped once more as RFC 4287 requires.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from lxml import etree
from rich.text import Text

from .edits import field_rows
from .edits_headlines import field_label
from .render import DELETED, INSERTED, _append_ops, _body_lines, _field_value, is_text_field
from .textdiff import diff
from .writer import load_version

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:wirewatch,2026:"          # RFC 4151 tag URIs: fixed authority and date, never change them
CONTEXT_PARAGRAPHS = 1               # unchanged paragraphs kept around each change in an entry
# Characters XML 1.0 cannot carry at all (scraped text can hold them); dropped, not escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ID_SAFE = "/:@!$&'()*+,;=-._~"


def _x(text) -> str:
    return _NOT_XML.sub("", "" if text is None else str(text))


def rfc3339(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_id(row: dict) -> str:
    """tag:wirewatch,2026:<article_id>/v<version>, or .../pulled-<UTC time> for a pulled article."""
    aid = quote(row["article_id"], safe=_ID_SAFE)
    if row["kind"] == "version":
        return f"{TAG}{aid}/v{row['version']}"
    when = row["captured_at"].astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{TAG}{aid}/{row['classes'][0]}-{when}"


def feed_id(sources=(), classes=()) -> str:
    """Stable for the same selection: a reader that subscribes to a filtered feed keeps it."""
    parts = [f"source={','.join(sorted(sources))}"] if sources else []
    parts += [f"class={','.join(sorted(classes))}"] if classes else []
    return f"{TAG}changes" + ("?" + "&".join(quote(p, safe="=,") for p in parts) if parts else "")


def feed_title(sources=(), classes=()) -> str:
    title = "wirewatch: article revisions"
    if sources:
        title += " — " + ", ".join(sources)
    if classes:
        title += f" ({', '.join(classes)})"
    return title


def entry_title(row: dict) -> str:
    headline = row.get("title") or row["article_id"]
    if row["kind"] != "version":
        event = row["details"][0] if row["details"] else {}
        detail = f": {event['detail']}" if event.get("detail") else ""
        return f"{headline} ({row['classes'][0]}{detail})"
    what = f"v{row['from_version']}→v{row['version']}"
    if row["classes"]:
        what += ": " + ", ".join(row["classes"])
    return f"{headline} ({what})"


# --- the HTML inside an entry ------------------------------------------------------------------

def _add(parent, tag: str, text=None, **attrs):
    el = etree.SubElement(parent, tag, {k: _x(v) for k, v in attrs.items()})
    if text:
        el.text = _x(text)
    return el


def _append_text(el, text: str) -> None:
    """Text after the last child (or inside an empty element), as lxml keeps it."""
    text = _x(text)
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


def _marked(parent, line: Text) -> None:
    """A rich Text line from archive.render (deleted red, inserted green) as text, <del>, <ins>."""
    plain, pos = line.plain, 0
    for span in sorted(line.spans, key=lambda s: s.start):
        if span.start > pos:
            _append_text(parent, plain[pos:span.start])
        piece = plain[span.start:span.end]
        if span.style == DELETED:
            _add(parent, "del", piece)
        elif span.style == INSERTED:
            _add(parent, "ins", piece)
        else:
            _append_text(parent, piece)
        pos = max(pos, span.end)
    if pos < len(plain):
        _append_text(parent, plain[pos:])


def diff_html(old: dict, new: dict, row: dict) -> str:
    """The entry's content: summary, classes with their details, changed fields, then the body
    paragraphs that changed (with one around each), deleted text in <del>, inserted in <ins>."""
    language = new.get("language") or old.get("language")
    by = "char" if (language or "")[:2] in ("zh", "ja") else "word"
    root = etree.Element("div")
    _add(root, "p", row["summary"])
    if row["details"]:
        ul = _add(root, "ul")
        for d in row["details"]:
            li = _add(ul, "li")
            _add(li, "b", d["class"])
            detail = d["detail"] or ""
            if d["class"] == "number":
                detail += f": {d['old']} → {d['new']}"
            _append_text(li, " " + detail)
    for f in field_rows(old, new):
        p = _add(root, "p")
        _add(p, "b", f"{field_label(f['field'])}: ")
        if is_text_field(f["field"]):
            line = Text()
            _append_ops(line, diff(_field_value(old, f["field"]), _field_value(new, f["field"]), by, language))
            _marked(p, line)
        else:
            if f["old"]:
                _add(p, "del", f["old"])
                _append_text(p, " → ")
            _add(p, "ins", f["new"] or "(none)")
    _add(root, "hr")
    ops = diff(old.get("text") or "", new.get("text") or "", by, language)
    for line in _body_lines(ops, CONTEXT_PARAGRAPHS):
        if not line.plain:
            continue
        p = _add(root, "p")
        if line.style:              # "⋯ 3 unchanged paragraphs ⋯"
            _add(p, "em", line.plain)
        else:
            _marked(p, line)
    return etree.tostring(root, method="html", encoding="unicode")


def pulled_html(last: dict | None, row: dict) -> str:
    root = etree.Element("div")
    _add(root, "p", f"{row['summary']} at {rfc3339(row['captured_at'])}.")
    if last:
        p = _add(root, "p", f"Last version archived: v{last['version']}, captured {last['captured_at']}: ")
        _add(p, "a", last.get("title") or row["url"], href=row["url"])
    return etree.tostring(root, method="html", encoding="unicode")


def entry_versions(con, row: dict) -> tuple[dict | None, dict | None]:
    """(old, new) for a transition; (None, the version live when it was pulled) for an event.
    Read while the archive is open; the HTML is made after it is closed again."""
    aid = row["article_id"]
    if row["kind"] == "version":
        return load_version(con, aid, row["from_version"]), load_version(con, aid, row["version"])
    (number,) = con.execute("SELECT max(version) FROM versions WHERE article_id = ? AND captured_at <= ?",
                            [aid, row["captured_at"]]).fetchone()
    return None, (load_version(con, aid, number) if number else None)


def entry_content(row: dict, old: dict | None, new: dict | None) -> str:
    if row["kind"] == "version":
        return diff_html(old or {}, new or {}, row)
    return pulled_html(new, row)


def save(path, data: bytes) -> None:
    """Replace the file at once: a web server or reader never sees half a feed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- the feed -----------------------------------------------------------------------------------

def _atom(parent, name: str, text=None, **attrs):
    el = etree.SubElement(parent, f"{{{ATOM}}}{name}", {k: _x(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _x(text)
    return el


def build_feed(rows: list[dict], contents: list[str], *, title: str, feed_id: str,
               self_url: str | None = None, now: datetime | None = None,
               generator_version: str | None = None) -> bytes:
    """The Atom document (UTF-8 bytes) for rows from archive.recent and their HTML contents."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _atom(feed, "id", feed_id)
    _atom(feed, "title", title)
    newest = max((r["captured_at"] for r in rows), default=None) or now or datetime.now(timezone.utc)
    _atom(feed, "updated", rfc3339(newest))
    if self_url:
        _atom(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    gen = _atom(feed, "generator", "wirewatch")
    if generator_version:
        gen.set("version", generator_version)
    for row, content in zip(rows, contents):
        entry = _atom(feed, "entry")
        _atom(entry, "id", entry_id(row))
        _atom(entry, "title", entry_title(row))
        _atom(entry, "updated", rfc3339(row["captured_at"]))
        author = _atom(entry, "author")
        _atom(author, "name", row["source"])
        if row["url"]:
            _atom(entry, "link", rel="alternate", type="text/html", href=row["url"])
        for cls in row["classes"]:
            _atom(entry, "category", term=cls, label=cls)
        _atom(entry, "summary", row["summary"] or "")
        _atom(entry, "content", content, type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
