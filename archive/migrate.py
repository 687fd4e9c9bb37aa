"""`wirewatch migrate`: copy an embedded archive (the DuckDB file and its WARC files) into a shared
one, and prove the copy: every table's row count and an order-free hash of all its columns are
computed on both sides and must agree.

The target must be empty (a fresh PostgreSQL database): merging two archives would renumber fetch
and run ids. Fetch and run id sequences continue after the copied ones. The search index is not
copied: the shared archive's index job rebuilds it from the copied version log.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import db
from .shared_schema import HISTORY_TABLES, LAKE, STATE, sql_string, state_tables
from .store import Archive

SKIP_META = {"schema_version", "data_path"}     # the target's own


@dataclass
class TableCheck:
    table: str
    rows: int
    copied: int
    source_hash: int
    target_hash: int

    @property
    def ok(self) -> bool:
        return self.rows == self.copied and self.source_hash == self.target_hash


@dataclass
class MigrationReport:
    tables: list[TableCheck] = field(default_factory=list)
    warc_files: int = 0
    warc_bytes: int = 0

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)


def _target_name(table: str) -> str:
    return f"{LAKE}.main.{table}" if table in HISTORY_TABLES else f"{STATE}.public.{table}"


def _fingerprint(con, table: str, columns: list[str], where: str = "") -> tuple[int, int]:
    """(rows, sum of each row's hash): the same rows give the same figure in any order."""
    values = ", ".join(f"{c}::VARCHAR" for c in columns)     # one text form on both sides
    row = con.execute(f"SELECT count(*), coalesce(sum(hash({values})), 0)::HUGEINT FROM {table} {where}").fetchone()
    return int(row[0]), int(row[1])


def _where(table: str) -> str:
    return f"WHERE key NOT IN ({', '.join(map(sql_string, sorted(SKIP_META)))})" if table == "meta" else ""


def migrate(source: Archive, target: Archive) -> MigrationReport:
    if source.shared or not target.shared:
        raise db.ArchiveError("migrate copies an embedded archive (a DuckDB file) into a shared one (a PostgreSQL URL)")
    if not source.path.exists():
        raise db.ArchiveMissing(f"no archive at {source.path}")
    source.ensure()                          # at this wirewatch's schema, like any command would
    target.ensure()
    report = MigrationReport()
    con = target.shared.cursor()
    try:
        con.execute(f"ATTACH {sql_string(str(source.path.resolve()))} AS src (READ_ONLY)")
        if con.execute(f"SELECT count(*) FROM {_target_name('articles')}").fetchone()[0]:
            raise db.ArchiveError(f"{target.path} already holds an archive (it has articles); migrate into a new database")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' ORDER BY table_name").fetchall()]
        known = set(state_tables()) | HISTORY_TABLES
        plan = {table: [r[0] for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'src' AND table_name = ? "
                    "ORDER BY column_index", [table]).fetchall()]
                for table in tables if table in known}
        # History in one transaction, then state in one (a DuckDB transaction writes one catalog).
        # A copy that failed half-way left history without articles: it is cleared and copied again.
        for part in ([t for t in plan if t in HISTORY_TABLES], [t for t in plan if t not in HISTORY_TABLES]):
            con.execute("BEGIN")
            for table in part:
                cols = ", ".join(plan[table])
                where = _where(table)
                con.execute(f"DELETE FROM {_target_name(table)} {where}")
                con.execute(f"INSERT INTO {_target_name(table)} ({cols}) SELECT {cols} FROM src.main.{table} {where}")
            con.execute("COMMIT")
        for table, columns in plan.items():
            rows, source_hash = _fingerprint(con, f"src.main.{table}", columns, _where(table))
            copied, target_hash = _fingerprint(con, _target_name(table), columns, _where(table))
            report.tables.append(TableCheck(table, rows, copied, source_hash, target_hash))
        for sequence, table, column in (("fetch_ids", "fetches", "fetch_id"), ("run_ids", "runs", "run_id"),
                                        ("version_seq", "version_log", "seq")):
            top = con.execute(f"SELECT coalesce(max({column}), 0) FROM src.main.{table}").fetchone()[0]
            if top:
                con.execute(f"SELECT * FROM postgres_query('{STATE}', 'SELECT setval(''{sequence}'', {int(top)})')")
        con.execute("DETACH src")
    finally:
        con.close()
    report.warc_files, report.warc_bytes = _copy_warc(source.warc_dir, target.warc_dir)
    return report


def _copy_warc(src: Path, dst: Path) -> tuple[int, int]:
    """WARC files keep their names (fetches point at them by name); one already there is kept."""
    if not src.exists():
        return 0, 0
    dst.mkdir(parents=True, exist_ok=True)
    files = size = 0
    for path in sorted(src.glob("*.warc.gz")):
        target = dst / path.name
        if not target.exists() or target.stat().st_size != path.stat().st_size:
            shutil.copy2(path, target)
        files += 1
        size += path.stat().st_size
    return files, size
