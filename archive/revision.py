"""Whether a capture is a new revision, the same one, or needs another fetch: decided here only.

The spider asks `judge` whether to fetch a detected change again (confirmation); the write path
asks it again, with the archive's own latest version and learned noise, what the fetch is. Both
run this code, so what the crawler does and what the archive records cannot drift apart.

What a revision is made of (`COMPARED`): every headline the page shows (each place on its own:
a rewrite of og:title alone is a headline change), the chosen headline, byline, lead and body.
Not the dates: a CMS may stamp a fresh modified time on every response, so the publisher's
times are kept on each fetch (`fetches.published_at`, `modified_at`) and a version keeps those
seen with its content. Lines learned as noise (`archive/noise.py`), and body lines that only
restate the headline, the byline or the lead (`without_furniture`), are left out of the comparison
and kept in the stored text.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from . import normalize
from .noise import Noise, Rotation, rotation
from .snapshot import Snapshot

COMPARED = ("headlines", "title", "byline", "lead", "text")
# A change seen on this many captures taken seconds apart stands (see `judge`).
MAX_CAPTURES = 3

NEW, CHANGED, UNCHANGED, CONFIRM = "new", "changed", "unchanged", "confirm"


def fields(snapshot: Snapshot) -> dict:
    """A capture as a version stores it: the text as the page showed it (normalized spacing)."""
    return {
        "title": normalize.normalize_line(snapshot.title or ""),
        "headlines": {place: normalize.normalize_line(text) for place, text in sorted((snapshot.headlines or {}).items())
                      if text and text.strip()},
        "byline": normalize.normalize_line(snapshot.byline or ""),
        "published_at": snapshot.published_at,
        "modified_at": snapshot.modified_at,
        "lead": normalize.normalize_text(snapshot.lead),
        "text": normalize.normalize_text(snapshot.text),
        "language": snapshot.language,
        "tags": list(snapshot.tags or []),
    }


def key(version: dict, noise: Noise = Noise()) -> str:
    """The comparison key of a capture or a stored version under `noise`."""
    parts = []
    for name in COMPARED:
        value = version.get(name)
        if name == "text":
            value = without_furniture(noise.strip(value), version)
        elif name == "headlines":
            value = "\x1d".join(f"{p}={normalize.normalize_line(t)}" for p, t in sorted((value or {}).items()) if t)
        else:
            value = normalize.normalize_text(str(value)) if value else ""
        parts.append(f"{name}\x1f{value}")
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


# Words a line that only restates the byline may carry besides the names: "By", a date, a time.
_BYLINE_WORDS = frozenset(
    "by and von par por updated published posted am pm utc gmt et pt est edt pst pdt cet msk "
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
    "august september october november december".split())
_TOKENS = re.compile(r"[^\W_]+")


def without_furniture(text: str, version: dict) -> str:
    """The body without lines that only restate the page's headline, byline or lead: an extractor
    takes the header block (headline, "11/19/2019 by Lars Brandle", the standfirst) into the body
    on some fetches and not on others, as rotating boilerplate next to it sways its heuristics (a
    real billboard.com page: 3 fetches in 40, two in a row, so a confirmation agreed and a version
    was invented; wiresim's one-sentence flash, whose standfirst came and went). Each is compared
    as a field of its own (`headlines`, `byline`, `lead`), so leaving their repeats out of the
    body's comparison hides no rewrite of them; the stored text keeps them. What it can hide: a
    body paragraph identical to the lead deleted while the lead stays (a CMS whose description is
    the first paragraph, the paragraph cut and the description not): the next edit's diff shows it."""
    if not text:
        return text
    heads = {normalize.normalize_line(t).casefold() for t in
             [version.get("title"), version.get("lead"), *(version.get("headlines") or {}).values()] if t}
    byline = normalize.normalize_line(version.get("byline") or "").casefold()
    return "\n".join(x for x in text.split("\n") if x and not _restates(x, heads, byline))


def _restates(line: str, heads: set[str], byline: str) -> bool:
    folded = line.casefold()
    if folded in heads:
        return True
    if not byline or byline not in folded:
        return False
    rest = _TOKENS.findall(folded.replace(byline, " "))
    return all(t.isdigit() or t in _BYLINE_WORDS for t in rest)


def same_as_latest(latest: dict | None, snapshot: Snapshot) -> bool:
    """Whether a capture is the latest version exactly: every compared field equal with no noise
    left out, extracted by the extractor that made the version. Whatever noise the archive knows
    when it writes, it can only call such a capture unchanged too, so the capture proves nothing
    new and its raw bytes are not needed."""
    return (bool(latest) and snapshot.is_article and not snapshot.probe_only
            and latest.get("extractor") == snapshot.extractor and key(latest) == key(fields(snapshot)))


def for_comparison(version: dict, noise: Noise) -> dict:
    """The version as change analysis reads it: its text without the noise."""
    return dict(version, text=noise.strip(version.get("text")))


@dataclass
class Judgement:
    outcome: str                  # new / changed / unchanged / confirm (fetch it again)
    noise: Noise                  # what the comparison left out (learned + this article's own)
    rotation: Rotation = field(default_factory=Rotation)   # what rotated between the captures


def judge(latest: dict | None, captures: list[dict], noise: Noise, *, final: bool) -> Judgement:
    """latest: the article's latest version (None: never captured); captures: `fields` of the
    captures of this check, taken seconds apart, oldest first; noise: the source's learned noise
    plus this article's own; final: no further fetch is possible (the write path), so a change
    awaiting confirmation stands — keeping a possible edit beats missing one.

    A first capture is a version at once (one request per new article). A change is fetched
    again: lines that differ between the captures are rotating, labels one line of which
    replaced another are rotating on this article; what all captures still change against the
    latest version under that is an edit. When the captures agree exactly and the change
    touches labelled lines ("Read also: …"), a third fetch tells a teaser that happened to
    repeat from an edit.
    """
    if latest is None:
        return Judgement(NEW, noise)
    rot = rotation([c.get("text") or "" for c in captures])
    seen = noise.with_keys(rot.label_keys)
    unsettled = seen.with_keys(rot.line_keys)     # lines the captures disagree on prove nothing,
    unsettled = unsettled.with_keys(_slots(latest, captures, rot, seen))   # nor what they replaced
    drop = _disagreeing_fields(captures)          # nor do other fields (a teaser in the byline box)
    old = key(_without(latest, drop), unsettled)
    if not all(key(_without(c, drop), unsettled) != old for c in captures):
        return Judgement(UNCHANGED, seen, rot)
    if not final and len(captures) < MAX_CAPTURES and (len(captures) < 2 or (
            not rot.lines and _labelled_lines_changed(latest, captures[-1], seen))):
        return Judgement(CONFIRM, seen, rot)
    return Judgement(CHANGED, seen, rot)


def _slots(latest: dict, captures: list[dict], rot: Rotation, noise: Noise) -> set[str]:
    """Keys of the latest version's lines that sit where the captures show rotating lines: a
    slot whose line changes between captures seconds apart (a teaser glued to a paragraph, a
    counter without a label) changed against the latest version for the same reason."""
    if not rot.lines:
        return set()
    old = [x for x in noise.strip(latest.get("text")).split("\n") if x]
    out: set[str] = set()
    for capture in captures:
        new = [x for x in noise.strip(capture.get("text")).split("\n") if x]
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag == "replace" and i2 - i1 == j2 - j1 and all(x in rot.lines for x in new[j1:j2]):
                out.update(normalize.line_key(o) for o, n in zip(old[i1:i2], new[j1:j2]) if _same_slot(o, n))
    return out


# How much of a line a rotating line must share to stand in the same slot (a paragraph with a
# teaser glued to it, a counter): its text, compared character by character.
SAME_SLOT_RATIO = 0.5


def _same_slot(old_line: str, rotating: str) -> bool:
    """Whether the latest version's line could be what rotates in that slot now: it carries the
    same label ("Read also: …") or shares most of its text. A story paragraph where a teaser now
    stands was cut: an edit, not rotation (wiresim found it: a cut paragraph went unrecorded)."""
    label = normalize.label_of(old_line)
    if label is not None and label == normalize.label_of(rotating):
        return True
    return SequenceMatcher(None, old_line, rotating, autojunk=False).ratio() >= SAME_SLOT_RATIO


def _disagreeing_fields(captures: list[dict]) -> set[str]:
    """Fields other than the body (headline places as 'headlines:<place>') on which captures
    taken seconds apart disagree."""
    out = set()
    for name in ("title", "byline", "lead"):
        if len({normalize.normalize_text(c.get(name) or "") for c in captures}) > 1:
            out.add(name)
    places = {p for c in captures for p in (c.get("headlines") or {})}
    for place in places:
        if len({normalize.normalize_line((c.get("headlines") or {}).get(place) or "") for c in captures}) > 1:
            out.add(f"headlines:{place}")
    return out


def _without(version: dict, fields_: set[str]) -> dict:
    if not fields_:
        return version
    out = dict(version)
    for name in fields_:
        if name.startswith("headlines:"):
            out["headlines"] = {p: t for p, t in (out.get("headlines") or {}).items() if p != name[10:]}
        else:
            out[name] = ""
    return out


def _labelled_lines_changed(latest: dict, capture: dict, noise: Noise) -> bool:
    """Whether a labelled line ("Read also: …") is among what changed. Alone, it may be a teaser
    that repeated; beside a real edit, a repeated teaser would ride along in the edit's change
    rows as an added and a removed line (a headline edit classed addition + removal, found
    in the web view's tests). A third capture tells either case."""
    a = set(noise.strip(latest.get("text")).split("\n"))
    b = set(noise.strip(capture.get("text")).split("\n"))
    return any(normalize.label_of(x) for x in (a ^ b) - {""})


def matching_version(versions: list[dict], capture: dict, noise: Noise) -> int | None:
    """The earlier version (not the latest) whose content the capture repeats: a revert."""
    want = key(capture, noise)
    for row in versions[1:]:
        if key(row, noise) == want:
            return row["version"]
    return None
