"""Seeds are validated whole; discovery parses real feeds, sitemaps and agency pages."""
from __future__ import annotations



import pytest

from support import CORPUS, ROOT
from crawler.discovery import feed_entries, sitemap_entries
from crawler.seedcheck import check_directory, check_seed, discovery_methods
from crawler.seeds import SeedError, load_seed, load_seeds, parse_duration, parse_seed

FEEDS = CORPUS / "feeds"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")

GOOD = {
    "name": "agency", "domains": ["agency.example"],
    "discover": {"feeds": ["https://agency.example/rss"], "every": "5m"},
    "article": {"pattern": r"^https://agency\.example/news/\d+", "id": r"/news/(\d+)"},
}


def with_(path: str, value):
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in GOOD.items()}
    *parents, leaf = path.split(".")
    target = data
    for p in parents:
        target = target[p]
    if value is None:
        target.pop(leaf)
    else:
        target[leaf] = value
    return data


AGENCIES = {"tass", "tass_ru", "ria", "interfax", "interfax_ua", "xinhua", "xinhua_es", "ap", "reuters", "anadolu",
            "yonhap", "kyodo", "unian", "ukrinform", "sputnik", "prensa_latina"}


def test_bundled_seeds_load():
    seeds = load_seeds(ROOT / "seeds")
    assert set(seeds) == AGENCIES | {"wiresim"}
    tass = seeds["tass"]
    assert tass.feeds == ("https://tass.com/rss/v2.xml",)
    assert tass.article_key("https://tass.com/politics/995053") == "995053"
    assert tass.article_key("http://tass.com/politics/995053") == "995053"
    assert tass.article_key("https://tass.com/politics") is None
    assert seeds["unian"].languages == ("ru", "uk") and seeds["unian"].language == "ru"
    assert seeds["kyodo"].timezone == "Asia/Tokyo" and seeds["tass"].timezone is None
    for name in AGENCIES:      # a production site is asked politely: AutoThrottle on, >= 1 s apart, <= 2 at once
        crawl = seeds[name].scrapy_settings()
        assert crawl["AUTOTHROTTLE_ENABLED"] is True, name
        assert crawl["DOWNLOAD_DELAY"] >= 1 and crawl["CONCURRENT_REQUESTS_PER_DOMAIN"] <= 2, name


def test_every_bundled_seed_passes_its_own_check():
    from jobs.schedule import policy_for
    reports = check_directory(ROOT / "seeds", recheck=policy_for)
    assert {r.name for r in reports} == AGENCIES | {"wiresim"}
    assert [(r.name, r.problems) for r in reports if not r.ok] == []
    assert all(len(r.seed.examples) >= 2 for r in reports)


def test_an_id_may_come_from_either_of_two_url_schemes():
    unian = load_seed(ROOT / "seeds" / "unian.toml")     # 2018 <id>-<slug>.html, 2020 <slug>-<id>.html
    assert unian.article_key("https://www.unian.net/politics/10045286-savchenko-nazvala-nomer-svoego-telefona.html") == "10045286"
    assert unian.article_key("https://www.unian.ua/world/zbittya-mh17-sud-perenesli-na-listopad-novini-svitu-11162735.html") == "11162735"
    # a slug ending in a short number ("...-2020-...") does not hide the id
    assert unian.article_key("https://www.unian.ua/lite/style/odyag-nazvaniy-modniy-zhaket-na-osin-2020-11162690.html") == "11162690"


@pytest.mark.parametrize("path,value,field,reason", [
    ("name", None, "name", "missing"),
    ("name", "Bad Name", "name", "lowercase"),
    ("domains", [], "domains", "non-empty"),
    ("discover.feeds", ["ftp://agency.example/rss"], "discover.feeds", "absolute http"),
    ("discover.feeds", ["https://elsewhere.example/rss"], "discover.feeds", "outside the seed's domains"),
    ("discover.feeds", [], "discover", "at least one"),
    ("discover.every", "soon", "discover.every", "bad duration"),
    ("article.pattern", "([", "article.pattern", "invalid regular expression"),
    ("article.id", r"/news/\d+", "article.id", "capture group"),
    ("article.drop", ["div[["], "article.drop", "invalid CSS selector"),
    ("recheck", "often", "recheck", "must be a table"),
    ("crawl", {"speed": 3}, "crawl.speed", "unknown field"),
    ("language", 7, "language", "language tag"),
    ("language", ["en", "English"], "language", "'English' is not a language tag"),
    ("article.examples", "https://agency.example/news/1", "article.examples", "list of URL strings"),
    ("article.examples", ["/news/1"], "article.examples", "absolute http"),
    ("article.not_examples", [3], "article.not_examples", "list of URL strings"),
    ("article.same_id", ["https://agency.example/news/1"], "article.same_id", "list of lists"),
    ("article.same_id", [["https://agency.example/news/1"]], "article.same_id", "at least two"),
    ("article.timezone", "Japan Standard Time", "article.timezone", "unknown time zone"),
    ("article.example", ["https://agency.example/news/1"], "article.example", "unknown field"),
])
def test_bad_seed_names_file_field_and_reason(path, value, field, reason):
    parse_seed(GOOD, "seeds/agency.toml")
    with pytest.raises(SeedError) as err:
        parse_seed(with_(path, value), "seeds/agency.toml")
    assert err.value.field == field and reason in err.value.reason
    assert str(err.value).startswith("seeds/agency.toml: ")


def test_a_broken_file_never_half_loads(tmp_path):
    (tmp_path / "good.toml").write_text((ROOT / "seeds" / "tass.toml").read_text().replace('"tass"', '"good"', 1))
    (tmp_path / "bad.toml").write_text("name = 'bad'\n[discover\n")
    with pytest.raises(SeedError) as err:
        load_seeds(tmp_path)
    assert "bad.toml" in str(err.value) and "(toml)" in str(err.value)
    (tmp_path / "bad.toml").write_text((ROOT / "seeds" / "tass.toml").read_text())
    with pytest.raises(SeedError, match="must match the file name"):
        load_seed(tmp_path / "bad.toml")


def test_durations():
    assert parse_duration("90s").total_seconds() == 90
    assert parse_duration("1h30m").total_seconds() == 5400
    for bad in ("", "10", "-5m", "5 parsecs", 10):
        with pytest.raises(ValueError):
            parse_duration(bad)


@needs_corpus
def test_real_feeds_give_links_and_times():
    reuters = feed_entries((FEEDS / "embedded_in_test_code/jameslawler_react-native-rss-parser__reuters.xml").read_bytes(),
                           "http://feeds.reuters.com/reuters/worldNews")
    assert len(reuters) >= 10 and all(u.startswith("http") for u, _ in reuters)
    assert all(t is not None and t.tzinfo for _, t in reuters)
    unian = feed_entries((FEEDS / "ua_news_agencies_rss__Tehtehteh_data-import/stub_unian_rss.xml").read_bytes(),
                         "https://www.unian.net/")
    assert unian and all("unian" in u for u, _ in unian)
    atom = feed_entries((FEEDS / "trafilatura_resources/feed1.atom").read_bytes(), "https://example.org/")
    assert atom
    assert all("#" not in u for u, _ in reuters + unian + atom)   # fragments never make new articles


@needs_corpus
def test_real_sitemaps_index_gzip_and_lastmod():
    kind, entries = sitemap_entries((FEEDS / "trafilatura_resources/sitemap2.xml").read_bytes())
    assert kind == "sitemapindex" and entries and all(u.startswith("http") for u, _ in entries)
    kind, entries = sitemap_entries((FEEDS / "trafilatura_resources/sitemap.xml.gz").read_bytes())
    assert kind == "urlset" and entries
    kind, entries = sitemap_entries((FEEDS / "crawler-commons/sitemaps/extension/shinpaideshou-news-sitemap.xml").read_bytes())
    assert kind == "urlset" and len(entries) == 3
    dated = [t for _, t in sitemap_entries((FEEDS / "trafilatura_resources/sitemap.xml").read_bytes())[1] if t]
    assert all(t.tzinfo for t in dated)
    assert sitemap_entries(b"<html>not a sitemap</html>")[0] == "invalid"


def _checked(**article) -> list[str]:
    data = {**GOOD, "article": {**GOOD["article"], **article}}
    return check_seed(parse_seed(data, "seeds/agency.toml"))


def test_check_passes_a_seed_whose_examples_bear_it_out():
    assert _checked(examples=["https://agency.example/news/1", "https://agency.example/news/2"],
                    not_examples=["https://agency.example/news/", "https://elsewhere.example/news/3"],
                    same_id=[["https://agency.example/news/1", "https://agency.example/news/1?ref=home"]]) == []


@pytest.mark.parametrize("article,problem", [
    ({}, "article.examples: none"),
    ({"examples": ["https://agency.example/story/1"]}, "does not match article.pattern"),
    ({"examples": ["https://agency.example/news/1", "https://agency.example/news/1?ref=x"]},
     "give the same id '1' (list them in same_id"),
    ({"examples": ["https://agency.example/news/1"], "not_examples": ["https://agency.example/news/2"]},
     "https://agency.example/news/2 is taken as an article (id '2')"),
    ({"examples": ["https://agency.example/news/1"],
      "same_id": [["https://agency.example/news/1", "https://agency.example/news/7"]]}, "one story, several ids"),
    ({"examples": ["https://agency.example/news/1"], "same_id": [["https://agency.example/news/1", "https://x.example/"]]},
     "https://x.example/ does not match article.pattern"),
    ({"examples": ["https://agency.example/news/1"], "id": r"/item/(\d+)"}, "article.id finds no id in"),
])
def test_check_names_what_the_examples_contradict(article, problem):
    problems = _checked(**article)
    assert len(problems) == 1 and problem in problems[0], problems


def test_check_reports_every_file_and_a_bad_one_hides_none(tmp_path):
    from jobs.schedule import policy_for
    for name in ("tass", "kyodo"):
        (tmp_path / f"{name}.toml").write_text((ROOT / "seeds" / f"{name}.toml").read_text())
    (tmp_path / "badcss.toml").write_text((ROOT / "seeds" / "tass.toml").read_text()
                                          .replace('"tass"', '"badcss"', 1).replace("drop = []", 'drop = ["div[["]'))
    (tmp_path / "broken.toml").write_text('name = "broken"\ndomains = ["x.org"]\n[discover]\nfeeds = ["https://x.org/rss"]\n'
                                          '[article]\npattern = "^https://x.org/(\\\\d+"\n')
    kyodo = (tmp_path / "kyodo.toml").read_text()
    (tmp_path / "kyodo.toml").write_text(kyodo.replace('[recheck]', '').replace('[crawl]', '[recheck]\nhorizon = "soon"\n\n[crawl]'))
    reports = {r.name: r for r in check_directory(tmp_path, recheck=policy_for)}
    assert reports["tass"].ok and reports["tass"].summary().startswith("4 examples")
    assert reports["broken"].problems[0].startswith("article.pattern: invalid regular expression")
    assert reports["badcss"].problems[0].startswith("article.drop: invalid CSS selector")
    assert reports["kyodo"].problems == ["recheck.horizon: bad duration 'soon': expected a number and a unit s, m, h, d or w, "
                                         "e.g. '90s', '15m', '3h', '2d' or '1h30m'"]
    assert [r.name for r in check_directory(tmp_path, "tass")] == ["tass"]
    with pytest.raises(SeedError, match="unknown source 'nope'"):
        check_directory(tmp_path, "nope")


def test_discovery_methods_read_as_a_person_would_say_them():
    seeds = load_seeds(ROOT / "seeds")
    assert discovery_methods(seeds["interfax"]) == "1 feed, 1 sitemap, 2 pages"
    assert discovery_methods(seeds["prensa_latina"]) == "1 page"


def test_an_offset_less_lastmod_is_in_the_seed_time_zone():
    body = (b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b'<url><loc>https://apnews.com/article/a-0123456789abcdef0123456789abcdef</loc>'
            b'<lastmod>2026-07-01T09:30:00</lastmod></url>'
            b'<url><loc>https://apnews.com/article/b-1123456789abcdef0123456789abcdef</loc>'
            b'<lastmod>2026-07-01T09:30:00Z</lastmod></url></urlset>')
    zone = load_seed(ROOT / "seeds" / "ap.toml").timezone
    assert zone == "America/New_York"
    _, entries = sitemap_entries(body, zone)
    assert [when.isoformat() for _, when in entries] == ["2026-07-01T13:30:00+00:00",   # EDT is UTC-4
                                                         "2026-07-01T09:30:00+00:00"]   # a stated offset stays
    _, entries = sitemap_entries(body)
    assert entries[0][1].isoformat() == "2026-07-01T09:30:00+00:00"                      # no zone: UTC
