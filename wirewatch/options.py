"""Options and error handling shared by every command."""
from __future__ import annotations

import functools
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
                  help="DuckDB archive file [default: data/wirewatch.duckdb]")
    @click.option("--seeds", "seeds_dir", envvar="WIREWATCH_SEEDS", type=click.Path(file_okay=False),
                  help="directory of seed TOML files [default: seeds/]")
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ArchiveError, SeedError, ValueError) as exc:
            click.echo(f"wirewatch: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", err=True)
            sys.exit(1)
    return wrapper
