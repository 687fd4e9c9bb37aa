"""The quality gate: which extractions may become a version, and why the others may not.

A page is refused when it is
- empty: no bytes, no HTML, or no article text at all;
- a challenge: a bot wall ("Just a moment...", "Checking your browser", captcha, "Please enable
  JavaScript and cookies");
- blocked: an access-denied or rate-limit page served with 200;
- an error page served with 200 ("Page not found", "Internal Server Error");
- near-empty: fewer than MIN_WORDS words of article text (a stub, a paywall teaser).

Real articles mention these phrases too ("enable JavaScript to see comments" in a <noscript>, a
story about rate limits), so a phrase only counts where a wall would put it: as the whole page
title (of a page without a long article), or on a page that has almost no text of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from archive.snapshot import (
    QUALITY_BLOCKED,
    QUALITY_CHALLENGE,
    QUALITY_EMPTY,
    QUALITY_ERROR,
    QUALITY_NEAR_EMPTY,
    QUALITY_OK,
)
from lxml.html import HtmlElement

from .words import FLASH_WORDS, MIN_WORDS, word_count

SHORT_BODY_WORDS = 150    # wall sentences count only when the article text is this short
SMALL_PAGE_WORDS = 400    # ... and they are in the article text or on a page this small
TITLE_WALL_MAX_WORDS = 500  # a wall title counts unless the page has this much article text
MAX_WALL_LINE_WORDS = 12  # a generic phrase ("Access denied") counts as a line this short
VISIBLE_TEXT_CHARS = 20_000

# Sentences only walls say: they count on any page whose article text is short.
_STRONG = {
    QUALITY_CHALLENGE: (
        r"checking (?:your browser|if the site connection is secure)",
        r"verify(?:ing)? (?:that )?you are (?:a )?human", r"are you a robot\??",
        r"please (?:complete|solve) the (?:security check|captcha)",
        r"why do i have to complete a captcha", r"enable javascript and cookies to continue",
        r"ddos protection by", r"pardon our interruption", r"press (?:&|and) hold",
        r"unusual traffic from your (?:computer )?network", r"browser verification",
    ),
    QUALITY_BLOCKED: (
        r"you (?:don't|do not) have permission to access", r"access to this page has been denied",
        r"(?:sorry, )?you have been blocked", r"the requested url was rejected",
        r"your ip(?: address)? has been (?:blocked|banned)", r"too many requests",
        r"rate limit exceeded", r"you are being rate limited", r"error 10(?:0[56]|20)",
    ),
}
# Generic phrases: they count as the whole page title, or as a whole short line on a page with
# next to no article text (where they decide between near-empty and wall or error).
_WEAK = {
    QUALITY_CHALLENGE: (
        r"just a moment\.*", r"attention required!?(?: \| cloudflare)?", r"one more step",
        r"captcha", r"security check", r"please enable (?:javascript|js|cookies)",
        r"javascript is (?:disabled|required)", r"please (?:turn|switch) javascript on",
        *_STRONG[QUALITY_CHALLENGE],
    ),
    QUALITY_BLOCKED: (
        r"access denied", r"403 forbidden", r"forbidden", r"error 403", r"request blocked",
        r"rate limit(?:ed)?", r"429 too many requests", *_STRONG[QUALITY_BLOCKED],
    ),
    QUALITY_ERROR: (
        r"(?:error )?404(?: error)?", r"404 not found", r"not found", r"page not found",
        r"(?:the )?page (?:you requested |you are looking for |you were looking for )?"
        r"(?:could not|cannot|can't) be found",
        r"this page (?:does not|doesn't) exist", r"(?:500 )?internal server error",
        r"(?:502 )?bad gateway", r"(?:503 )?service (?:temporarily )?unavailable",
        r"(?:504 )?gateway time-?out", r"an (?:unexpected )?error (?:has )?occurred",
    ),
}
# Markup that only walls carry; counted on small pages only (Cloudflare also injects scripts
# into normal pages).
_CHALLENGE_MARKUP = re.compile(
    r"cf-browser-verification|cf_chl_opt|challenge-form|/cdn-cgi/challenge-platform/h/|"
    r"g-recaptcha|h-captcha|px-captcha|captcha-delivery\.com|_incapsula_resource|"
    r"distil_r_captcha",
    re.IGNORECASE,
)
_LABELS = {QUALITY_CHALLENGE: "challenge page", QUALITY_BLOCKED: "block page", QUALITY_ERROR: "error page"}
_WHOLE = {
    kind: re.compile(r"^\W*(?:" + "|".join(phrases) + r")\W*$", re.IGNORECASE)
    for kind, phrases in _WEAK.items()
}
_SENTENCE = {
    kind: re.compile(r"\b(?:" + "|".join(phrases) + r")", re.IGNORECASE)
    for kind, phrases in _STRONG.items()
}


@dataclass(frozen=True)
class Verdict:
    quality: str
    reason: str = ""


_SENTENCE_END = re.compile(r"[.!?…:;\"»”)。！？」』]\s*$")


def prose_words(text: str, repeats: list[str]) -> int:
    """Words of article prose: lines that read as sentences (eight words or more, or ending like a
    sentence), leaving out repeats of the headline or lead. When extraction falls back to the
    whole page, nav items and "updated N minutes ago" lines must not make a stub look like a story."""
    skip = {r.strip() for r in repeats if r}
    total = 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line in skip:
            continue
        n = word_count(line)
        if n >= 8 or (n >= 3 and _SENTENCE_END.search(line)):
            total += n
    return total


def judge(tree: HtmlElement | None, html: str, text: str, titles: list[str], words: int, *,
          flash: bool = False) -> Verdict:
    """The verdict for one extraction.

    tree/html: the parsed and the decoded page; text: the extracted article text; titles: the
    chosen headline and the raw <title>; words: word count of `text`; flash: a flash may stand
    (FLASH_WORDS instead of MIN_WORDS: a first capture, or an article whose versions are flashes).
    """
    min_words = FLASH_WORDS if flash else MIN_WORDS
    if tree is None:
        return Verdict(QUALITY_EMPTY, "no HTML in the response body" if html.strip() else "empty response body")
    for title in titles if words < TITLE_WALL_MAX_WORDS else ():
        for kind, pattern in _WHOLE.items():
            if title and pattern.match(title):
                return Verdict(kind, f"{_LABELS[kind]}: title {_quote(title)}")
    if words < SHORT_BODY_WORDS:
        verdict = _wall(tree, html, text, near_empty=words < MIN_WORDS)
        if verdict is not None:
            return verdict
    if words == 0:
        return Verdict(QUALITY_EMPTY, "no article text extracted")
    if words < min_words:
        return Verdict(QUALITY_NEAR_EMPTY, f"only {words} words of article text (minimum {min_words})")
    return Verdict(QUALITY_OK)


def _wall(tree: HtmlElement, html: str, text: str, near_empty: bool) -> Verdict | None:
    """Wall sentences in the short article text or on a small page; on a page with next to no
    article text, also generic phrases standing as a line of their own."""
    visible = visible_text(tree)
    small_page = len(visible.split()) < SMALL_PAGE_WORDS
    places = [text, visible] if small_page else [text]
    for kind, pattern in _SENTENCE.items():
        for place in places:
            if match := pattern.search(place):
                return Verdict(kind, f"{_LABELS[kind]}: {_quote(match.group(0))} on a page with little article text")
    if near_empty:
        for kind, pattern in _WHOLE.items():
            for place in places:
                for line in place.split("\n"):
                    if len(line.split()) <= MAX_WALL_LINE_WORDS and pattern.match(line):
                        return Verdict(kind, f"{_LABELS[kind]}: {_quote(line)} on a page with no article text")
    if small_page and (markup := _CHALLENGE_MARKUP.search(html)):
        return Verdict(QUALITY_CHALLENGE, f"challenge page: {_quote(markup.group(0))} markup on a small page")
    return None


def visible_text(tree: HtmlElement) -> str:
    """The page's text as a reader (or a reader without JavaScript) sees it, lines kept."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    parts = root.xpath(".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::template)]")
    text = "\n".join(part.strip() for part in parts if part.strip())
    return text[:VISIBLE_TEXT_CHARS]


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return repr(text[:80] + ("..." if len(text) > 80 else ""))
