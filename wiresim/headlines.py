"""Headline edits in chosen places. A page shows its headline in five places (HEADLINE_PLACES:
the article's <h1>, og:title, twitter:title, JSON-LD `headline`, <title>), and publishers do not
always edit them together: the visible headline gains "UPDATE: " while the JSON-LD (a separate
SEO field) keeps the old text, or only the social title is rewritten for sharing.

Every headline edit takes `places=` (the places that get the new text; default all five) or
`stale=` (the places that keep what they show now; the others get the new text), never both:

    sim.edit(aid, "headline", headline="New words", stale=["jsonld"])   # JSON-LD left stale
    sim.edit(aid, "headline", places=["jsonld"])                       # only JSON-LD changes
    sim.edit(aid, "social_headline")                                   # og:title + twitter:title
    sim.edit(aid, "kicker")              # "Foo" → "UPDATE: Foo"; "UPDATE 2-Foo" → "UPDATE 3-Foo"
    sim.edit(aid, "kicker", kicker="UPDATE 2-", stale=["jsonld"])      # an explicit kicker

Each returns {"old", "new"} (the text of the first place edited, in HEADLINE_PLACES order: the
<h1> unless it was left out), "places" (the places edited) and "headlines" ({place: [old, new]}
for every place whose text changed). `Article.headline` (what listings, feeds and sitemaps show)
follows the <h1>.
"""

from __future__ import annotations

import random
import re

from .content import HEADLINE_PLACES, Article

SOCIAL_PLACES = ("og", "twitter")
# A wire-desk kicker at the start of a headline: "UPDATE: ", "UPDATE 2-", "UPDATE 3 - ".
KICKER_RE = re.compile(r"^UPDATE(?:\s+(\d+))?\s*([-:–—])\s*")


def select_places(places=None, stale=None, default=HEADLINE_PLACES) -> tuple[str, ...]:
    """The places an edit changes, in HEADLINE_PLACES order."""
    if places is not None and stale is not None:
        raise ValueError("give places= (the places edited) or stale= (the places kept), "
                         "not both")
    named = [places] if isinstance(places, str) else list(places or []) if places is not None \
        else [stale] if isinstance(stale, str) else list(stale or [])
    unknown = [p for p in named if p not in HEADLINE_PLACES]
    if unknown:
        raise ValueError(f"unknown headline place(s) {unknown}; places: "
                         f"{', '.join(HEADLINE_PLACES)}")
    if places is not None:
        chosen = tuple(p for p in HEADLINE_PLACES if p in named)
    elif stale is not None:
        chosen = tuple(p for p in HEADLINE_PLACES if p not in named)
    else:
        chosen = tuple(default)
    if not chosen:
        raise ValueError("a headline edit needs at least one place to edit")
    return chosen


def set_shown(a: Article, shown: dict[str, str]) -> None:
    """Make the page show `shown` ({place: text} for every place): `headline` is the <h1>'s,
    the places that differ from it are kept apart."""
    a.headline = shown["h1"]
    a.place_headlines = {p: text for p, text in shown.items() if text != a.headline}


def apply(a: Article, chosen: tuple[str, ...], texts: dict[str, str]) -> dict:
    """Give each chosen place its new text; report what changed."""
    before = a.shown_headlines()
    after = {p: texts.get(p, before[p]) if p in chosen else before[p] for p in HEADLINE_PLACES}
    set_shown(a, after)
    first = chosen[0]
    return {"old": before[first], "new": after[first], "places": list(chosen),
            "headlines": {p: [before[p], after[p]] for p in HEADLINE_PLACES
                          if before[p] != after[p]}}


def bump_kicker(text: str, kicker: str | None = None) -> str:
    """`kicker` in place of the headline's own, or the next one: none → "UPDATE: ",
    "UPDATE: " → "UPDATE 2: ", "UPDATE 2-" → "UPDATE 3-"."""
    m = KICKER_RE.match(text)
    core = text[m.end():] if m else text
    if kicker is not None:
        return kicker + core
    if not m:
        return "UPDATE: " + core
    n, sep = int(m.group(1) or 1) + 1, m.group(2)
    return f"UPDATE {n}{sep}{' ' if sep == ':' else ''}" + core


def kicker_edit(a: Article, rng: random.Random, kicker: str | None = None, places=None,
                stale=None) -> dict:
    chosen = select_places(places, stale)
    shown = a.shown_headlines()
    change = apply(a, chosen, {p: bump_kicker(shown[p], kicker) for p in chosen})
    m = KICKER_RE.match(change["new"])
    change["kicker"] = m.group() if m else ""
    return change


def pick_new_headline(a: Article, old: str, rng: random.Random, clauses: list[str]) -> str:
    """Another of the text's headlines (six times in ten), else the headline with a clause
    added or swapped ("…, officials say")."""
    alternatives = [h for h in a.alt_headlines if h != old]
    if alternatives and rng.random() < 0.6:
        return rng.choice(alternatives)
    base = old
    for clause in clauses:
        base = base.removesuffix(clause)
    return base + rng.choice([c for c in clauses if base + c != old])


def headline_edit(a: Article, rng: random.Random, clauses: list[str], headline: str | None = None,
                  places=None, stale=None, default=HEADLINE_PLACES) -> dict:
    chosen = select_places(places, stale, default)
    old = a.shown_headline(chosen[0])
    new = headline if headline is not None else pick_new_headline(a, old, rng, clauses)
    return apply(a, chosen, dict.fromkeys(chosen, new))
