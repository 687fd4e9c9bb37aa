"""The `wirewatch` command: a thin layer over archive/, crawler/ and jobs/.

Exit codes: 0 success, 1 the command's own failure (one line on stderr), 2 usage.
"""
from __future__ import annotations

import click

from wirewatch.options import FORMATS, SET_OPTION, common

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wirewatch")
def main():
    """Archive every revision of wire-service news articles and show what changed."""


@main.command()
@click.argument("source")
@click.option("--limit", type=int, help="fetch at most this many new articles")
@SET_OPTION
@common
def crawl(source, limit, overrides, archive_path, seeds_dir):
    """Discover SOURCE's articles (feeds, sitemaps, pages) and fetch the new ones."""
    from wirewatch import commands
    commands.crawl(source, archive_path, seeds_dir, mode="discover", limit=limit, overrides=overrides)


@main.command()
@click.argument("source")
@click.option("--all", "all_", is_flag=True, help="fetch every known article, not only the due ones")
@click.option("--limit", type=int, help="fetch at most this many articles")
@SET_OPTION
@common
def recheck(source, all_, limit, overrides, archive_path, seeds_dir):
    """Fetch SOURCE's known articles that are due (most overdue first), or all of them."""
    from wirewatch import commands
    commands.crawl(source, archive_path, seeds_dir, mode="recheck", all_=all_, limit=limit, overrides=overrides)


@main.command()
@click.option("--once", is_flag=True, help="run every job once (discovery, re-check, maintenance) and exit")
@click.option("--recheck-every", default="1m", show_default=True, help="how often the re-check job runs")
@click.option("--discover-every", help="override every seed's discovery interval (e.g. 30s)")
@click.option("--maintenance-every", default="30m", show_default=True)
@click.option("--jitter", type=int, default=10, show_default=True, help="seconds of random delay per job start")
@click.option("--budget", type=int, help="re-checks per run over all sources [default: each seed's budget]")
@click.option("--stop-after", type=float, help="stop by itself after this many seconds")
@SET_OPTION
@common
def run(once, recheck_every, discover_every, maintenance_every, jitter, budget, stop_after, overrides,
        archive_path, seeds_dir):
    """Run the scheduled daemon: discovery per source, re-checks of due articles, maintenance.

    Stop it with Ctrl-C or SIGTERM: in-flight requests finish, fetched results are written."""
    from wirewatch import commands
    commands.run(archive_path, seeds_dir, once=once, recheck_every=recheck_every, discover_every=discover_every,
                 maintenance_every=maintenance_every, jitter=jitter, budget=budget, stop_after=stop_after,
                 overrides=overrides)


@main.command()
@click.argument("ref", metavar="URL|ID")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def history(ref, fmt, archive_path, seeds_dir):
    """List the versions and events of one article."""
    from wirewatch import commands
    commands.history(ref, archive_path, fmt)


@main.command()
@click.argument("ref", metavar="URL|ID")
@click.option("--from", "from_v", type=int, help="old version (default: the one before --to; 0 = empty)")
@click.option("--to", "to_v", type=int, help="new version (default: the latest)")
@click.option("--by", type=click.Choice(["word", "char", "sentence"]), default=None,
              help="diff granularity [default: word, char for Chinese/Japanese]")
@click.option("--format", "fmt", type=click.Choice(["terminal", "unified", "json", "html"]), default="terminal", show_default=True)
@common
def diff(ref, from_v, to_v, by, fmt, archive_path, seeds_dir):
    """Show what changed between two versions of an article (headline, metadata and body)."""
    from wirewatch import commands
    commands.diff(ref, archive_path, from_v, to_v, by, fmt)


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def sql(query, fmt, archive_path, seeds_dir):
    """Run a read-only SQL QUERY against the archive."""
    from wirewatch import commands
    commands.sql(query, archive_path, fmt)


@main.command()
@click.argument("source", required=False)
@click.option("--check", is_flag=True, help="check every seed offline against its own example URLs; exit 1 if any fails")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def sources(source, check, fmt, archive_path, seeds_dir):
    """List the configured sources (seeds), validating every seed file, or only SOURCE."""
    from wirewatch import commands
    if check:
        commands.check_sources(seeds_dir, source, fmt)
    else:
        commands.sources(seeds_dir, fmt, source)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", required=True, help="the seed whose drop rules, time zone, pattern and id apply")
@click.option("--url", help="where the page was fetched from [default: its canonical link or og:url]")
@click.option("--links", is_flag=True, help="list the article links discovery would take from it (a listing page)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@common
def extract(file, source, url, links, fmt, archive_path, seeds_dir):
    """Try SOURCE's seed on a saved page FILE, offline: what the crawler would extract from it."""
    from wirewatch import commands
    commands.extract_saved(file, source, seeds_dir, url=url, links=links, fmt=fmt)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--workers", is_flag=True, help="the workers of a shared archive: heartbeat, alive, leases held")
@common
def status(fmt, workers, archive_path, seeds_dir):
    """Per source: runs, articles tracked, due now, backlog, recent versions, error rates."""
    from wirewatch import commands
    commands.status(archive_path, seeds_dir, fmt, workers)


@main.command()
@click.argument("source")
@click.option("--forget", "entry", metavar="LINE|LABEL|KEY", help="forget a learned entry (it is learned again only from new evidence)")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def noise(source, entry, fmt, archive_path, seeds_dir):
    """List the rotating lines and labels learned for SOURCE (or forget one)."""
    from wirewatch import commands
    commands.noise(source, entry, archive_path, fmt)


@main.command()
@click.option("--to", "target", required=True, metavar="POSTGRESQL_URL",
              help="the shared archive to create, e.g. postgresql://wirewatch@db.example/wirewatch")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common
def migrate(target, fmt, archive_path, seeds_dir):
    """Copy this embedded archive (and its WARC files) into a new shared archive, verified.

    Give the shared archive's directory for Parquet and WARC files with --data-path (every machine
    mounts it at that path)."""
    from wirewatch import commands
    commands.migrate(archive_path, target, fmt)


from wirewatch.cli_edits import changes, feed, reextract  # noqa: E402

main.add_command(changes)
main.add_command(feed)
main.add_command(reextract)

from wirewatch.cli_serve import serve  # noqa: E402

main.add_command(serve)

from wirewatch.cli_find import export, notify, search  # noqa: E402  (issue 12)

main.add_command(search)
main.add_command(export)
main.add_command(notify)


if __name__ == "__main__":
    main()
