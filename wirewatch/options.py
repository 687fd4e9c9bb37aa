"""Options and error handling shared by every command."""
from __future__ import annotations

import functools
import os
import sys

import click

from archive.db import ArchiveError
from crawler.seeds import SeedError

FORMATS = click.Choice(["table", "csv", "json"])


def _settings(ctx, param, values):
    out = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE")
        out[key] = val
    return out


SET_OPTION = click.option("--set", "-s", "overrides", multiple=True, callback=_settings, metavar="NAME=VALUE",
                          help="a Scrapy setting for this crawl, as with `scrapy crawl -s` (repeatable)")


def common(fn):
    """--archive and --seeds on every command; known failures become one line and exit 1."""
    @click.option("--archive", "archive_path", envvar="WIREWATCH_ARCHIVE", type=click.Path(dir_okay=False),
                  help="DuckDB archive file, or a shared archive's postgresql:// URL [default: data/wirewatch.duckdb]")
    @click.option("--seeds", "seeds_dir", envvar="WIREWATCH_SEEDS", type=click.Path(file_okay=False),
                  help="directory of seed TOML files [default: seeds/]")
    @click.option("--data-path", "data_path", envvar="WIREWATCH_DATA_PATH", type=click.Path(file_okay=False),
                  help="a new shared archive's directory for Parquet and WARC files (recorded in it)")
    @functools.wraps(fn)
    def wrapper(*args, data_path=None, **kwargs):
        if data_path:    # read where a shared archive is opened (archive/shared.py)
            from archive.shared import DATA_PATH_ENV
            os.environ[DATA_PATH_ENV] = os.path.abspath(data_path)
        try:
            return fn(*args, **kwargs)
        except (ArchiveError, SeedError, ValueError) as exc:
            click.echo(f"wirewatch: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", err=True)
            sys.exit(1)
    return wrapper
