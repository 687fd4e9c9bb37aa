"""`wirewatch serve`: the read-only web view (web/). Options only; the work is in web.server."""
from __future__ import annotations

import click

from wirewatch.options import common


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on; anything but loopback exposes the archive and its SQL page")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="port to listen on (0: any free port, printed at start)")
@click.option("--sql-max-rows", type=click.IntRange(min=1), default=1000, show_default=True,
              help="rows a SQL page shows at most")
@click.option("--sql-time-limit", type=click.FloatRange(min=0.1), default=2.0, show_default=True,
              help="seconds a SQL query may run before it is stopped")
@click.option("--page-size", type=click.IntRange(min=1), default=50, show_default=True,
              help="changes per page on the changes page")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="log each request")
@common
def serve(host, port, sql_max_rows, sql_time_limit, page_size, access_log, archive_path, seeds_dir):
    """Serve a read-only web view of the archive: sources, changes, articles, side-by-side diffs, SQL."""
    from archive.store import Archive
    from crawler.seeds import seeds_dir as resolve_seeds
    from web.server import serve as run
    from web.settings import WebSettings

    settings = WebSettings(Archive(archive_path).path, resolve_seeds(seeds_dir), sql_max_rows=sql_max_rows,
                           sql_time_limit_s=sql_time_limit, page_size=page_size)
    run(settings, host, port, access_log=access_log)
