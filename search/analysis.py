"""Text into search terms, per language: the same function analyses a version for the index and a
query for the search, so what was indexed is what is looked up.

Words are lowercased (ё as е) and stemmed with Snowball (PyStemmer: English, Russian and the other
languages it has); Ukrainian, which Snowball lacks, is lemmatized with pymorphy3's Ukrainian
dictionary. Chinese, Japanese and Korean have no spaces between words: a run of those characters
becomes its overlapping character bigrams (北京市 -> 北京 京市), so any substring of two or more
characters is a phrase of bigrams, and a single character is found among them.

Each term keeps the character span it came from, so a snippet can mark the very words that matched.
"""
from __future__ import annotations

import functools
import re
from typing import Iterator

import Stemmer

# Han, kana, Hangul (syllables and jamo), CJK punctuation excluded: scripts written without spaces.
_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
CJK_CHAR = re.compile(rf"[{_CJK}]")
_UKRAINIAN_LETTERS = re.compile("[іїєґІЇЄҐ]")
_CYRILLIC = re.compile("[а-яА-ЯёЁ]")

# A language's field in the index, by ISO 639-1 code: Snowball's stemmers that PyStemmer has.
SNOWBALL = {"en": "english", "ru": "russian", "de": "german", "fr": "french", "es": "spanish",
            "it": "italian", "pt": "portuguese", "nl": "dutch", "sv": "swedish", "pl": "polish",
            "tr": "turkish", "ar": "arabic"}
LANGUAGES = tuple(SNOWBALL) + ("uk", "plain")   # plain: lowercase only (and CJK bigrams)
SEPARATOR = "\u00b6"      # between title, headlines, lead and text: no phrase runs across them


@functools.lru_cache(maxsize=None)
def _stemmer(language: str):
    return Stemmer.Stemmer(SNOWBALL[language], 100_000)    # PyStemmer caches 100,000 words itself


@functools.lru_cache(maxsize=None)
def _ukrainian():
    import pymorphy3
    return pymorphy3.MorphAnalyzer(lang="uk")


@functools.lru_cache(maxsize=200_000)
def _ukrainian_lemma(word: str) -> str:
    return _ukrainian().parse(word)[0].normal_form.replace("ё", "е")


def language_field(language: str | None, sample: str = "") -> str:
    """The index field a version goes to: its language when a stemmer exists for it; else guessed
    from the script (Ukrainian letters, other Cyrillic); else `plain`."""
    code = (language or "").strip().lower()[:2]
    if code in SNOWBALL or code == "uk":
        return code
    if not code and sample:
        if _UKRAINIAN_LETTERS.search(sample):
            return "uk"
        if _CYRILLIC.search(sample):
            return "ru"
    return "plain"


def _normalize_word(word: str, field: str) -> str:
    word = word.lower().replace("ё", "е")
    if field == "uk":
        return _ukrainian_lemma(word) if _CYRILLIC.search(word) or _UKRAINIAN_LETTERS.search(word) else word
    if field in SNOWBALL:
        return _stemmer(field).stemWord(word)
    return word


def terms_with_spans(text: str, field: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of every term of `text` analysed for `field`, in order."""
    for m in _TOKEN.finditer(text or ""):
        if m.group("word"):
            yield _normalize_word(m.group("word"), field), m.start(), m.end()
            continue
        run, start = m.group("cjk"), m.start()
        if len(run) == 1:
            yield run, start, start + 1
        for i in range(len(run) - 1):
            yield run[i:i + 2], start + i, start + i + 2


def terms(text: str, field: str) -> list[str]:
    return [t for t, _, _ in terms_with_spans(text, field)]


def indexed_text(parts: list[str | None], field: str) -> str:
    """The terms of a version's parts as one whitespace-separated string (the index's `whitespace`
    tokenizer keeps them and their positions as they are), parts kept apart by SEPARATOR."""
    return f" {SEPARATOR} ".join(" ".join(terms(p, field)) for p in parts if p)
