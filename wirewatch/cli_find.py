"""`wirewatch search`, `export` and `notify`: options and printing only; the work is done by
search/, archive/export.py and jobs/notify.py."""
from __future__ import annotations

from pathlib import Path

import click

from wirewatch.cli_edits import SOURCE_OPTION, _cutoff
from wirewatch.options import FORMATS, common


@click.command()
@click.argument("query")
@SOURCE_OPTION
@click.option("--since", default="all", show_default=True, help="only versions captured since: 90m, 24h, 7d … or 'all'")
@click.option("--all-versions", is_flag=True, help="one row per matching version, not per article")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="at most N articles")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def search(query, sources, since, all_versions, limit, fmt, archive_path, seeds_dir):
    """Full-text search over every version's headlines and text: words (stemmed), "phrases",
    Chinese/Japanese/Korean substrings. Each result names the versions that match."""
    from archive.store import Archive
    from search.query import parse, search as run
    from wirewatch.output import print_rows

    from archive.recent import check_sources
    archive = Archive(archive_path)
    with archive.reading() as con:
        sources = check_sources(con, sources)
    q = parse(query, sources, _cutoff(since))
    found = run(archive, q, limit=limit, all_versions=all_versions)
    if found["lag"]:
        click.echo(f"the index is {found['lag']} versions behind the archive (the daemon is catching up)", err=True)
    if fmt == "json":
        columns = ["article_id", "source", "url", "version", "captured_at", "title", "matching_versions",
                   "latest_version", "in_latest", "versions_note", "snippet", "snippet_parts"]
    else:
        columns = ["article_id", "version", "title", "versions_note", "snippet", "url"]
    print_rows(columns, [[r[c] for c in columns] for r in found["results"]], fmt)
    if fmt == "table":
        click.echo(f"{found['total_versions']} matching versions; {len(found['results'])} shown", err=True)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["parquet", "jsonl", "csv", "warc"]), required=True)
@SOURCE_OPTION
@click.option("--since", default="all", show_default=True, help="only rows since: 90m, 24h, 7d … or 'all'")
@click.option("--table", "tables", multiple=True, metavar="TABLE",
              help="a table or the `changes` view (repeatable) [default: every one, into the directory -o]")
@click.option("-o", "--output", required=True, type=click.Path(), help="the file (one table, or warc) or directory")
@common
def export(fmt, sources, since, tables, output, archive_path, seeds_dir):
    """Export tables and the `changes` view as Parquet, JSONL or CSV, or the raw captures of the
    chosen articles as one WARC file."""
    from archive import export as ex
    from archive.recent import check_sources
    from archive.store import Archive

    archive = Archive(archive_path)
    cutoff = _cutoff(since)
    with archive.reading() as con:
        chosen = check_sources(con, sources)
        if fmt == "warc":
            if tables:
                raise ValueError("--table does not apply to --format warc (it exports raw captures)")
            report = ex.export_warc(con, archive.warc_dir, Path(output), chosen, cutoff)
            click.echo(f"{output}: {report.captures} captures, {report.records} records"
                       + (f"; {report.missing} captures whose WARC file is missing" if report.missing else ""), err=True)
            return
        if len(tables) == 1 and not Path(output).is_dir():
            counts = {tables[0]: ex.export_table(con, tables[0], fmt, Path(output), chosen, cutoff)}
        else:
            counts = ex.export_tables(con, fmt, Path(output), tables or ex.TABLES, chosen, cutoff)
    for table, rows in counts.items():
        click.echo(f"{table}: {rows} rows", err=True)


@click.command()
@click.option("--test", "send_test", is_flag=True, help="send a sample message to every target now")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="WIREWATCH_CONFIG",
              help="the global wirewatch.toml [default: wirewatch.toml beside the seeds directory]")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def notify(send_test, config_path, fmt, archive_path, seeds_dir):
    """List the notification targets and the outbox, or (--test) send a sample to each target."""
    from archive.store import Archive
    from jobs import notify as jobs_notify
    from wirewatch.output import print_rows

    config = jobs_notify.load_config(seeds_dir, config_path)
    if not config.targets:
        raise ValueError("no notification targets: add [[notify.targets]] to wirewatch.toml or a seed")
    if send_test:
        failed = 0
        for target, error in jobs_notify.send_test(config):
            click.echo(f"{target.name}: {'sent' if error is None else 'FAILED: ' + error}")
            failed += error is not None
        if failed:
            raise ValueError(f"{failed} of {len(config.targets)} targets could not be reached")
        return
    archive = Archive(archive_path)
    counts = jobs_notify.outbox_counts(archive) if archive.exists() else {}
    columns = ["target", "url", "sources", "classes", "headline_only", "min_words", "pending", "sent", "abandoned"]
    print_rows(columns, [[t.name, t.redacted_url, t.sources, t.classes, t.headline_only, t.min_words,
                          *(counts.get(t.name, {}).get(s, 0) for s in ("pending", "sent", "abandoned"))]
                         for t in config.targets], fmt)
