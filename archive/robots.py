"""What robots.txt said per origin, so a disallowed article is looked at again only when it changes."""
from __future__ import annotations

from datetime import datetime


def seen(con, origin: str, prefixes: list[str], digest: str, at: datetime) -> int:
    """Record the origin's robots.txt digest; when it differs from the last one, the disallowed
    articles under the origin (URLs starting with one of `prefixes`) are due again. Returns how
    many were re-opened."""
    row = con.execute("SELECT digest FROM robots WHERE origin = ?", [origin]).fetchone()
    changed = row is not None and row[0] != digest
    con.execute("""INSERT INTO robots VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET
                   changed_at = CASE WHEN robots.digest <> excluded.digest THEN excluded.fetched_at
                                     ELSE robots.changed_at END,
                   digest = excluded.digest, fetched_at = excluded.fetched_at""", [origin, digest, at, at])
    if not changed:
        return 0
    return len(con.execute(
        """UPDATE articles SET next_check = ? WHERE status = 'disallowed'
             AND len([p FOR p IN ? IF starts_with(url, p)]) > 0
           RETURNING article_id""", [at, prefixes]).fetchall())
