"""A two-paragraph flash keeps its paragraphs apart, each a line, on every fetch. When the precise pass found
too few words, trafilatura's balanced retry sometimes ran the page's whole text into one line
(byline, dates, a view counter, the teaser): 6 fetches in 30 here. That line rotated with the page,
and a paragraph cut from it passed for rotation (seen as a flaky search test)."""
from __future__ import annotations

import urllib.request

from crawler.extract import extract
from crawler.extraction.words import FLASH_WORDS, word_count
from wiresim import WireSim

PARAGRAPHS = ["Delegations resumed talks on a ceasefire in Geneva on Tuesday, citing 4,500 refugees.",
              "The old bridge over the river was closed to traffic by the army."]


def test_a_short_flash_is_its_paragraphs_on_every_fetch():
    with WireSim(articles=8, seed=1) as sim:
        aid = sim.publish("Ceasefire talks resume in Geneva", PARAGRAPHS, language="en")
        url = sim.article_url(aid)
        for _ in range(30):          # the page's counter, teaser and ad change on every response
            body = urllib.request.urlopen(url, timeout=10).read()
            lines = extract(body, url, {"Content-Type": "text/html; charset=utf-8"}).text.split("\n")
            at = lines.index(PARAGRAPHS[0])       # each paragraph a line of its own, in order
            assert lines[at + 1] == PARAGRAPHS[1], lines


def test_a_one_sentence_flash_is_archived_and_its_expansion_is_an_edit(ww, sim):
    """A wire flash (one sentence) is the story's first version; re-checks of it stay unchanged,
    never `blocked`; the full story that replaces it is a new version. A flash was refused as
    near-empty before (25 words minimum), so the first version of a breaking story was lost."""
    sim.conditional = False
    # 12 words: with the page's "Read also" teaser (7-14 words) it stayed below 25 on most fetches
    flash = "MOSCOW, November 30. /WireSim/. Air defences downed 20 drones overnight, officials said."
    assert word_count(flash) == FLASH_WORDS
    aid = sim.publish("Drones downed overnight", [flash])
    ww("crawl", "wiresim")
    key = f"wiresim:{aid}"
    assert ww.sql(f"SELECT versions, status FROM articles WHERE article_id = '{key}'")[0] == {"versions": 1, "status": "live"}
    for _ in range(2):
        ww("recheck", "wiresim", "--all")
    outcomes = {r["outcome"] for r in ww.sql(f"SELECT outcome FROM fetches WHERE article_id = '{key}'")}
    assert outcomes <= {"new", "unchanged", "confirm"}, outcomes
    sim.edit(aid, "add_paragraph")
    sim.edit(aid, "add_paragraph")
    ww("recheck", "wiresim", "--all")
    assert ww.sql(f"SELECT versions, status FROM articles WHERE article_id = '{key}'")[0] == {"versions": 2, "status": "live"}


def test_a_flash_stored_with_a_long_teaser_beside_it_is_still_a_flash():
    """The teaser is not prose: counted with it, a 12-word flash beside a 14-word teaser was not
    a flash, and the next re-check, showing a shorter teaser, was refused as near-empty."""
    from crawler.extraction.words import is_flash_text
    flash = "MOSCOW, November 30. /WireSim/. Air defences downed 20 drones overnight, officials said."
    teaser = "Read also: Central bank keeps key rate unchanged for third meeting in a row"
    assert word_count(flash + "\n" + teaser) >= 25
    assert is_flash_text(flash + "\n" + teaser)
    story = " ".join([flash] * 3)                 # a story of 36 words of prose is no flash
    assert not is_flash_text(story + "\n" + teaser)


def test_flash_ness_counts_words_across_lines_as_the_whole_text_does():
    """is_flash_text stops counting at MIN_WORDS (it is asked on every re-check): words split over
    lines, and runs of an unspaced script split over lines, still count as in the whole text."""
    from crawler.extraction.words import MIN_WORDS, is_flash_text
    assert is_flash_text("\n".join(["word"] * (MIN_WORDS - 1)))
    assert not is_flash_text("\n".join(["word"] * MIN_WORDS))
    assert not is_flash_text("字" * MIN_WORDS + "\n" + "字" * MIN_WORDS)   # 2 characters a word
    assert is_flash_text("字" * MIN_WORDS + "\n" + "字" * (MIN_WORDS - 1))
    assert is_flash_text("Read also: " + " ".join(["teaser"] * 20) + "\n" + " ".join(["word"] * 12))
    assert is_flash_text(None) and is_flash_text("")
