"""Diffs for people and programs: terminal (rich), unified text, JSON, HTML (render_html.py),
and the one-line summary of a Change.

All take two version dicts (old may be None for a first version) and a unit, by = "word"
(default; characters for Chinese and Japanese), "char" or "sentence".
"""
from __future__ import annotations

import difflib
from difflib import SequenceMatcher

from rich.console import Group
from rich.rule import Rule
from rich.text import Text

from .edits import FIELDS, Change, compute_change, field_rows, field_text
from .edits_headlines import PLACES, field_label, headlines_of, place_of
from .textdiff import Op, diff

TEXT_FIELDS = ("title", "lead", "byline")
DELETED = "red strike"
INSERTED = "green"
EQUAL, DEL, INS = "equal", "del", "ins"


# --- shared helpers ---------------------------------------------------------------------------

def version_label(v: dict | None) -> str:
    if not v:
        return "(none)"
    label = f"version {v.get('version', '?')}"
    return f"{label} ({v['captured_at']})" if v.get("captured_at") else label


def side_lines(ops: list[Op], side: str) -> list[list[tuple[str, str]]]:
    """One side of a diff ("old" or "new") as lines of (text, kind) segments, kind being
    equal, del or ins: what the side-by-side and terminal views lay out."""
    lines: list[list[tuple[str, str]]] = [[]]
    for op in ops:
        if side == "old":
            text, kind = op.old_text, (EQUAL if op.tag == "equal" else DEL)
        else:
            text, kind = op.new_text, (EQUAL if op.tag == "equal" else INS)
        for k, piece in enumerate(text.split("\n")):
            if k:
                lines.append([])
            if piece:
                lines[-1].append((piece, kind))
    return lines


def body_blocks(old_text: str, new_text: str, by: str, language):
    """Paragraph-aligned blocks for side-by-side views: (tag, old_lines, new_lines, old_no,
    new_no) where lines are segment lists as side_lines gives them; changed paragraphs are
    diffed by the requested unit."""
    a, b = old_text.split("\n"), new_text.split("\n")
    sm = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            yield tag, [[(x, EQUAL)] if x else [] for x in a[i1:i2]], \
                [[(x, EQUAL)] if x else [] for x in b[j1:j2]], i1, j1
            continue
        ops = diff("\n".join(a[i1:i2]), "\n".join(b[j1:j2]), by, language)
        old_lines = side_lines(ops, "old") if i2 > i1 else []
        new_lines = side_lines(ops, "new") if j2 > j1 else []
        yield tag, old_lines, new_lines, i1, j1


def _field_value(v: dict | None, name: str) -> str:
    """A field row's value in a version: "headline:og" reads the version's og:title."""
    place = place_of(name)
    if place is not None:
        return (headlines_of(v) or {}).get(place, "")
    value = field_text(name, (v or {}).get(name))
    return "" if value is None else str(value)


def is_text_field(name: str) -> bool:
    """Fields diffed word by word: headline, lead, byline and every headline place."""
    return name in TEXT_FIELDS or place_of(name) is not None


# --- terminal ---------------------------------------------------------------------------------

def render_terminal(old: dict | None, new: dict, by: str = "word", *,
                    context: int | None = 2, markers: bool = False) -> Group:
    """A rich renderable: header, summary, changed fields (headline first), then the body with
    deleted text red and struck through, inserted text green. context: unchanged paragraphs
    kept around each change (None keeps the whole body). markers: also wrap deletions in
    [-…-] and insertions in {+…+} (git's word-diff), for output without colour."""
    language = new.get("language")
    parts: list = [Text(f"{version_label(old)} → {version_label(new)}", style="bold")]
    if old:
        parts.append(Text(summary_line(compute_change(old, new)), style="italic"))
    for row in field_rows(old or {}, new):
        name = row["field"]
        line = Text()
        line.append(f"{field_label(name)}: ", style="bold cyan")
        if name in TEXT_FIELDS:
            _append_ops(line, diff(_field_value(old, name), _field_value(new, name), by,
                                   language), markers)
        else:
            # a headline place reads whole, old → new: which place said what, and since when
            _append_old_new(line, row["old"], row["new"], markers and place_of(name) is not None)
        parts.append(line)
    parts.append(Rule(style="dim"))
    ops = diff((old or {}).get("text") or "", new.get("text") or "", by, language)
    parts.extend(_body_lines(ops, context, markers))
    return Group(*parts)


def _append_old_new(line: Text, old, new, markers: bool = False) -> None:
    if old:
        line.append(_mark(str(old), DELETED, markers), DELETED)
        line.append(" → ")
    elif markers:
        line.append("(none) → ", "dim")
    line.append(_mark(str(new), INSERTED, markers) if new else "(none)",
                INSERTED if new else "dim")


def _mark(text: str, style: str | None, markers: bool) -> str:
    if not markers or not text or style is None:
        return text
    return f"[-{text}-]" if style == DELETED else f"{{+{text}+}}"


def _append_ops(text: Text, ops: list[Op], markers: bool = False) -> None:
    for op in ops:
        if op.tag == "equal":
            text.append(op.old_text)
            continue
        if op.old_text:
            text.append(_mark(op.old_text, DELETED, markers), DELETED)
        if op.new_text:
            text.append(_mark(op.new_text, INSERTED, markers), INSERTED)


def _body_lines(ops: list[Op], context: int | None, markers: bool = False) -> list[Text]:
    lines: list[list[tuple[str, str | None]]] = [[]]
    for op in ops:
        pieces = [(op.old_text, None)] if op.tag == "equal" else \
            [(op.old_text, DELETED), (op.new_text, INSERTED)]
        for text, style in pieces:
            if style == DELETED:
                # a removed paragraph break must not break the line of the new text
                text = text.replace("\n", "¶")
            for k, piece in enumerate(text.split("\n")):
                if k:
                    lines.append([])
                if piece:
                    lines[-1].append((piece, style))
    changed = [any(style for _, style in line) for line in lines]
    keep = set(range(len(lines))) if context is None else _around(lines, changed, context)
    out: list[Text] = []
    skipped = 0
    for i, line in enumerate(lines):
        if i not in keep:
            skipped += bool(line)
            continue
        if skipped:
            out.append(Text(f"⋯ {skipped} unchanged paragraph{'s' if skipped > 1 else ''} ⋯",
                            style="dim"))
            skipped = 0
        t = Text()
        for piece, style in line:
            t.append(_mark(piece, style, markers), style)
        out.append(t)
    if skipped:
        out.append(Text(f"⋯ {skipped} unchanged paragraph{'s' if skipped > 1 else ''} ⋯",
                        style="dim"))
    return out


def _around(lines, changed, context: int) -> set[int]:
    keep = set()
    for c, flag in enumerate(changed):
        if not flag:
            continue
        keep.add(c)
        for step in (-1, 1):
            i, seen = c + step, 0
            while 0 <= i < len(lines) and seen < context:
                keep.add(i)
                seen += bool(lines[i])
                i += step
    return keep


# --- unified ----------------------------------------------------------------------------------

def version_as_text(v: dict | None) -> list[str]:
    """The text rendering a unified diff compares: field lines (after the headline, one per
    place the page shows a headline in), a blank line, the body."""
    if not v:
        return []
    head = []
    for name in FIELDS:
        head.append(f"{field_label(name)}: {_field_value(v, name)}")
        if name == "title":
            shown = headlines_of(v) or {}
            head += [f"{field_label('headline:' + p)}: {shown[p]}"
                     for p in [*PLACES, *sorted(set(shown) - set(PLACES))] if p in shown]
    body = (v.get("text") or "").split("\n")
    return [line + "\n" for line in head + [""] + body]


def render_unified(old: dict | None, new: dict, *, context: int = 3) -> str:
    """Like `diff -u` on a text rendering of each version; changed fields show up in the
    header block at the top."""
    lines = difflib.unified_diff(version_as_text(old), version_as_text(new),
                                 fromfile=version_label(old), tofile=version_label(new),
                                 n=context)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# --- JSON -------------------------------------------------------------------------------------

def render_json(old: dict | None, new: dict, by: str = "word", *,
                change: Change | None = None) -> dict:
    """Everything as plain data: fields (with ops for text fields), body ops with character
    positions, and the stored analysis (summary, classes, sentence rows)."""
    language = new.get("language")
    change = change or compute_change(old, new)
    fields = []
    for row in field_rows(old or {}, new):
        item = dict(row, label=field_label(row["field"]))
        if is_text_field(row["field"]):
            item["ops"] = [op.to_dict() for op in diff(_field_value(old, row["field"]),
                                                       _field_value(new, row["field"]), by,
                                                       language)]
        fields.append(item)
    ops = diff((old or {}).get("text") or "", new.get("text") or "", by, language)
    return {
        "from": _ident(old), "to": _ident(new), "by": by, "language": language,
        "fields": fields,
        "ops": [op.to_dict() for op in ops],
        "summary": change.summary,
        "summary_line": summary_line(change),
        "classes": change.classes,
        "sentences": change.sentence_rows,
    }


def _ident(v: dict | None) -> dict | None:
    if not v:
        return None
    return {"version": v.get("version"), "captured_at": field_text("captured_at",
                                                                  v.get("captured_at"))}


# --- one line ---------------------------------------------------------------------------------

def summary_line(change: Change) -> str:
    """One readable line, e.g. "headline rewritten; death toll 2,800 → 3,000; 1 paragraph
    added"."""
    if change.old_version is None and not change.classes and not change.field_rows:
        return f"first version ({change.summary.get('words_added', 0)} words)"
    by_class: dict[str, list[dict]] = {}
    for row in change.classes:
        by_class.setdefault(row["class"], []).append(row)
    parts: list[str] = []
    for row in by_class.get("revert", []):
        parts.append(row["detail"].replace("reverts", "reverted"))
    if "correction" in by_class:
        parts.append("correction note added")
    for row in by_class.get("headline", []):
        parts.append(row["detail"])
    parts += _figures(by_class.get("number", []))
    for cls, verb in (("addition", "added"), ("removal", "removed")):
        if cls in by_class:
            parts.append(_counted(by_class[cls], verb))
    if "rewording" in by_class:
        n = len(by_class["rewording"])
        parts.append(f"{n} sentence{'s' if n != 1 else ''} reworded")
    moved = change.summary.get("sentences_moved") or 0
    if moved:
        parts.append(f"{moved} sentence{'s' if moved != 1 else ''} moved")
    for row in by_class.get("cosmetic", []):
        parts.append(f"cosmetic only ({row['detail']})")
    for name in ("byline", "published_at", "tags"):
        if any(r["field"] == name for r in change.field_rows):
            parts.append(f"{name.replace('_', ' ')} changed")
    if "stealth" in by_class:
        given = not by_class["stealth"][0]["detail"].startswith("no modified_at")
        parts.append("stealth edit (modified time unchanged)" if given else
                     "stealth edit (no modified time given)")
    if not parts:
        parts.append("no change in the text" if not change.field_rows else
                     ", ".join(r["field"] for r in change.field_rows) + " changed")
    return "; ".join(parts)


def _figures(rows: list[dict], limit: int = 5) -> list[str]:
    out, seen = [], set()
    for row in rows:
        phrase, _, where = row["detail"].partition(" (")
        key = (phrase, row["old"], row["new"])
        if key in seen:
            continue
        seen.add(key)
        where = f" in {where.rstrip(')')}" if where else ""
        out.append(f"{phrase} {row['old']} → {row['new']}{where}")
    if len(out) > limit:
        out = out[:limit] + [f"{len(out) - limit} more figures changed"]
    return out


def _counted(rows: list[dict], verb: str) -> str:
    totals: dict[str, int] = {}
    others = []
    for row in rows:
        head = row["detail"].split()
        if len(head) >= 2 and head[0].isdigit():
            unit = head[1].rstrip("s")
            totals[unit] = totals.get(unit, 0) + int(head[0])
        else:
            others.append(row["detail"])
    counted = [f"{n} {unit}{'s' if n != 1 else ''}" for unit, n in totals.items()]
    return "; ".join(([" and ".join(counted) + f" {verb}"] if counted else []) + others)


def render_html(old: dict | None, new: dict, by: str = "word") -> str:
    from .render_html import render_html as _render
    return _render(old, new, by)
