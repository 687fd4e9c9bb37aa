"""A story laid out in one table cell keeps one line per paragraph: trafilatura joined the whole
cell into one "| … |" line, so a rotating teaser inside it changed the story's only line and no
line-level noise rule could leave it out (5 spurious versions in `make bench` on a real page)."""
from __future__ import annotations

import gzip

import pytest

from archive.noise import Noise
from archive.normalize import label_key
from archive.revision import fields, key
from archive.snapshot import Snapshot
from crawler.extract import extract
from support import CORPUS

HEADERS = {"Content-Type": "text/html; charset=utf-8"}
PARAS = ["NASA announced the newest milestone in the development of its long-awaited Space Launch System.",
         "Workers completed installation of the four RS-25 engines into the rocket core stage in New Orleans.",
         "The core stage will soon be shipped to the nearby Stennis Space Center for a long test firing.",
         "Some members of Congress have suggested that NASA is not using the big rocket nearly enough."]
LAYOUT = ("<html><head><title>Seeking a bigger role for a big rocket</title></head><body><table><tr>"
          "<td class='nav'><a href='/'>Home</a></td><td><h1>Seeking a bigger role for a big rocket</h1>"
          "<p>{0}</p><p class='read-also'>Read also: <a href='/x'>{teaser}</a></p><p>{1}</p><p>{2}</p><p>{3}</p>"
          "</td></tr></table></body></html>")
DATA = ("<html><head><title>Results</title></head><body><article><h1>Election results by region</h1>"
        "<p>{0}</p><p>{1}</p><table><tr><th>Region</th><th>Votes</th></tr><tr><td>North</td><td>1,204</td></tr>"
        "<tr><td>South</td><td>982</td></tr></table><p>{2}</p><p>{3}</p></article></body></html>")


def page(template: str, teaser: str = "Markets fall") -> bytes:
    return template.replace("{teaser}", teaser).format(*PARAS).encode()


def test_each_paragraph_of_a_layout_cell_is_a_line_of_its_own():
    lines = extract(page(LAYOUT), "https://example.org/a/1", HEADERS).text.split("\n")
    assert [x for x in lines if x in PARAS] == PARAS
    assert "Read also: Markets fall" in lines


def test_a_rotating_teaser_in_a_layout_cell_is_left_out_by_the_learned_label():
    noise = Noise(frozenset({label_key("Read also:")}))
    keys = {key(fields(Snapshot(**_snapshot(teaser))), noise)
            for teaser in ("Markets fall", "Oil jumps on supply fears", "Plague case in China")}
    assert len(keys) == 1


def _snapshot(teaser: str) -> dict:
    snap = extract(page(LAYOUT, teaser), "https://example.org/a/1", HEADERS)
    return {"url": snap.url, "title": snap.title, "headlines": snap.headlines, "text": snap.text}


def test_a_data_table_is_still_a_table():
    text = extract(page(DATA), "https://example.org/a/2", HEADERS).text
    assert "| North | 1,204 |" in text and "| South | 982 |" in text


SPACE_REVIEW = next((CORPUS / "article-extraction-benchmark" / "html").glob("c00962aabe*.html.gz"), None) \
    if (CORPUS / "article-extraction-benchmark" / "html").exists() else None


@pytest.mark.skipif(SPACE_REVIEW is None, reason="the real page is not there (../shared/corpus)")
def test_the_real_layout_table_page_keeps_its_paragraphs_apart():
    raw = gzip.open(SPACE_REVIEW).read().decode("utf-8", "replace")
    lines = extract(raw.encode(), "https://www.thespacereview.com/article/3834/1", HEADERS).text.split("\n")
    assert len(lines) >= 30 and max(len(x.split()) for x in lines) < 200
    assert lines[0].startswith("Earlier this month, NASA announced the newest milestone")
