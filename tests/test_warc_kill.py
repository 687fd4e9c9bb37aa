"""A crawler killed while it keeps a capture (crawler/pipeline.py `_keep`): the fetch's row is
journaled before its WARC record, and the record's pointer before the record's first byte. So a
kill at any point leaves no record that no row points at (an edit seen only there would be lost),
and a record left unfinished is cut off its file and its fetch kept without it."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]

# A process that keeps one capture and is killed (os._exit) once `written` bytes of the capture's
# write (its response record, then its request record) have reached the WARC file; a negative
# `written` leaves that many bytes of the write's end unwritten.
KEEP_AND_DIE = """
import os, sys, threading
sys.path[:0] = [{code!r}, {tests!r}]
from archive.journal import Journal
from archive.store import Archive
from archive.warc import WarcStore
from crawler.items import Exchange, FetchItem
from crawler.pipeline import ArchivePipeline
from test_archive import T0, fetch, snap

archive = Archive({archive!r})
pipe = ArchivePipeline.__new__(ArchivePipeline)
pipe.warc, pipe.run_id = WarcStore(archive.warc_dir), 1
pipe.journal = Journal(archive.path, "s", root={journal!r})
pipe._keeping = threading.Lock()
opened = WarcStore._open

class Dying:
    def __init__(self, fh):
        self.fh, self.left = fh, {written}
    def write(self, data):
        data = bytes(data)
        if self.left < 0:
            self.left += len(data)
        if len(data) >= self.left:
            self.fh.write(data[:self.left]); self.fh.flush(); os._exit(9)
        self.left -= len(data)
        return self.fh.write(data)
    def __getattr__(self, name):
        return getattr(self.fh, name)

def open_then_die(self):
    opened(self)
    self._fh.flush()
    self._fh = self._writer.out = Dying(self._fh)

WarcStore._open = open_then_die
body = b"<html><body><p>At least 3,000 people were killed.</p><p>" + os.urandom(6000).hex().encode() + b"</p></body></html>"
item = FetchItem(fetch(0, snapshot=snap(text="At least 3,000 people were killed.")),
                 Exchange("http://x/world/1/a", T0, 200, [("Content-Type", "text/html")], body))
pipe._keep(item)
print("not killed")
"""


@pytest.mark.parametrize("written", [0, 600, 6000, -20])
def test_a_crawler_killed_while_writing_a_record_keeps_the_fetch_and_leaves_no_torn_record(tmp_path, written):
    from archive.journal import Journal
    from archive.store import Archive
    from archive.warc import WarcStore
    from crawler.pipeline import ArchivePipeline, _with_held_pointers

    archive = Archive(tmp_path / "a.duckdb")
    archive.ensure()
    journal_root = tmp_path / "journal"
    script = KEEP_AND_DIE.format(code=str(ROOT), tests=str(ROOT / "tests"), archive=str(archive.path),
                                 journal=str(journal_root), written=written)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stdout + proc.stderr
    # the next crawl of the source: the dead process's journal, replayed
    pipe = ArchivePipeline.__new__(ArchivePipeline)
    pipe.warc = WarcStore(archive.warc_dir)
    journal = Journal(archive.path, "s", root=journal_root)
    journal.recover()
    rows = pipe._complete_pointers(_with_held_pointers(Journal.read(journal.sealed())))
    assert archive.record_batch([r for _, r in rows], run_id=None) == [("new", 1)]
    with archive.reading() as con:
        row = con.execute("SELECT outcome, warc_file, error FROM fetches").fetchall()
    # every WARC file reads to its end: what was not finished was cut off
    records = []
    for path in archive.warc_dir.glob("*.warc.gz"):
        with open(path, "rb") as fh:
            records += [r.rec_type for r in ArchiveIterator(fh)]
    if written >= 0:       # the response record was not finished: the fetch is kept without it
        assert row[0][:2] == ("new", None) and "killed while writing" in row[0][2], row
        assert records == ["warcinfo"]
    else:                  # only its request record was not: the response is there, pointed at
        assert row[0][0] == "new" and row[0][1] is not None and row[0][2] is None, row
        assert records == ["warcinfo", "response"]
