"""Recent changes across the archive: what `wirewatch changes` lists and `wirewatch feed` publishes.

One row per version transition (a version with a previous one, from the `changes` view) and one
per event (an article pulled or redirected: the change_classes rows of those classes), newest
first. An event is a row of its own even when it carries a version number (a slug change whose
page had not changed points at the version it matched), so a transition's classes never include
an event that happened at another time.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from .db import ArchiveError
from .edits import CHANGE_CLASSES

EVENT_CLASSES = ("pulled", "redirected")
_ORDER = {name: i for i, name in enumerate(CHANGE_CLASSES)}

# What `changes` shows per row: the table and CSV keep it to one line, JSON adds the parts.
TABLE_COLUMNS = ["captured_at", "source", "article_id", "url", "versions", "title", "classes", "summary"]
JSON_COLUMNS = ["captured_at", "kind", "source", "article_id", "url", "from_version", "version", "title",
                "classes", "summary", "details"]

_QUERY = """
WITH rows AS (
    SELECT 'version' AS kind, c.captured_at, c.source, c.article_id, c.url, c.from_version, c.version,
           c.title,
           list_filter(coalesce(c.classes, []), x -> NOT list_contains($events, x)) AS classes,
           c.summary,
           (SELECT list({'class': k.class, 'detail': k.detail, 'old': k.old, 'new': k.new}
                         ORDER BY k.class, k.detail)
            FROM change_classes k WHERE k.article_id = c.article_id AND k.version = c.version
              AND NOT list_contains($events, k.class)) AS details
    FROM changes c
    UNION ALL
    SELECT 'event', k.happened_at, a.source, k.article_id, a.url, NULL, k.version,
           v.title, [k.class],
           CASE k.class WHEN 'pulled' THEN 'pulled (' || coalesce(k.detail, 'gone') || ')'
                        ELSE k.class || ' ' || coalesce(k.detail, '') END,
           [{'class': k.class, 'detail': k.detail, 'old': k.old, 'new': k.new}]
    FROM change_classes k
    JOIN articles a USING (article_id)
    LEFT JOIN versions v ON v.article_id = k.article_id AND v.version = coalesce(k.version, a.versions)
    WHERE list_contains($event_kinds, k.class)
)
SELECT * FROM rows
WHERE ($since IS NULL OR captured_at >= $since)
  AND ($until IS NULL OR captured_at <= $until)
  AND (len($sources) = 0 OR list_contains($sources, source))
  AND (len($classes) = 0 OR list_has_any(classes, $classes))
ORDER BY captured_at DESC, article_id, version DESC NULLS LAST
LIMIT $limit
"""


def parse_classes(values: Iterable[str]) -> list[str]:
    """--class values, repeatable or comma-separated, checked against CHANGE_CLASSES."""
    out: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in CHANGE_CLASSES:
                raise ValueError(f"unknown change class {name!r} (classes: {', '.join(CHANGE_CLASSES)})")
            if name not in out:
                out.append(name)
    return out


def check_sources(con, sources: Iterable[str], configured: Iterable[str] = ()) -> list[str]:
    """The requested sources, each one in the archive or configured as a seed; else a one-line error."""
    sources = list(dict.fromkeys(sources))
    if not sources:
        return []
    known = {s for (s,) in con.execute("SELECT DISTINCT source FROM articles").fetchall()} | set(configured)
    for name in sources:
        if name not in known:
            raise ArchiveError(f"unknown source {name!r} (known: {', '.join(sorted(known)) or 'none'})")
    return sources


def recent_changes(con, *, since: datetime | None = None, sources: Iterable[str] = (),
                   classes: Iterable[str] = (), events: Iterable[str] = EVENT_CLASSES,
                   limit: int | None = None, until: datetime | None = None) -> list[dict]:
    """Transitions and events, newest first, from `since` to `until` (both included). `classes`
    keeps the rows having any of them; `events` says which event classes get rows (the feed takes
    only 'pulled')."""
    cur = con.execute(_QUERY, {
        "events": list(EVENT_CLASSES), "event_kinds": list(events), "since": since, "until": until,
        "sources": list(sources), "classes": list(classes),
        "limit": int(limit) if limit else 2**62})
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for row in rows:
        row["classes"] = sorted(row["classes"], key=_ORDER.get)    # headline first, as CHANGE_CLASSES
        row["versions"] = (f"{row['from_version']}→{row['version']}" if row["kind"] == "version"
                           else row["classes"][0])
        row["details"] = [d for d in row["details"] or [] if d is not None]
    return rows
