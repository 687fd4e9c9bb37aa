"""The diff page's data: two versions side by side, aligned by paragraph.

Built from the same pieces as `wirewatch diff --format html` (archive.render_html): the change
analysis (compute_change, summary_line), changed fields (field_rows, with word diffs for headline,
lead and byline) and the body in paragraph-aligned blocks (render.body_blocks) diffed word by word
(characters for Chinese and Japanese). What this adds for a page: every row has a stable anchor
(`n12` for the new text's paragraph 12, `o5` for a deleted old paragraph 5 that has no new
counterpart), and runs of unchanged paragraphs away from any change are grouped so the page can
collapse them (<details>), keeping CONTEXT paragraphs visible beside each change.

Segments are (text, kind) pairs, kind "equal", "del" or "ins"; the template turns them into text,
<del> and <ins>, escaped. The JSON twin carries the same structure.
"""
from __future__ import annotations

from itertools import zip_longest

from archive.edits import compute_change, field_rows
from archive.edits_headlines import field_label
from archive.render import EQUAL, _field_value, body_blocks, is_text_field, side_lines, summary_line
from archive.textdiff import diff

CONTEXT = 1          # unchanged paragraphs shown beside each change; the rest are collapsed
MIN_COLLAPSED = 2    # a single unchanged paragraph is shown, not hidden behind a "1 paragraph" toggle


def default_by(language: str | None) -> str:
    """Characters for Chinese and Japanese, words otherwise (as `wirewatch diff`)."""
    return "char" if (language or "")[:2] in ("zh", "ja") else "word"


def empty_version(new: dict) -> dict:
    """Version 0: nothing, so that a first version diffs as all inserted."""
    return dict(new, version=0, captured_at=None, title="", headlines={}, byline="", lead="", text="",
                published_at=None, modified_at=None, tags=[])


def _flat(ops, side: str) -> list[tuple[str, str]]:
    """One side of a field's diff as a single run of segments (a field has no paragraphs)."""
    out: list[tuple[str, str]] = []
    for k, line in enumerate(side_lines(ops, side)):
        if k:
            out.append((" ", EQUAL))
        out += line
    return out


def headline(old: dict, new: dict, by: str, language) -> dict:
    a, b = _field_value(old, "title"), _field_value(new, "title")
    if a == b:
        return {"changed": False, "old": [(a, EQUAL)] if a else [], "new": [(b, EQUAL)] if b else []}
    ops = diff(a, b, by, language)
    return {"changed": True, "old": _flat(ops, "old"), "new": _flat(ops, "new")}


def fields(old: dict, new: dict, by: str, language) -> list[dict]:
    """Changed fields, the chosen headline first, then each headline place, byline, lead, dates,
    tags: label, and each side as segments."""
    out = []
    for row in field_rows(old, new):
        name = row["field"]
        if is_text_field(name):
            ops = diff(_field_value(old, name), _field_value(new, name), by, language)
            left, right = _flat(ops, "old"), _flat(ops, "new")
        else:
            left = [(row["old"], "del")] if row["old"] else []
            right = [(row["new"], "ins")] if row["new"] else []
        out.append({"field": name, "label": field_label(name), "old": left, "new": right})
    return out


def _row(kind: str, old_no, new_no, left, right) -> dict:
    anchor = f"n{new_no}" if new_no else f"o{old_no}"
    return {"kind": kind, "anchor": anchor, "old_no": old_no, "new_no": new_no,
            "old": left or [], "new": right or []}


def paragraph_rows(old_text: str, new_text: str, by: str, language) -> list[dict]:
    """Every paragraph of either side as a row, in order: kind "same" or "changed"."""
    rows = []
    for tag, left, right, i, j in body_blocks(old_text, new_text, by, language):
        kind = "same" if tag == "equal" else "changed"
        for k, (a, b) in enumerate(zip_longest(left, right)):
            if not a and not b:
                continue              # the blank lines between paragraphs
            old_no = i + k + 1 if a is not None and k < len(left) and a else None
            new_no = j + k + 1 if b is not None and k < len(right) and b else None
            rows.append(_row(kind, old_no, new_no, a, b))
    return rows


def collapse(rows: list[dict], context: int = CONTEXT) -> list[dict]:
    """Rows with runs of unchanged paragraphs far from a change grouped as
    {"kind": "unchanged", "rows": [...]}; a diff with no change at all stays as it is."""
    changed = [i for i, r in enumerate(rows) if r["kind"] == "changed"]
    if not changed:
        return rows
    near = set()
    for i in changed:
        near.update(range(i - context, i + context + 1))
    out: list[dict] = []
    run: list[dict] = []

    def close_run():
        if len(run) >= MIN_COLLAPSED:
            out.append({"kind": "unchanged", "rows": list(run), "anchor": f"same-{run[0]['anchor']}"})
        else:
            out.extend(run)
        run.clear()

    for i, row in enumerate(rows):
        if row["kind"] == "same" and i not in near:
            run.append(row)
            continue
        close_run()
        out.append(row)
    close_run()
    return out


def build(old: dict | None, new: dict, by: str | None = None) -> dict:
    """Everything the diff page shows for old → new (old None: new is a first version)."""
    language = new.get("language") or (old or {}).get("language")
    by = by or default_by(language)
    change = compute_change(old, new)
    base = old or empty_version(new)
    rows = paragraph_rows(base.get("text") or "", new.get("text") or "", by, language)
    return {
        "by": by,
        "language": language,
        "summary": summary_line(change),
        "classes": change.classes,
        "headline": headline(base, new, by, language),
        "fields": fields(base, new, by, language),
        "paragraphs": collapse(rows),
        "counts": {"paragraphs": len(rows), "changed": sum(r["kind"] == "changed" for r in rows)},
    }
