"""Discovered articles not fetched yet, kept in the archive so a crash loses none.

Discovery writes what it found here before it requests it; the write path removes an article
from the frontier in the transaction that records its first fetch. A run that was killed leaves
its unfetched articles here, and the next discovery run of that source fetches them first.
"""
from __future__ import annotations

from datetime import datetime


def add(con, source: str, found: list[tuple[str, str, str | None]], now: datetime) -> int:
    """found: (article_id, url, listing URL) of articles the archive does not know yet;
    returns how many were new to the frontier."""
    from .batch import insert_rows   # batch.py imports this module
    if not found:
        return 0
    ids = [aid for aid, _, _ in found]
    known = {aid for (aid,) in con.execute(
        """SELECT article_id FROM articles WHERE article_id IN (SELECT unnest($1))
           UNION SELECT article_id FROM frontier WHERE article_id IN (SELECT unnest($1))""", [ids]).fetchall()}
    rows, seen = [], set()
    for aid, url, on in found:
        if aid not in known and aid not in seen:
            seen.add(aid)
            rows.append((aid, source, url, now, on))
    insert_rows(con, "frontier", ("article_id", "source", "url", "found_at", "found_on"), rows)
    return len(rows)


def pending(con, source: str) -> list[tuple[str, str]]:
    """(article_id, url) of the source's discovered articles never fetched, oldest first."""
    return con.execute("SELECT article_id, url FROM frontier WHERE source = ? ORDER BY found_at, article_id",
                       [source]).fetchall()


def done(con, article_ids) -> None:
    """Articles whose first fetch is being recorded leave the frontier."""
    ids = sorted(set(article_ids))
    if ids:
        con.execute("DELETE FROM frontier WHERE article_id IN (SELECT unnest(?))", [ids])
