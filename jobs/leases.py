"""Workers sharing one archive: who is alive, and who holds which piece of work, in PostgreSQL.

A lease is a row of `leases` (name, holder, expires_at), taken with one INSERT … ON CONFLICT DO
UPDATE … WHERE the row is free or expired: PostgreSQL's row lock makes the take atomic, so two
workers never both hold a name. A worker renews all its leases with its heartbeat, at a third of
the lease's life; a worker that dies (kill -9, a lost machine) stops renewing and its leases
expire, so the next worker to ask takes its work.

Work is leased per source (`source:<name>`, discovery and re-checks alike) and per singleton job
(`job:index`, `job:notify`, `job:maintenance`). A source on one worker at a time is what makes
a due article fetched once per cycle (its re-check picks the due articles only once it holds the
lease) and keeps politeness per publisher: one crawler paces the publisher, and the next holder
starts no sooner than the source's delay after the last one let go. Splitting one source across
workers would buy nothing the publisher's delay does not take away again (docs/scale.md).
"""
from __future__ import annotations

import contextlib
import os
import socket
import threading
from datetime import datetime, timedelta

from archive import shared


class Leases:
    def __init__(self, archive, worker_id: str, ttl: timedelta | None = None):
        self.archive = archive
        self.worker_id = worker_id
        self.ttl = ttl or shared.LEASE_TTL
        self._con = None
        self._lock = threading.Lock()
        self.held: set[str] = set()

    def _sql(self, sql: str, params=()) -> list:
        with self._lock:
            for attempt in (1, 2):      # one reconnect: PostgreSQL restarted, the connection dropped
                try:
                    if self._con is None or self._con.closed:
                        self._con = self.archive.shared.pg()
                    cur = self._con.execute(sql, params)
                    return cur.fetchall() if cur.description else []
                except Exception as exc:
                    import psycopg
                    if attempt == 2 or not isinstance(exc, psycopg.OperationalError):
                        raise
                    self._con = None
        return []

    @property
    def interval_s(self) -> float:
        """How often to renew: a third of the lease's life, so two missed beats still hold it."""
        return max(0.5, self.ttl.total_seconds() / 3)

    def register(self) -> None:
        self._sql("""INSERT INTO workers (worker_id, host, pid, started_at, heartbeat_at, lease_ttl_s)
                     VALUES (%s, %s, %s, now(), now(), %s)
                     ON CONFLICT (worker_id) DO UPDATE SET started_at = now(), heartbeat_at = now(), stopped_at = NULL,
                         lease_ttl_s = excluded.lease_ttl_s""",
                  (self.worker_id, socket.gethostname(), os.getpid(), self.ttl.total_seconds()))

    def heartbeat(self) -> int:
        """Renew this worker's liveness and every lease it holds; returns how many it still holds."""
        self._sql("UPDATE workers SET heartbeat_at = now() WHERE worker_id = %s", (self.worker_id,))
        rows = self._sql("""UPDATE leases SET expires_at = now() + %s WHERE holder = %s RETURNING name""",
                         (self.ttl, self.worker_id))
        self.held = {r[0] for r in rows}
        return len(rows)

    def acquire(self, name: str) -> tuple[bool, datetime | None]:
        """Take `name` if it is free, expired or already ours: (taken, when its last holder let go)."""
        rows = self._sql(
            """INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (%s, %s, now(), now() + %s)
               ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = now(),
                   expires_at = excluded.expires_at
               WHERE leases.holder IS NULL OR leases.expires_at < now() OR leases.holder = excluded.holder
               RETURNING released_at""",
            (name, self.worker_id, self.ttl))
        if not rows:
            return False, None
        self.held.add(name)
        return True, rows[0][0]

    def release(self, name: str) -> None:
        self._sql("UPDATE leases SET holder = NULL, expires_at = NULL, released_at = now() "
                  "WHERE name = %s AND holder = %s", (name, self.worker_id))
        self.held.discard(name)

    def stop(self) -> None:
        """A clean exit: every lease given back at once (no one waits for them to expire)."""
        self._sql("UPDATE leases SET holder = NULL, expires_at = NULL, released_at = now() WHERE holder = %s",
                  (self.worker_id,))
        self._sql("UPDATE workers SET stopped_at = now() WHERE worker_id = %s", (self.worker_id,))
        self.held = set()
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


def workers(archive) -> list[dict]:
    """Workers of a shared archive with what each holds, newest heartbeat first (`wirewatch status`)."""
    with archive.shared.pg() as pg:
        cur = pg.execute(
            """SELECT w.worker_id, w.host, w.pid, w.started_at, w.heartbeat_at, w.stopped_at,
                      w.stopped_at IS NULL AND w.heartbeat_at > now() - make_interval(secs => w.lease_ttl_s) AS alive,
                      coalesce(array_agg(l.name ORDER BY l.name) FILTER (WHERE l.name IS NOT NULL), '{}') AS leases,
                      min(l.expires_at) AS lease_expires_at
               FROM workers w LEFT JOIN leases l ON l.holder = w.worker_id AND l.expires_at > now()
               GROUP BY w.worker_id ORDER BY w.heartbeat_at DESC""")
        names = [d.name for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def holders(archive, prefix: str = "") -> dict[str, str]:
    """{lease name: holder} of the leases held now whose names start with `prefix`."""
    with archive.shared.pg() as pg:
        return dict(pg.execute("SELECT name, holder FROM leases WHERE holder IS NOT NULL AND expires_at > now() "
                               "AND name LIKE %s", (prefix + "%",)).fetchall())


@contextlib.contextmanager
def holding(archive, name: str, worker_id: str):
    """Hold lease `name` for a one-off command (`wirewatch crawl` on a shared archive), renewed by a
    heartbeat thread; refused with a one-line error while another worker holds it."""
    from archive.db import ArchiveError
    leases = Leases(archive, worker_id)
    leases.register()
    taken, _ = leases.acquire(name)
    if not taken:
        leases.stop()
        holder = holders(archive, name).get(name, "another worker")
        raise ArchiveError(f"{name} is held by {holder}; try again when its crawl has finished")
    beat = Heartbeat(leases)
    try:
        yield leases
    finally:
        beat.stop()
        leases.stop()


class Heartbeat:
    """Renews a worker's leases from its own thread: a busy event loop (a crawl starting its
    extraction pool, a slow batch) must not delay the renewal past the lease's life."""

    def __init__(self, leases: Leases):
        self.leases = leases
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wirewatch heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import logging
        while not self._done.wait(self.leases.interval_s):
            try:
                before = set(self.leases.held)
                self.leases.heartbeat()
                for lost in sorted(before - self.leases.held):
                    logging.getLogger("wirewatch.leases").warning("lease %s expired before it was renewed", lost)
            except Exception:
                logging.getLogger("wirewatch.leases").exception("heartbeat failed; leases expire unless the next succeeds")

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
