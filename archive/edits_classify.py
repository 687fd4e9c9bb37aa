"""Change classes of a new version, from the sentence alignment edits.py made.

Each class is a row {class, detail, old, new}. A change made only of cosmetic differences
(whitespace, punctuation, quote style, dashes, letter case, Unicode form) is "cosmetic" and
nothing else about the text fires; "stealth" needs a substantive change too, since publishers
do not bump the modified time for a typo and flagging those would drown the real stealth edits.

Headlines: a change of the chosen headline ("title") or of any place the page shows one in
(<h1>, og:title, twitter:title, JSON-LD, <title>: see edits_headlines) is "headline", and its
detail names the places that changed. A wire-desk kicker added, bumped or dropped ("UPDATE 2-" →
"UPDATE 3-", "UPDATE: ") is a headline change too; a correction tag in it also fires
"correction".
"""
from __future__ import annotations

from . import edits_headlines as places_
from .edits_rules import (changed_figures, correction_markers, cosmetic_key, cosmetic_kinds,
                          mask_figures, strip_wire_prefix)
from .sentences import Sentence
from .textdiff import diff, words

SAME, COSMETIC, PREFIX, SUBSTANTIVE = "same", "cosmetic", "prefix", "substantive"


def classify(old: dict, new: dict, sa: list[Sentence], sb: list[Sentence], pairs,
             reverts_to: int | None, body: tuple[str, str] | None = None) -> list[dict]:
    """body: the changed middle of the two bodies when the caller has cut it already (what
    is shared at both ends cannot make a difference cosmetic or not)."""
    classes: list[dict] = []
    if reverts_to is not None:
        classes.append(_row("revert", f"reverts to version {reverts_to}"))
    texts = {part: (old.get(part) or "", new.get(part) or "") for part in ("title", "lead", "text")}
    if body is not None:
        texts["text"] = body
    state = {part: _state(part, *texts[part]) for part in texts}

    notes = _corrections(old, new, sa, sb, pairs)
    classes += [row for row, _ in notes]
    note_sentences = {j for _, j in notes if j is not None}

    changed = [p for p in texts if state[p] != SAME]
    moved_places = places_.place_changes(old, new)
    cosmetic_places = [c for c in moved_places if places_.is_cosmetic(c[1], c[2])]
    real_places = [c for c in moved_places if not places_.is_cosmetic(c[1], c[2])]
    if (changed or moved_places) and all(state[p] == COSMETIC for p in changed) \
            and not real_places:
        details = [f"{_part_name(p)}: {', '.join(_kinds(*texts[p], new))}" for p in changed]
        details += places_.cosmetic_details(cosmetic_places,
                                            lambda a, b: _kinds(a, b, new))
        classes.append(_row("cosmetic", "; ".join(details)))
        return classes

    where = f" ({places_.place_names(p for p, _, _ in real_places)})" if real_places else ""
    if state["title"] == PREFIX:
        kicker = places_.kicker_change(*texts["title"]) or "kicker changed"
        classes.append(_row("headline", kicker + where, *texts["title"]))
    elif state["title"] == SUBSTANTIVE:
        a, b = (strip_wire_prefix(t) for t in texts["title"])
        sim = _word_similarity(a, b)
        classes.append(_row("headline", ("headline rewritten" if sim < 0.5 else
                                          "headline edited") + where, *texts["title"]))
        if sim >= 0.5:        # figures of an unrelated new headline are not revisions
            classes += _numbers(a, b, " (headline)")
    else:
        classes += places_.place_rows(real_places)
    if state["lead"] == SUBSTANTIVE:
        classes += _single_unit("lead", *texts["lead"])
    if state["text"] == SUBSTANTIVE:
        classes += _body_classes(sa, sb, pairs, note_sentences)
    headline_moved = bool(real_places) or state["title"] == PREFIX
    if (headline_moved or any(state[p] == SUBSTANTIVE for p in texts)) and \
            old.get("modified_at") == new.get("modified_at"):
        when = new.get("modified_at")
        classes.append(_row("stealth", f"modified_at unchanged ({when})" if when
                            else "no modified_at on either version"))
    return classes


def _state(part: str, a: str, b: str) -> str:
    if a == b:
        return SAME
    if cosmetic_key(a) == cosmetic_key(b):
        return COSMETIC
    if part == "title" and strip_wire_prefix(a) == strip_wire_prefix(b):
        return PREFIX        # "UPDATE 1-" → "UPDATE 2-": the kicker changed, not the words
    return SUBSTANTIVE


def _body_classes(sa, sb, pairs, note_sentences) -> list[dict]:
    out: list[dict] = []
    for p in pairs:
        if p.kind not in ("edited", "moved") or p.similarity == 1.0 and \
                sa[p.old].text == sb[p.new].text:
            continue
        a, b = sa[p.old].text, sb[p.new].text
        out += _numbers(a, b)
        if cosmetic_key(mask_figures(a)) != cosmetic_key(mask_figures(b)):
            out.append(_row("rewording", f"sentence {p.new + 1} {p.kind}"
                            f" (similarity {p.similarity:.2f})", a, b))
    added = [p.new for p in pairs if p.kind == "added" and p.new not in note_sentences]
    deleted = [p.old for p in pairs if p.kind == "deleted"]
    out += [_row("addition", detail, None, text) for detail, text in _runs(added, sb, "added")]
    out += [_row("removal", detail, text, None) for detail, text in _runs(deleted, sa, "removed")]
    # numbers first, then rewording, as a reader scans them
    return sorted(out, key=lambda r: ("number", "rewording", "addition", "removal").index(
        r["class"]))


def _single_unit(part: str, a: str, b: str) -> list[dict]:
    if not a.strip():
        return [_row("addition", f"{part} added", None, b)]
    if not b.strip():
        return [_row("removal", f"{part} removed", a, None)]
    out = _numbers(a, b, f" ({part})") if _word_similarity(a, b) >= 0.5 else []
    if cosmetic_key(mask_figures(a)) != cosmetic_key(mask_figures(b)):
        out.append(_row("rewording", f"{part} reworded", a, b))
    return out


def _numbers(a: str, b: str, where: str = "") -> list[dict]:
    return [_row("number", phrase + where, x, y) for phrase, x, y in changed_figures(a, b)]


def _runs(indices: list[int], sentences: list[Sentence], verb: str):
    """Consecutive sentences as one row each: whole paragraphs are named as such."""
    per_paragraph: dict[int, int] = {}
    for s in sentences:
        per_paragraph[s.paragraph] = per_paragraph.get(s.paragraph, 0) + 1
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        paragraphs: dict[int, list[str]] = {}
        for i in run:
            paragraphs.setdefault(sentences[i].paragraph, []).append(sentences[i].text)
        whole = all(len(paragraphs[p]) == per_paragraph[p] for p in paragraphs)
        n = len(paragraphs) if whole else len(run)
        unit = "paragraph" if whole else "sentence"
        text = "\n".join(" ".join(ss) for ss in paragraphs.values())
        yield f"{n} {unit}{'s' if n != 1 else ''} {verb}", text


def _corrections(old: dict, new: dict, sa, sb, pairs) -> list[tuple[dict, int | None]]:
    """Correction notes the new version adds: in an added sentence, in an edited one whose old
    form had none (a note reworded or repeated is not a new correction), or a new marker in
    the headline or lead ("UPDATE 1-" → "UPDATE 2-")."""
    out = []
    for part, where in (("title", "headline"), ("lead", "lead")):
        text = new.get(part) or ""
        markers = [m for m in correction_markers(text)
                   if m not in correction_markers(old.get(part) or "")]
        if markers:
            out.append((_row("correction", f"{markers[0]} ({where})", None, text), None))
    for p in pairs:
        if p.new is None:
            continue
        markers = correction_markers(sb[p.new].text)
        if markers and (p.old is None or not correction_markers(sa[p.old].text)):
            out.append((_row("correction", f"{markers[0]} (body)", None, sb[p.new].text),
                        p.new))
    return out


def _kinds(a: str, b: str, version: dict) -> list[str]:
    ops = diff(a, b, "word", version.get("language"))
    return cosmetic_kinds([(o.old_text, o.new_text) for o in ops if o.tag != "equal"])


def _word_similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher
    x, y = [w.casefold() for w in words(a)], [w.casefold() for w in words(b)]
    return SequenceMatcher(None, x, y, autojunk=False).ratio() if x or y else 1.0


def _part_name(part: str) -> str:
    return {"title": "headline", "text": "body"}.get(part, part)


def _row(cls: str, detail: str, old=None, new=None) -> dict:
    return {"class": cls, "detail": detail, "old": old, "new": new}
