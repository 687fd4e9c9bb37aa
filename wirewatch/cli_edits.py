"""`wirewatch changes`, `feed` and `reextract`: recent edits as rows and as an Atom feed, and
re-extraction of the stored WARC records. Options and printing only; the work is done by
archive.recent, archive.changefeed and crawler.reextract.
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from archive.edits import CHANGE_CLASSES
from wirewatch.options import FORMATS, common

SOURCE_OPTION = click.option("--source", "sources", multiple=True, metavar="SOURCE",
                             help="only this source (repeatable)")
CLASS_OPTION = click.option("--class", "classes", multiple=True, metavar="CLASS",
                            help="only changes of this class (repeatable or comma-separated): "
                                 + ", ".join(CHANGE_CLASSES))


def _cutoff(since: str) -> datetime | None:
    from crawler.seeds import parse_duration
    if since.strip().lower() == "all":
        return None
    try:
        return datetime.now(timezone.utc) - parse_duration(since)
    except ValueError as exc:
        raise ValueError(f"--since: {exc}") from None


def _seed_names(seeds_dir) -> set[str]:
    """Configured sources, so a source not crawled yet is an empty list rather than an error."""
    from crawler.seeds import SeedError, load_seeds
    try:
        return set(load_seeds(seeds_dir))
    except SeedError:
        return set()


def _select(con, sources, classes, since, limit, seeds_dir, events=None):
    from archive import recent
    wanted = recent.parse_classes(classes)
    chosen = recent.check_sources(con, sources, _seed_names(seeds_dir) if sources else ())
    kwargs = {"events": events} if events is not None else {}
    rows = recent.recent_changes(con, since=_cutoff(since), sources=chosen, classes=wanted,
                                 limit=limit + 1, **kwargs)
    return chosen, wanted, rows


@click.command()
@SOURCE_OPTION
@CLASS_OPTION
@click.option("--since", default="24h", show_default=True, help="how far back: 90m, 24h, 7d … or 'all'")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="newest N rows")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def changes(sources, classes, since, limit, fmt, archive_path, seeds_dir):
    """Recent changes, newest first: one row per new version (from→to, classes, summary) and per
    article pulled or redirected."""
    from archive.recent import JSON_COLUMNS, TABLE_COLUMNS
    from archive.store import Archive
    from wirewatch.output import print_rows

    with Archive(archive_path).reading() as con:
        _, _, rows = _select(con, sources, classes, since, limit, seeds_dir)
    if len(rows) > limit:
        rows = rows[:limit]
        click.echo(f"showing the newest {limit}; use --limit or --since for more", err=True)
    columns = JSON_COLUMNS if fmt == "json" else TABLE_COLUMNS
    print_rows(columns, [[r[c] for c in columns] for r in rows], fmt)


@click.command()
@SOURCE_OPTION
@CLASS_OPTION
@click.option("--since", default="7d", show_default=True, help="how far back: 90m, 24h, 7d … or 'all'")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True, help="newest N entries")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="write to FILE (replaced at once) instead of stdout")
@click.option("--self-url", help="the URL the feed is published at [default: the --output file]")
@common
def feed(sources, classes, since, limit, output, self_url, archive_path, seeds_dir):
    """Write an Atom feed of recent revisions: one entry per new version (with its diff) and per
    pulled article, newest first."""
    from importlib.metadata import version

    from archive import changefeed
    from archive.store import Archive

    with Archive(archive_path).reading() as con:
        chosen, wanted, rows = _select(con, sources, classes, since, limit, seeds_dir, events=("pulled",))
        rows = rows[:limit]
        pairs = [changefeed.entry_versions(con, r) for r in rows]
    contents = [changefeed.entry_content(r, old, new) for r, (old, new) in zip(rows, pairs)]
    self_url = self_url or (Path(output).resolve().as_uri() if output else None)
    xml = changefeed.build_feed(rows, contents, title=changefeed.feed_title(chosen, wanted),
                                feed_id=changefeed.feed_id(chosen, wanted), self_url=self_url,
                                generator_version=version("wirewatch"))
    if output:
        changefeed.save(output, xml)
        click.echo(f"{output}: {len(rows)} entries", err=True)
    else:
        sys.stdout.buffer.write(xml)
        sys.stdout.flush()


@click.command()
@click.option("--source", help="only this source's articles")
@click.option("--article", metavar="URL|ID", help="only this article")
@click.option("--workers", type=click.IntRange(min=0),
              help="extraction processes: 1 = this process, 0 = one per core [default: a pool for big runs]")
@common
def reextract(source, article, workers, archive_path, seeds_dir):
    """Re-extract every version's stored WARC record with the current extractor and the seed's
    current drop rules into the `reextractions` table; versions are never changed."""
    from archive.store import Archive
    from crawler.reextract import reextract as run
    from crawler.seeds import get_seed, load_seeds

    seeds = load_seeds(seeds_dir)
    if source:
        get_seed(source, seeds_dir)     # an unknown source is a one-line error
    report = run(Archive(archive_path), seeds, source=source, article=article, workers=workers)
    for line in report.lines():
        click.echo(line)
