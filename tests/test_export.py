"""`wirewatch export`: tables through DuckDB's COPY read back with DuckDB, and the raw captures as
one WARC file that `warcio check` accepts, from an archive the real crawler wrote from wiresim."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warcio.archiveiterator import ArchiveIterator


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One archive for this module's tests, which only read it (built once per test process)."""
    from wiresim import WireSim

    from support import Wirewatch, write_sim_seed
    directory = tmp_path_factory.mktemp("export")
    with WireSim(articles=8, seed=1) as sim:
        ww = Wirewatch(directory / "data" / "wirewatch.duckdb", write_sim_seed(directory / "seeds", sim.base_url))
        yield crawl_and_edit(ww, sim)


def crawl_and_edit(ww, sim):
    ww("crawl", "wiresim")
    sim.edit(sim.article_ids()[0], "number")
    ww("recheck", "wiresim", "--all")
    return ww


def test_every_table_as_parquet_and_the_changes_view_as_jsonl_and_csv(crawled, tmp_path):
    ww = crawled
    ww("export", "--format", "parquet", "-o", str(tmp_path / "pq"))
    con = duckdb.connect()
    for table in ("articles", "versions", "fetches", "changes", "change_classes"):
        got = con.execute(f"SELECT count(*) FROM '{tmp_path / 'pq' / (table + '.parquet')}'").fetchone()[0]
        assert got == ww.sql(f"SELECT count(*) AS n FROM {table}")[0]["n"] > 0, table
    types = dict(con.execute(f"DESCRIBE SELECT * FROM '{tmp_path / 'pq' / 'versions.parquet'}'").fetchall()[i][:2]
                 for i in range(3))
    assert "TIMESTAMP WITH TIME ZONE" in types.values()        # types survive, not strings
    ww("export", "--format", "jsonl", "--table", "changes", "--source", "wiresim", "-o", str(tmp_path / "c.jsonl"))
    lines = [json.loads(x) for x in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert len(lines) == 1 and lines[0]["version"] == 2 and "number" in lines[0]["classes"]
    ww("export", "--format", "csv", "--table", "versions", "--since", "1h", "-o", str(tmp_path / "v.csv"))
    assert (tmp_path / "v.csv").read_text().startswith("article_id,version,")
    ww("export", "--format", "csv", "--table", "versions", "--since", "0s", "-o", str(tmp_path / "none.csv"))
    assert len((tmp_path / "none.csv").read_text().splitlines()) == 1     # the header: nothing since now


def test_raw_captures_as_one_warc_that_warcio_accepts(crawled, tmp_path):
    ww = crawled
    out = tmp_path / "captures.warc.gz"
    ww("export", "--format", "warc", "--source", "wiresim", "-o", str(out))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with open(out, "rb") as fh:
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(fh)]
    stored = ww.sql("SELECT count(DISTINCT (warc_file, warc_offset)) AS n FROM fetches WHERE warc_file IS NOT NULL")[0]["n"]
    assert kinds[0][0] == "warcinfo"
    assert sum(k in ("response", "revisit") for k, _ in kinds) == stored > 0
    assert sum(k == "request" for k, _ in kinds) == stored


def test_bad_export_requests_are_one_line_errors(crawled, tmp_path):
    for args, said in ((["--format", "csv", "--table", "nosuch", "-o", str(tmp_path / "x.csv")], "unknown table"),
                       (["--format", "warc", "--table", "versions", "-o", str(tmp_path / "x.warc")], "--table"),
                       (["--format", "csv", "--source", "nosuch", "-o", str(tmp_path / "d")], "unknown source")):
        proc = crawled("export", *args, check=False)
        assert proc.returncode == 1 and said in proc.stderr, proc.stderr
        assert not Path(args[-1]).exists()
