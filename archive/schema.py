"""The archive's tables, created and migrated by code.

The schema version lives in the file (`meta.schema_version`); `migrate` brings any older file up
to date in one transaction, so a crash mid-migration leaves the previous schema intact.
Every table and column is documented in README.md; keep the two in step.
"""
from __future__ import annotations

import duckdb

SCHEMA_VERSION = 7

_V1 = [
    """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    "CREATE SEQUENCE run_ids START 1",
    """CREATE TABLE articles (
        article_id VARCHAR PRIMARY KEY,      -- '<source>:<id from the seed id pattern>'
        source VARCHAR NOT NULL,
        url VARCHAR NOT NULL,                -- current URL (follows slug changes)
        first_seen TIMESTAMPTZ NOT NULL,
        last_checked TIMESTAMPTZ,
        last_changed TIMESTAMPTZ,            -- capture time of the latest version
        next_check TIMESTAMPTZ,              -- NULL: no longer checked (past horizon, gone)
        status VARCHAR NOT NULL,             -- pending / live / gone / redirected / blocked / error
        status_since TIMESTAMPTZ,
        versions INTEGER NOT NULL DEFAULT 0,
        unchanged_checks INTEGER NOT NULL DEFAULT 0,
        publisher_modified TIMESTAMPTZ,      -- newest 'modified' signal from feed/sitemap/page
        etag VARCHAR,                        -- validators of the last 200, for conditional GETs
        last_modified VARCHAR,
        payload_digest VARCHAR
    )""",
    """CREATE TABLE versions (
        article_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        captured_at TIMESTAMPTZ NOT NULL,
        url VARCHAR,
        title VARCHAR, byline VARCHAR,
        published_at VARCHAR, modified_at VARCHAR,
        lead VARCHAR, text VARCHAR,
        language VARCHAR, tags VARCHAR[],
        content_hash VARCHAR NOT NULL,
        extractor VARCHAR,
        reverts_to INTEGER,                  -- set when the text equals an earlier version's
        fetch_id BIGINT,
        PRIMARY KEY (article_id, version)
    )""",
    """CREATE TABLE fetches (
        fetch_id BIGINT PRIMARY KEY,
        run_id BIGINT,
        url VARCHAR NOT NULL,
        article_id VARCHAR,
        fetched_at TIMESTAMPTZ NOT NULL,
        http_status INTEGER,
        outcome VARCHAR NOT NULL,            -- new / changed / unchanged / not_modified / gone /
                                             -- redirected / blocked / error / confirm
        version INTEGER,                     -- the version this fetch produced or matched
        etag VARCHAR, last_modified VARCHAR,
        payload_digest VARCHAR,
        bytes BIGINT, elapsed_ms DOUBLE,
        error VARCHAR,
        redirected_from VARCHAR,
        warc_file VARCHAR, warc_offset BIGINT, warc_length BIGINT
    )""",
    """CREATE TABLE runs (
        run_id BIGINT PRIMARY KEY,
        job VARCHAR NOT NULL,                -- crawl / recheck / discover / maintenance
        source VARCHAR,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        outcome VARCHAR NOT NULL,            -- running / ok / failed / interrupted
        error VARCHAR,
        fetches INTEGER DEFAULT 0, new_articles INTEGER DEFAULT 0, new_versions INTEGER DEFAULT 0,
        unchanged INTEGER DEFAULT 0, not_modified INTEGER DEFAULT 0, gone INTEGER DEFAULT 0,
        redirected INTEGER DEFAULT 0, blocked INTEGER DEFAULT 0, errors INTEGER DEFAULT 0
    )""",
    """CREATE TABLE events (
        article_id VARCHAR NOT NULL,
        happened_at TIMESTAMPTZ NOT NULL,
        kind VARCHAR NOT NULL,               -- gone / redirected / returned
        detail VARCHAR,
        fetch_id BIGINT
    )""",
    """CREATE TABLE volatile_lines (
        source VARCHAR NOT NULL,
        line_key VARCHAR NOT NULL,
        line VARCHAR,
        first_seen TIMESTAMPTZ,
        times_seen INTEGER DEFAULT 1,
        PRIMARY KEY (source, line_key)
    )""",
    # Edits as data: computed once per new version from the previous one.
    """CREATE TABLE version_changes (
        article_id VARCHAR NOT NULL, version INTEGER NOT NULL, from_version INTEGER,
        words_added INTEGER, words_removed INTEGER, similarity DOUBLE,
        sentences_added INTEGER, sentences_deleted INTEGER, sentences_edited INTEGER,
        sentences_moved INTEGER, paragraphs_added INTEGER, paragraphs_removed INTEGER,
        summary VARCHAR,
        PRIMARY KEY (article_id, version)
    )""",
    """CREATE TABLE edit_sentences (
        article_id VARCHAR NOT NULL, version INTEGER NOT NULL,
        kind VARCHAR NOT NULL,               -- added / deleted / edited / moved
        old_index INTEGER, new_index INTEGER,
        old_sentence VARCHAR, new_sentence VARCHAR, similarity DOUBLE
    )""",
    """CREATE TABLE edit_fields (
        article_id VARCHAR NOT NULL, version INTEGER NOT NULL,
        field VARCHAR NOT NULL, old VARCHAR, new VARCHAR
    )""",
    """CREATE TABLE change_classes (
        article_id VARCHAR NOT NULL, version INTEGER,  -- NULL version: an event (pulled, redirected)
        happened_at TIMESTAMPTZ,
        class VARCHAR NOT NULL, detail VARCHAR, old VARCHAR, new VARCHAR
    )""",
    """CREATE VIEW changes AS
        SELECT a.source, v.article_id, a.url, v.version, c.from_version,
               p.captured_at AS from_captured_at, v.captured_at, v.title,
               c.words_added, c.words_removed, c.similarity, c.sentences_added,
               c.sentences_deleted, c.sentences_edited, c.sentences_moved, c.summary,
               (SELECT list(DISTINCT k.class ORDER BY k.class) FROM change_classes k
                 WHERE k.article_id = v.article_id AND k.version = v.version) AS classes
        FROM versions v
        JOIN articles a USING (article_id)
        JOIN version_changes c ON c.article_id = v.article_id AND c.version = v.version
        LEFT JOIN versions p ON p.article_id = v.article_id AND p.version = c.from_version
        WHERE c.from_version IS NOT NULL""",
    """CREATE TABLE reextractions (
        article_id VARCHAR NOT NULL, version INTEGER NOT NULL,   -- the version whose capture it re-read
        fetch_id BIGINT,
        extracted_at TIMESTAMPTZ NOT NULL,
        extractor VARCHAR NOT NULL,          -- the extractor (and drop rules) now in use
        drop_rules VARCHAR,
        title VARCHAR, byline VARCHAR, published_at VARCHAR, modified_at VARCHAR,
        lead VARCHAR, text VARCHAR, language VARCHAR, tags VARCHAR[],
        content_hash VARCHAR,
        differs BOOLEAN,                     -- whether it differs from the stored version
        PRIMARY KEY (article_id, version, extractor, drop_rules)
    )""",
    """CREATE TABLE job_schedule (
        job_id VARCHAR PRIMARY KEY,          -- the daemon's job, e.g. 'discover:tass'
        job VARCHAR, source VARCHAR,
        next_run_at TIMESTAMPTZ,             -- when the running daemon will fire it next
        updated_at TIMESTAMPTZ
    )""",
    "CREATE INDEX fetches_article ON fetches (article_id)",
    "CREATE INDEX articles_next_check ON articles (source, next_check)",
]

# Issue 8: every headline place, dates per fetch (never in the version's identity), noise learned
# with evidence and kept in the stored text, gone confirmed, the body's region fingerprint.
_V2 = [
    "ALTER TABLE fetches ADD COLUMN published_at VARCHAR",     # the publisher's times, as the page
    "ALTER TABLE fetches ADD COLUMN modified_at VARCHAR",      # states them on this fetch
    "ALTER TABLE versions ADD COLUMN headlines MAP(VARCHAR, VARCHAR)",   # place -> headline
    "ALTER TABLE versions ADD COLUMN noise_lines VARCHAR[]",  # lines of `text` left out of comparison
    "ALTER TABLE reextractions ADD COLUMN headlines MAP(VARCHAR, VARCHAR)",
    "ALTER TABLE articles ADD COLUMN page_published_at VARCHAR",   # as on the latest 200
    "ALTER TABLE articles ADD COLUMN page_modified_at VARCHAR",
    "ALTER TABLE articles ADD COLUMN body_container VARCHAR",      # where the body was last found
    "ALTER TABLE articles ADD COLUMN probe_hash VARCHAR",          # fingerprint of that region
    """CREATE TABLE noise_evidence (
        source VARCHAR NOT NULL,
        key VARCHAR NOT NULL,                -- line key, or 'label:' + hash of the label
        kind VARCHAR NOT NULL,               -- line / label
        text VARCHAR,                        -- the line, or 'Label: …'
        article_id VARCHAR NOT NULL,         -- the article it was seen rotating (or repeated) on
        reason VARCHAR NOT NULL,             -- rotated / repeated
        first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ,
        times INTEGER DEFAULT 1,
        PRIMARY KEY (source, key, article_id)
    )""",
    """CREATE TABLE label_sightings (
        source VARCHAR NOT NULL, line_key VARCHAR NOT NULL, label_key VARCHAR, label VARCHAR,
        line VARCHAR, article_id VARCHAR NOT NULL, seen_at TIMESTAMPTZ,
        PRIMARY KEY (source, line_key, article_id)
    )""",
    # Learned without a threshold or evidence, and stripped from stored text: not carried over.
    "DROP TABLE volatile_lines",
    "UPDATE events SET kind = 'restored' WHERE kind = 'returned'",
]

# Issue 9: nothing lost. A capture id makes every write idempotent (a journal replayed twice
# writes nothing twice); the frontier keeps discovered articles until they are fetched.
_V3 = [
    "ALTER TABLE fetches ADD COLUMN capture_id VARCHAR",     # unique per fetch, set by the crawler
    """CREATE TABLE frontier (
        article_id VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        url VARCHAR NOT NULL,
        found_at TIMESTAMPTZ NOT NULL,       -- when discovery first listed it
        found_on VARCHAR                     -- the feed, sitemap or page that listed it
    )""",
    """CREATE TABLE robots (
        origin VARCHAR PRIMARY KEY,          -- scheme://host:port
        digest VARCHAR,                      -- of its robots.txt rules (comments, spacing ignored)
        fetched_at TIMESTAMPTZ, changed_at TIMESTAMPTZ
    )""",
]

# The body region's fingerprint is ~1 KB and changes only with the page; kept in `articles`, every
# re-check rewrote it with the article row (INSERT OR REPLACE): 1.1 KB of DuckDB blocks per unchanged
# re-check, measured. In its own table it is written only when it changes.
_V4 = [
    """CREATE TABLE article_probes (
        article_id VARCHAR PRIMARY KEY,
        body_container VARCHAR,              -- where the body was last found
        probe_hash VARCHAR,                  -- fingerprint of that region (crawler/extraction/probe.py)
        updated_at TIMESTAMPTZ               -- the fetch that last changed either
    )""",
    """INSERT INTO article_probes SELECT article_id, body_container, probe_hash, last_checked FROM articles
       WHERE body_container IS NOT NULL OR probe_hash IS NOT NULL""",
    "DROP INDEX articles_next_check",        # DuckDB drops no column of a table with an index
    "ALTER TABLE articles DROP COLUMN probe_hash",
    "ALTER TABLE articles DROP COLUMN body_container",
    "CREATE INDEX articles_next_check ON articles (source, next_check)",
]

# Issue 12: the order versions were written in (the search index and notifications follow it, see
# archive/versionlog.py), and the notification outbox (archive/outbox.py).
_V5 = [
    """CREATE TABLE version_log (
        seq BIGINT PRIMARY KEY,              -- 1, 2, 3 … in the order versions were written
        article_id VARCHAR NOT NULL, version INTEGER NOT NULL,
        logged_at TIMESTAMPTZ NOT NULL
    )""",
    # Versions already archived, in capture order.
    """INSERT INTO version_log SELECT row_number() OVER (ORDER BY captured_at, article_id, version),
           article_id, version, captured_at FROM versions""",
    # Notifications start from here: an archive's past is not announced (archive/outbox.py).
    "INSERT OR REPLACE INTO meta SELECT 'notify_seq', coalesce(max(seq), 0)::VARCHAR FROM version_log",
    """CREATE TABLE notify_outbox (
        seq BIGINT NOT NULL,                 -- the version_log entry it announces
        target VARCHAR NOT NULL,             -- the target's name in [notify]
        article_id VARCHAR NOT NULL, version INTEGER NOT NULL,
        title VARCHAR, body VARCHAR,         -- the message, composed when queued
        state VARCHAR NOT NULL,              -- pending / sending / sent
        attempts INTEGER NOT NULL DEFAULT 0,
        queued_at TIMESTAMPTZ NOT NULL,
        next_attempt_at TIMESTAMPTZ,
        last_attempt_at TIMESTAMPTZ,
        sent_at TIMESTAMPTZ,
        last_error VARCHAR,
        PRIMARY KEY (seq, target)
    )""",
]

# Issue 13: many workers share one archive; each run says which worker ran it (`host:pid`), so a run
# left 'running' is closed only when its worker is gone, and who fetched what can be asked.
_V6 = [
    "ALTER TABLE runs ADD COLUMN worker VARCHAR",
]

# Issue 8: the quick print of each article's latest page (crawler/extraction/quickprint.py, JSON with
# the dates read beside it), read in the crawl process on a re-check; written only when it changes.
_V7 = [
    "ALTER TABLE article_probes ADD COLUMN quick_print VARCHAR",
]

MIGRATIONS = {1: _V1, 2: _V2, 3: _V3, 4: _V4, 5: _V5, 6: _V6, 7: _V7}


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the file to SCHEMA_VERSION; returns the version it was at."""
    found = current_version(con)
    if found > SCHEMA_VERSION:
        from .db import ArchiveError
        raise ArchiveError(f"archive schema {found} is newer than this wirewatch ({SCHEMA_VERSION}); upgrade wirewatch")
    if found == SCHEMA_VERSION:
        return found
    con.execute("BEGIN")
    try:
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version]:
                con.execute(statement)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return found
