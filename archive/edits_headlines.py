"""Headline places in a change: a page shows its headline in several places (the article's <h1>,
og:title, twitter:title, JSON-LD `headline`, <title>; archive.snapshot.HEADLINE_PLACES) and a
version keeps each as published under "headlines": {place: text}. A change in any of them is a
headline change, and says which place changed.

A version dict without "headlines" (or with None: written before the archive kept them) has no
known places: nothing is compared for it, so an old version followed by a new one never reads as
every place being added. An empty dict is known: the page showed no headline anywhere.
"""
from __future__ import annotations

from .edits_rules import cosmetic_key, strip_wire_prefix
from .snapshot import HEADLINE_PLACES

PLACES = tuple(HEADLINE_PLACES)
FIELD_PREFIX = "headline:"


def headlines_of(version: dict | None) -> dict[str, str] | None:
    """The version's {place: text}, or None when the version does not record them."""
    value = (version or {}).get("headlines")
    if value is None:
        return None
    return {place: text for place, text in dict(value).items() if text}


def place_changes(old: dict | None, new: dict) -> list[tuple[str, str, str]]:
    """(place, old text, new text) for each headline place that differs, in HEADLINE_PLACES
    order then any other key sorted; "" for a place the page did not show."""
    a, b = headlines_of(old), headlines_of(new)
    if a is None or b is None:
        return []
    keys = [p for p in PLACES if p in a or p in b]
    keys += sorted((set(a) | set(b)) - set(PLACES))
    return [(p, a.get(p, ""), b.get(p, "")) for p in keys if a.get(p, "") != b.get(p, "")]


def field_rows(old: dict | None, new: dict) -> list[dict]:
    """One {field: "headline:<place>", old, new} row per headline place that differs."""
    return [{"field": FIELD_PREFIX + p, "old": x or None, "new": y or None}
            for p, x, y in place_changes(old, new)]


def place_of(field: str) -> str | None:
    """"headline:og" → "og"; None for any other field."""
    return field[len(FIELD_PREFIX):] if field.startswith(FIELD_PREFIX) else None


def place_name(place: str) -> str:
    """What a place is called in details: "social headline (og:title)"."""
    return HEADLINE_PLACES.get(place, f"headline ({place})")


def place_names(places) -> str:
    return ", ".join(place_name(p) for p in places)


def field_label(field: str) -> str:
    """How a field row is labelled for a reader: "Headline" for the chosen headline ("title"),
    "Social headline (og:title)" for a headline place, else the field name ("Modified at")."""
    place = place_of(field)
    name = "headline" if field == "title" else \
        field.replace("_", " ") if place is None else place_name(place)
    return name[:1].upper() + name[1:]


def is_cosmetic(a: str, b: str) -> bool:
    return bool(a) and bool(b) and cosmetic_key(a) == cosmetic_key(b)


def kicker_change(a: str, b: str) -> str | None:
    """'kicker added "UPDATE:"', 'kicker changed "UPDATE 2-" → "UPDATE 3-"' or 'kicker removed
    "UPDATE 2-"' when two headlines differ only in their wire-desk kicker; else None."""
    if not a or not b:
        return None
    core_a, core_b = strip_wire_prefix(a), strip_wire_prefix(b)
    if core_a != core_b or a == b:
        return None
    ka, kb = a[:len(a) - len(core_a)].strip(), b[:len(b) - len(core_b)].strip()
    if not ka:
        return f'kicker added "{kb}"'
    if not kb:
        return f'kicker removed "{ka}"'
    return f'kicker changed "{ka}" → "{kb}"'


def place_rows(changes: list[tuple[str, str, str]]) -> list[dict]:
    """Headline class rows for places that changed while the chosen headline did not: one row
    per distinct change, naming the places that show it ("social headline (og:title), social
    headline (twitter:title) changed")."""
    groups: dict[tuple[str, str], list[str]] = {}
    for place, a, b in changes:
        groups.setdefault((a, b), []).append(place)
    rows = []
    for (a, b), places in groups.items():
        verb = "added" if not a else "removed" if not b else "changed"
        detail = f"{place_names(places)} {verb}"
        kicker = kicker_change(a, b)
        if kicker:
            detail += f" ({kicker})"
        rows.append({"class": "headline", "detail": detail, "old": a or None, "new": b or None})
    return rows


def cosmetic_details(changes: list[tuple[str, str, str]], kinds) -> list[str]:
    """"page headline (<h1>), browser title (<title>): letter case" for places that changed
    only cosmetically; kinds(a, b) names the kinds of cosmetic difference."""
    groups: dict[tuple[str, str], list[str]] = {}
    for place, a, b in changes:
        groups.setdefault((a, b), []).append(place)
    return [f"{place_names(places)}: {', '.join(kinds(a, b))}"
            for (a, b), places in groups.items()]
