"""Deep pages of changes are built from their own rows only, and page after page they list exactly
what the whole list holds, ties in time included."""
from __future__ import annotations

from archive import recent
from archive.store import Archive
from test_archive import BODY, fetch, snap
from web.pages_common import newest_changes


def test_pages_of_changes_are_the_whole_list_cut_in_pieces(tmp_path):
    archive = Archive(tmp_path / "a.duckdb")
    keys = [str(k) for k in range(7)]
    archive.record_batch([fetch(0, key=k, snapshot=snap()) for k in keys])
    for minute in (5, 10, 15):           # seven articles edited at the same minute: ties in time
        archive.record_batch([fetch(minute, key=k, snapshot=snap(text=BODY.replace("2,800", f"{minute}{k}")))
                              for k in keys])
    with archive.reading() as con:
        whole = recent.recent_changes(con)
        assert len(whole) == 21
        for size in (1, 4, 5, 21, 30):
            pages = []
            for skip in range(0, len(whole), size):
                pages += newest_changes(con, limit=size, skip=skip)
            assert [(r["article_id"], r["version"]) for r in pages] == \
                   [(r["article_id"], r["version"]) for r in whole], size
        assert newest_changes(con, limit=5, skip=21) == []
