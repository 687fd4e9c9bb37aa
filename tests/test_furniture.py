"""Body lines that only restate the headline, the byline or the lead are not compared as body: an
extractor takes a page's header block into the body on some fetches and not on others."""
from __future__ import annotations

from archive import revision
from archive.noise import Noise
from archive.normalize import label_key
from bench.realsite import RealSite, load_corpus
from crawler.extract import extract

import pytest

LATEST = {"title": "Doobie Brothers set tour", "headlines": {"h1": "Doobie Brothers set tour"}, "byline": "Lars Brandle",
          "lead": "", "text": "Doobie Brothers set tour\n11/19/2019 by Lars Brandle\nThe band will tour in 2020.\nTickets go on sale Friday."}


def judge(text: str, **fields) -> str:
    capture = dict(LATEST, text=text, **fields)
    return revision.judge(LATEST, [capture, capture], Noise(), final=True).outcome


def test_the_header_block_coming_and_going_is_no_edit():
    assert judge("The band will tour in 2020.\nTickets go on sale Friday.") == revision.UNCHANGED
    assert judge("Nov. 19, 2019 5:45 PM by Lars Brandle\nThe band will tour in 2020.\nTickets go on sale Friday.") \
        == revision.UNCHANGED


def test_an_edit_beside_it_and_a_line_naming_the_author_still_are():
    assert judge("The band will tour in 2021.\nTickets go on sale Friday.") == revision.CHANGED
    assert judge(LATEST["text"] + "\nAdditional reporting by Lars Brandle.") == revision.CHANGED
    # a headline rewrite is a change of the headline itself, wherever the body repeats it
    assert judge(LATEST["text"].replace("set tour", "set 50th tour"), title="Doobie Brothers set 50th tour",
                 headlines={"h1": "Doobie Brothers set 50th tour"}) == revision.CHANGED


def test_the_standfirst_taken_into_the_body_on_some_fetches_is_no_edit():
    """wiresim's one-sentence flash: trafilatura read the whole <article> on some fetches (the
    meta line, the standfirst after the teaser) and the body alone on others: a version invented
    on a quiet re-check (test_short_flash.py, 1 run in ~10)."""
    lead = "The regulator said inflation was slowing faster than expected"
    latest = dict(LATEST, lead=lead, text="MOSCOW, November 30. Air defences downed 20 drones.")
    moved = dict(latest, text=latest["text"] + "\n" + lead)
    assert revision.judge(latest, [moved, moved], Noise(), final=True).outcome == revision.UNCHANGED
    # the lead is compared on its own: its rewrite is an edit wherever the body repeats it
    rewritten = dict(moved, lead=lead + " this year", text=latest["text"] + "\n" + lead + " this year")
    assert revision.judge(latest, [rewritten, rewritten], Noise(), final=True).outcome == revision.CHANGED
    # and a body line that says more than the lead is body
    longer = dict(latest, text=latest["text"] + "\n" + lead + ", the ministry added.")
    assert revision.judge(latest, [longer, longer], Noise(), final=True).outcome == revision.CHANGED


def test_a_real_page_whose_header_block_flips_with_the_teaser_is_one_revision():
    """billboard.com, served with a rotating "Read also" teaser (bench/realsite.py): trafilatura
    keeps the headline and the byline line in the body on most responses, not on some."""
    pages = load_corpus()
    if not pages:
        pytest.skip("no corpus")
    site = RealSite(3 * len(pages), hosts=1, pages=pages)
    n = 2 * len(pages) + next(i for i, p in enumerate(pages) if "billboard.com" in getattr(p, "url", ""))
    noise = Noise(frozenset({label_key("Read also:")}))
    captures = [revision.fields(extract(site.render(n, turn), "http://127.0.0.2/news/1/a", {"Content-Type": "text/html"}))
                for turn in range(12)]
    texts = {c["text"] for c in captures}
    assert any("by Lars Brandle" in t for t in texts) and any("by Lars Brandle" not in t for t in texts)
    keys = {revision.key(c, noise) for c in captures}
    assert len(keys) == 1
