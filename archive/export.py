"""Taking the archive elsewhere: tables and the `changes` view as Parquet, JSONL or CSV (DuckDB's
own COPY, so types survive: timestamps, lists, maps), and the raw captures of chosen articles as
one WARC file.

Selections are the same for every format: `sources` keeps the rows of those sources' articles,
`since` the rows at or after a time, measured on each table's own time column (TIME_COLUMNS).
Values are bound into the SELECT as SQL literals built here (COPY takes no parameters); sources
and paths are quoted, times are datetimes, so nothing from the user is pasted as SQL.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .db import ArchiveError

FORMATS = {"parquet": "(FORMAT parquet, COMPRESSION zstd)", "jsonl": "(FORMAT json)",
           "csv": "(FORMAT csv, HEADER true)"}
EXTENSIONS = {"parquet": "parquet", "jsonl": "jsonl", "csv": "csv"}

# What can be exported, each with the column a `since` applies to and how its rows reach an
# article's source. A table without an article (runs) is selected by its own `source`.
TIME_COLUMNS = {
    "articles": "t.last_checked", "versions": "t.captured_at", "fetches": "t.fetched_at",
    "runs": "t.started_at", "events": "t.happened_at", "change_classes": "t.happened_at",
    "version_changes": "v.captured_at", "edit_sentences": "v.captured_at", "edit_fields": "v.captured_at",
    "changes": "t.captured_at",
}
# Rows whose time is that of their version: joined to it for `since`.
_VERSION_JOINED = {"version_changes", "edit_sentences", "edit_fields"}
TABLES = tuple(TIME_COLUMNS)


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _time_literal(when: datetime) -> str:
    return f"TIMESTAMPTZ {_literal(when.astimezone(timezone.utc).isoformat())}"


def select_sql(table: str, sources: Iterable[str] = (), since: datetime | None = None) -> str:
    """The SELECT that an export of `table` copies."""
    if table not in TIME_COLUMNS:
        raise ArchiveError(f"unknown table {table!r} (tables: {', '.join(TABLES)})")
    sources = list(sources)
    joins, where = "", []
    if table in _VERSION_JOINED:
        joins = " JOIN versions v ON v.article_id = t.article_id AND v.version = t.version"
    if sources:
        names = ", ".join(_literal(s) for s in sources)
        if table in ("articles", "runs", "changes"):
            where.append(f"t.source IN ({names})")
        else:
            where.append(f"t.article_id IN (SELECT article_id FROM articles WHERE source IN ({names}))")
    if since is not None:
        where.append(f"{TIME_COLUMNS[table]} >= {_time_literal(since)}")
    columns = "t.*"
    sql = f"SELECT {columns} FROM {table} t{joins}"
    return sql + (" WHERE " + " AND ".join(where) if where else "")


def export_table(con, table: str, fmt: str, path: Path, sources=(), since=None) -> int:
    """COPY one table (or the changes view) to `path`; returns the rows written."""
    if fmt not in FORMATS:
        raise ArchiveError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)}, warc)")
    select = select_sql(table, sources, since)
    (rows,) = con.execute(f"SELECT count(*) FROM ({select})").fetchone()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    con.execute(f"COPY ({select}) TO {_literal(tmp)} {FORMATS[fmt]}")
    os.replace(tmp, path)          # a reader of PATH never sees half an export
    return rows


def export_tables(con, fmt: str, directory: Path, tables: Iterable[str] = TABLES, sources=(), since=None) -> dict:
    """Every table (and the changes view) as DIRECTORY/<table>.<ext>; {table: rows}."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ArchiveError(f"{directory} is a file; exporting every table needs a directory (or pass --table)")
    return {t: export_table(con, t, fmt, directory / f"{t}.{EXTENSIONS[fmt]}", sources, since) for t in tables}


# --- WARC -------------------------------------------------------------------------------------

@dataclass
class WarcExport:
    records: int = 0
    captures: int = 0
    missing: int = 0          # captures whose WARC file is gone (moved or deleted by hand)


def capture_pointers(con, sources=(), since=None) -> list[tuple[str, int, int | None]]:
    """(warc_file, offset, length) of every stored capture of the chosen articles, in fetch order."""
    select = select_sql("fetches", sources, since)
    return con.execute(f"""SELECT t.warc_file, t.warc_offset, t.warc_length FROM ({select}) t
                           WHERE t.warc_file IS NOT NULL ORDER BY t.fetch_id""").fetchall()


def _gzip_member(fh, offset: int) -> tuple[bytes, bytes]:
    """(raw bytes, decompressed bytes) of the gzip member at `offset` (one WARC record each)."""
    import zlib
    fh.seek(offset)
    inflate, raw, out = zlib.decompressobj(31), bytearray(), bytearray()
    while not inflate.eof:
        chunk = fh.read(65536)
        if not chunk:
            break
        out += inflate.decompress(chunk)
        raw += chunk
    return bytes(raw[:len(raw) - len(inflate.unused_data)]), bytes(out)


def _header(record: bytes, name: str) -> str | None:
    for line in record.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name.lower():
            return value.strip()
    return None


def _exchange_bytes(fh, offset: int, length: int | None) -> bytes:
    """The raw gzip members of a response (or revisit) record and of the request record written
    right after it (its WARC-Concurrent-To names the response), copied byte for byte: the export
    holds the records exactly as they were archived."""
    response, text = _gzip_member(fh, offset)
    if not response:
        return b""
    request, req_text = _gzip_member(fh, offset + len(response))
    if (_header(req_text, "WARC-Type") == "request"
            and _header(req_text, "WARC-Concurrent-To") == _header(text, "WARC-Record-ID")):
        return response + request
    return response


def export_warc(con, warc_dir: Path, path: Path, sources=(), since=None) -> WarcExport:
    """One WARC file (gzip per record): a warcinfo record saying what was selected, then the
    response/revisit and request records of every chosen capture, as archived, streamed."""
    from warcio.warcwriter import WARCWriter
    pointers = capture_pointers(con, sources, since)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    report, seen, handles = WarcExport(), set(), {}
    try:
        with open(tmp, "wb") as out:
            writer = WARCWriter(out, gzip=True, warc_version="1.1")
            selection = ((f"sources {', '.join(sources)}" if sources else "all sources")
                         + (f", since {since.isoformat()}" if since else ""))
            writer.write_record(writer.create_warcinfo_record(
                path.name, {"software": "wirewatch export", "format": "WARC File Format 1.1",
                            "description": f"raw captures of {selection}"}))
            for name, offset, length in pointers:
                if (name, offset) in seen:          # a fetch and its confirmation may share a record
                    continue
                seen.add((name, offset))
                if name not in handles:
                    file = Path(warc_dir) / name
                    handles[name] = open(file, "rb") if file.exists() else None
                if handles[name] is None:
                    report.missing += 1
                    continue
                chunk = _exchange_bytes(handles[name], offset, length)
                if chunk:
                    out.write(chunk)
                    report.captures += 1
    finally:
        for fh in handles.values():
            if fh is not None:
                fh.close()
    os.replace(tmp, path)
    report.records = _count_records(path)
    return report


def _count_records(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator
    with open(path, "rb") as fh:
        return sum(1 for _ in ArchiveIterator(fh))
