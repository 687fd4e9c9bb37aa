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
from typing import Iterable, Mapping

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200c\u200d\u2060\ufeff\u00ad]")

# The fields whose change makes a new version (design: headline, byline, lead, body, dates).
HASHED_FIELDS = ("title", "byline", "lead", "text", "published_at", "modified_at")
# What a reader reads: a revert is the same text again, whatever the page says about its dates.
TEXT_FIELDS = ("title", "byline", "lead", "text")


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


def line_key(line: str) -> str:
    """Stable key of one normalized body line, used to remember volatile lines per source."""
    return hashlib.sha1(normalize_line(line).encode("utf-8")).hexdigest()


# A teaser box's label: "Read also:", "Читайте также:", "See also:" — short, ending in a colon.
_LABEL = re.compile(r"^(\S[^:]{0,30}:)\s+\S")


def label_of(line: str) -> str | None:
    m = _LABEL.match(normalize_line(line))
    return m.group(1) if m else None


def label_key(label: str) -> str:
    return "label:" + hashlib.sha1(label.encode("utf-8")).hexdigest()


def volatile_keys(lines: Iterable[str]) -> dict[str, str]:
    """Keys to remember for lines seen rotating between fetches taken seconds apart: each line,
    and the label two or more of them share ("Read also:"), so the next teaser of that box is
    known as noise before it is ever seen. {key: text to show for it}."""
    lines = [normalize_line(x) for x in lines if x and x.strip()]
    out = {line_key(x): x for x in lines}
    labels: dict[str, int] = {}
    for x in lines:
        label = label_of(x)
        if label:
            labels[label] = labels.get(label, 0) + 1
    for label, count in labels.items():
        if count >= 2:
            out[label_key(label)] = label + " …"
    return out


def is_volatile(line: str, volatile: set[str] | frozenset[str]) -> bool:
    if line_key(line) in volatile:
        return True
    label = label_of(line)
    return label is not None and label_key(label) in volatile


def strip_volatile(text: str | None, volatile: set[str] | frozenset[str]) -> str:
    """The body without the lines known to rotate on this source (teasers, counters)."""
    norm = normalize_text(text)
    if not volatile or not norm:
        return norm
    return "\n".join(x for x in norm.split("\n") if not is_volatile(x, volatile))


def differing_lines(first: str, second: str) -> set[str]:
    """Lines present in one capture and not the other: taken seconds apart, they are noise."""
    a = set(normalize_text(first).split("\n")) - {""}
    b = set(normalize_text(second).split("\n")) - {""}
    return a ^ b


def content_hash(fields: Mapping[str, object], volatile: Iterable[str] = (),
                 names: tuple[str, ...] = HASHED_FIELDS) -> str:
    volatile = frozenset(volatile)
    parts = []
    for name in names:
        value = fields.get(name)
        if name == "text":
            value = strip_volatile(value or "", volatile)
        else:
            value = normalize_text(str(value)) if value else ""
        parts.append(f"{name}\x1f{value}")
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()
