"""Read queries behind `history`, `diff`, `sql` and `status`. Plain functions over a connection."""
from __future__ import annotations

import duckdb

from .db import ArchiveError
from .writer import load_version


class NotFound(ArchiveError):
    pass


def find_article(con, ref: str) -> dict:
    """An article by URL (current or any earlier one), by 'source:id', or by a bare id."""
    ref = ref.strip()
    cols = "article_id, source, url, status, first_seen, last_checked, last_changed, next_check, versions"
    rows = []
    if "://" in ref:
        rows = con.execute(f"SELECT {cols} FROM articles WHERE url = ?", [ref]).fetchall()
        if not rows:
            rows = con.execute(
                f"""SELECT {cols} FROM articles WHERE article_id IN (
                      SELECT article_id FROM fetches WHERE url = ? OR redirected_from = ?
                      UNION SELECT article_id FROM versions WHERE url = ?)""", [ref, ref, ref]).fetchall()
    else:
        rows = con.execute(f"SELECT {cols} FROM articles WHERE article_id = ?", [ref]).fetchall()
        if not rows:
            rows = con.execute(f"SELECT {cols} FROM articles WHERE split_part(article_id, ':', 2) = ?", [ref]).fetchall()
    if not rows:
        raise NotFound(f"no article {ref!r} in the archive")
    if len(rows) > 1:
        ids = ", ".join(r[0] for r in rows[:5])
        raise NotFound(f"{ref!r} is ambiguous ({ids}); use source:id")
    keys = [c.strip() for c in cols.split(",")]
    return dict(zip(keys, rows[0]))


def history(con, article_id: str) -> dict:
    """Versions and events of one article, oldest first."""
    cur = con.execute(
        """SELECT v.version, v.captured_at, v.title, v.modified_at, v.reverts_to, length(v.text) AS chars,
                  c.summary,
                  (SELECT list(DISTINCT k.class ORDER BY k.class) FROM change_classes k
                    WHERE k.article_id = v.article_id AND k.version = v.version) AS classes
           FROM versions v LEFT JOIN version_changes c USING (article_id, version)
           WHERE v.article_id = ? ORDER BY v.version""", [article_id])
    versions = [dict(zip([d[0] for d in cur.description], row)) for row in cur.fetchall()]
    cur = con.execute("SELECT happened_at, kind, detail FROM events WHERE article_id = ? ORDER BY happened_at", [article_id])
    events = [dict(zip([d[0] for d in cur.description], row)) for row in cur.fetchall()]
    fetches = con.execute(
        "SELECT outcome, count(*) FROM fetches WHERE article_id = ? GROUP BY outcome ORDER BY outcome", [article_id]).fetchall()
    return {"versions": versions, "events": events, "fetches": dict(fetches)}


def version_pair(con, article_id: str, versions: int, from_v: int | None, to_v: int | None) -> tuple[dict | None, dict]:
    if versions == 0:
        raise NotFound(f"{article_id} has no versions yet")
    to_v = versions if to_v is None else to_v
    from_v = to_v - 1 if from_v is None else from_v
    for v in (from_v, to_v):
        if v != 0 and not (1 <= v <= versions):
            raise NotFound(f"{article_id} has versions 1..{versions}; there is no version {v}")
    old = load_version(con, article_id, from_v) if from_v >= 1 else None
    return old, load_version(con, article_id, to_v)


def run_sql(con, query: str) -> tuple[list[str], list[tuple]]:
    """Run a user's query on a read-only connection; a bad or writing query is a one-line error."""
    try:
        cur = con.execute(query)
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        if "read-only" in message.lower() or "read only" in message.lower():
            message = "the sql command is read-only: " + message
        raise ArchiveError(message) from None
    if cur.description is None:
        return [], []
    return [d[0] for d in cur.description], cur.fetchall()
