"""What every page handler needs: the settings, the configured seeds, change rows with links."""
from __future__ import annotations

from starlette.requests import Request

from archive import recent, views
from crawler.seeds import Seed, SeedError, load_seeds
from web import links
from web.settings import WebSettings


def settings_of(request: Request) -> WebSettings:
    return request.app.state.settings


def configured_seeds(settings: WebSettings) -> tuple[dict[str, Seed], str | None]:
    """The seeds, or none and the one-line reason (a bad seed must not take the view down:
    the archive is still worth reading)."""
    try:
        return load_seeds(settings.seeds_dir), None
    except SeedError as exc:
        return {}, str(exc)


def change_row(row: dict) -> dict:
    """A row of archive.recent with the links a page gives it: its diff (a transition) or its
    article (an event), and the article."""
    out = dict(row)
    out["article_link"] = links.article(row["article_id"])
    if row["kind"] == "version":
        out["diff_link"] = links.diff(row["article_id"], row["from_version"], row["version"])
    else:
        out["diff_link"] = None
    out["source_url"] = links.external(row.get("url"))
    return out


def newest_changes(con, *, since=None, sources=(), classes=(), events=recent.EVENT_CLASSES,
                   limit: int, skip: int = 0) -> list[dict]:
    """archive.recent.recent_changes, the `limit` rows after the newest `skip`, without building
    any row outside them (views.changes_cutoff finds the times where they start and end: a deep
    page of changes built every newer row first, 400 ms at p95 on 100,000 versions)."""
    filters = dict(sources=sources, classes=classes, events=events, event_classes=recent.EVENT_CLASSES)
    cutoff = views.changes_cutoff(con, since=since, count=skip + limit, **filters)
    if cutoff is None:
        return []
    top = views.changes_cutoff(con, since=since, count=skip + 1, **filters) if skip else None
    rows = recent.recent_changes(con, since=cutoff, until=top, sources=sources, classes=classes, events=events)
    if top is None:
        return rows[:limit]
    # rows as new as `top` itself may belong to the skipped ones: skip those the count says are
    newer = views.changes_cutoff(con, since=since, newer_than=top, **filters)
    return rows[skip - newer: skip - newer + limit]
