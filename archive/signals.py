"""Publisher "modified at T" signals from discovery (feeds, sitemap <lastmod>): what they do to
an article's next check is the re-check policy's call (`schedule.after_signal`, jobs'
`policy.apply_signal` in the crawler)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from .batch import insert_rows
from .writer import Schedule, default_after_signal

_COLUMNS = ("article_id", "first_seen", "last_checked", "last_changed", "unchanged_checks", "status",
            "next_check", "publisher_modified")


def newest(source: str, signals: Iterable[tuple[str, str, datetime | None]]) -> dict[str, datetime]:
    """{article_id: newest signal time} of (key, url, T) signals."""
    out: dict[str, datetime] = {}
    for k, _url, t in signals:
        if t is not None:
            aid = f"{source}:{k}"
            out[aid] = max(t, out.get(aid, t))
    return out


def apply(con, newest: dict[str, datetime], schedule: Schedule, now: datetime) -> int:
    """Move the next check of articles with a signal newer than any seen; returns how many are due now."""
    after_signal = getattr(schedule, "after_signal", default_after_signal)
    rows = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE article_id IN (SELECT unnest(?))",
                       [sorted(newest)]).fetchall()
    updates = []
    for row in rows:
        art = dict(zip(_COLUMNS, row))
        t = newest[art["article_id"]]
        if art["publisher_modified"] is not None and t <= art["publisher_modified"]:
            continue
        nxt = after_signal(now=now, signal_time=t, **{c: art[c] for c in _COLUMNS[1:-1]})
        updates.append((art["article_id"], t, nxt))
    if updates:
        con.execute("CREATE TEMP TABLE IF NOT EXISTS sig (article_id VARCHAR, t TIMESTAMPTZ, nxt TIMESTAMPTZ)")
        con.execute("DELETE FROM sig")
        insert_rows(con, "sig", ("article_id", "t", "nxt"), updates)
        con.execute("""UPDATE articles a SET publisher_modified = s.t, next_check = s.nxt
                       FROM sig s WHERE a.article_id = s.article_id""")
    return sum(1 for _, _, nxt in updates if nxt is not None and nxt <= now)
