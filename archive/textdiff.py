"""Diffs between two texts as operations with character offsets.

Tokens: words, whitespace runs and single punctuation marks for alphabetic scripts; one token per
character for Chinese and Japanese (detected by script, so a Latin name or a figure inside
Chinese text stays one token). A figure such as "2,800" or "3.5" is one token, so a revised
number shows as one replacement.

Speed: difflib's SequenceMatcher is quadratic in the worst case, so it never sees a whole
article. The common prefix and suffix (whole paragraphs) are cut first; what is left is aligned
paragraph by paragraph, long changed stretches sentence by sentence, and only the changed blocks
are diffed token by token, each token carrying the whitespace before it (a " " token would match
every other one). Every level uses SequenceMatcher with autojunk=False: autojunk makes frequent
tokens such as "the" unmatchable in long texts, and the diff shows them as changed. A changed
block too big for it (a rewritten story) is first cut at tokens found once on each side, as
patience diff does; a big stretch sharing none is unrelated text and is replaced whole.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher

from .sentences import split_sentences

BY = ("word", "char", "sentence")

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_TOKEN = re.compile(
    rf"[{_CJK}]"                                   # one Chinese/Japanese character
    r"|\s+"
    r"|\d+(?:[.,]\d+)*"                            # 2,800  3.5  11.200
    rf"|[^\W_{_CJK}]+(?:['’][^\W_{_CJK}]+)*"        # words, don't, G7
    r"|.",                                         # punctuation, one mark at a time
    re.S,
)
WORD_RE = _WORD = re.compile(rf"[{_CJK}]|\d+(?:[.,]\d+)*|[^\W_{_CJK}]+(?:['’][^\W_{_CJK}]+)*")
# What SequenceMatcher compares at the token level: each token with the whitespace before it,
# so that " " (a quarter of all tokens, each matching every other) never costs a comparison.
_SM_TOKEN = re.compile(
    rf"\s*(?:[{_CJK}]|\d+(?:[.,]\d+)*|[^\W_{_CJK}]+(?:['’][^\W_{_CJK}]+)*|\S)|\s+")
_UNIT = re.compile(r"[^\n]*\n+|[^\n]+")            # a paragraph with the line breaks after it

# Above this many characters (both sides together) a changed stretch of paragraphs is aligned
# by sentences before tokens, so SequenceMatcher's quadratic cases stay small.
SENTENCE_LEVEL_CHARS = 4000
# Largest token-count product diffed by SequenceMatcher in one go (about 1,000 × 1,000 tokens).
TOKEN_BUDGET = 1_000_000


@dataclass(frozen=True, slots=True)
class Op:
    tag: str          # "equal" | "insert" | "delete" | "replace"
    old_start: int    # character offsets: old[old_start:old_end] == old_text
    old_end: int
    new_start: int
    new_end: int
    old_text: str
    new_text: str

    def to_dict(self) -> dict:
        return asdict(self)


def tokenize(text: str, by: str = "word") -> list[str]:
    """Tokens of text; "".join(tokenize(text, by)) == text for every mode."""
    if by == "char":
        return list(text)
    if by == "sentence":
        return _sentence_segments(text)
    return _TOKEN.findall(text)


def words(text: str) -> list[str]:
    """Word tokens only (letters/digits; one per CJK character): for counts and similarity."""
    return _WORD.findall(text)


def diff(old: str, new: str, by: str = "word", language: str | None = None) -> list[Op]:
    """Operations that turn old into new, covering both texts end to end.

    by="word" (the default): word tokens, Chinese and Japanese characters one by one;
    by="char": a word diff refined to characters inside each replacement where the two sides
    are alike (readable, and fast); by="sentence": whole sentences. language only guides
    sentence splitting ("zh"/"ja": a Latin "." is not a full stop).
    """
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    if old == new:
        return [Op("equal", 0, len(old), 0, len(new), old, new)] if old else []
    raw: list[tuple[str, int, int, int, int]] = []
    prefix, suffix = common_ends(old, new)
    if prefix:
        raw.append(("equal", 0, prefix, 0, prefix))
    unit = "sentence" if by == "sentence" else "word"
    _diff_units(old, new, prefix, len(old) - suffix, prefix, len(new) - suffix, unit, language,
                raw)
    if suffix:
        raw.append(("equal", len(old) - suffix, len(old), len(new) - suffix, len(new)))
    ops = _trim_whitespace(_merge(raw), old, new)
    if by == "word":
        ops = _absorb_gaps(ops, old)
    elif by == "char":
        ops = _refine_chars(ops, old, new)
    return [Op(t, a1, a2, b1, b2, old[a1:a2], new[b1:b2]) for t, a1, a2, b1, b2 in ops]


def common_ends(old: str, new: str) -> tuple[int, int]:
    """Common prefix and suffix lengths, cut back to whole paragraphs (so that paragraph
    alignment of the middle sees complete lines)."""
    n = min(len(old), len(new))
    lo, hi = 0, n
    while lo < hi:                                  # binary search: slices compare in C
        mid = (lo + hi + 1) // 2
        if old[:mid] == new[:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = old.rfind("\n", 0, lo) + 1
    lo, hi = 0, n - prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid:] == new[len(new) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    suffix = lo
    sa, sb = len(old) - suffix, len(new) - suffix
    if suffix and not ((sa == 0 or old[sa - 1] == "\n") and (sb == 0 or new[sb - 1] == "\n")):
        cut = old.find("\n", sa)
        suffix = len(old) - cut - 1 if cut != -1 else 0
    return prefix, suffix


def _diff_units(old, new, a1, a2, b1, b2, unit, language, out) -> None:
    """Align old[a1:a2] with new[b1:b2] paragraph by paragraph, diff the changed ones."""
    if a1 == a2 or b1 == b2:
        if a1 != a2 or b1 != b2:
            out.append(("delete" if b1 == b2 else "insert", a1, a2, b1, b2))
        return
    pa = _spans(_UNIT, old, a1, a2)
    pb = _spans(_UNIT, new, b1, b2)
    _align(old, new, pa, pb, out, lambda i1, i2, j1, j2: _diff_block(
        old, new, i1, i2, j1, j2, unit, language, out))


def _diff_block(old, new, a1, a2, b1, b2, unit, language, out) -> None:
    """A changed stretch of paragraphs: by sentences when long, then by tokens."""
    if unit == "sentence" or (a2 - a1) + (b2 - b1) > SENTENCE_LEVEL_CHARS:
        sa = _sentence_spans(old, a1, a2, language)
        sb = _sentence_spans(new, b1, b2, language)
        if unit == "sentence":
            _align(old, new, sa, sb, out, lambda i1, i2, j1, j2: out.append(
                ("replace", i1, i2, j1, j2)))
            return
        if len(sa) > 1 or len(sb) > 1:
            _align(old, new, sa, sb, out, lambda i1, i2, j1, j2: _diff_tokens(
                old, new, i1, i2, j1, j2, out))
            return
    _diff_tokens(old, new, a1, a2, b1, b2, out)


def _diff_tokens(old, new, a1, a2, b1, b2, out) -> None:
    _diff_token_spans(old, new, a1, a2, b1, b2, _spans(_SM_TOKEN, old, a1, a2),
                      _spans(_SM_TOKEN, new, b1, b2), out)


def _diff_token_spans(old, new, a1, a2, b1, b2, ta, tb, out) -> None:
    """Token diff of old[a1:a2] and new[b1:b2] (ta, tb: their token spans). Past
    TOKEN_BUDGET, tokens that occur once on each side and in the same order anchor the
    texts (as in patience diff) and the stretches between anchors are diffed on their own;
    a big stretch without any anchor is unrelated text and is replaced whole."""
    if not ta or not tb:
        if ta or tb:
            out.append(("delete" if ta else "insert", a1, a2, b1, b2))
        return
    if len(ta) * len(tb) <= TOKEN_BUDGET:
        _align(old, new, ta, tb, out, lambda i1, i2, j1, j2: out.append(
            ("replace", i1, i2, j1, j2)))
        return
    anchors = _unique_anchors([old[s:e] for s, e in ta], [new[s:e] for s, e in tb])
    if not anchors:
        out.append(("replace", a1, a2, b1, b2))
        return
    pi = pj = 0
    pa, pb = a1, b1
    for i, j in anchors:
        _diff_token_spans(old, new, pa, ta[i][0], pb, tb[j][0], ta[pi:i], tb[pj:j], out)
        out.append(("equal", ta[i][0], ta[i][1], tb[j][0], tb[j][1]))
        pi, pj, pa, pb = i + 1, j + 1, ta[i][1], tb[j][1]
    _diff_token_spans(old, new, pa, a2, pb, b2, ta[pi:], tb[pj:], out)


def _unique_anchors(ka: list[str], kb: list[str]) -> list[tuple[int, int]]:
    """Longest increasing run of (i, j) where ka[i] == kb[j] occurs once in each list."""
    count_a, count_b = Counter(ka), Counter(kb)
    where_b = {k: j for j, k in enumerate(kb) if count_b[k] == 1}
    pairs = [(i, where_b[k]) for i, k in enumerate(ka) if count_a[k] == 1 and k in where_b]
    tails: list[int] = []            # patience sorting over j, with back links for the run
    tail_at: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
        back[n] = tail_at[k - 1] if k else -1
    run = []
    n = tail_at[-1] if tail_at else -1
    while n != -1:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]


def _align(old, new, sa, sb, out, on_replace) -> None:
    """SequenceMatcher over two lists of spans (start, end); equal, inserted and deleted runs
    go to out, replaced runs to on_replace(old_start, old_end, new_start, new_end)."""
    ka = [old[s:e] for s, e in sa]
    kb = [new[s:e] for s, e in sb]
    sm = SequenceMatcher(None, ka, kb, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        a1 = sa[i1][0] if i1 < len(sa) else (sa[-1][1] if sa else 0)
        a2 = sa[i2 - 1][1] if i2 > i1 else a1
        b1 = sb[j1][0] if j1 < len(sb) else (sb[-1][1] if sb else 0)
        b2 = sb[j2 - 1][1] if j2 > j1 else b1
        if tag == "replace":
            on_replace(a1, a2, b1, b2)
        else:
            out.append((tag, a1, a2, b1, b2))


def _spans(pattern: re.Pattern, text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text, start, end)]


def _sentence_spans(text: str, start: int, end: int, language) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as contiguous spans: each takes the whitespace after it."""
    cuts = [start + s.start for s in split_sentences(text[start:end], language)]
    if not cuts or cuts[0] != start:
        cuts.insert(0, start)
    cuts.append(end)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _sentence_segments(text: str) -> list[str]:
    return [text[a:b] for a, b in _sentence_spans(text, 0, len(text), None)]


def _merge(raw):
    """Join adjacent operations of one kind; an insert next to a delete becomes a replace."""
    ops: list[list] = []
    for tag, a1, a2, b1, b2 in raw:
        if a1 == a2 and b1 == b2:
            continue
        if ops:
            last = ops[-1]
            if last[0] == tag or (last[0] != "equal" and tag != "equal"):
                if last[0] != tag:
                    last[0] = "replace"
                last[2], last[4] = a2, b2
                continue
        ops.append([tag, a1, a2, b1, b2])
    for op in ops:
        if op[0] == "replace" and op[1] == op[2]:
            op[0] = "insert"
        elif op[0] == "replace" and op[3] == op[4]:
            op[0] = "delete"
    return [tuple(op) for op in ops]


def _trim_whitespace(ops, old, new):
    """Tokens carry the whitespace before them; whitespace both sides of a replacement share
    belongs to the text around it, not to the change."""
    out = []
    for tag, a1, a2, b1, b2 in ops:
        if tag == "replace":
            p = 0
            while a1 + p < a2 and b1 + p < b2 and old[a1 + p] == new[b1 + p] and \
                    old[a1 + p].isspace():
                p += 1
            q = 0
            while a2 - q > a1 + p and b2 - q > b1 + p and old[a2 - q - 1] == new[b2 - q - 1] \
                    and old[a2 - q - 1].isspace():
                q += 1
            if p:
                out.append(("equal", a1, a1 + p, b1, b1 + p))
            out.append(("replace", a1 + p, a2 - q, b1 + p, b2 - q))
            if q:
                out.append(("equal", a2 - q, a2, b2 - q, b2))
        else:
            out.append((tag, a1, a2, b1, b2))
    return _merge(out) if len(out) != len(ops) else ops


def _absorb_gaps(ops, old):
    """Readability: a lone space or mark kept between two changes ("2,800 Palestinians" →
    "3,000 people") reads better as one replacement. Paragraph breaks are never absorbed."""
    if len(ops) < 3:
        return ops
    out = list(ops)
    for i in range(1, len(ops) - 1):
        tag, a1, a2, b1, b2 = ops[i]
        if tag == "equal" and ops[i - 1][0] != "equal" and ops[i + 1][0] != "equal":
            text = old[a1:a2]
            if len(text) <= 2 and "\n" not in text and not any(c.isalnum() for c in text):
                out[i] = ("replace", a1, a2, b1, b2)
    return _merge(out)


def _refine_chars(ops, old, new):
    """Character-level detail inside each replaced stretch of a word diff, where the two sides
    are alike ("goverment" → "government"); unlike words stay one replacement rather than a
    confetti of one-letter matches."""
    out = []
    for tag, a1, a2, b1, b2 in ops:
        sm = None
        if tag == "replace":
            sm = SequenceMatcher(None, old[a1:a2], new[b1:b2], autojunk=False)
        if sm is None or sm.ratio() < 0.5:
            out.append((tag, a1, a2, b1, b2))
            continue
        for t, i1, i2, j1, j2 in sm.get_opcodes():
            out.append((t, a1 + i1, a1 + i2, b1 + j1, b1 + j2))
    return _merge(out)
