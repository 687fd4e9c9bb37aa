"""Every shipped agency seed, unchanged, crawled against its wiresim persona.

One `wirewatch run` daemon (the real scheduler, Scrapy and archive) crawls all personas at once:
each persona is a real HTTP server on 127.0.0.1 serving its agency's hosts, URL and id scheme,
markup, charset, feeds and quirks, and crawler/hostmap.py routes the seed's real hosts there
(WIREWATCH_HOST_MAP), so the seeds' patterns and ids are exercised exactly as shipped. Only the
pace is a test's: the seeds' politeness delays are overridden on the command line (--set, above
the seeds' own [crawl]) and the re-check policy is support.fast_recheck_schedule.

On every persona a timeline edits a figure, a headline and the text, moves a story to a new URL
(slug, or section where the URLs carry no slug), and pulls one; one story stays untouched. The
daemon runs until the simulators have answered enough requests for every change to be seen and
confirmed; then every edit must be exactly one new version, the moved story the same article,
the pulled one gone, the untouched one a single version, and no challenge page a version.
"""
from __future__ import annotations

import shutil
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from support import ROOT, Wirewatch, start_daemon
from wiresim.personas import PERSONAS
from wiresim.personas.fleet import Fleet

NAMES = sorted(n for n in PERSONAS if (ROOT / "seeds" / f"{n}.toml").is_file())
ARTICLES = 6
ROLES = ("number", "headline", "text", "moved", "pulled", "quiet")
# The test's pace, above the seeds' [crawl] (command-line settings outrank a spider's): no delay
# between requests, a 403 backoff that starts at 0.2 s and stops at 2 s (DataDome's 403s would
# otherwise slow Reuters to one request every several seconds), every article due again a second
# after each look. Discovery runs once, at the start (here re-checks never stop, and a discovery
# would wait for each: tests/test_daemon_locks.py); the daemon's own cadence is not under test.
SETTINGS = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_START_DELAY=0",
            "--set", "WIREWATCH_BACKOFF_START=0.2", "--set", "WIREWATCH_BACKOFF_MAX=2",
            "--set", "WIREWATCH_SCHEDULE=support.fast_recheck_schedule"]
PACE = ["--discover-every", "10m", *SETTINGS]
# Seeds whose id is the URL's slug (no id in the URL at all): a new slug is a new id by the
# seed's own definition, so only the redirect can tell the archive it is the same story.
ID_IS_SLUG = {"reuters"}


@dataclass
class Story:
    aid: str
    url: str                  # where it was first published
    key: str                  # the id the seed reads from that URL
    final_url: str = ""
    headline: str = ""        # after the timeline
    before: list = field(default_factory=list)      # paragraphs before the timeline
    paragraphs: list = field(default_factory=list)  # and after


@dataclass
class Crawl:
    stories: dict             # persona -> role -> Story
    seeds: dict               # persona -> Seed
    articles: dict            # article_id -> row
    versions: dict            # article_id -> [row, ...] in order
    fetches: list
    events: list
    requests: dict            # persona -> [(method, path, status)]
    hosts_seen: dict          # persona -> {Host header: requests}
    quirks: dict              # persona -> what its quirks counted
    warc_uris: set            # every WARC-Target-URI written
    daemon_log: str


def seed_of(name: str):
    from crawler.seeds import load_seed
    return load_seed(ROOT / "seeds" / f"{name}.toml")


def answers(sim, since: int = 0) -> Counter:
    """{(article id, status): how many} over what the simulator answered since entry `since` of
    its request log; a story counts at any of its URLs. The one pass a poll makes per simulator."""
    return Counter((sim.site.article_id(*target.partition("?")[::2]), status)
                   for _, target, status in sim.requests[since:])


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def unsettled(fleet, plans, marks) -> list[str]:
    """The stories whose change is not yet seen and confirmed and checked quietly after, counted
    in what the simulators answered (so a DataDome challenge, 401/403, is not a look): a pulled
    one needs two 404s, an edited or moved one three full or not-modified answers (the change
    seen, confirmed, and a quiet look after), the quiet one two more quiet looks."""
    waiting = []
    for name, sim in fleet.sims.items():
        counts = answers(sim, marks[name])
        for role, story in plans[name].items():
            statuses, needed = {"pulled": ((404,), 2), "quiet": ((200, 304), 2)}.get(
                role, ((200, 304), 3))
            seen = sum(counts[story.aid, status] for status in statuses)
            if seen < needed:
                waiting.append(f"{name} {role}: {seen} of {needed} answers {statuses}")
    return waiting


def apply_timeline(name: str, sim, plan: dict) -> None:
    """The changes, on the simulator's own timeline (real time, a fraction of a second apart)."""
    steps = [(0.1, "edit", plan["number"].aid, "number"),
             (0.2, "edit", plan["headline"].aid, "headline"),
             (0.3, "edit", plan["text"].aid, "add_paragraph"),
             (0.5, "pull", plan["pulled"].aid, 404)]
    if PERSONAS[name].moves is not None:
        steps.append((0.4, "move", plan["moved"].aid))
    for timer in sim.run_timeline(steps):
        timer.join(5)
    assert not sim.errors, sim.errors


def run_crawl(tmp: Path) -> Crawl:
    """Every persona, the daemon crawling them all with the shipped seeds, the timeline of
    changes, and what the archive and the simulators hold afterwards."""
    seeds_dir = tmp / "seeds"
    seeds_dir.mkdir()
    for name in NAMES:          # byte for byte: the shipped seeds, not test copies of them
        shutil.copyfile(ROOT / "seeds" / f"{name}.toml", seeds_dir / f"{name}.toml")
    ww = Wirewatch(tmp / "archive.duckdb", seeds_dir)
    seeds = {name: seed_of(name) for name in NAMES}
    with Fleet(NAMES, articles=ARTICLES, seed=7) as fleet:
        plans = {}
        for name, sim in fleet.sims.items():
            ids = sim.article_ids()
            plans[name] = {role: Story(aid, sim.article_url(aid), seeds[name].article_key(
                sim.article_url(aid))) for role, aid in zip(ROLES, ids)}
        env = {"WIREWATCH_HOST_MAP": fleet.host_map_json(), "PYTHONPATH": str(ROOT / "tests")}
        daemon = start_daemon(ww, *PACE, env=env)
        failure = None
        try:
            # first captures of every story, then the changes
            deadline = time.monotonic() + 60
            while not all(answers(sim)[s.aid, 200] >= 1
                          for name, sim in fleet.sims.items() for s in plans[name].values()):
                assert daemon.poll() is None and time.monotonic() < deadline, \
                    "first captures not made in time"
                time.sleep(0.5)
            marks = {name: len(sim.requests) for name, sim in fleet.sims.items()}
            for name, sim in fleet.sims.items():
                for story in plans[name].values():
                    story.before = list(sim.article(story.aid).paragraphs)
                apply_timeline(name, sim, plans[name])
                for story in plans[name].values():
                    a = sim.article(story.aid)
                    story.final_url = sim.article_url(story.aid)
                    story.headline, story.paragraphs = a.headline, list(a.paragraphs)
            deadline = time.monotonic() + 60
            while waiting := unsettled(fleet, plans, marks):
                assert daemon.poll() is None and time.monotonic() < deadline, \
                    f"changes not seen in time: {waiting}"
                time.sleep(0.5)
        except AssertionError as exc:
            failure = exc
        finally:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
            log, _ = daemon.communicate(timeout=60)
        if failure is not None:
            raise AssertionError(f"{failure}\n--- the daemon's log, its end ---\n{log[-8000:]}")
        # Where the seed's id is the slug, one more discovery after the move: it reads the new URL
        # in the sitemap (a_moved_story_stays_the_same_article).
        for name in sorted(ID_IS_SLUG & set(NAMES)):
            ww("crawl", name, *SETTINGS, env=env)
        requests = {name: list(sim.requests) for name, sim in fleet.sims.items()}
        hosts_seen = {name: dict(sim.site.hosts_seen) for name, sim in fleet.sims.items()}
        quirks = {name: {q: dict(v) for q, v in sim.site.quirk_state.items()}
                  for name, sim in fleet.sims.items()}
    con = duckdb.connect(str(ww.archive), read_only=True)
    try:
        def rows(sql):
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        articles = {r["article_id"]: r for r in rows("SELECT * FROM articles")}
        versions: dict = {}
        for r in rows("SELECT * FROM versions ORDER BY article_id, version"):
            versions.setdefault(r["article_id"], []).append(r)
        fetches = rows("SELECT source, f.* FROM fetches f JOIN articles USING (article_id)")
        events = rows("SELECT * FROM events")
    finally:
        con.close()
    from warcio.archiveiterator import ArchiveIterator
    uris = set()
    for path in tmp.rglob("*.warc.gz"):
        with open(path, "rb") as stream:
            uris |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                     if r.rec_headers.get_header("WARC-Target-URI")}
    return Crawl(plans, seeds, articles, versions, fetches, events, requests, hosts_seen, quirks,
                 uris, log)


def aid(name: str, story: Story) -> str:
    return f"{name}:{story.key}"


def moved_twin(crawl, name: str) -> str | None:
    """A second article for the moved story: where the seed's id is the slug (Reuters), the new
    URL has another id, and discovery files it as a new story (a_moved_story_stays_...)."""
    story = crawl.stories[name]["moved"]
    twin = f"{name}:{crawl.seeds[name].article_key(story.final_url)}"
    return twin if twin != aid(name, story) and twin in crawl.articles else None


def every_story_is_one_article_under_the_seeds_id(crawl, name):
    plan = crawl.stories[name]
    assert all(s.key for s in plan.values()), f"{name}: the seed's pattern misses the persona's URLs"
    mine = {k for k, r in crawl.articles.items() if r["source"] == name} - {moved_twin(crawl, name)}
    assert mine == {aid(name, s) for s in plan.values()}, crawl.daemon_log[-3000:]


def every_edit_is_exactly_one_new_version(crawl, name):
    plan = crawl.stories[name]
    for role in ("number", "headline", "text"):
        got = crawl.versions.get(aid(name, plan[role]), [])
        assert len(got) == 2, (role, [v["title"] for v in got])
    headline = crawl.versions[aid(name, plan["headline"])]
    assert headline[1]["title"] == plan["headline"].headline != headline[0]["title"]
    for role in ("number", "text"):      # the changed paragraph is in version 2, not in 1
        story = plan[role]
        v1, v2 = (v["text"] for v in crawl.versions[aid(name, story)])
        new = [p for p in story.paragraphs if p not in story.before]
        assert new, role
        assert all(squash(p) in squash(v2) and squash(p) not in squash(v1) for p in new), role


def squash(text: str) -> str:
    return " ".join(text.split())


def quiet_stories_make_no_spurious_version(crawl, name):
    plan = crawl.stories[name]
    quiet = [plan["quiet"]] + ([plan["moved"]] if PERSONAS[name].moves is None else [])
    for story in quiet:
        assert len(crawl.versions[aid(name, story)]) == 1
    looks = [f for f in crawl.fetches if f["article_id"] == aid(name, plan["quiet"])]
    assert len(looks) >= 3       # the first capture, and at least two quiet re-checks


def a_moved_story_stays_the_same_article(crawl, name):
    if PERSONAS[name].moves is None:
        return              # Xinhua, Yonhap: nothing in their URLs can change
    story = crawl.stories[name]["moved"]
    assert story.final_url != story.url
    row = crawl.articles[aid(name, story)]
    # where the seed's id is the slug (Reuters), discovery then lists the new URL under another
    # id: it is the article the archive followed there, not a second one
    assert moved_twin(crawl, name) is None
    assert row["status"] == "live" and len(crawl.versions[aid(name, story)]) == 1
    if name not in ID_IS_SLUG:     # else the new URL reads as another id: kept by its URL (above)
        assert crawl.seeds[name].article_key(story.final_url) == story.key
    if PERSONAS[name].moved == "redirect":
        # the old URL answered 301, and the archive follows the story to its new URL
        assert any(p == local_path(story.url) and s == 301 for _, p, s in crawl.requests[name])
        assert row["url"] == story.final_url


def a_pulled_story_goes_missing_then_gone(crawl, name):
    story = crawl.stories[name]["pulled"]
    row = crawl.articles[aid(name, story)]
    assert row["status"] == "gone"
    events = [e for e in crawl.events if e["article_id"] == aid(name, story)]
    # one "gone" event, made when a later fetch confirmed the first 404 (the article was
    # "missing" in between: jobs/policy.py)
    assert [e["kind"] for e in events] == ["gone"]
    assert events[0]["detail"].startswith("HTTP 404, confirmed after")
    outcomes = [f["outcome"] for f in crawl.fetches if f["article_id"] == aid(name, story)
                and f["http_status"] == 404]
    assert len(outcomes) >= 2
    assert len(crawl.versions[aid(name, story)]) == 1


def no_challenge_page_is_ever_a_version(crawl):
    challenged = [s for _, _, s in crawl.requests["reuters"] if s in (401, 403)]
    assert challenged, "DataDome never challenged"
    refused = [f for f in crawl.fetches if f["source"] == "reuters" and f["outcome"] in
               ("blocked", "error")]
    assert refused and all(f["version"] is None for f in refused)
    # each challenge is recorded with the status it came with (a 401 was an HttpError, status lost)
    assert sorted({f["http_status"] for f in refused}) == sorted(set(challenged))
    for versions in crawl.versions.values():
        for v in versions:
            assert "enable JS" not in (v["text"] or "") and "StormWall" not in (v["text"] or "")


def the_persona_quirks_were_met_on_the_way(crawl):
    # TASS: discovery ran once, and its feed answered with the JavaScript redirect page: every
    # story was found on the homepage (the seed's fallback) and archived all the same
    assert [p for _, p, _ in crawl.requests["tass"] if p == "/rss/v2.xml"] == ["/rss/v2.xml"]
    assert crawl.quirks["tass"]["js_redirect"] == {"served": 1}
    assert sum(r["versions"] >= 1 for r in crawl.articles.values() if r["source"] == "tass") == ARTICLES
    # tass.ru: the honest User-Agent passed StormWall (a default one gets 403:
    # tests/simulator/test_personas.py)
    assert not any(s == 403 for _, _, s in crawl.requests["tass_ru"])
    # robots.txt asked for on every persona
    for name in NAMES:
        assert any(p == "/robots.txt" for _, p, _ in crawl.requests[name]), name


def the_crawler_saw_only_the_real_hosts(crawl):
    """Routed to 127.0.0.1, yet every request said the real host, and the archive and the WARC
    files record the real URLs."""
    for name in NAMES:
        assert crawl.hosts_seen[name] and set(crawl.hosts_seen[name]) <= set(PERSONAS[name].hosts)
    assert crawl.warc_uris and crawl.fetches
    for url in [*crawl.warc_uris, *(f["url"] for f in crawl.fetches),
                *(a["url"] for a in crawl.articles.values())]:
        host = urlsplit(url).hostname
        assert host != "127.0.0.1" and any(host in PERSONAS[n].hosts for n in NAMES), url


PER_PERSONA = (every_story_is_one_article_under_the_seeds_id, every_edit_is_exactly_one_new_version,
               quiet_stories_make_no_spurious_version, a_moved_story_stays_the_same_article,
               a_pulled_story_goes_missing_then_gone)
WHOLE_CRAWL = (no_challenge_page_is_ever_a_version, the_persona_quirks_were_met_on_the_way,
               the_crawler_saw_only_the_real_hosts)


def test_every_agency_seed_against_its_persona(tmp_path, subtests):
    """One crawl of every persona (the expensive part: one test, so pytest-xdist never runs it
    twice), then each check per persona as a subtest of its own."""
    crawl = run_crawl(tmp_path)
    for name in NAMES:
        for check in PER_PERSONA:
            with subtests.test(msg=check.__name__, persona=name):
                check(crawl, name)
    for check in WHOLE_CRAWL:
        with subtests.test(msg=check.__name__):
            check(crawl)


def test_host_map_is_off_unless_set_and_only_reaches_loopback(monkeypatch):
    from scrapy.exceptions import NotConfigured
    from scrapy.settings import Settings

    from crawler.hostmap import HANDLER, HostMapAddon, parse_host_map
    monkeypatch.delenv("WIREWATCH_HOST_MAP", raising=False)
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    with pytest.raises(NotConfigured):       # production: Scrapy's own download handlers
        HostMapAddon().update_settings(settings)
    assert HANDLER not in settings.getwithbase("DOWNLOAD_HANDLERS").values()
    monkeypatch.setenv("WIREWATCH_HOST_MAP", '{"tass.com": "127.0.0.1:8765"}')
    HostMapAddon().update_settings(settings)
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == HANDLER
    assert settings.getdict("WIREWATCH_HOST_MAP") == {"tass.com": "127.0.0.1:8765"}
    for bad in ['{"tass.com": "10.0.0.5:80"}', '{"tass.com": "example.org:80"}', "tass.com=1",
                '["127.0.0.1:1"]']:
        with pytest.raises(ValueError):
            parse_host_map(bad)
