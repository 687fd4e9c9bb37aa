"""The body region's fingerprint lives in its own table, written only when it changes: an unchanged
re-check must not rewrite ~1 KB of fingerprint with the article row (schema 4)."""
from __future__ import annotations

from datetime import timedelta

import duckdb

from archive import schema
from archive.store import Archive
from test_archive import T0, fetch, snap

PROBE = "p" * 1000   # a real fingerprint is about this long


def probes(archive: Archive):
    with archive.reading() as con:
        return con.execute("SELECT article_id, body_container, probe_hash, updated_at FROM article_probes").fetchall()


def test_unchanged_rechecks_do_not_rewrite_the_fingerprint(tmp_path):
    archive = Archive(tmp_path / "a.duckdb")
    archive.record_batch([fetch(0, snapshot=snap(body_container="div.story", probe_hash=PROBE))])
    assert probes(archive) == [("s:1", "div.story", PROBE, T0)]
    for minutes in (5, 10, 15):   # proved unchanged by the fingerprint alone
        only = snap(body_container="div.story", probe_hash=PROBE, probe_only=True)
        assert archive.record_batch([fetch(minutes, snapshot=only)]) == [("unchanged", 1)]
    assert probes(archive) == [("s:1", "div.story", PROBE, T0)]      # never rewritten
    known = archive.known("s", all_=True)[0]
    assert (known.body_container, known.probe_hash) == ("div.story", PROBE)
    # a new fingerprint (the region changed) is written, with the fetch that changed it
    edited = snap(text="Another body entirely.\nWith two lines.", body_container="div.story", probe_hash="q" * 1000)
    assert archive.record_batch([fetch(20, snapshot=edited)]) == [("changed", 2)]
    assert probes(archive) == [("s:1", "div.story", "q" * 1000, T0 + timedelta(minutes=20))]
    # a fingerprint that differs from the stored one without an extraction proves nothing
    stale = snap(body_container="div.story", probe_hash=PROBE, probe_only=True)
    assert archive.record_batch([fetch(25, snapshot=stale)]) == [("error", None)]


def quick(archive: Archive):
    with archive.reading() as con:
        return con.execute("SELECT quick_print FROM article_probes").fetchall()


def test_the_quick_print_is_stored_once_and_not_rewritten_by_every_probe(tmp_path):
    """A quick print comes with an extraction, and with a region fingerprint that matched when none
    is stored; one the page no longer matched (it stamps a time in JSON-LD, say) is not replaced on
    every re-check (~1.7 KB of writes each, what the print would save), only once a day."""
    archive = Archive(tmp_path / "a.duckdb")
    archive.record_batch([fetch(0, snapshot=snap(body_container="div.story", probe_hash=PROBE))])
    assert quick(archive) == [(None,)]                          # no print covered this page
    first = snap(body_container="div.story", probe_hash=PROBE, probe_only=True, quick_print='{"v": 1, "n": 1}')
    assert archive.record_batch([fetch(5, snapshot=first)]) == [("unchanged", 1)]
    assert quick(archive) == [('{"v": 1, "n": 1}',)]             # the first one is kept
    later = snap(body_container="div.story", probe_hash=PROBE, probe_only=True, quick_print='{"v": 1, "n": 2}')
    assert archive.record_batch([fetch(10, snapshot=later)]) == [("unchanged", 1)]
    assert quick(archive) == [('{"v": 1, "n": 1}',)]             # not rewritten by a probe
    assert archive.known("s", all_=True)[0].quick_print == '{"v": 1, "n": 1}'
    # ... for a day: a print stored before a site changed its template must not cost a probe for good
    day_later = snap(body_container="div.story", probe_hash=PROBE, probe_only=True, quick_print='{"v": 1, "n": 4}')
    assert archive.record_batch([fetch(5 + 24 * 60, snapshot=day_later)]) == [("unchanged", 1)]
    assert quick(archive) == [('{"v": 1, "n": 4}',)]
    edited = snap(text="Another body entirely.\nWith two lines.", body_container="div.story", probe_hash="q" * 1000,
                  quick_print='{"v": 1, "n": 3}')
    assert archive.record_batch([fetch(24 * 60 + 20, snapshot=edited)]) == [("changed", 2)]
    assert quick(archive) == [('{"v": 1, "n": 3}',)]             # an extraction's print replaces it


def test_a_schema_3_archive_keeps_its_fingerprints(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    for version in (1, 2, 3):
        for statement in schema.MIGRATIONS[version]:
            con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    con.execute("""INSERT INTO articles (article_id, source, url, first_seen, last_checked, status, versions,
                                         body_container, probe_hash)
                   VALUES ('s:1', 's', 'http://x/world/1/a', ?, ?, 'live', 1, 'div.story', ?)""", [T0, T0, PROBE])
    con.close()
    archive = Archive(path)
    archive.ensure()
    assert probes(archive) == [("s:1", "div.story", PROBE, T0)]
    with archive.reading() as con:
        columns = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'articles'").fetchall()}
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(schema.SCHEMA_VERSION),)
    assert "probe_hash" not in columns and "next_check" in columns
    assert archive.known("s", all_=True)[0].probe_hash == PROBE


def test_only_a_capture_equal_to_the_latest_version_without_noise_needs_no_raw_capture(tmp_path):
    """The spider keeps no WARC record of a re-check that `same_as_latest` proves unchanged."""
    from archive import revision
    from archive.normalize import label_key
    from archive.noise import Noise

    archive = Archive(tmp_path / "a.duckdb")
    body = BODY_LINES + ["Read also: Markets fall"]
    archive.record_batch([fetch(0, snapshot=snap(text="\n".join(body)))])
    latest = archive.known("s", all_=True, with_latest=True)[0].latest
    assert revision.same_as_latest(latest, snap(text="\n".join(body)))
    rotated = snap(text="\n".join(BODY_LINES + ["Read also: Oil jumps"]))
    assert not revision.same_as_latest(latest, rotated)          # equal only once noise is left out:
    assert revision.key(latest, Noise(frozenset({label_key("Read also:")}))) == \
        revision.key(revision.fields(rotated), Noise(frozenset({label_key("Read also:")})))   # the archive decides
    other_extractor = snap(text="\n".join(body))
    other_extractor.extractor = "another extractor"
    assert not revision.same_as_latest(latest, other_extractor)   # compared with a re-extraction instead
    assert not revision.same_as_latest(None, snap(text="\n".join(body)))


BODY_LINES = ["MOSCOW, October 17. /TASS/. Russia condemns all forms of terrorism.",
              "At least 2,800 people were killed.", "The diplomat spoke at a news conference."]


def test_a_held_raw_capture_is_written_only_when_the_write_makes_a_version(tmp_path):
    """The spider holds the raw bytes of a capture it judged unchanged; the write decides: an
    unchanged fetch needs none, a fetch it calls a new version (its noise or latest version
    disagreed with the spider's) gets its WARC record before its row, pointed at."""
    archive = Archive(tmp_path / "a.duckdb")
    body = "\n".join(BODY_LINES)
    archive.record_batch([fetch(0, snapshot=snap(text=body))])
    written = []

    def keep(result):
        written.append(result.capture_id)
        result.warc_file, result.warc_offset, result.warc_length = "held.warc.gz", 10, 99

    same = fetch(5, snapshot=snap(text=body))
    same.held_raw = object()
    assert archive.record_batch([same], keep_raw=keep) == [("unchanged", 1)] and written == []
    edited = fetch(9, snapshot=snap(text=body.replace("2,800", "3,000")))
    edited.held_raw = object()
    assert archive.record_batch([edited], keep_raw=keep) == [("changed", 2)] and written == [edited.capture_id]
    with archive.reading() as con:
        assert con.execute("SELECT fetch_id, warc_file, warc_offset FROM fetches ORDER BY fetch_id").fetchall() == [
            (1, None, None), (2, None, None), (3, "held.warc.gz", 10)]
        assert con.execute("SELECT version, fetch_id FROM versions ORDER BY version").fetchall() == [(1, 1), (2, 3)]
    # a retried write (a shared archive's conflict) does not write the record twice
    again = fetch(12, snapshot=snap(text=body))
    again.held_raw, again.warc_file, again.warc_offset = object(), "earlier.warc.gz", 5
    assert archive.record_batch([again], keep_raw=keep) == [("changed", 3)] and len(written) == 1
