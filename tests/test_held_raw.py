"""The raw capture the crawler holds for a fetch it judged unchanged (crawler/pipeline.py
`_write_held`, archive/writer.py `_keep_held`): written to WARC only when the write makes more
of the fetch, once, however often the write is tried again — the same process retrying a busy
archive, or the next process replaying the journal of one killed before its commit."""
from __future__ import annotations

from datetime import timedelta

from warcio.archiveiterator import ArchiveIterator

from archive.journal import Journal
from archive.store import Archive
from archive.warc import WarcStore
from crawler.items import Exchange
from crawler.pipeline import ArchivePipeline, _with_held_pointers
from test_archive import BODY, T0, fetch, snap


def pipeline_for(archive: Archive, journal: Journal) -> ArchivePipeline:
    """The pipeline's journal and WARC side, without a crawl around it."""
    pipe = ArchivePipeline.__new__(ArchivePipeline)
    pipe.warc, pipe.journal, pipe.run_id = WarcStore(archive.warc_dir), journal, 1
    return pipe


def responses(archive: Archive) -> list[str]:
    out = []
    for path in sorted(archive.warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            out += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                    if r.rec_type == "response"]
    return out


def test_a_held_capture_made_a_version_by_a_replay_is_written_to_warc_once(tmp_path):
    archive = Archive(tmp_path / "a.duckdb")
    archive.record_batch([fetch(0, snapshot=snap())])
    journal = Journal(archive.path, "s", root=tmp_path / "journal")
    held = fetch(10, snapshot=snap(text=BODY.replace("2,800", "3,000")))
    held.held_raw = Exchange(held.url, T0 + timedelta(minutes=10), 200, [("Content-Type", "text/html")],
                             b"<html><body><p>At least 3,000 people were killed.</p></body></html>")
    journal.append([(1, held)])
    journal.seal()
    # a first write: the record is written, then the commit never happens (a kill, a busy archive)
    pipeline_for(archive, journal)._write_held(held)
    assert responses(archive) == [held.url]
    # the next try reads the rows from the journal again: the pointer comes with them
    journal.seal()
    rows = _with_held_pointers(Journal.read(journal.sealed()))
    assert [r.capture_id for _, r in rows] == [held.capture_id] and rows[0][1].warc_file is not None
    again = pipeline_for(archive, journal)
    assert archive.record_batch([r for _, r in rows], keep_raw=again._write_held) == [("changed", 2)]
    assert responses(archive) == [held.url]                    # not written a second time
    with archive.reading() as con:
        assert con.execute("SELECT warc_file IS NOT NULL FROM fetches WHERE version = 2").fetchall() == [(True,)]



def test_held_confirmations_are_written_with_their_check_and_their_pointers_found_again(tmp_path):
    """A detected change the crawler's confirmation showed to be rotation holds every capture;
    when the write makes a version of it after all, each is written, and each pointer journaled
    is folded back into its own capture (a confirmation's too), never read as a fetch of its own."""
    archive = Archive(tmp_path / "a.duckdb")
    archive.record_batch([fetch(0, snapshot=snap())])
    journal = Journal(archive.path, "s", root=tmp_path / "journal")
    edited = snap(text=BODY.replace("2,800", "3,000"))
    held = fetch(10, snapshot=edited)
    again = fetch(10, snapshot=edited, digest="c1")
    again.fetched_at += timedelta(seconds=1)
    held.confirms.append(again)
    for result in (held, again):
        result.held_raw = Exchange(result.url, result.fetched_at, 200, [("Content-Type", "text/html")],
                                   b"<html><body><p>At least 3,000 people were killed.</p></body></html>")
    journal.append([(1, held)])
    journal.seal()
    pipe = pipeline_for(archive, journal)
    pipe._write_held(held)
    pipe._write_held(again)
    journal.seal()
    rows = _with_held_pointers(Journal.read(journal.sealed()))
    assert len(rows) == 1 and rows[0][1].warc_file and rows[0][1].confirms[0].warc_file
    assert archive.record_batch([r for _, r in rows], keep_raw=pipeline_for(archive, journal)._write_held) == [("changed", 2)]
    assert responses(archive) == [held.url, held.url]          # the two captures, once each
    with archive.reading() as con:
        assert con.execute("SELECT outcome, warc_file IS NOT NULL FROM fetches WHERE fetch_id > 1 "
                           "ORDER BY fetch_id").fetchall() == [("changed", True), ("confirm", True)]
