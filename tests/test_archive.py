"""The archive's one write path on a real DuckDB file, and WARC files read back with warcio."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import revision
from archive.records import FetchResult
from archive.snapshot import QUALITY_CHALLENGE, Snapshot
from archive.store import Archive
from archive.warc import WarcStore, payload_digest
from archive.warc_read import read_response

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
BODY = "MOSCOW, October 17. /TASS/. Russia condemns all forms of terrorism.\nAt least 2,800 people were killed.\nThe diplomat spoke at a news conference."


def snap(text=BODY, title="Russia condemns terrorism", byline="TASS", **kw) -> Snapshot:
    return Snapshot(url="http://x/world/1/a", title=title, text=text, byline=byline,
                    published_at=kw.pop("published_at", "2026-11-01T10:00:00+00:00"),
                    modified_at=kw.pop("modified_at", "2026-11-01T10:00:00+00:00"), lead="Lead.", language="en",
                    extractor="test", **kw)


def fetch(minutes=0, status=200, snapshot=None, key="1", **kw) -> FetchResult:
    return FetchResult(source="s", url=kw.pop("url", f"http://x/world/{key}/a"), article_key=key,
                       fetched_at=T0 + timedelta(minutes=minutes), http_status=status,
                       snapshot=snapshot, payload_digest=kw.pop("digest", f"d{minutes}"), **kw)


@pytest.fixture
def archive(tmp_path):
    a = Archive(tmp_path / "a.duckdb")
    a.ensure()
    return a


def rows(archive, sql, *params):
    with archive.reading() as con:
        return con.execute(sql, list(params)).fetchall()


def test_versions_only_on_real_content_change(archive):
    out = archive.record_batch([fetch(0, snapshot=snap())])
    assert out == [("new", 1)]
    # same content, different payload bytes (rotating boilerplate outside the text)
    assert archive.record_batch([fetch(5, snapshot=snap())]) == [("unchanged", 1)]
    # whitespace and Unicode composition differences are not edits
    folded = snap(text=BODY.replace("Russia", "Russia ").replace(" ", "\u00a0", 1))
    assert archive.record_batch([fetch(10, snapshot=folded)]) == [("unchanged", 1)]
    edited = snap(text=BODY.replace("2,800", "3,000"))
    assert archive.record_batch([fetch(15, snapshot=edited)]) == [("changed", 2)]
    assert rows(archive, "SELECT versions, unchanged_checks, status FROM articles") == [(2, 0, "live")]
    assert [r[0] for r in rows(archive, "SELECT outcome FROM fetches ORDER BY fetch_id")] == ["new", "unchanged", "unchanged", "changed"]


def test_revert_is_a_new_version_that_names_the_old_one(archive):
    archive.record_batch([fetch(0, snapshot=snap()), fetch(5, snapshot=snap(text=BODY + "\nExtra paragraph.")),
                          fetch(10, snapshot=snap())])
    assert rows(archive, "SELECT version, reverts_to FROM versions ORDER BY version") == [(1, None), (2, None), (3, 1)]


def test_revert_is_found_when_the_page_bumps_its_modified_time(archive):
    archive.record_batch([fetch(0, snapshot=snap(modified_at="2026-11-01T10:00:00+00:00"))])
    archive.record_batch([fetch(5, snapshot=snap(text=BODY + "\nA wrong paragraph.", modified_at="2026-11-01T11:00:00+00:00"))])
    archive.record_batch([fetch(9, snapshot=snap(modified_at="2026-11-01T12:00:00+00:00"))])
    # a date-only change is no version at all; the fetch keeps the date the page stated
    assert archive.record_batch([fetch(12, snapshot=snap(modified_at="2026-11-01T13:00:00+00:00"))]) == [("unchanged", 3)]
    assert rows(archive, "SELECT version, reverts_to FROM versions ORDER BY version") == [(1, None), (2, None), (3, 1)]
    assert rows(archive, "SELECT class FROM change_classes WHERE version = 3 AND class = 'revert'") == [("revert",)]
    assert rows(archive, "SELECT modified_at FROM fetches ORDER BY fetch_id") == [
        ("2026-11-01T10:00:00+00:00",), ("2026-11-01T11:00:00+00:00",), ("2026-11-01T12:00:00+00:00",),
        ("2026-11-01T13:00:00+00:00",)]
    # a version keeps the dates seen with its content
    assert rows(archive, "SELECT modified_at FROM versions WHERE version = 3") == [("2026-11-01T12:00:00+00:00",)]


def test_a_byte_identical_payload_is_unchanged_without_a_snapshot(archive):
    archive.record_batch([fetch(0, snapshot=snap(), digest="same")])
    assert archive.record_batch([fetch(5, snapshot=None, digest="same")]) == [("unchanged", 1)]
    # the publisher's times of those same bytes are recorded on the fetch too
    assert rows(archive, "SELECT published_at FROM fetches ORDER BY fetch_id") == [("2026-11-01T10:00:00+00:00",)] * 2


def test_a_date_only_found_in_the_text_is_the_versions_and_never_a_fetchs(archive):
    """A fetch records what the page states; a probe of an unchanged region reads no prose, so
    a found date on the fetch rows would come and go with the kind of re-check."""
    archive.record_batch([fetch(0, snapshot=snap(published_at="2026-11-01", published_found=True,
                                                 body_container="div.story", probe_hash="p"))])
    assert archive.record_batch([fetch(5, snapshot=Snapshot(url="u", published_at=None, probe_only=True, probe_hash="p",
                                                            body_container="div.story", extractor="test"))]) == [("unchanged", 1)]
    assert archive.record_batch([fetch(9, snapshot=None, digest="d5")]) == [("unchanged", 1)]   # the same bytes
    assert rows(archive, "SELECT published_at FROM versions") == [("2026-11-01",)]
    assert rows(archive, "SELECT published_at FROM fetches ORDER BY fetch_id") == [(None,)] * 3


def test_not_modified_blocked_error_gone_are_fetches_not_versions(archive):
    archive.record_batch([fetch(0, snapshot=snap())])
    archive.record_batch([
        fetch(1, status=304),
        fetch(2, snapshot=Snapshot(url="u", quality=QUALITY_CHALLENGE, quality_reason="challenge")),
        fetch(3, status=None, error="ConnectionLost: reset"),
        fetch(4, status=503),
    ])
    assert rows(archive, "SELECT count(*) FROM versions") == [(1,)]
    assert [r[0] for r in rows(archive, "SELECT outcome FROM fetches ORDER BY fetch_id")] == [
        "new", "not_modified", "blocked", "error", "error"]
    # one 410 may be a CMS hiccup: the article is missing, not gone, until a later fetch agrees
    archive.record_batch([fetch(5, status=410)])
    assert rows(archive, "SELECT status FROM articles") == [("missing",)]
    assert rows(archive, "SELECT kind FROM events") == []
    archive.record_batch([fetch(25, status=410)])
    assert rows(archive, "SELECT status FROM articles") == [("gone",)]
    assert rows(archive, "SELECT kind FROM events") == [("gone",)]
    assert rows(archive, "SELECT class, new FROM change_classes WHERE class = 'pulled'") == [("pulled", "410")]


def test_a_transient_404_is_no_event_and_a_restored_story_is_one(archive):
    archive.record_batch([fetch(0, snapshot=snap())])
    archive.record_batch([fetch(5, status=404)])
    assert archive.record_batch([fetch(20, snapshot=snap())]) == [("unchanged", 1)]
    assert rows(archive, "SELECT status FROM articles") == [("live",)]
    assert rows(archive, "SELECT count(*) FROM events") == [(0,)]
    archive.record_batch([fetch(30, status=404)])
    archive.record_batch([fetch(50, status=404)])
    assert rows(archive, "SELECT status FROM articles") == [("gone",)]
    # it comes back edited: a new version, and a 'restored' event naming it
    assert archive.record_batch([fetch(2000, snapshot=snap(text=BODY + "\nRestored with a note."))]) == [("changed", 2)]
    assert rows(archive, "SELECT kind FROM events ORDER BY happened_at") == [("gone",), ("restored",)]
    assert rows(archive, "SELECT version, class FROM change_classes WHERE class = 'restored'") == [(2, "restored")]


def test_slug_change_keeps_the_article(archive):
    archive.record_batch([fetch(0, snapshot=snap())])
    moved = fetch(5, snapshot=snap(), final_url="http://x/world/1/new-slug", final_key="1")
    assert archive.record_batch([moved]) == [("unchanged", 1)]
    assert rows(archive, "SELECT count(*), min(url) FROM articles") == [(1, "http://x/world/1/new-slug")]
    assert rows(archive, "SELECT kind FROM events") == [("redirected",)]
    away = fetch(9, snapshot=snap(), final_url="http://x/world/2/other", final_key="2")
    assert archive.record_batch([away]) == [("redirected", None)]


def test_a_row_that_cannot_be_written_is_an_error_fetch_and_the_rest_of_its_batch_commits(archive):
    archive.record_batch([fetch(0, snapshot=snap())])
    # an HTTP status past INTEGER: DuckDB refuses the row inside the INSERT (a real SQL failure)
    bad = fetch(6, key="2", status=2**40, warc_file="w.warc.gz", warc_offset=10, warc_length=5)
    with archive.writing() as con:
        with pytest.raises(duckdb.ConversionException):
            con.execute("INSERT INTO fetches (fetch_id, url, fetched_at, outcome, http_status) VALUES (0, 'u', now(), 'x', ?)",
                        [bad.http_status])
    out = archive.record_batch([fetch(5, snapshot=snap(text=BODY + "\nNew paragraph.")), bad,
                                fetch(7, key="3", snapshot=snap())])
    assert out == [("changed", 2), ("error", None), ("new", 1)]
    row = rows(archive, "SELECT http_status, outcome, error, warc_file, warc_offset FROM fetches WHERE article_id = 's:2'")
    assert row[0][:2] == (None, "error") and row[0][3:] == ("w.warc.gz", 10)
    assert row[0][2].startswith("not recorded as fetched: ConversionException")
    # its article is scheduled again, so the daemon does not trip over it at every re-check
    assert rows(archive, "SELECT next_check IS NOT NULL FROM articles WHERE article_id = 's:2'") == [(True,)]
    # the stock duckdb client opens it
    duckdb.connect(str(archive.path), read_only=True).close()


def test_a_result_written_twice_is_written_once(archive):
    """A journal replayed after a crash between commit and truncation: nothing twice."""
    first = fetch(0, snapshot=snap())
    assert archive.record_batch([first]) == [("new", 1)]
    edited = fetch(5, snapshot=snap(text=BODY + "\nNew paragraph."))
    assert archive.record_batch([first, edited]) == [("new", 1), ("changed", 2)]
    assert archive.record_batch([edited]) == [("changed", 2)]
    assert rows(archive, "SELECT count(*) FROM fetches") == [(2,)]
    assert rows(archive, "SELECT count(*) FROM versions") == [(2,)]


def test_the_comparison_key_sees_every_compared_field_and_no_date():
    places = {"h1": "H", "og": "O", "twitter": "T", "jsonld": "J", "title": "H - Site"}
    base = {"title": "T", "headlines": places, "byline": "B", "lead": "L", "text": "x\ny",
            "published_at": "p", "modified_at": "m"}
    seen = {revision.key(base)}
    for name in ("title", "byline", "lead", "text"):
        seen.add(revision.key(dict(base, **{name: base[name] + "!"})))
    for place in places:
        seen.add(revision.key(dict(base, headlines=dict(places, **{place: places[place] + "!"}))))
    assert len(seen) == 1 + 4 + len(places)
    assert revision.key(dict(base, text="x \n\n y")) == revision.key(base)
    assert revision.key(dict(base, published_at="p2", modified_at="m2")) == revision.key(base)


def test_warc_records_read_back(tmp_path):
    store = WarcStore(tmp_path / "warc")
    body = "<html>Привет</html>".encode("cp1251")
    p1 = store.write_exchange(url="http://x/a", when=T0, status=200, body=body,
                              response_headers=[("Content-Type", "text/html; charset=windows-1251"), ("Content-Encoding", "gzip")])
    p2 = store.write_exchange(url="http://x/a", when=T0 + timedelta(minutes=1), status=200, body=body,
                              response_headers=[("Content-Type", "text/html")], revisit_of=("http://x/a", T0))
    store.close()
    headers, got, uri, kind = read_response(tmp_path / "warc", p1)
    assert got == body and uri == "http://x/a" and kind == "response"
    assert ("Content-Encoding", "gzip") not in headers
    with open(tmp_path / "warc" / p2.file, "rb") as fh:
        types = [(r.rec_type, r.rec_headers.get_header("WARC-Payload-Digest")) for r in ArchiveIterator(fh)]
    assert [t for t, _ in types] == ["warcinfo", "response", "request", "revisit", "request"]
    assert types[1][1] == types[3][1] == payload_digest(body)


def test_the_write_ahead_log_stays_small_so_opening_the_archive_stays_cheap(tmp_path):
    """Every open replays the whole log: at DuckDB's default 16 MB threshold a crawl's writer and
    every reader spent longer replaying it than writing (see store.WAL_CHECKPOINT_AT)."""
    archive = Archive(tmp_path / "a.duckdb")
    wal = tmp_path / "a.duckdb.wal"
    paragraph = " ".join(f"word{i}" for i in range(400))
    biggest = 0
    for batch in range(12):
        archive.record_batch([fetch(batch, key=f"{batch}-{i}", snapshot=snap(text="\n".join(
            f"{paragraph} {batch} {i} {p}" for p in range(20)))) for i in range(20)])
        biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
    assert biggest < 4 * 1024 * 1024     # 12 batches of ~1.2 MB of log each: folded as it goes
    assert rows(archive, "SELECT count(*) FROM versions") == [(240,)]
