"""The pipeline's flush (crawler/pipeline.py) writes each fetch once: from the journal, or from
memory when the journal could not take it."""
from __future__ import annotations

import asyncio

from scrapy.utils.test import get_crawler

from archive.journal import Journal
from archive.store import Archive
from archive.warc import WarcStore
from archive.writer import default_schedule
from crawler.items import FetchItem
from crawler.pipeline import ArchivePipeline
from test_archive import fetch, snap


def pipeline(tmp_path) -> ArchivePipeline:
    """A pipeline as open_spider leaves it, on a real archive, journal and WARC store."""
    archive = tmp_path / "a.duckdb"
    pipe = ArchivePipeline(get_crawler(settings_dict={"WIREWATCH_ARCHIVE": str(archive)}))
    pipe.crawler.stats.open_spider()
    pipe.source, pipe.schedule = "s", default_schedule
    pipe.warc = WarcStore(pipe.archive.warc_dir)
    pipe.journal = Journal(pipe.archive.path, "s", root=tmp_path / "journal")
    pipe.run_id = pipe.archive.start_run("crawl", "s")
    return pipe


def test_a_fetch_journaled_before_a_flush_it_reached_pending_after_is_written_once(tmp_path):
    """`process_item` journals a result in a thread, then puts it in `pending`: a flush that runs
    in between writes it from the journal, and the next flush must not write it again (it did:
    each such fetch counted twice in the crawl's stats, 1,024 'unchanged' for 1,000 re-checks)."""
    pipe = pipeline(tmp_path)

    async def race():
        item = FetchItem(fetch(0, snapshot=snap()))
        pipe._keep(item)                      # the journal row, as process_item's thread writes it
        await pipe.flush()                    # a flush (the ticker's) before process_item resumes
        pipe.pending.append(item.result)      # process_item resumes
        await pipe.flush()

    asyncio.run(race())
    assert pipe.crawler.stats.get_value("wirewatch/new") == 1
    with Archive(tmp_path / "a.duckdb").reading() as con:
        assert con.execute("SELECT count(*) FROM fetches").fetchone() == (1,)


def test_a_fetch_the_journal_could_not_take_is_written_from_memory(tmp_path, monkeypatch):
    pipe = pipeline(tmp_path)

    def full(rows):
        raise OSError(28, "No space left on device")

    async def crawl():
        monkeypatch.setattr(pipe.journal, "append", full)
        item = FetchItem(fetch(0, snapshot=snap()))
        pipe._keep(item)
        pipe.pending.append(item.result)
        monkeypatch.undo()
        await pipe.flush()
        await pipe.flush()

    asyncio.run(crawl())
    assert pipe.crawler.stats.get_value("wirewatch/new") == 1
    with Archive(tmp_path / "a.duckdb").reading() as con:
        assert con.execute("SELECT count(*) FROM fetches").fetchone() == (1,)
