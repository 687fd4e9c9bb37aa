"""The shipped agency seeds on real saved pages (../shared/corpus/agencies; skipped where absent).

Discovery: each saved homepage goes through the crawler's listing-page path (discovery's
`listing_links` with the seed's pattern, then the seed's domains and id, as the spider keys what
it finds) and must give exactly the article ids counted by reading the page, and none of its menu,
section, gallery or other-site links. Extraction: each saved article page goes through
`crawler.extract.extract` with the seed's drop rules and time zone and must give the headline as
the reader sees it, the published time the page states (with the zone the seed declares where
the page gives none), and a body whose token F1 against a text written by reading the page
(tests/fixtures/agencies/*.txt: the story paragraphs only) is at least 0.95.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from support import CORPUS, ROOT
from archive.noise import Noise
from archive.revision import UNCHANGED, fields, judge, key
from bench.extractbench import score
from crawler.discovery import article_links, feed_entries, listing_links
from crawler.extract import extract
from crawler.savedpage import declared_url, extract_page, page_articles
from crawler.seeds import load_seed

AGENCIES = CORPUS / "agencies"
FIXTURES = Path(__file__).parent / "fixtures" / "agencies"
needs_pages = pytest.mark.skipif(not AGENCIES.is_dir(), reason=f"saved agency pages not found at {AGENCIES} (see DESIGN.md)")
MIN_F1 = 0.95


def seed(name: str):
    return load_seed(ROOT / "seeds" / f"{name}.toml")


def saved(relative: str) -> bytes:
    return (AGENCIES / relative).read_bytes()


# --- discovery on saved homepages -------------------------------------------------------------

# (source, saved page, the article ids on it counted by reading it, links on it that are not
# articles or not this source's). Each story is often linked two or three times (picture,
# headline, teaser); it is one id.
HOMEPAGES = [
    ("tass", "tass/tass.com_homepage_2018-03-19.html",
     {"995053", "995070", "994964", "995015", "995019", "995087", "995134", "994754", "993678", "993859",
      "994559", "993724", "994696", "994464", "995011", "995069", "995039", "995023", "995061", "995102"},
     ["http://tass.com/politics", "http://tass.com/2018-fifa-world-cup-in-russia", "http://tass.com/media/slideshow",
      "http://tass.com/rss/v2.xml", "http://tass.ru/", "http://tass.com/tags"]),
    # 1475271649 is the menu's "Экология мегаполиса": an article page (2016) linked from the menu,
    # taken because it is one; the R-Sport links (rsport.ria.ru) are another site's ids.
    ("ria", "ria/ria.ru_homepage_2018-03-17.html",
     {"1475271649", "1516575736", "1516575997", "1516575010", "1516574389", "1516571124", "1516574727",
      "1516572090", "1516572030", "1516572377", "1516573729", "1516574232", "1516572797", "1516576054",
      "1516575864", "1516575813", "1516575775", "1516575722", "1516575454", "1516358811", "1516493234",
      "1516461642", "1516574569"},
     ["https://ria.ru/syria/", "https://ria.ru/lenta/", "https://ria.ru/trend/britain-skripal-poisoning-06032018/",
      "https://rsport.ria.ru/winter2018_paralympics/20180317/1134186815.html?referrer_block=index_archive_9",
      "https://ria.ru/election2018/?referrer_block=index_special_projects_1", "http://inosmi.ru/"]),
    ("interfax", "interfax/interfax.ru_homepage_2018-03-17.html",
     {"603971", "603979", "603968", "603943", "603953", "603930", "603985", "603984", "603983", "603982",
      "603981", "603980", "603977", "603976", "603975", "603974", "603972", "603950"},
     ["http://www.interfax.ru/photo/3789", "http://www.interfax.ru/russia/", "http://www.interfax.ru/news/",
      "http://m.interfax.ru/", "http://www.interfax.ru/search/"]),
    ("interfax", "interfax/interfax.ru_homepage_2018-03-17.cp1251.html",      # the same page as served
     {"603971", "603979", "603968", "603943", "603953", "603930", "603985", "603984", "603983", "603982",
      "603981", "603980", "603977", "603976", "603975", "603974", "603972", "603950"},
     ["http://www.interfax.ru/photo/3789", "http://www.interfax.ru/russia/", "http://m.interfax.ru/"]),
    ("unian", "unian/unian.net_homepage_2018-03-18.html",
     {"10046465", "10046459", "10046414", "10046147", "10046345", "10046330", "10045655", "10045286",
      "10044917", "10044386", "10045214", "10045094"},
     ["https://www.unian.net/theme/10000046-obvineniya-v-adres-savchenko-v-ukraine",
      "https://www.unian.net/theme/2026-ukrainskie-kluby-v-evrokubkah-2017-18", "https://www.unian.net/politics",
      "https://www.unian.net/detail/main_news", "https://pogoda.unian.net"]),
    ("yonhap", "yonhap/en.yna.co.kr_homepage_2020-06-16.html",
     {"AEN20200616008257325", "AEN20200616009551315", "AEN20200616010700325", "AEN20200616009000315",
      "AEN20200616006000320", "AEN20200616006400315", "AEN20200616009553315", "AEN20200616011200325",
      "AEN20200616002152320", "AEN20200609003800320", "AEN20200611007500315", "AEN20200609009300315",
      "AEN20200608006300315", "AEN20200611008300315", "AEN20200605004800315"},
     ["https://en.yna.co.kr/view/PYH20200616220300320?section=image/general", "https://en.yna.co.kr/nk/index",
      "https://en.yna.co.kr/channel/index", "https://en.yna.co.kr/search/index?query=coronavirus&lang=EN",
      "https://www.yna.co.kr/index"]),
    ("kyodo", "kyodo/english.kyodonews.net_homepage_2020-07-17.html",
     {"020fb72257f4", "663149f40673", "94c7fca89d90", "04860fbe1221", "ec4d302bbdce", "e67ab22a47cb",
      "156fbae5b7d5", "05db8d4f6259"},
     ["https://english.kyodonews.net/news/lifestyle", "https://english.kyodonews.net/kyodo_news",
      "https://english.kyodonews.net/KyotoShimbun", "https://english.kyodonews.net/tokyo",
      "https://english.kyodonews.net/rss/kyodonews-fzone.xml", "https://china.kyodonews.net"]),
]


@needs_pages
@pytest.mark.parametrize("source,page,ids,not_articles", HOMEPAGES, ids=[h[1].split("/")[1] for h in HOMEPAGES])
def test_discovery_takes_the_articles_of_a_saved_homepage(source, page, ids, not_articles):
    body, the_seed = saved(page), seed(source)
    url = declared_url(body)                     # where the page says it lives (canonical / og:url)
    found = page_articles(body, url, the_seed)
    assert len(found) == len(ids) and {a.id for a in found} == ids
    every_link = {link.url for link in listing_links(body, url)}
    taken = {a.url for a in found}
    for link in not_articles:
        assert link in every_link, f"{link} is not on the saved page"   # the negative is real
        assert link not in taken and the_seed.article_key(link) not in ids


@needs_pages
def test_one_story_linked_three_ways_is_one_article():
    """Interfax links each top story by picture, section label and headline (all with
    ?utm_source=topmain) and again from the timeline without it: one id, one request."""
    body = saved("interfax/interfax.ru_homepage_2018-03-17.html")
    url = declared_url(body)
    links = [link.url for link in listing_links(body, url, seed("interfax").pattern, unique=False)]
    assert links.count("http://www.interfax.ru/world/603979?utm_source=topmain") == 3
    assert "http://www.interfax.ru/world/603979" in links
    assert [a.id for a in page_articles(body, url, seed("interfax"))].count("603979") == 1


@needs_pages
def test_windows_1251_homepage_reads_as_cyrillic():
    body = saved("interfax/interfax.ru_homepage_2018-03-17.cp1251.html")
    assert b"charset=windows-1251" in body and "Интерфакс".encode("cp1251") in body
    texts = {a.id: a.text for a in page_articles(body, declared_url(body), seed("interfax"))}
    assert texts["603979"] == "Си Цзиньпин переизбран председателем КНР и Центрального военного совета"
    assert texts["603950"] == "Высылаемые российские дипломаты покинут Великобританию 20 марта"
    snapshot = extract_page(body, "https://www.interfax.ru/", seed("interfax"))
    assert snapshot.title == "Интерфакс: новости"
    assert "В России" in snapshot.text.splitlines()


@needs_pages
def test_utf8_copy_that_still_declares_windows_1251_reads_as_cyrillic():
    """The corpus's .html copy was transcoded to UTF-8 and kept <meta charset=windows-1251>, as a
    transcoding proxy or CMS migration leaves a page. Read by its declaration it is mojibake
    ("РРЅС‚РµСЂС„Р°РєСЃ"); valid UTF-8 wins over a single-byte declaration."""
    body = saved("interfax/interfax.ru_homepage_2018-03-17.html")
    assert b"charset=windows-1251" in body and "Интерфакс".encode("utf-8") in body
    snapshot = extract_page(body, "https://www.interfax.ru/", seed("interfax"))
    assert snapshot.title == "Интерфакс: новости"


@needs_pages
def test_unian_feed_of_2020_gives_every_item_its_id():
    """The real 2020 UNIAN feed (the Ukrainian edition): 50 items in the current URL scheme
    (<slug>-<id>.html), one of them from the Russian edition (unian.net) and one from press.unian.ua."""
    feed = CORPUS / "feeds/ua_news_agencies_rss__Tehtehteh_data-import/stub_unian_rss.xml"
    unian = seed("unian")
    entries = feed_entries(feed.read_bytes(), "https://www.unian.ua/")
    taken = list(article_links(entries, unian.is_article))
    keys = {unian.article_key(u) for u, _ in taken}
    assert len(entries) == len(taken) == len(keys) == 50
    assert all(k.isdigit() and len(k) == 8 for k in keys)
    assert "11162807" in keys and "11162603" in keys


# --- extraction of saved article pages ----------------------------------------------------------

# (source, saved page, URL it was fetched from, headline as the reader sees it, published time as
# the page states it, expected text written by reading the page)
ARTICLES = [
    ("ap", "ap/apnews.com_766c1906bf954239988e6fe922e36821.html", "https://apnews.com/766c1906bf954239988e6fe922e36821",
     "North Korea says it won’t give Trump a summit for free", "2019-11-18T08:55:45+00:00", "ap_2019_north_korea.txt"),
    ("ap", "ap/apnews.com_article_19dfd32ee346d105793400b997c020ea_2020-06-12.html",
     "https://apnews.com/19dfd32ee346d105793400b997c020ea",
     "Merkel calls for international cooperation against virus", "2020-04-23T09:47:01+00:00", "ap_2020_merkel.txt"),
    # every structured date says 22:34:15Z (the revision time: the header shows "3:07 PM" with no zone)
    ("reuters", "reuters/reuters.com_idUSKBN1XU1Z2.html", "https://www.reuters.com/article/us-northkorea-southkorea-idUSKBN1XU1Z2",
     "North Korea says no interest in Trump summit until 'hostile policy' removed", "2019-11-20T22:34:15+00:00",
     "reuters_2019_north_korea.txt"),
    # JSON-LD "2020-03-10 16:46:00" is Japan time; the credit line reads "Mar 10, 2020 - 16:46"
    ("kyodo", "kyodo/english.kyodonews.net_article_ed0a2c69b94b_2020-07-17.html",
     "https://english.kyodonews.net/news/2020/03/ed0a2c69b94b-breaking-news-chinas-president-visits-wuhan-epicenter-of-virus-outbreak-media.html",
     "China's Xi visits Wuhan for 1st time since virus outbreak", "2020-03-10T16:46:00+09:00", "kyodo_2020_xi_wuhan.txt"),
    ("xinhua_es", "xinhua/spanish.xinhuanet.com_article_c_138843813_2020-07-14.html",
     "http://spanish.xinhuanet.com/2020-03/04/c_138843813.htm",
     "Experto chino: COVID-19 es menos severa que SARS pero más contagiosa", "2020-03-04T23:48:42+00:00",
     "xinhua_es_2020_covid.txt"),
    # the time (22:45) is only in Spanish prose ("5 de noviembre de 2019, 22:45"): the date is kept
    ("prensa_latina", "prensa_latina/prensa-latina.cu_ad8f797d.html",
     "http://www.prensa-latina.cu/index.php?o=rn&id=318493&SEO=congreso-de-argentina-retoma-proyecto-de-ley-de-alquileres",
     "Congreso de Argentina retoma proyecto de ley de alquileres", "2019-11-05", "prensa_latina_2019_alquileres.txt"),
    ("prensa_latina", "prensa_latina/prensa-latina.cu_1f9bc50e.html",
     "http://www.prensa-latina.cu/index.php?o=rn&id=318493&SEO=congreso-de-argentina-retoma-proyecto-de-ley-de-alquileres%0A",
     "Congreso de Argentina retoma proyecto de ley de alquileres", "2019-11-05", "prensa_latina_2019_alquileres.txt"),
]


@needs_pages
@pytest.mark.parametrize("source,page,url,headline,published,expected", ARTICLES, ids=[a[1].split("/")[-1][:32] for a in ARTICLES])
def test_saved_article_extracts_headline_time_and_body(source, page, url, headline, published, expected):
    the_seed = seed(source)
    assert the_seed.article_key(url) is not None          # the URL is one of the seed's articles
    snapshot = extract(saved(page), url, None, the_seed.drop, timezone=the_seed.timezone)
    assert snapshot.quality == "ok"
    assert snapshot.title == headline
    assert snapshot.published_at == published
    precision, recall, f1 = score(snapshot.text, (FIXTURES / expected).read_text(encoding="utf-8"))
    assert f1 >= MIN_F1, (precision, recall, f1)


@needs_pages
def test_kyodo_times_without_offset_are_japan_time_only_because_the_seed_says_so():
    body = saved("kyodo/english.kyodonews.net_article_ed0a2c69b94b_2020-07-17.html")
    assert b'"datePublished":"2020-03-10 16:46:00"' in body             # the page gives no offset
    url = seed("kyodo").examples[0]
    assert extract(body, url).published_at == "2020-03-10T16:46:00"      # none invented without the seed
    snapshot = extract_page(body, url, seed("kyodo"))
    assert (snapshot.published_at, snapshot.modified_at) == ("2020-03-10T16:46:00+09:00",) * 2
    assert snapshot.extractor.endswith("/ tz Asia/Tokyo")                 # a changed zone is not an edit


@needs_pages
def test_xinhua_mojibake_is_repaired():
    """The saved Xinhua page holds UTF-8 text that was once decoded as latin-1 and saved again
    ("mÃ¡s"); the reader of the real page saw "más". The extractor's repair (charset.py) gives the
    reader's text, so the archive never stores the saver's mistake as the publisher's words."""
    body = saved("xinhua/spanish.xinhuanet.com_article_c_138843813_2020-07-14.html")
    assert "mÃ¡s contagiosa".encode("utf-8") in body
    snapshot = extract_page(body, seed("xinhua_es").examples[0], seed("xinhua_es"))
    assert "Ã" not in snapshot.text + snapshot.title + snapshot.lead
    assert "se transmite más fácilmente, señaló hoy miércoles" in snapshot.text
    assert snapshot.language == "es"


@needs_pages
def test_two_captures_of_one_prensa_latina_story_are_one_version():
    """Captured 19 days apart: the page header's date line and the echoed URL changed, the story
    did not. The archive's own comparison (archive/revision.py) must see no new version."""
    first, second = saved("prensa_latina/prensa-latina.cu_ad8f797d.html"), saved("prensa_latina/prensa-latina.cu_1f9bc50e.html")
    assert b"Mi&eacute;rcoles 6 de noviembre de 2019" in first and b"Lunes 25 de noviembre de 2019" in second
    the_seed = seed("prensa_latina")
    url = the_seed.examples[0]
    old, new = fields(extract_page(first, url, the_seed)), fields(extract_page(second, url, the_seed))
    assert key(old) == key(new)
    assert judge(old, [new], Noise(), final=True).outcome == UNCHANGED
    assert the_seed.article_key(url) == the_seed.article_key(url + "%0A") == "318493"


def test_a_declared_zone_gives_the_offset_of_that_day_and_leaves_dates_and_offsets_alone():
    from crawler.extraction.dates import in_zone
    assert in_zone("2019-11-05T22:45:00", "America/Havana") == "2019-11-05T22:45:00-05:00"   # Cuban winter time
    assert in_zone("2019-07-05T22:45:00", "America/Havana") == "2019-07-05T22:45:00-04:00"   # and summer time
    assert in_zone("2019-11-05", "Asia/Tokyo") == "2019-11-05"                                # a date stays a date
    assert in_zone("2019-11-05T22:45:00+00:00", "Asia/Tokyo") == "2019-11-05T22:45:00+00:00"  # a stated offset wins


def test_a_single_byte_declaration_stands_unless_the_bytes_are_plainly_utf8():
    from crawler.extraction.charset import decode_html
    head = b'<html><head><meta charset="windows-1252"></head><body><p>'
    # windows-1252 text whose one accented pair happens to be valid UTF-8: too little to overrule
    assert "CafÃ© au lait" in decode_html(head + "CafÃ© au lait".encode("cp1252") + b"</p></body></html>")
    # windows-1252 text that is not valid UTF-8 at all: the declaration stands
    assert "café, thé" in decode_html(head + "café, thé".encode("cp1252") + b"</p></body></html>")
    # a page transcoded to UTF-8 that kept its old declaration: UTF-8
    assert "Straße, Ärger, Öl" in decode_html(head + "Straße, Ärger, Öl".encode("utf-8") + b"</p></body></html>")
