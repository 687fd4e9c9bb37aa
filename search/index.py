"""The full-text index: a tantivy directory beside the archive (`<archive>.search/`), one document
per version, kept current by `catch_up`.

Why tantivy and not DuckDB's fts (README, Search, has the figures): fts on DuckDB 1.5 rebuilds its
whole index from the table (no update on insert) and its default `ignore` pattern strips every
non-ASCII letter; tantivy adds documents to new segments, merges in the background, and lets any
number of readers in other processes open the directory while one writer writes.

Current without loss: every version written gets a `version_log.seq` in the same transaction
(archive/versionlog.py). The index remembers the highest seq it has committed (STATE_FILE, written
after tantivy's commit). `catch_up` indexes everything above it: the daemon calls it after its
jobs, `wirewatch search` calls it before searching when no daemon holds the writer. A crash between
the commit and the state file re-indexes those versions, and that writes nothing twice: each
version's document is deleted by its key before it is added.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import tantivy

from archive import versionlog
from archive.db import ArchiveError
from archive.store import Archive
from search.analysis import LANGUAGES, indexed_text, language_field

SCHEMA_VERSION = 1                 # bump when the fields or the analysis change: the index is rebuilt
STATE_FILE = "wirewatch-search.json"
BATCH = 2000                       # versions read from the archive per transaction
WRITER_HEAP = 64_000_000


def index_dir(archive_path: Path) -> Path:
    """Where the index of the archive at `archive_path` lives (Archive.search_dir decides)."""
    return Archive(archive_path).search_dir


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", tokenizer_name="raw")                       # article_id/version: delete by it
    sb.add_text_field("article_id", stored=True, tokenizer_name="raw")
    sb.add_text_field("source", tokenizer_name="raw")
    sb.add_integer_field("article_hash", fast=True, indexed=True)        # groups hits without reading docs
    sb.add_integer_field("version", stored=True, fast=True, indexed=True)
    sb.add_integer_field("captured", fast=True, indexed=True)            # epoch seconds, for --since
    for field in LANGUAGES:
        sb.add_text_field(f"t_{field}", tokenizer_name="whitespace")
    return sb.build()


SCHEMA = build_schema()


def article_hash(article_id: str) -> int:
    import hashlib
    return int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=8).digest(), "big", signed=True)


def document(row: dict) -> tantivy.Document:
    """A version (article_id, version, source, captured_at, language, title, headlines, lead, text)."""
    headlines = [h for h in (row.get("headlines") or {}).values() if h and h != row.get("title")]
    parts = [row.get("title"), *dict.fromkeys(headlines), row.get("lead"), row.get("text")]
    field = language_field(row.get("language"), (row.get("title") or "") + (row.get("text") or "")[:400])
    doc = tantivy.Document(key=f"{row['article_id']}/{row['version']}", article_id=row["article_id"],
                           source=row["source"], article_hash=article_hash(row["article_id"]),
                           version=int(row["version"]), captured=int(row["captured_at"].timestamp()))
    doc.add_text(f"t_{field}", indexed_text(parts, field))
    return doc


class IndexBusy(Exception):
    """Another process (the daemon) holds the index writer: it is the one keeping it current."""


@dataclass
class CatchUp:
    indexed: int = 0
    high_water: int = 0
    rebuilt: bool = False


_writer_guard = threading.Lock()        # one writer per process too (web threads, daemon jobs)


class SearchIndex:
    def __init__(self, archive):
        self.archive = archive
        self.path = archive.search_dir

    def _state(self) -> dict:
        try:
            return json.loads((self.path / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _save_state(self, seq: int) -> None:
        tmp = self.path / f".{STATE_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "seq": seq}))
        os.replace(tmp, self.path / STATE_FILE)

    def high_water(self) -> int:
        return int(self._state().get("seq", 0))

    def open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        return tantivy.Index(SCHEMA, path=str(self.path), reuse=True)

    def exists(self) -> bool:
        return (self.path / "meta.json").exists()

    def catch_up(self, *, limit: int | None = None) -> CatchUp:
        """Index every version above the high-water mark. Raises IndexBusy when another process
        holds the writer."""
        with _writer_guard:
            state = self._state()
            rebuild = bool(state) and state.get("schema") != SCHEMA_VERSION
            if rebuild:
                self._wipe()
            index = self.open()
            try:
                writer = index.writer(WRITER_HEAP, 1)
            except ValueError as exc:
                if "LockBusy" in str(exc):
                    raise IndexBusy(str(exc).splitlines()[0]) from None
                raise ArchiveError(f"search index {self.path}: {str(exc).splitlines()[0]}") from None
            report = CatchUp(high_water=0 if rebuild else int(state.get("seq", 0)), rebuilt=rebuild)
            try:
                with self.archive.reading() as con:
                    newest = versionlog.newest(con)
                if newest < report.high_water:      # another archive at this path: start again
                    writer.delete_all_documents()
                    report.high_water, report.rebuilt = 0, True
                while report.high_water < newest and (limit is None or report.indexed < limit):
                    with self.archive.reading() as con:
                        rows = versionlog.versions_after(con, report.high_water, BATCH)
                    if not rows:
                        break
                    for row in rows:
                        writer.delete_documents_by_term("key", f"{row['article_id']}/{row['version']}")
                        writer.add_document(document(row))
                    writer.commit()
                    report.high_water = rows[-1]["seq"]
                    report.indexed += len(rows)
                    self._save_state(report.high_water)
                if report.rebuilt and not report.indexed:
                    writer.commit()
                    self._save_state(report.high_water)
            finally:
                del writer          # releases tantivy's lock file
            return report

    def _wipe(self) -> None:
        import shutil
        shutil.rmtree(self.path, ignore_errors=True)

    def lag(self) -> int:
        """Versions in the archive not yet in the index."""
        with self.archive.reading() as con:
            return max(0, versionlog.newest(con) - self.high_water())
