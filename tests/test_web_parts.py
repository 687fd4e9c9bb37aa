"""The web view's parts on their own: the diff page's model (alignment, anchors, collapsing,
characters for Chinese), times as pages say them, link targets, the SQL statement check."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from web import diffview, links, sqlrun, timefmt

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def version(n: int, text: str, title: str = "Headline", language: str = "en", **kw) -> dict:
    return {"version": n, "captured_at": (T0 + timedelta(hours=n)).isoformat(), "title": title, "headlines": {},
            "byline": "", "lead": "", "text": text, "language": language, "published_at": None,
            "modified_at": None, "tags": [], **kw}


def _rows(items):
    for item in items:
        yield from item["rows"] if item["kind"] == "unchanged" else [item]


def test_paragraphs_align_collapse_and_keep_stable_anchors():
    paragraphs = [f"Paragraph {i} says something plain about the talks." for i in range(1, 11)]
    new = paragraphs[:5] + ["Paragraph 6 says something new about the talks."] + paragraphs[6:] + ["An added line."]
    view = diffview.build(version(1, "\n".join(paragraphs)), version(2, "\n".join(new)))
    rows = list(_rows(view["paragraphs"]))
    assert [r["anchor"] for r in rows] == [f"n{i}" for i in range(1, 12)]
    changed = [r for r in rows if r["kind"] == "changed"]
    assert [(r["old_no"], r["new_no"]) for r in changed] == [(6, 6), (None, 11)]
    assert [s for s in changed[0]["old"] if s[1] == "del"] == [("plain", "del")]
    assert [s for s in changed[0]["new"] if s[1] == "ins"] == [("new", "ins")]
    # paragraphs 1-4 and 8-9 are away from a change: collapsed; 5, 7 and 10 stay beside the changes
    groups = [[r["anchor"] for r in item["rows"]] for item in view["paragraphs"] if item["kind"] == "unchanged"]
    assert groups == [["n1", "n2", "n3", "n4"], ["n8", "n9"]]
    assert view["counts"] == {"paragraphs": 11, "changed": 2}


def test_a_deleted_paragraph_is_anchored_on_the_old_side():
    view = diffview.build(version(1, "One.\nTwo is going.\nThree."), version(2, "One.\nThree."))
    rows = list(_rows(view["paragraphs"]))
    assert [(r["anchor"], r["kind"]) for r in rows] == [("n1", "same"), ("o2", "changed"), ("n2", "same")]


def test_chinese_is_diffed_by_character_and_a_first_version_is_all_inserted():
    old = version(1, "外交部发言人表示，会谈将于周二继续。", title="会谈继续", language="zh")
    new = version(2, "外交部发言人表示，会谈将于周三继续。", title="会谈推迟", language="zh")
    view = diffview.build(old, new)
    assert view["by"] == "char"
    row = next(_rows(view["paragraphs"]))
    assert ("二", "del") in row["old"] and ("三", "ins") in row["new"]
    assert view["headline"] == {"changed": True, "old": [("会谈", "equal"), ("继续", "del")],
                                "new": [("会谈", "equal"), ("推迟", "ins")]}
    first = diffview.build(None, new)
    assert first["summary"].startswith("first version") and first["paragraphs"][0]["new"] == [(new["text"], "ins")]


def test_field_changes_come_first_with_the_headline_places():
    old = version(1, "Body.", title="Old", headlines={"h1": "Old", "og": "Old"}, byline="A. Writer")
    new = version(2, "Body.", title="New", headlines={"h1": "New", "og": "Old"}, byline="B. Writer")
    fields = diffview.build(old, new)["fields"]
    assert [f["label"] for f in fields] == ["Headline", "Page headline (<h1>)", "Byline"]
    assert fields[2]["old"] == [("A", "del"), (". Writer", "equal")]
    assert fields[2]["new"] == [("B", "ins"), (". Writer", "equal")]


def test_durations_read_like_a_person_says_them():
    assert timefmt.duration(timedelta(hours=3, minutes=12, seconds=5)) == "3 h 12 min"
    assert timefmt.duration(timedelta(days=2, hours=4, minutes=30)) == "2 d 4 h"
    assert timefmt.duration(timedelta(days=2, minutes=30)) == "2 d"
    assert timefmt.duration(45) == "45 s" and timefmt.duration(0) == "0 s"
    assert timefmt.relative(T0 + timedelta(minutes=12), T0) == "in 12 min"
    assert timefmt.relative(T0 - timedelta(hours=1, seconds=3), T0) == "1 h ago"     # never "1 h 0 min 3 s"


def test_only_plain_web_urls_become_links():
    assert links.external("https://tass.com/world/1") == "https://tass.com/world/1"
    for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "vbscript:x",
                "//evil.example/x", "http:/no-host", None, ""]:
        assert links.external(bad) is None, bad
    assert links.article("tass:1/2") == "/article/tass:1%2F2"
    assert links.changes({"source": ["a", "b"], "class": ["number"], "since": "24h"}, page=2) == \
        "/changes?source=a&source=b&class=number&since=24h&page=2"


@pytest.mark.parametrize("query, reason", [
    ("SET threads = 1", "cannot change settings"),
    ("pragma version", "cannot change settings"),
    ("-- a comment\nPRAGMA table_info('x')", "cannot change settings"),
    ("INSTALL httpfs", "cannot load extensions"),
    ("COPY t TO 'x.csv'", "cannot read or write files"),
    ("ATTACH 'x.duckdb'", "cannot open other database files"),
    ("UPDATE t SET a = 1", "only SELECT"),
    ("SELECT 1; DROP TABLE t", "one statement at a time"),
    ("   ", "the query is empty"),
])
def test_the_statement_check_names_the_reason(query, reason):
    with pytest.raises(sqlrun.QueryRefused, match=reason):
        sqlrun.check(query)


def test_the_statement_check_lets_reading_through():
    for query in ["SELECT 1", "WITH x AS (SELECT 1) SELECT * FROM x", "EXPLAIN SELECT 1", "DESCRIBE versions",
                  "SUMMARIZE versions", "  select 'PRAGMA' AS word"]:
        sqlrun.check(query)
    with pytest.raises(sqlrun.QueryFailed, match="syntax error"):
        sqlrun.check("SELEC 1")
