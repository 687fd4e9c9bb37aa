"""What each command does, in terms of the core packages; printing only."""
from __future__ import annotations

import sys

import click
from rich.console import Console

from archive import queries
from archive.store import Archive
from crawler.seeds import get_seed, load_seeds, seeds_dir as resolve_seeds
from wirewatch.output import print_json, print_rows

SUMMARY = ("new_articles", "new_versions", "unchanged", "not_modified", "gone", "redirected", "blocked", "errors")


def crawl(source, archive_path, seeds_dir, *, mode, all_=False, limit=None, overrides=None) -> None:
    from crawler.runner import crawl_settings, run_once
    from jobs.schedule import schedule_for

    seed = get_seed(source, seeds_dir)
    archive = Archive(archive_path)
    archive.ensure()
    settings = crawl_settings(archive, resolve_seeds(seeds_dir), schedule_for(seed),
                              progress=sys.stderr.isatty(), overrides=overrides)
    run = run_once(seed, settings, mode=mode, all_=all_, limit=limit)
    if not run:
        raise queries.ArchiveError(f"{mode} of {source} did not complete (see the log above)")
    parts = ", ".join(f"{run.get(k) or 0} {k.replace('_', ' ')}" for k in SUMMARY)
    click.echo(f"{source} {run['job']} run {run['run_id']} {run['outcome']}: {run.get('fetches') or 0} fetches; {parts}")
    if run["outcome"] == "failed":
        raise queries.ArchiveError(run.get("error") or "run failed")


def history(ref, archive_path, fmt) -> None:
    with Archive(archive_path).reading() as con:
        art = queries.find_article(con, ref)
        data = queries.history(con, art["article_id"])
    if fmt == "json":
        print_json({"article": art, **data})
        return
    console = Console()
    console.print(f"[bold]{art['article_id']}[/bold] {art['url']}  status={art['status']}  "
                  f"first seen {art['first_seen']:%Y-%m-%d %H:%M}  fetches: "
                  + ", ".join(f"{k} {v}" for k, v in data["fetches"].items()))
    cols = ["version", "captured_at", "title", "classes", "summary"]
    print_rows(cols, [[v[c] for c in cols] for v in data["versions"]], fmt)
    if data["events"]:
        print_rows(["happened_at", "kind", "detail"], [[e["happened_at"], e["kind"], e["detail"]] for e in data["events"]], fmt)


def diff(ref, archive_path, from_v, to_v, by, fmt) -> None:
    from archive import render
    with Archive(archive_path).reading() as con:
        art = queries.find_article(con, ref)
        old, new = queries.version_pair(con, art["article_id"], art["versions"], from_v, to_v)
    by = by or ("char" if (new.get("language") or "")[:2] in ("zh", "ja") else "word")
    empty = dict(new, version=0, title="", byline="", lead="", text="", published_at=None, modified_at=None, tags=[])
    old = old or empty
    if fmt == "json":
        print_json(render.render_json(old, new, by=by))
    elif fmt == "unified":
        sys.stdout.write(render.render_unified(old, new))
    elif fmt == "html":
        sys.stdout.write(render.render_html(old, new, by=by))
    else:
        Console().print(render.render_terminal(old, new, by=by))


def sql(query, archive_path, fmt) -> None:
    with Archive(archive_path).reading() as con:
        columns, rows = queries.run_sql(con, query)
    print_rows(columns, rows, fmt)


def sources(seeds_dir, fmt) -> None:
    seeds = load_seeds(seeds_dir)
    rows = [[s.name, s.title, s.language or "", ", ".join(s.domains), len(s.feeds), len(s.sitemaps), len(s.pages),
             f"{int(s.every.total_seconds())}s", s.path] for s in seeds.values()]
    print_rows(["name", "title", "language", "domains", "feeds", "sitemaps", "pages", "every", "file"], rows, fmt)


def status(archive_path, seeds_dir, fmt) -> None:
    from jobs.status import source_status
    rows = source_status(Archive(archive_path), load_seeds(seeds_dir))
    if fmt == "json":
        print_json(rows)
    else:
        columns = list(rows[0]) if rows else ["source"]
        print_rows(columns, [[r[c] for c in columns] for r in rows], "table")
