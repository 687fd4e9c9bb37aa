"""What a new version changed, as data: computed once per version, stored as rows.

compute_change(old, new) aligns the two bodies sentence by sentence (the NewsEdits categories:
added, deleted, edited, moved), lists changed fields, counts words, sentences and paragraphs,
and classifies the change (headline, number, correction, addition, removal, rewording, cosmetic,
stealth, revert). A version is a plain dict: version, captured_at, title, byline, published_at,
modified_at, lead, text (one paragraph per line), language, tags, and headlines ({place: text},
every headline the page shows; missing or None for versions written before it was kept).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from . import edits_rules as rules
from .edits_classify import classify as _classify
from .edits_headlines import field_rows as headline_field_rows
from .sentences import Sentence, split_sentences
from .textdiff import common_ends, words

CHANGE_CLASSES = ("headline", "number", "correction", "addition", "removal", "rewording",
                  "cosmetic", "stealth", "revert", "pulled", "redirected")
FIELDS = ("title", "byline", "lead", "published_at", "modified_at", "tags")

# A sentence of the new version is the edited form of an old one in the same place when their
# word similarity reaches EDIT_THRESHOLD; a sentence found elsewhere counts as moved from
# MOVE_THRESHOLD up (a moved and heavily rewritten sentence is deleted + added).
EDIT_THRESHOLD = 0.5
MOVE_THRESHOLD = 0.8
# One sentence replaced by one sentence in the same place reads as a rewording from here up.
ONE_FOR_ONE_THRESHOLD = 0.3


@dataclass
class Change:
    old_version: int | None
    new_version: int | None
    sentence_rows: list[dict] = field(default_factory=list)
    field_rows: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    classes: list[dict] = field(default_factory=list)

    @property
    def class_names(self) -> list[str]:
        return list(dict.fromkeys(c["class"] for c in self.classes))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Pair:
    kind: str                 # added / deleted / edited / moved
    old: int | None
    new: int | None
    similarity: float | None
    added_words: int = 0
    removed_words: int = 0
    order: float = 0.0


def compute_change(old: dict | None, new: dict, *, reverts_to: int | None = None) -> Change:
    language = new.get("language") or (old or {}).get("language")
    new_text = new.get("text") or ""
    if old is None:
        summary = _summary(words_added=len(words(new_text)), similarity=0.0)
        return Change(None, new.get("version"), summary=summary)
    old_text = old.get("text") or ""
    # Only the changed middle is split, aligned and compared: whole paragraphs shared at the
    # start and the end are the same sentences in both versions.
    prefix, suffix = common_ends(old_text, new_text)
    old_mid = old_text[prefix:len(old_text) - suffix]
    new_mid = new_text[prefix:len(new_text) - suffix]
    sa = split_sentences(old_text, language)
    sb, first, last_a, last_b = _new_sentences(sa, prefix, len(old_text) - suffix, new_mid,
                                               language)
    pairs = align([s.text for s in sa[first:last_a]], [s.text for s in sb[first:last_b]])
    for p in pairs:
        p.old = None if p.old is None else p.old + first
        p.new = None if p.new is None else p.new + first
    rows = [_row(p, sa, sb) for p in pairs]
    paragraphs = align(_paragraph_texts(sa[first:last_a]), _paragraph_texts(sb[first:last_b]),
                       count_words=False)
    shared = len(words(old_text[:prefix])) + len(words(old_text[len(old_text) - suffix:]))
    wa, wb = shared + len(words(old_mid)), shared + len(words(new_mid))
    added = sum(p.added_words for p in pairs)
    removed = sum(p.removed_words for p in pairs)
    kinds = [p.kind for p in pairs]
    summary = _summary(
        words_added=added, words_removed=removed,
        similarity=round(max(0.0, (wa - removed + wb - added) / (wa + wb)), 4) if wa + wb else 1.0,
        sentences_added=kinds.count("added"), sentences_deleted=kinds.count("deleted"),
        sentences_edited=kinds.count("edited"), sentences_moved=kinds.count("moved"),
        paragraphs_added=sum(p.kind == "added" for p in paragraphs),
        paragraphs_removed=sum(p.kind == "deleted" for p in paragraphs))
    classes = _classify(old, new, sa, sb, pairs, reverts_to, body=(old_mid, new_mid))
    return Change(old.get("version"), new.get("version"), rows, field_rows(old, new), summary,
                  classes)


def _new_sentences(sa: list[Sentence], prefix: int, suffix_at: int, new_mid: str,
                   language) -> tuple[list[Sentence], int, int, int]:
    """The new version's sentences, splitting only its changed middle: those of the shared
    first and last paragraphs are the old ones, shifted. Also where the middle starts, and
    where it ends in each list."""
    first = bisect_right([s.end for s in sa], prefix)
    last_a = bisect_left([s.start for s in sa], suffix_at)
    pre_paragraphs = sa[first - 1].paragraph + 1 if first else 0
    old_mid_paragraphs = len({s.paragraph for s in sa[first:last_a]})
    mid = [Sentence(s.text, s.paragraph + pre_paragraphs, s.start + prefix, s.end + prefix)
           for s in split_sentences(new_mid, language)]
    new_mid_paragraphs = mid[-1].paragraph + 1 - pre_paragraphs if mid else 0
    delta = (prefix + len(new_mid)) - suffix_at
    dp = new_mid_paragraphs - old_mid_paragraphs
    post = [Sentence(s.text, s.paragraph + dp, s.start + delta, s.end + delta)
            for s in sa[last_a:]]
    return sa[:first] + mid + post, first, last_a, first + len(mid)


def field_rows(old: dict, new: dict) -> list[dict]:
    """{field, old, new} for each metadata field that differs (empty and missing are equal),
    the chosen headline ("title") first, then one "headline:<place>" row per place of the page
    whose headline differs ("headline:og": og:title; see edits_headlines)."""
    rows = []
    for name in FIELDS:
        a, b = field_text(name, old.get(name)), field_text(name, new.get(name))
        if (a or None) != (b or None):
            rows.append({"field": name, "old": a, "new": b})
        if name == "title":
            rows += headline_field_rows(old, new)
    return rows


def field_text(name: str, value) -> str | None:
    """A field as stored text: tags sorted and joined ("Hamas, Russia"), times in ISO form."""
    if name == "tags":
        items = value.split(",") if isinstance(value, str) else (value or [])
        return ", ".join(sorted(str(t).strip() for t in items if str(t).strip()))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def align(a: list[str], b: list[str], *, count_words: bool = True) -> list[_Pair]:
    """Every old item not kept in place and every new item not found in place, paired where
    possible: in-order matches (difflib) are unchanged and left out; the rest are paired by
    cosmetic identity, then by word similarity within the same changed stretch (edited), then
    by high similarity anywhere (moved); what is left is deleted or added."""
    sm = SequenceMatcher(None, a, b, autojunk=False)
    gap_a: dict[int, int] = {}
    gap_b: dict[int, int] = {}
    gap_at: list[int] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        g = len(gap_at)
        gap_at.append(j1)
        gap_a.update((i, g) for i in range(i1, i2))
        gap_b.update((j, g) for j in range(j1, j2))
    pairs: list[_Pair] = []
    if not gap_a and not gap_b:
        return pairs
    wa = {i: [w.casefold() for w in words(a[i])] for i in gap_a}
    wb = {j: [w.casefold() for w in words(b[j])] for j in gap_b}
    left_a, left_b = dict.fromkeys(gap_a), dict.fromkeys(gap_b)

    def pair(i, j, kind, sim=None):
        if sim is None:
            sim = _similarity(wa[i], wb[j])
        p = _Pair(kind, i, j, round(sim, 4), order=j)
        if count_words and sim < 1.0:
            p.added_words, p.removed_words = _word_changes(wa[i], wb[j])
        pairs.append(p)
        del left_a[i], left_b[j]

    # 1. the same sentence up to cosmetics: moved if it left its stretch, else edited
    by_key: dict[str, list[int]] = {}
    for i in gap_a:
        by_key.setdefault(rules.cosmetic_key(a[i]), []).append(i)
    for j in gap_b:
        olds = by_key.get(rules.cosmetic_key(b[j]))
        if olds:
            i = olds.pop(0)
            if gap_a[i] != gap_b[j]:
                pair(i, j, "moved")
            elif a[i] != b[j]:
                pair(i, j, "edited")
            else:
                del left_a[i], left_b[j]          # a duplicate: unchanged
    # 2. edited in place, 3. moved and edited
    sets_a = {i: set(wa[i]) for i in left_a}
    sets_b = {j: set(wb[j]) for j in left_b}
    for same_gap, threshold, kind in ((True, EDIT_THRESHOLD, "edited"),
                                      (False, MOVE_THRESHOLD, "moved")):
        candidates = []
        for i, j, limit in _candidates(left_a, left_b, gap_a, gap_b, sets_a, sets_b,
                                       same_gap, threshold):
            sim = _similarity(wa[i], wb[j])
            if sim >= limit:
                candidates.append((-sim, abs(i - j), i, j))
        for neg, _, i, j in sorted(candidates):
            if i in left_a and j in left_b:
                pair(i, j, kind, -neg)
    for i in left_a:
        p = _Pair("deleted", i, None, None, order=gap_at[gap_a[i]] - 0.5 + i / 1e6)
        p.removed_words = len(wa[i])
        pairs.append(p)
    for j in left_b:
        pairs.append(_Pair("added", None, j, None, added_words=len(wb[j]), order=j))
    pairs.sort(key=lambda p: p.order)
    return pairs


def _candidates(left_a, left_b, gap_a, gap_b, sets_a, sets_b, same_gap: bool,
                threshold: float):
    """(old, new, threshold) pairs worth a similarity: those sharing a word that is not
    everywhere (an inverted index, so a rewritten 100 KB story is not n × m comparisons),
    whose share of common distinct words could reach the threshold."""
    per_gap_a: dict[int, int] = {}
    per_gap_b: dict[int, int] = {}
    for i in left_a:
        per_gap_a[gap_a[i]] = per_gap_a.get(gap_a[i], 0) + 1
    for j in left_b:
        per_gap_b[gap_b[j]] = per_gap_b.get(gap_b[j], 0) + 1
    index: dict[str, list[int]] = {}
    for i in left_a:
        for w in sets_a[i]:
            index.setdefault(w, []).append(i)
    common = max(8, len(left_a) // 50)
    for j in left_b:
        seen: set[int] = set()
        for w in sets_b[j]:
            postings = index.get(w)
            if postings and len(postings) <= common:
                seen.update(postings)
        g = gap_b[j]
        if same_gap and per_gap_a.get(g) == 1 and per_gap_b[g] == 1:
            # one sentence swapped for one in the same place: a rewording from lower up
            i = next(i for i in left_a if gap_a[i] == g)
            yield i, j, ONE_FOR_ONE_THRESHOLD
            continue
        for i in seen:
            if (gap_a[i] == g) != same_gap:
                continue
            x, y = sets_a[i], sets_b[j]
            if 2 * len(x & y) / (len(x) + len(y)) >= threshold * 0.6:
                yield i, j, threshold


def _similarity(x: list[str], y: list[str]) -> float:
    if not x and not y:
        return 1.0
    if not x or not y:
        return 0.0
    return SequenceMatcher(None, x, y, autojunk=False).ratio()


def _word_changes(x: list[str], y: list[str]) -> tuple[int, int]:
    added = removed = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if tag != "equal":
            added += j2 - j1
            removed += i2 - i1
    return added, removed


def _row(p: _Pair, sa: list[Sentence], sb: list[Sentence]) -> dict:
    return {"kind": p.kind, "old_index": p.old, "new_index": p.new,
            "old_sentence": sa[p.old].text if p.old is not None else None,
            "new_sentence": sb[p.new].text if p.new is not None else None,
            "similarity": p.similarity}


def _paragraph_texts(sentences: list[Sentence]) -> list[str]:
    out: list[list[str]] = []
    last = None
    for s in sentences:
        if s.paragraph != last:
            out.append([])
            last = s.paragraph
        out[-1].append(s.text)
    return [" ".join(p) for p in out]


def _summary(**values) -> dict:
    summary = dict.fromkeys(
        ("words_added", "words_removed", "similarity", "sentences_added", "sentences_deleted",
         "sentences_edited", "sentences_moved", "paragraphs_added", "paragraphs_removed"), 0)
    summary.update(values)
    return summary

