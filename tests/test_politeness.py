"""Politeness that lasts (issue 9): robots.txt once per lifetime, AutoThrottle that remembers,
Retry-After pausing the whole source into later crawls, 403/429 backing off, robots-disallowed
URLs left alone. Against wiresim on loopback, with the real daemon where it matters."""
from __future__ import annotations

import json
import re
import signal
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from crawler import politeness
from support import start_daemon, wait_for, write_sim_seed

FAST_RECHECK = ('tiers = [["1h", "2s"]]\nmin_interval = "1s"\nbackoff_after = "1h"\n'
                'max_interval = "1h"\nconfirm_gone_after = "2s"\ngone_interval = "5s"')


@pytest.fixture
def fast_seeds(tmp_path, sim):
    return write_sim_seed(tmp_path / "fast-seeds", sim.base_url, recheck=FAST_RECHECK)


@pytest.fixture
def timed(sim):
    """(monotonic time, method, path, status) of every request the simulator answers."""
    log = []
    record = sim._record

    def timed_record(method, path, status):
        log.append((time.monotonic(), method, path, status))
        record(method, path, status)

    sim._record = timed_record
    return log


def stop_daemon(daemon) -> str:
    daemon.send_signal(signal.SIGTERM)
    try:
        out, _ = daemon.communicate(timeout=40)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0, out[-3000:]
    return out


def is_article(path: str) -> bool:
    return re.fullmatch(r"/[a-z]+/\d+/[a-z0-9-]+", path) is not None


# -- the pieces ------------------------------------------------------------------------------

def test_retry_after_both_forms():
    now = time.time()
    assert politeness.parse_retry_after(b"120") == 120.0
    assert politeness.parse_retry_after(" 7 ") == 7.0
    date = format_datetime(datetime.fromtimestamp(now + 3600, timezone.utc), usegmt=True)
    assert 3598 <= politeness.parse_retry_after(date.encode(), now=now) <= 3601
    past = format_datetime(datetime.fromtimestamp(now - 60, timezone.utc), usegmt=True)
    assert politeness.parse_retry_after(past, now=now) == 0.0
    for junk in (None, b"", b"soon", b"-5", b"Mon, 99 Foo 2020"):
        assert politeness.parse_retry_after(junk) is None


def test_robots_lifetime_is_max_age_within_24h_and_the_floor():
    day = 24 * 3600.0
    assert politeness.robots_ttl(None, min_ttl=300) == day                        # no max-age: 24 h
    assert politeness.robots_ttl(b"public, max-age=7200", min_ttl=300) == 7200     # smaller: honoured
    assert politeness.robots_ttl(b"max-age=999999", min_ttl=300) == day            # never past 24 h
    assert politeness.robots_ttl(b"max-age=30", min_ttl=300) == 300                # the floor
    assert politeness.robots_ttl(b"no-store", min_ttl=0) == 0
    assert politeness.robots_ttl(b"max-age=30", min_ttl=0) == 30


def test_robots_digest_follows_rules_not_bytes():
    a = politeness.robots_digest(b"User-agent: *\nDisallow: /private/\n")
    assert a == politeness.robots_digest(b"# generated 2026-01-01 12:00\nuser-agent:*\n\n  Disallow:  /private/  # keep out\n")
    assert a != politeness.robots_digest(b"User-agent: *\nDisallow: /private/\nDisallow: /world/1\n")
    assert politeness.origin_of("HTTP://Example.COM/a?b") == "http://example.com:80"
    assert politeness.origin_of("https://example.com:8443/") == "https://example.com:8443"
    assert politeness.origin_prefixes("http://example.com:80") == ["http://example.com:80/", "http://example.com/"]
    assert politeness.origin_prefixes("http://127.0.0.1:8765") == ["http://127.0.0.1:8765/"]


def test_deferrals_keep_the_latest_and_expire():
    table = politeness.Deferrals()
    now = datetime.now(timezone.utc)
    table.defer("http://h:80", "src", now + timedelta(seconds=60), "late")
    table.defer("http://h:80", "src", now + timedelta(seconds=10), "early")     # never shortens
    assert table.until(source="src").reason == "late"
    assert table.until(origin="http://h:80").reason == "late"
    assert table.until(source="src", now=now + timedelta(seconds=61)) is None
    assert table.until(origin="http://other:80", source="other") is None
    assert set(table.active()) == {"src"}


# -- robots.txt ------------------------------------------------------------------------------

def test_daemon_asks_for_robots_txt_once_over_ten_recheck_cycles(ww, sim, fast_seeds):
    ww.seeds = fast_seeds
    daemon = start_daemon(ww)
    try:
        assert wait_for(lambda: ww.sql("SELECT count(*) AS n FROM runs WHERE job = 'recheck'")[0]["n"] >= 10, 90)
    finally:
        out = stop_daemon(daemon)
    discoveries = ww.sql("SELECT count(*) AS n FROM runs WHERE job = 'crawl'")[0]["n"]
    assert discoveries >= 3, out[-2000:]
    assert sim.request_count("/robots.txt") == 1, out[-3000:]
    assert not any(p.startswith(("/private", "/_admin")) for _, p, _ in sim.requests)


def test_expired_robots_txt_is_revalidated_and_a_304_renews_it(ww, sim, fast_seeds):
    ww.seeds = fast_seeds
    sim.fault("/robots.txt", "robots", max_age=2)
    daemon = start_daemon(ww, "--set", "WIREWATCH_ROBOTSTXT_MIN_TTL=0")
    try:
        assert wait_for(lambda: sim.request_count("/robots.txt") >= 3, 60)
        time.sleep(1)
    finally:
        out = stop_daemon(daemon)
    robots = [status for _, p, status in sim.requests if p == "/robots.txt"]
    crawls = ww.sql("SELECT count(*) AS n FROM runs")[0]["n"]
    assert robots[0] == 200 and set(robots[1:]) == {304}, robots      # conditional once expired
    assert len(robots) < crawls, (robots, crawls, out[-2000:])          # and only when expired


def test_disallowed_url_is_never_requested(ww, sim):
    ww("crawl", "wiresim")
    aid = sim.article_ids()[2]
    sim.fault("/robots.txt", "robots", disallow=[sim.article(aid).path])
    sim.reset_log()
    ww("recheck", "wiresim", "--all")
    paths = [p for _, p, _ in sim.requests]
    assert paths[0] == "/robots.txt"
    assert not any(f"/{aid}/" in p for p in paths)
    assert sum(is_article(p) for p in paths) == len(sim.article_ids()) - 1


def test_disallowed_is_recorded_and_left_alone_until_robots_txt_changes(ww, sim):
    ww("crawl", "wiresim")
    aid = sim.article_ids()[2]
    sim.fault("/robots.txt", "robots", disallow=[sim.article(aid).path])
    ww("recheck", "wiresim", "--all")
    row = ww.sql(f"SELECT outcome FROM fetches WHERE article_id = 'wiresim:{aid}' ORDER BY fetch_id DESC LIMIT 1")[0]
    assert row["outcome"] == "disallowed"
    art = ww.sql(f"SELECT status, next_check FROM articles WHERE article_id = 'wiresim:{aid}'")[0]
    assert art["status"] == "disallowed" and art["next_check"] is None
    ww("recheck", "wiresim")              # nothing due for it: not even a disallowed fetch
    assert ww.sql(f"SELECT count(*) AS n FROM fetches WHERE article_id = 'wiresim:{aid}'")[0]["n"] == 2
    sim.clear_faults("/robots.txt")       # robots.txt changes: the article is due again
    ww("crawl", "wiresim")
    ww("recheck", "wiresim")
    art = ww.sql(f"SELECT status FROM articles WHERE article_id = 'wiresim:{aid}'")[0]
    assert art["status"] == "live"


# -- AutoThrottle carries over -----------------------------------------------------------------

def test_autothrottle_delay_carries_over_to_the_next_crawl_in_one_process(ww, sim, tmp_path, timed):
    seeds = write_sim_seed(tmp_path / "throttled", sim.base_url, recheck=FAST_RECHECK)
    path = seeds / "wiresim.toml"
    path.write_text(path.read_text().replace("autothrottle = false", "autothrottle = true"))
    ww.seeds = seeds
    ww("crawl", "wiresim")
    time.sleep(2.5)                      # every article due
    sim.fault("*", "slow", seconds=0.6)  # the server is slow: AutoThrottle learns a delay
    timed.clear()
    # one process: discovery (feeds, sitemaps, listing) learns; the re-check after it starts there
    proc = ww("run", "--once", "--set", "AUTOTHROTTLE_TARGET_CONCURRENCY=1")
    assert "carried over from an earlier crawl" in proc.stderr
    articles = [t for t, _, p, _ in timed if is_article(p)]
    assert len(articles) >= len(sim.article_ids())
    gaps = [b - a for a, b in zip(articles, articles[1:])]
    # a fresh crawl would start at delay 0 and send all of them at once (a learned 0.6 s, jittered)
    assert min(gaps[:3]) >= 0.25, gaps


# -- 403 and 429 back off -----------------------------------------------------------------------

def test_403_doubles_the_delay_and_successes_halve_it(ww, sim, timed):
    ww("crawl", "wiresim")
    sim.fault("*", "403", count=4)      # robots.txt and the first three articles
    timed.clear()
    proc = ww("recheck", "wiresim", "--all", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
              "--set", "WIREWATCH_BACKOFF_START=0.2")
    steps = [(float(a), float(b)) for a, b in re.findall(r"HTTP \d+, backoff ([\d.]+) s -> ([\d.]+) s", proc.stderr)]
    assert [b for _, b in steps] == [0.2, 0.4, 0.8, 1.6, 0.8, 0.4, 0.2, 0.0], proc.stderr[-3000:]
    times = [t for t, *_ in timed]
    statuses = [s for *_, s in timed]
    assert statuses[:4] == [403] * 4
    gaps = [b - a for a, b in zip(times, times[1:])]
    for i, delay in enumerate([0.2, 0.4, 0.8, 1.6]):      # each request waited its slot's delay
        assert gaps[i] >= delay * 0.45, (i, gaps)          # (Scrapy's jitter: 0.5 to 1.5 times it)


def test_429_without_retry_after_backs_off_and_is_retried(ww, sim, timed):
    ww("crawl", "wiresim")
    aid = sim.article_ids()[0]
    sim.fault(aid, "429", count=1)
    timed.clear()
    proc = ww("recheck", "wiresim", "--all", "--set", "WIREWATCH_BACKOFF_START=0.3",
              "--set", "RETRY_BACKOFF_BASE=0.05")
    assert "HTTP 429, backoff 0.00 s -> 0.30 s" in proc.stderr
    mine = [s for _, _, p, s in timed if f"/{aid}/" in p]
    assert mine == [429, 304]           # retried (conditionally), after the backoff


# -- Retry-After pauses the whole source --------------------------------------------------------

@pytest.mark.parametrize("form", ["delta", "date"])
def test_long_retry_after_defers_the_source_in_the_daemon_and_status_shows_it(ww, sim, fast_seeds, timed, form):
    ww.seeds = fast_seeds
    ww("crawl", "wiresim")
    aid = sim.article_ids()[0]
    sim.fault(aid, "429", count=1, retry_after=600, http_date=form == "date")
    daemon = start_daemon(ww)
    try:
        assert wait_for(lambda: any(s == 429 for *_, s in timed), 60)
        hit = next(t for t, *_, s in timed if s == 429)
        asked = datetime.now(timezone.utc)
        # several discovery (2 s) and re-check (1 s) cycles later: not one request more
        time.sleep(8)
        later = [(round(t - hit, 2), p) for t, _, p, _ in timed if t > hit + 1.0]
        assert later == []
        status = json.loads(ww("status", "--format", "json").stdout)[0]
    finally:
        out = stop_daemon(daemon)
    until = datetime.fromisoformat(status["deferred_until"])
    assert timedelta(seconds=580) < until - asked <= timedelta(seconds=601), status
    assert status["deferred_by"] == "Retry-After"
    assert datetime.fromisoformat(status["next_recheck"]) >= until
    assert "deferred until" in out and "is skipped" in out


def test_short_retry_after_holds_every_request_then_resumes(ww, sim, fast_seeds, timed):
    ww.seeds = fast_seeds
    ww("crawl", "wiresim")
    sim.fault("/rss.xml", "503", count=1, retry_after=5)
    daemon = start_daemon(ww)
    try:
        assert wait_for(lambda: any(s == 503 for *_, s in timed), 60)
        hit = next(t for t, *_, s in timed if s == 503)
        assert wait_for(lambda: any(t > hit + 5 for t, *_ in timed), 30)
        time.sleep(2)
    finally:
        out = stop_daemon(daemon)
    early = [(round(t - hit, 2), p) for t, _, p, _ in timed if hit + 0.5 < t < hit + 4.8]
    assert early == [], out[-2000:]
    retried = [s for t, _, p, s in timed if p == "/rss.xml" and t > hit]
    assert retried and retried[0] == 200           # the same request, retried after the pause
