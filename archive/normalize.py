"""Normalization that decides whether two captures are the same revision.

It folds what a publisher's systems change without anyone editing the story (whitespace runs,
non-breaking spaces, Unicode composition forms, blank lines) and nothing else: punctuation, quotes,
case and digits are left alone, so a cosmetic edit by a person is still a new version (classified
`cosmetic` later) and a changed figure is never hidden.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200c\u200d\u2060\ufeff\u00ad]")

@functools.lru_cache(maxsize=1 << 16)   # the same paragraphs are normalized again and again
def normalize_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line)
    line = _ZERO_WIDTH.sub("", line)
    return _SPACES.sub(" ", line).strip()


def normalize_text(text: str | None) -> str:
    """One normalized paragraph per line, blank lines dropped."""
    if not text:
        return ""
    lines = (normalize_line(x) for x in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(x for x in lines if x)


@functools.lru_cache(maxsize=1 << 16)   # asked for every line of every comparison
def line_key(line: str) -> str:
    """Stable key of one normalized body line, used to remember volatile lines per source."""
    return hashlib.sha1(normalize_line(line).encode("utf-8")).hexdigest()


# A teaser box's label: "Read also:", "Читайте также:", "See also:" — short, ending in a colon.
_LABEL = re.compile(r"^(\S[^:]{0,30}:)\s+\S")


@functools.lru_cache(maxsize=1 << 16)
def label_of(line: str) -> str | None:
    m = _LABEL.match(normalize_line(line))
    return m.group(1) if m else None


def label_key(label: str) -> str:
    return "label:" + hashlib.sha1(label.encode("utf-8")).hexdigest()
