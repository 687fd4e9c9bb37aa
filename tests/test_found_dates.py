"""Dates found in the prose of a page that states none (htmldate, with dateparser reading the
page's own language and English: crawler/extraction/dates.py)."""
from __future__ import annotations

from crawler.extract import extract

PROSE = ("Officials said the talks would continue next week, and both delegations described the "
         "first round as useful. The ministry gave no further details about the schedule.")


def _page(lang: str, dateline: str, body: str = PROSE) -> bytes:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Talks</title></head>'
            f'<body><article><h1>Talks continue</h1><p class="dateline">{dateline}</p>'
            f"<p>{body}</p><p>{body}</p></article></body></html>").encode("utf-8")


RU = ("Переговоры продолжатся на следующей неделе, сообщили официальные лица, и обе делегации назвали "
      "первый раунд полезным. Министерство не сообщило других подробностей о графике встреч.")
DE = ("Die Gespräche werden nächste Woche fortgesetzt, sagten Beamte, und beide Delegationen nannten die "
      "erste Runde nützlich. Das Ministerium nannte keine weiteren Einzelheiten zum Zeitplan.")


def test_a_date_in_the_pages_own_language_is_found():
    ru = extract(_page("ru", "19 ноября 2019 года", RU), "https://example.ru/news/talks")
    de = extract(_page("de", "Berlin, 19. November 2019, 17:45 Uhr", DE), "https://example.de/news/talks")
    assert (ru.language, ru.published_at, ru.published_found) == ("ru", "2019-11-19", True)
    assert (de.language, de.published_at, de.published_found) == ("de", "2019-11-19", True)


def test_an_english_date_is_read_on_a_page_in_another_language():
    page = _page("ru", "Moscow, November 19, 2019, 5:45 PM", RU)
    assert extract(page, "https://example.ru/news/talks").published_at == "2019-11-19"


def test_a_found_date_does_not_depend_on_the_pages_extracted_before():
    """htmldate caches what a string parses to; reading a page's language only must not let a
    page in one language answer for a page in another."""
    de = _page("de", "Berlin, 19. November 2019, 17:45 Uhr", DE)
    alone = extract(de, "https://example.de/news/talks").published_at
    extract(_page("en", "London, 19. November 2019, 17:45 Uhr"), "https://example.com/news/talks")
    assert extract(de, "https://example.de/news/talks").published_at == alone == "2019-11-19"
