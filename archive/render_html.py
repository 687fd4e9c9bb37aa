"""A self-contained side-by-side HTML page for one diff: inline CSS, no scripts, no external
resources. Every piece of article text goes through html.escape (quotes included), since wire
copy is attacker-controlled as far as this page is concerned."""
from __future__ import annotations

from html import escape
from itertools import zip_longest

from .edits import compute_change, field_rows
from .edits_headlines import field_label
from .render import (DEL, INS, _field_value, body_blocks, is_text_field, side_lines,
                     summary_line, version_label)
from .textdiff import diff

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:1.5em;
color:#1b1b1b;background:#fff}
h1{font-size:1.35em;margin:.2em 0}.meta{color:#666;margin:.2em 0}
.summary{background:#f4f6f8;border-left:4px solid #888;padding:.4em .8em;margin:.8em 0}
.classes{list-style:none;padding:0;margin:.4em 0}.classes li{display:inline-block;margin:0 .4em .3em 0;
padding:.05em .6em;border-radius:1em;background:#e8eaf6;font-size:.85em}
.classes li span{color:#555}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{vertical-align:top;padding:.25em .5em;border-bottom:1px solid #eee;overflow-wrap:anywhere}
th{text-align:left;background:#fafafa}
table.fields td.name{width:12em;font-weight:600}
table.diff td.n{width:2.5em;color:#aaa;text-align:right;font-size:.8em;user-select:none}
td.old.changed{background:#fff6f6}td.new.changed{background:#f4fff4}
del{background:#ffc9c9;color:#7a0000;text-decoration:line-through}
ins{background:#c6f6c6;color:#004d00;text-decoration:none}
""".strip()


def render_html(old: dict | None, new: dict, by: str = "word") -> str:
    language = new.get("language") or (old or {}).get("language") or ""
    change = compute_change(old, new)
    title = new.get("title") or ""
    head = (f"<!DOCTYPE html>\n<html lang=\"{escape(language)}\">\n<head>\n"
            f"<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)} — {escape(version_label(old))} → "
            f"{escape(version_label(new))}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n")
    parts = [head, "<header>\n", f"<h1 dir=\"auto\">{_title_html(old, new, by, language)}</h1>\n",
             f"<p class=\"meta\">{escape(version_label(old))} → "
             f"{escape(version_label(new))}</p>\n",
             f"<p class=\"summary\">{escape(summary_line(change))}</p>\n"]
    if change.classes:
        parts.append("<ul class=\"classes\">\n")
        for row in change.classes:
            detail = row["detail"] or ""
            if row["class"] == "number":
                detail += f": {row['old']} → {row['new']}"
            parts.append(f"<li><b>{escape(row['class'])}</b> <span>{escape(detail)}</span></li>\n")
        parts.append("</ul>\n")
    parts.append("</header>\n")
    parts.append(_fields_table(old, new, by, language))
    parts.append(_body_table(old, new, by, language))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _title_html(old, new, by, language) -> str:
    a, b = _field_value(old, "title"), _field_value(new, "title")
    if a == b:
        return escape(b)
    ops = diff(a, b, by, language)
    return "".join(escape(o.old_text) if o.tag == "equal" else
                   _mark(o.old_text, DEL) + _mark(o.new_text, INS) for o in ops)


def _fields_table(old, new, by, language) -> str:
    rows = field_rows(old or {}, new)
    if not rows:
        return ""
    out = ["<table class=\"fields\">\n<thead><tr><th>field</th><th>before</th><th>after</th>"
           "</tr></thead>\n<tbody>\n"]
    for row in rows:
        name = row["field"]
        if is_text_field(name):
            ops = diff(_field_value(old, name), _field_value(new, name), by, language)
            left = _segments_html(sum(side_lines(ops, "old"), []))
            right = _segments_html(sum(side_lines(ops, "new"), []))
        else:
            left = _mark(_field_value(old, name), DEL)
            right = _mark(_field_value(new, name), INS)
        out.append(f"<tr><td class=\"name\">{escape(field_label(name))}</td>"
                   f"<td dir=\"auto\">{left}</td>"
                   f"<td dir=\"auto\">{right}</td></tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _body_table(old, new, by, language) -> str:
    out = ["<table class=\"diff\">\n<colgroup><col style=\"width:2.5em\"><col>"
           "<col style=\"width:2.5em\"><col></colgroup>\n"
           f"<thead><tr><th></th><th>{escape(version_label(old))}</th><th></th>"
           f"<th>{escape(version_label(new))}</th></tr></thead>\n<tbody>\n"]
    old_text = (old or {}).get("text") or ""
    new_text = new.get("text") or ""
    for tag, left, right, i, j in body_blocks(old_text, new_text, by, language):
        changed = "" if tag == "equal" else " changed"
        for k, (a, b) in enumerate(zip_longest(left, right)):
            if not a and not b:
                continue        # blank lines between paragraphs
            n_old = str(i + k + 1) if a is not None and k < len(left) else ""
            n_new = str(j + k + 1) if b is not None and k < len(right) else ""
            out.append(f"<tr><td class=\"n\">{n_old}</td>"
                       f"<td class=\"old{changed}\" dir=\"auto\">{_segments_html(a or [])}</td>"
                       f"<td class=\"n\">{n_new}</td>"
                       f"<td class=\"new{changed}\" dir=\"auto\">{_segments_html(b or [])}</td>"
                       f"</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _segments_html(segments) -> str:
    return "".join(_mark(text, kind) for text, kind in segments)


def _mark(text: str, kind: str) -> str:
    if not text:
        return ""
    if kind == DEL:
        return f"<del>{escape(text)}</del>"
    if kind == INS:
        return f"<ins>{escape(text)}</ins>"
    return escape(text)
