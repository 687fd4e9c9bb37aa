"""The notification outbox: one row per (new version, target), written in the archive, so a
message that could not be sent yet is never lost and a sent one is not sent again.

Queueing follows `version_log` from a high-water mark kept in `meta` (key 'notify_seq'): the rows
for the versions after it and the new mark are committed in one transaction, so a crash queues
everything once or nothing. Sending is at least once: a row is marked `sending` (committed) before
the send and `sent` after it. A process that dies between a receiver accepting a message and that
second commit leaves the row `sending`; it is sent again once SENDING_STALE has passed. That window
is the only way a message goes twice, and every message carries its id (the Atom entry id) for a
receiver that must drop duplicates. Nothing here sends or composes: jobs/notify.py does.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from . import versionlog

HIGH_WATER_KEY = "notify_seq"
SENDING_STALE = timedelta(minutes=2)    # longer than any send (Apprise times out in seconds)


def _high_water(con) -> int | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [HIGH_WATER_KEY]).fetchone()
    return int(row[0]) if row else None


def _set_high_water(con, seq: int) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [HIGH_WATER_KEY, str(seq)])


def new_changes(con, after: int, limit: int) -> list[dict]:
    """Versions logged after `after` with what a message says about them: previous version,
    summary, size in words, classes, and the figures that changed."""
    cur = con.execute(
        """SELECT l.seq, v.article_id, v.version, a.source, a.url, v.title, c.from_version, c.summary,
                  coalesce(c.words_added, 0) + coalesce(c.words_removed, 0) AS words_changed,
                  (SELECT list(DISTINCT k.class ORDER BY k.class) FROM change_classes k
                    WHERE k.article_id = v.article_id AND k.version = v.version) AS classes,
                  (SELECT list({'old': k.old, 'new': k.new} ORDER BY k.detail) FROM change_classes k
                    WHERE k.article_id = v.article_id AND k.version = v.version AND k.class = 'number') AS figures
           FROM version_log l JOIN versions v USING (article_id, version) JOIN articles a USING (article_id)
           LEFT JOIN version_changes c ON c.article_id = v.article_id AND c.version = v.version
           WHERE l.seq > ? ORDER BY l.seq LIMIT ?""", [after, limit])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for row in rows:
        row["classes"] = list(row["classes"] or [])
        row["figures"] = [f for f in row["figures"] or [] if f]
    return rows


# build(row) -> [(target name, title, body)] for the targets that want this version
Build = Callable[[dict], list[tuple[str, str, str]]]


def queue(archive, build: Build, now: datetime, batch: int = 1000) -> int:
    """Queue messages for every version written since the last call; returns how many. The first
    call on an archive starts from its newest version: configuring notifications does not send
    the whole archive's past."""
    queued = 0
    while True:
        with archive.writing() as con:
            mark = _high_water(con)
            if mark is None:
                _set_high_water(con, versionlog.newest(con))
                return queued
            rows = new_changes(con, mark, batch)
            if not rows:
                return queued
            messages = [[row["seq"], target, row["article_id"], row["version"], title, body, now]
                        for row in rows for target, title, body in build(row)]
            if messages:
                con.executemany(
                    """INSERT OR IGNORE INTO notify_outbox (seq, target, article_id, version, title, body, state,
                       queued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)""",
                    [m + [now] for m in messages])
            _set_high_water(con, rows[-1]["seq"])
            queued += len(messages)


def claim(archive, now: datetime, limit: int = 50) -> list[dict]:
    """Due messages (pending and due, or left `sending` by a process that died), marked `sending`."""
    with archive.writing() as con:
        cur = con.execute(
            """SELECT seq, target, article_id, version, title, body, attempts FROM notify_outbox
               WHERE (state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND last_attempt_at <= ?)
               ORDER BY seq, target LIMIT ?""", [now, now - SENDING_STALE, limit])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        for row in rows:
            con.execute("""UPDATE notify_outbox SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?
                           WHERE seq = ? AND target = ?""", [now, row["seq"], row["target"]])
    return rows


def mark_sent(archive, row: dict, now: datetime) -> None:
    with archive.writing() as con:
        con.execute("""UPDATE notify_outbox SET state = 'sent', sent_at = ?, last_error = NULL
                       WHERE seq = ? AND target = ?""", [now, row["seq"], row["target"]])


def mark_failed(archive, row: dict, error: str, retry_at: datetime) -> None:
    """Not sent: pending again, from `retry_at` (never dropped)."""
    with archive.writing() as con:
        con.execute("""UPDATE notify_outbox SET state = 'pending', next_attempt_at = ?, last_error = ?
                       WHERE seq = ? AND target = ?""", [retry_at, error[:500], row["seq"], row["target"]])


def counts(con) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for target, state, n in con.execute("SELECT target, state, count(*) FROM notify_outbox GROUP BY ALL").fetchall():
        out.setdefault(target, {})[state] = n
    return out
