"""What each command does, in terms of the core packages; printing only."""
from __future__ import annotations

import json
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
    settings = crawl_settings(archive, resolve_seeds(seeds_dir), schedule_for,
                              progress=sys.stderr.isatty(), overrides=overrides)
    with _source_lease(archive, seed.name):
        keys = None
        if mode == "recheck" and not all_:
            from jobs.recheck import select_recheck
            keys = select_recheck(archive, [seed], total_budget=limit, per_source=limit or 10**9)[seed.name]
            if not keys:
                click.echo(f"{source}: nothing is due")
                return
        run = run_once(seed, settings, mode=mode, all_=all_, limit=limit, keys=keys)
    if not run:
        raise queries.ArchiveError(f"{mode} of {source} did not complete (see the log above)")
    parts = ", ".join(f"{run.get(k) or 0} {k.replace('_', ' ')}" for k in SUMMARY)
    click.echo(f"{source} {run['job']} run {run['run_id']} {run['outcome']}: {run.get('fetches') or 0} fetches; {parts}")
    if run["outcome"] == "failed":
        raise queries.ArchiveError(run.get("error") or "run failed")


def _source_lease(archive, source: str):
    """On a shared archive workers may be crawling the source: take its lease as they do."""
    import contextlib
    if not archive.shared:
        return contextlib.nullcontext()
    from jobs.leases import holding
    return holding(archive, f"source:{source}", archive.worker_id)


def run(archive_path, seeds_dir, *, once, recheck_every, discover_every, maintenance_every, jitter, budget,
        stop_after, overrides) -> None:
    import logging

    from crawler.runner import crawl_settings
    from crawler.seeds import parse_duration
    from jobs.daemon import DaemonConfig, run_daemon
    from jobs.schedule import policy_for, schedule_for

    seeds = load_seeds(seeds_dir)
    if not seeds:
        raise ValueError(f"no seeds in {resolve_seeds(seeds_dir)}")
    for seed in seeds.values():
        policy_for(seed)  # refuse a bad [recheck] table before starting anything
    archive = Archive(archive_path)
    archive.ensure()
    config = DaemonConfig(recheck_every=parse_duration(recheck_every), maintenance_every=parse_duration(maintenance_every),
                          jitter_s=jitter, total_budget=budget, once=once, stop_after=stop_after,
                          discover_every={n: parse_duration(discover_every) for n in seeds} if discover_every else {})
    settings = crawl_settings(archive, resolve_seeds(seeds_dir), schedule_for, overrides=overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    for noisy in ("scrapy", "apscheduler", "twisted", "py.warnings"):  # our daemon log says what each job did
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from jobs.lock import DaemonLock
    if archive.shared:       # many workers share it: they lease sources and jobs (jobs/leases.py)
        run_daemon(archive, seeds, settings, config)
        return
    with DaemonLock(archive.path):
        run_daemon(archive, seeds, settings, config)


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
    empty = dict(new, version=0, title="", headlines={}, byline="", lead="", text="", published_at=None,
                 modified_at=None, tags=[])
    old = old or empty
    if fmt == "json":
        print_json(render.render_json(old, new, by=by))
    elif fmt == "unified":
        sys.stdout.write(render.render_unified(old, new))
    elif fmt == "html":
        sys.stdout.write(render.render_html(old, new, by=by))
    else:
        tty = sys.stdout.isatty()
        Console(width=None if tty else 120).print(render.render_terminal(old, new, by=by, markers=not tty))


def sql(query, archive_path, fmt) -> None:
    with Archive(archive_path).reading() as con:
        columns, rows = queries.run_sql(con, query)
    print_rows(columns, rows, fmt)


def sources(seeds_dir, fmt, source=None) -> None:
    from crawler.seedcheck import discovery_methods
    seeds = [get_seed(source, seeds_dir)] if source else load_seeds(seeds_dir).values()
    counts = fmt != "table"     # the discovery column says as much; kept as numbers for scripts
    cols = ["name", "title", "language", "domains", "discovery", *(("feeds", "sitemaps", "pages") if counts else ()),
            "every", "examples", "file"]
    rows = [[s.name, s.title, ", ".join(s.languages), ", ".join(s.domains), discovery_methods(s),
             *((len(s.feeds), len(s.sitemaps), len(s.pages)) if counts else ()),
             f"{int(s.every.total_seconds())}s", len(s.examples), s.path] for s in seeds]
    print_rows(cols, rows, fmt)


def check_sources(seeds_dir, source, fmt) -> None:
    from crawler.seedcheck import check_directory
    from jobs.schedule import policy_for
    reports = check_directory(seeds_dir, source, recheck=policy_for)
    print_rows(["source", "result", "details", "file"],
               [[r.name, "ok" if r.ok else "FAILED", r.summary(), r.path] for r in reports], fmt)
    failed = [r.name for r in reports if not r.ok]
    if failed:
        raise ValueError(f"{len(failed)} of {len(reports)} seeds failed the check: {', '.join(failed)}")


def extract_saved(file, source, seeds_dir, *, url, links, fmt) -> None:
    from pathlib import Path

    from crawler import savedpage
    seed = get_seed(source, seeds_dir)
    body = Path(file).read_bytes()
    url = url or savedpage.declared_url(body)
    if not url:
        raise ValueError(f"{file}: the page names no canonical URL or og:url; give --url")
    if links:
        found = savedpage.page_articles(body, url, seed)
        if fmt == "json":
            print_json([vars(a) for a in found])
        else:
            print_rows(["id", "url", "text"], [[a.id, a.url, a.text] for a in found])
            click.echo(f"{len(found)} articles on {url} for {source}")
        return
    snap = savedpage.extract_page(body, url, seed)
    fields = ("url", "quality", "quality_reason", "title", "headlines", "byline", "published_at", "modified_at",
              "language", "tags", "canonical_url", "lead", "extractor")
    if fmt == "json":
        print_json({**{f: getattr(snap, f) for f in fields}, "text": snap.text})
        return
    for name in fields:
        value = getattr(snap, name)
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, (list, tuple)):
            value = ", ".join(value)
        click.echo(f"{name}: {value or ''}")
    click.echo("")
    click.echo(snap.text or "")


def status(archive_path, seeds_dir, fmt, workers=False) -> None:
    from jobs.status import source_status, worker_status
    if workers:
        rows = worker_status(Archive(archive_path))
        cols = ["worker_id", "host", "pid", "alive", "heartbeat_at", "started_at", "stopped_at", "leases",
                "lease_expires_at"]
        if fmt == "json":
            print_json(rows)
        else:
            print_rows(cols, [[r[c] if c != "leases" else " ".join(r[c]) for c in cols] for r in rows])
        return
    rows = source_status(Archive(archive_path), load_seeds(seeds_dir))
    if fmt == "json":
        print_json(rows)
    elif rows:  # one column per source reads better than sixteen columns per row
        fields = [c for c in rows[0] if c != "source"]
        print_rows(["", *(r["source"] for r in rows)], [[f.replace("_", " "), *(r[f] for r in rows)] for f in fields])


def noise(source, entry, archive_path, fmt) -> None:
    archive = Archive(archive_path)
    if entry is not None:
        removed = archive.forget_noise(source, entry)
        if not removed:
            raise queries.NotFound(f"{source}: nothing learned matches {entry!r} (see `wirewatch noise {source}`)")
        click.echo(f"{source}: forgot {entry!r} ({removed} evidence rows)")
        return
    cols = ["text", "kind", "learned", "articles", "evidence", "first_seen", "last_seen", "key"]
    rows = archive.noise_listing(source)
    if fmt == "json":
        print_json([{c: r[c] for c in cols} for r in rows])
        return
    print_rows(cols, [[r[c] for c in cols] for r in rows], fmt)


def migrate(archive_path, target, fmt) -> None:
    from archive.migrate import migrate as copy_archive
    from archive.shared import is_shared
    if not is_shared(target):
        raise ValueError(f"--to must be a PostgreSQL URL (postgresql://…), not {target!r}")
    report = copy_archive(Archive(archive_path), Archive(target))
    rows = [{"table": t.table, "rows": t.rows, "copied": t.copied, "hash": f"{t.source_hash & (2**64 - 1):016x}",
             "verified": "yes" if t.ok else "NO"} for t in report.tables]
    if fmt == "json":
        print_json({"tables": rows, "warc_files": report.warc_files, "warc_bytes": report.warc_bytes, "ok": report.ok})
    else:
        print_rows(list(rows[0]) if rows else ["table"], [list(r.values()) for r in rows], fmt=fmt)
        click.echo(f"{report.warc_files} WARC files ({report.warc_bytes:,} bytes) copied")
    if not report.ok:
        bad = ", ".join(t.table for t in report.tables if not t.ok)
        raise queries.ArchiveError(f"the copy does not match the original in: {bad}")
