"""The rows a new version's change makes, computed once when the version is written."""
from __future__ import annotations

from datetime import datetime

from .edits import compute_change
from .render import summary_line

def change_rows(article_id: str, previous: dict | None, current: dict, *,
                reverts_to: int | None, at: datetime) -> dict[str, list[tuple]]:
    """{table: rows} for the change from `previous` (None: a first version) to `current`."""
    change = compute_change(previous, current, reverts_to=reverts_to)
    version = current["version"]
    s = change.summary
    return {
        "version_changes": [(
            article_id, version, previous["version"] if previous else None,
            s.get("words_added"), s.get("words_removed"), s.get("similarity"),
            s.get("sentences_added"), s.get("sentences_deleted"), s.get("sentences_edited"),
            s.get("sentences_moved"), s.get("paragraphs_added"), s.get("paragraphs_removed"),
            summary_line(change) if previous else "first version")],
        "edit_sentences": [
            (article_id, version, row["kind"], row.get("old_index"), row.get("new_index"),
             row.get("old_sentence"), row.get("new_sentence"), row.get("similarity"))
            for row in change.sentence_rows],
        "edit_fields": [
            (article_id, version, row["field"], _text(row.get("old")), _text(row.get("new")))
            for row in change.field_rows],
        "change_classes": [
            (article_id, version, at, c["class"], c.get("detail"), _text(c.get("old")), _text(c.get("new")))
            for c in change.classes],
    }


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)
