"""The order in which versions were written: `version_log.seq`, 1, 2, 3 … one per version, given in
the same transaction that writes the version.

Whatever follows the archive (the search index, the notification outbox) remembers the highest seq
it has handled and asks for what came after: nothing written is missed, whatever crashed when, and
`captured_at` (the fetch time, which a journal replayed after a crash can write late) is never
mistaken for the order of writing.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable


def append(con, new_versions: Iterable[tuple[str, int]], now: datetime) -> None:
    """Log versions just written (in the writer's open transaction: one writer at a time, so
    max(seq) + n is free)."""
    rows = list(new_versions)
    if not rows:
        return
    # A shared archive's writers take seqs from a sequence, in commit order (archive/shared.py):
    # max(seq) read in a transaction's snapshot would hand two writers the same numbers.
    shared_seqs = getattr(con, "next_log_seqs", None)
    if shared_seqs:
        seqs = shared_seqs(len(rows))
    else:
        (top,) = con.execute("SELECT coalesce(max(seq), 0) FROM version_log").fetchone()
        seqs = range(top + 1, top + 1 + len(rows))
    from .batch import insert_rows       # one statement per 400 rows: executemany ran one per row
    insert_rows(con, "version_log", None, [(seq, aid, version, now) for seq, (aid, version) in zip(seqs, rows)])


def newest(con) -> int:
    return con.execute("SELECT coalesce(max(seq), 0) FROM version_log").fetchone()[0]


def versions_after(con, seq: int, limit: int) -> list[dict]:
    """The next `limit` logged versions after `seq`, with what indexing and notifying read."""
    cur = con.execute(
        """SELECT l.seq, v.article_id, v.version, a.source, a.url, v.captured_at, v.language, v.title,
                  v.headlines, v.lead, v.text
           FROM version_log l JOIN versions v USING (article_id, version) JOIN articles a USING (article_id)
           WHERE l.seq > ? ORDER BY l.seq LIMIT ?""", [seq, limit])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
