"""Counting words, and the word thresholds of the quality gate: plain functions over strings, so
the crawl process can ask them without importing the extractor (lxml, trafilatura)."""
from __future__ import annotations

import re

_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
_WORDS = re.compile(r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+")
# How many characters of an unspaced script make one "word" for the word count.
CHARS_PER_UNSPACED_WORD = 2

MIN_WORDS = 25            # below this much article text, the page is near-empty
# ... unless it is a flash: a first capture (or an article whose latest version is a flash) with
# at least this many words of prose. A wire flash is one sentence ("MOSCOW, November 30. /TASS/.
# Air defences downed 20 drones overnight, the ministry said.": 16 words); what a CMS serves
# mid-publish is a placeholder of a few ("More details to follow.", "Developing story; more to
# follow."). A known article of full length cut below MIN_WORDS is still refused: a paywall or a
# broken page serves that too, and it would read as a cut story.
FLASH_WORDS = 12


def word_count(text: str) -> int:
    """Words in the text; runs of Chinese, Japanese or Thai count one word per two characters."""
    return len(_WORDS.findall(text)) + len(_UNSPACED.findall(text)) // CHARS_PER_UNSPACED_WORD


def is_flash_text(text: str | None) -> bool:
    """Whether a stored version is a flash (below MIN_WORDS of prose): its article's next captures
    may be flashes too, so an unchanged flash is not refused as near-empty on a re-check. Teaser
    lines ("Read also: …", labelled and headline-sized) are not prose: a 12-word flash stored with
    a 14-word teaser beside it is a flash (counted with it, it was not, and a re-check showing a
    shorter teaser was refused as near-empty: 1 run in ~10 of tests/test_short_flash.py)."""
    from archive.noise import is_teaser_line
    words = unspaced = 0
    # Line by line, stopping at MIN_WORDS: asked on every re-check of every article, and a full
    # story's first lines settle it (counting all of it cost the crawl process 0.4 ms a re-check).
    for line in (text or "").split("\n"):
        if is_teaser_line(line):
            continue
        words += len(_WORDS.findall(line))
        unspaced += len(_UNSPACED.findall(line))
        if words + unspaced // CHARS_PER_UNSPACED_WORD >= MIN_WORDS:
            return False
    return True
