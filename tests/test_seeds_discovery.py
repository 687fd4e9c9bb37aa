"""Seeds are validated whole; discovery parses real feeds, sitemaps and agency pages."""
from __future__ import annotations



import pytest
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from support import CORPUS, ROOT
from crawler.discovery import article_links, feed_entries, sitemap_entries
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


def test_bundled_seeds_load():
    seeds = load_seeds(ROOT / "seeds")
    assert set(seeds) >= {"tass", "wiresim"}
    tass = seeds["tass"]
    assert tass.feeds == ("https://tass.com/rss/v2.xml",)
    assert tass.article_key("https://tass.com/politics/995053") == "995053"
    assert tass.article_key("http://tass.com/politics/995053") == "995053"
    assert tass.article_key("https://tass.com/politics") is None


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


@needs_corpus
def test_tass_seed_finds_the_articles_on_the_real_homepage():
    seed = load_seed(ROOT / "seeds" / "tass.toml")
    page = CORPUS / "agencies/tass/tass.com_homepage_2018-03-19.html"
    response = HtmlResponse("https://tass.com/", body=page.read_bytes())
    every = [(link.url, None) for link in LinkExtractor().extract_links(response)]
    found = list(article_links(every, seed.is_article))
    keys = {seed.article_key(u) for u, _ in found}
    assert len(found) >= 15 and len(keys) == len(found)
    assert all(k.isdigit() for k in keys)
    rejected = {u for u, _ in every} - {u for u, _ in found}
    assert "http://tass.com/politics" in rejected and "http://tass.com/rss/v2.xml" in rejected
    assert not any(seed.is_article(u) for u in rejected)
