"""Published and modified times, as ISO 8601 strings that keep what the page states.

Structured statements first (JSON-LD datePublished / dateModified, article:published_time /
modified_time and their kin, <time> elements marked up as such); htmldate (through trafilatura's
settings) only as a fallback for the published date, since it returns a date without the time.
A time of day and a zone are kept when the page gives them and never invented when it does not:
"2020-03-10T12:00:00" stays naive, "2019-11-20" stays a date — unless the source's seed states the
zone its pages mean (`[article] timezone`, e.g. Kyodo's JSON-LD times are Japan time without an
offset): then a naive time is read in that zone, a publisher fact written down, not a guess.
"""
from __future__ import annotations

import contextlib
import re
import threading
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from htmldate import find_date
from lxml.html import HtmlElement

from .pagemeta import PageMeta, text_of

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "article.published", "pubdate", "publishdate", "publish-date",
    "publish_date", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "date", "dc.date", "citation_publication_date",
)
MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "article.updated", "lastmod", "last-modified", "dc.date.modified", "dcterms.modified",
)
PUBLISHED_XPATH = (
    "//*[@itemprop='datePublished']/@datetime|//*[@itemprop='datePublished']/@content",
    "//article//time[@pubdate]/@datetime|//time[@pubdate]/@datetime",
    "(//article//time[@datetime])[1]/@datetime",
)
MODIFIED_XPATH = (
    "//*[@itemprop='dateModified']/@datetime|//*[@itemprop='dateModified']/@content",
)

_MIN_YEAR, _MAX_YEAR = 1990, 2100
_ISO_ZONE_WITHOUT_COLON = re.compile(r"([+-]\d\d)(\d\d)$")
_ISO_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d")


def found_published_at(tree: HtmlElement, url: str | None = None, zone: str | None = None,
                       language: str | None = None) -> str | None:
    """The date htmldate finds in the page's text, URL and markup (for a page stating none).
    language: the page's (ISO 639), whose date words are read besides English's."""
    return in_zone(_found_date(tree, url, language), zone)


def stated_published_at(tree: HtmlElement, page: PageMeta, zone: str | None = None) -> str | None:
    """The published time only as the page states it (JSON-LD, meta tags, date markup), never
    htmldate's reading of its prose: what each fetch records, and all a re-check whose body
    region is unchanged reads (htmldate hands undated prose to dateparser, whose patterns cost
    a fresh extraction worker ~1.3 s to compile)."""
    return in_zone(_stated_published_at(tree, page), zone)


def modified_at(tree: HtmlElement, page: PageMeta, zone: str | None = None) -> str | None:
    return in_zone(_first_date(
        [text_of(page.article_value("dateModified")), *page.all(*MODIFIED_META)],
        tree, MODIFIED_XPATH,
    ), zone)


def in_zone(value: str | None, zone: str | None) -> str | None:
    """A naive ISO datetime read as local time in `zone` (an IANA name), with its offset on that
    day (summer time included); a date, an aware time or no zone: unchanged."""
    if not value or not zone or "T" not in value:
        return value
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        return value
    return parsed.replace(tzinfo=ZoneInfo(zone)).isoformat(timespec="seconds" if not parsed.microsecond else "auto")


def _stated_published_at(tree: HtmlElement, page: PageMeta) -> str | None:
    return _first_date(
        [text_of(page.article_value("datePublished")), *page.all(*PUBLISHED_META)],
        tree, PUBLISHED_XPATH,
    )


def _found_date(tree: HtmlElement, url: str | None, language: str | None = None) -> str | None:
    try:  # htmldate: the page's text, URL and markup heuristics; date only
        with _date_words(language):
            found = find_date(tree, url=url, original_date=True, extensive_search=True,
                              outputformat="%Y-%m-%d", max_date=date.today().isoformat())
    except Exception:  # htmldate bugs must not lose the article
        return None
    return found or None


# htmldate hands the prose strings its own patterns cannot read to dateparser, built for every
# language dateparser knows (205): a string no language reads (most of them) is tried in each, and
# the first such string in a process compiles every language's patterns, ~1.5 s; each later one
# costs ~14 ms. Every extraction worker paid that on its own, the largest cost of the workers above
# extraction alone in `make bench` (py-spy: a sixth of their CPU). Dates in a page's prose are in
# its language (English too, on many sites), so dateparser reads those only, in its own order of
# preference: on the 30 corpus pages that state no date the found dates are the same.
_DATE_WORDS = threading.Lock()
_date_parsers: dict[tuple[str, ...], object] = {}
_current: list[tuple[str, ...]] = [()]


def _languages(language: str | None) -> tuple[str, ...]:
    from dateparser.data.languages_info import language_order
    wanted = {"en", (language or "").lower()} & set(language_order)
    return tuple(code for code in language_order if code in wanted)


@contextlib.contextmanager
def _date_words(language: str | None):
    import htmldate.extractors as htmldate_extractors
    languages = _languages(language)
    with _DATE_WORDS:
        if htmldate_extractors.get_external_parser is not _external_parser:
            htmldate_extractors.get_external_parser = _external_parser
        if _current[0] != languages:
            # htmldate caches what a string parses to, whatever the language: not across languages
            htmldate_extractors.try_date_expr.cache_clear()
            _current[0] = languages
        yield


def _external_parser():
    """htmldate's own dateparser settings, for the current page's languages only."""
    languages = _current[0]
    parser = _date_parsers.get(languages)
    if parser is None:
        from dateparser import DateDataParser
        parser = _date_parsers[languages] = DateDataParser(languages=list(languages), settings={
            "NORMALIZE": True, "PARSERS": ["custom-formats", "absolute-time"], "PREFER_DATES_FROM": "past",
            "PREFER_LOCALE_DATE_ORDER": True, "RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": True})
    return parser


def normalise_date(value: str) -> str | None:
    """ISO 8601 for a stated date or datetime; None when it is not a plausible date.

    Keeps the precision the page gives: a date stays a date, a naive time stays naive, a zone is
    written as +HH:MM ("Z" becomes +00:00), whole seconds drop their fraction.
    """
    value = (value or "").strip()
    if not value or len(value) > 64:
        return None
    parsed = _parse_iso(value) or _parse_other(value)
    if parsed is None:
        return None
    if isinstance(parsed, datetime):
        if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
            return None
        if parsed.microsecond == 0:
            return parsed.isoformat(timespec="seconds")
        return parsed.isoformat()
    if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    return parsed.isoformat()


def _first_date(values: list[str], tree: HtmlElement, xpaths: tuple[str, ...]) -> str | None:
    for value in values:
        normalised = normalise_date(value)
        if normalised:
            return normalised
    for expression in xpaths:
        for value in tree.xpath(expression):
            normalised = normalise_date(str(value))
            if normalised:
                return normalised
    return None


def _parse_iso(value: str) -> date | datetime | None:
    if not _ISO_PREFIX.match(value):
        return None
    text = value.replace(" ", "T", 1) if len(value) > 10 and value[10] == " " else value
    text = _ISO_ZONE_WITHOUT_COLON.sub(r"\1:\2", text) if "T" in text else text
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:  # a date with trailing junk ("2019-11-20 | 10:41"): keep the date part
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _parse_other(value: str) -> datetime | None:
    try:  # RFC 2822, as in feeds and some meta tags: "Wed, 20 Nov 2019 10:41:00 GMT"
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed
    if value.isdigit() and len(value) in (10, 13):  # epoch seconds / milliseconds
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    return None
